"""Does a paragraph support a claim? The one check used to verify citations and to score them in evaluation.

Lexical entailment, deliberately: the claim's content words (IDF-weighted) must be found together in one
place of the paragraph (a sentence, or two adjacent sentences), and every number in the claim must appear
there too, and every name it gives (a capitalised word after its first). Words scattered over a paragraph do not make its claim: "The United States won the most medals"
is not supported by a paragraph that names the United States in one sentence and medals in another, and a
name in the paragraph does not support a claim that gives that name another role elsewhere. No NLI model
ships offline (see ../shared/docs/offline-stack.md); a sentence copied from a paragraph always passes.
"""
from __future__ import annotations

import re
from typing import Callable

from index.sentences import sentence_spans

from .text import tokenize, words

# Stopwords for search, but they change what a sentence claims: "won the most medals" is not "won medals",
# "has not rejected" is not "has rejected". A claim that uses one needs it in the supporting sentence too.
CLAIM_WORDS = frozenset({"most", "least", "only", "all", "no", "not", "never", "nor"})

SUPPORT_THRESHOLD = 0.6
_NUMBER = re.compile(r"\d[\d,.]*")
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")  # names, roughly; a claim's first word is skipped


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def coverage(claim_tokens: list[str], evidence_tokens: set[str], idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the claim's tokens found in the evidence."""
    weights = {t: idf(t) for t in set(claim_tokens)}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in evidence_tokens) / total if total else 0.0


def support_score(claim: str, paragraph: str, idf: Callable[[str], float] = lambda t: 1.0,
                  given: frozenset[str] | set[str] = frozenset()) -> float:
    """The best coverage of the claim by one sentence, or two adjacent ones, of the paragraph.

    `given`: names from the question that the paragraph's article uses (given_words): an answer may restate
    its question ("Paul Carrel wrote the Reuters report [2]" cites the credit line "Written by Paul Carrel"),
    so those count as found. Numbers never do: they must stand in the supporting sentence."""
    claim_tokens = claim_tokenize(_strip_markers(claim))
    claimed_numbers = numbers(claim)
    if not claim_tokens or not claimed_numbers <= numbers(paragraph):
        return 0.0
    names = set(name_tokens(claim))
    best = 0.0
    for window in windows(paragraph):
        found = set(claim_tokenize(window)) | set(given)
        if claimed_numbers <= numbers(window) and names <= found:
            best = max(best, coverage(claim_tokens, found, idf))
    return best


def given_words(question: str, article_text: str) -> frozenset[str]:
    """The names the question gives ("Reuters", "Geneva") that the article's text uses: see support_score.
    Only names: what is said of them (wrote, met, demanded) must stand in the supporting sentence."""
    return frozenset(name_tokens(question)) & frozenset(tokenize(article_text)) if question else frozenset()


def name_tokens(text: str) -> list[str]:
    """Tokens of the capitalised words after the first (names, roughly; one-letter pieces of "U.S." dropped)."""
    return [t for t in tokenize(" ".join(_CAPITALISED.findall(_strip_markers(text))[1:])) if len(t) > 1]


def claim_tokenize(text: str) -> list[str]:
    """Content tokens plus the CLAIM_WORDS the text uses ("didn't" counts as "not")."""
    text = re.sub(r"n[’']t\b", " not", text)
    return tokenize(text) + [w for w in words(text) if w in CLAIM_WORDS]


def windows(paragraph: str) -> list[str]:
    """Each sentence, and each pair of adjacent sentences, of the paragraph."""
    spans = sentence_spans(paragraph) or [(0, len(paragraph))]
    pairs = [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]
    return [paragraph[s:e] for s, e in spans + pairs]


def supports(claim: str, paragraph: str, idf: Callable[[str], float] = lambda t: 1.0,
             given: frozenset[str] | set[str] = frozenset()) -> bool:
    return support_score(claim, paragraph, idf, given) >= SUPPORT_THRESHOLD


def _strip_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)
