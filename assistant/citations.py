"""Attribution and verification: turn a draft with [n] markers into text whose every marker holds.

For each sentence of the draft: keep the markers whose paragraph supports it; if none does, re-attribute
the sentence to the retrieved paragraph that supports it best; if nothing supports it, drop the sentence.
Markers are then renumbered 1..n in order of appearance and resolved to `Citation`s with the exact quote.
No marker that points nowhere can survive this step.
"""
from __future__ import annotations

import re

from index.sentences import sentence_spans

from .answer import Citation, Passage
from .support import SUPPORT_THRESHOLD, adds_to, given_words, support_score
from .text import tokenize

_MARKER = re.compile(r"\s*\[(\d+)\]")
# A question that names a year ("the 2018 prize") asks about that year: an article that neither mentions it
# nor was published in it tells of another year, however well its sentence matches ("Bob Dylan won the Nobel
# Prize in Literature" is true of 2016). Years only: the articles often write a question's other numbers
# otherwise ("season 4" is "the fourth season").
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def split_claims(draft: str) -> list[tuple[str, list[int]]]:
    """[(sentence without markers, [marker numbers])]; a marker right after a full stop joins its sentence."""
    draft = re.sub(r"([.!?][\"'”’)]*)\s*((?:\[\d+\]\s*)+)", r" \2\1 ", draft)  # "… talks. [1]" -> "… talks [1]."
    claims = []
    for start, end in sentence_spans(draft):
        sentence = draft[start:end]
        markers = [int(m) for m in _MARKER.findall(sentence)]
        text = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()
        if text:
            claims.append((text, markers))
    return claims


def best_quote(claim: str, passage: Passage) -> tuple[str, int, int]:
    """The sentence of the paragraph that best matches the claim, with offsets in the whole paragraph."""
    claim_tokens = set(tokenize(claim))
    spans = [(s + passage.start, e + passage.start) for s, e in sentence_spans(passage.text)] or [
        (passage.start, passage.start + len(passage.text))]

    def overlap(span):
        return len(claim_tokens & set(tokenize(passage.paragraph[span[0]:span[1]])))

    start, end = max(spans, key=overlap)
    return passage.paragraph[start:end], start, end


def article_texts(passages: list[Passage]) -> dict[str, str]:
    """doc_id -> what we have read of that article: its outlet, title, date and retrieved paragraphs."""
    texts: dict[str, list[str]] = {}
    for p in passages:
        texts.setdefault(p.doc_id, [p.source, p.title, p.published or ""]).append(p.paragraph or p.text)
    return {doc_id: "\n".join(parts) for doc_id, parts in texts.items()}


def attribute(draft: str, passages: list[Passage], idf, question: str = "",
              dated: bool = True, confirm=None) -> tuple[str, list[Citation]]:
    """Verified answer text and its citations. Sentences no paragraph supports are dropped. `dated`: the
    question's years hold for every sentence; not for a question across articles, whose year may be one
    part's ("a higher average in 2022 than Yardbarker reported for Soto"). `confirm(claim, sentence)`, when
    given, has the last word on a supported sentence: False drops it (the local model's second reading,
    confirm.py)."""
    order: dict[str, int] = {}  # passage id -> new marker
    quotes: dict[str, tuple[str, int, int]] = {}
    sentences = []
    texts = article_texts(passages)
    given = {doc_id: given_words(question, text) for doc_id, text in texts.items()}
    asked_years = years(question) if dated else set()
    other_year = {doc_id for doc_id, text in texts.items() if asked_years - years(text)}
    for claim, markers in split_claims(draft):
        if question and not adds_to(claim, question):
            continue  # the question restated, with a citation, answers nothing
        chosen = _supporting(claim, markers, passages, lambda p: 0.0 if p.doc_id in other_year else
                             support_score(claim, p.paragraph, idf, given[p.doc_id]))
        if not chosen or (confirm and not confirm(claim, best_quote(claim, chosen[0])[0])):
            continue
        new_markers = []
        for passage in chosen:
            order.setdefault(passage.id, len(order) + 1)
            quotes.setdefault(passage.id, best_quote(claim, passage))
            new_markers.append(order[passage.id])
        sentences.append(_place_markers(claim, sorted(set(new_markers))))
    by_id = {p.id: p for p in passages}
    citations = [make_citation(marker, by_id[pid], *quotes[pid]) for pid, marker in order.items()]
    return " ".join(sentences), citations


def years(text: str) -> set[str]:
    return set(_YEAR.findall(text))  # "2,000" is a count, not a year


def _supporting(claim: str, markers: list[int], passages: list[Passage], score) -> list[Passage]:
    """The cited passages that support the claim; else the one retrieved passage that supports it best."""
    cited = [passages[m - 1] for m in dict.fromkeys(markers) if 1 <= m <= len(passages)]
    kept = [p for p in cited if score(p) >= SUPPORT_THRESHOLD]
    if kept:
        return kept
    scored = [(score(p), p) for p in passages]
    score, best = max(scored, key=lambda sp: sp[0], default=(0.0, None))
    return [best] if best is not None and score >= SUPPORT_THRESHOLD else []


def _place_markers(sentence: str, markers: list[int]) -> str:
    tags = "".join(f"[{m}]" for m in markers)
    match = re.search(r"([.!?])([\"'”’)]*)$", sentence)
    if match and not match.group(2):
        return f"{sentence[:-1]} {tags}{match.group(1)}"
    return f"{sentence} {tags}"


def make_citation(marker: int, passage: Passage, quote: str, start: int, end: int) -> Citation:
    return Citation(marker=marker, paragraph_id=passage.id, doc_id=passage.doc_id, title=passage.title,
                    source=passage.source, published=passage.published, paragraph=passage.paragraph, quote=quote,
                    quote_start=start, quote_end=end, paragraph_number=passage.paragraph_number, url=passage.url,
                    label=passage.label)
