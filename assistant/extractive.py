"""The `extractive` backend: answer with the retrieved sentences that answer the question, no model.

Each sentence is scored by meaning (cosine with the question), by the question's rare words it contains
(BM25 IDF weights), and by whether it holds the kind of thing asked for (a number for "how many", a date
for "when", a name for "who"). The best one or two are quoted verbatim, each cited, so the answer is
faithful by construction. When no sentence covers the question well enough, it refuses.
It does not paraphrase, combine facts into new sentences, or reason across sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.sentences import sentence_spans

from .answer import Passage
from .support import coverage, numbers
from .text import stem, tokenize

# Words that say what kind of answer is wanted but are not themselves evidence.
QUESTION_WORDS = set(tokenize("name names called quote exact words happen happened describe described "
                              "respond kind type way many much mention mentioned take place held hold occur "
                              "go going come get make think mean include either side already afterwards "
                              "date day year time location where"))
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b({_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}|(19|20)\d\d|monday|tuesday|wednesday|"
                   r"thursday|friday|saturday|sunday|yesterday|today|last (week|month|year)|next week)\b", re.I)
_NUMBER_WORDS = re.compile(r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|"
                           r"thousands?|millions?|billions?)\b", re.I)
_STRONG = {"place": re.compile(r"\b(in|at) (the )?[A-Z]"), "date": re.compile(rf"\b{_MONTHS}\s+\d|\d\s+{_MONTHS}|\b(19|20)\d\d\b", re.I),
           "number": re.compile(r"\d")}
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]+")  # names and places, roughly; the first word is skipped

# Verbs that news questions and news sentences use for the same act.
VERB_STAND_INS = {stem(k): set(tokenize(v)) for k, v in {
    "demand": "want wants expect expects request requests urge urged insist", "want": "demand expect",
    "agree": "agreed agreement", "accuse": "accusing accused", "describe": "called call"}.items()}

ANSWER_MIN_COVERAGE = 0.3  # share of the question's (IDF-weighted) words its best paragraph must hold
ANSWER_MIN_SCORE = 0.4
MAX_CACHED_SENTENCES = 50_000  # about 75 MB of vectors
MAX_SENTENCES = 4
KEEP_SHARE = 0.65  # further sentences must score at least this share of the best one


@dataclass
class Candidate:
    passage_index: int  # 1-based, the marker the draft uses
    text: str
    score: float
    paragraph_coverage: float
    passage: Passage

    @property
    def doc_id(self) -> str:
        return self.passage.doc_id


def expected_type(question: str) -> str | None:
    q = question.lower()
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|share)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bon what (date|day)\b|\bin what year\b", q):
        return "date"
    if re.search(r"\bwho\b|\bwhose\b|\bwhat is the name\b|\bwhich (person|official|analyst|minister)\b", q):
        return "name"
    if re.search(r"\bwhere\b|\bwhich (city|country|place|town|hotel)\b|\blocation\b", q):
        return "place"
    return None


def has_type(sentence: str, wanted: str | None, question: str) -> bool:
    if wanted == "number":
        return bool(_NUMBER_WORDS.search(sentence))
    if wanted == "date":
        return bool(_DATE.search(sentence))
    if wanted in ("name", "place"):
        asked = set(tokenize(question))
        return any(set(tokenize(word)) - asked for word in _CAPITALISED.findall(sentence[1:]))
    return True


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, encode, idf):
        self.encode, self.idf = encode, idf  # encode(list[str]) -> normalised vectors; idf(token) -> float
        self._cache: dict[str, np.ndarray] = {}

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors, cached across questions (answers reuse the same paragraphs)."""
        cache = self._cache  # one reference: another thread may swap in an empty cache meanwhile
        found = {t: cache[t] for t in texts if t in cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.encode(missing)))
            self.remember({t: found[t] for t in missing})
        return np.array([found[t] for t in texts])

    def remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Known text -> vector pairs (a one-sentence paragraph's stored vector is that sentence's vector)."""
        cache = self._cache
        if len(cache) > MAX_CACHED_SENTENCES:
            self._cache = cache = {}
        cache.update((text, np.asarray(vector, dtype=np.float32)) for text, vector in vectors.items())

    def candidates(self, question: str, query_vector, passages: list[Passage],
                   stand_ins: dict[str, set[str]] | None = None) -> list[Candidate]:
        """Sentences of `passages`, best answer first. `stand_ins` maps a question word to words that count
        for it (e.g. "minister" -> {"lavrov", "viklov"}, the people the articles give that office)."""
        q_tokens = [t for t in tokenize(question) if t not in QUESTION_WORDS] or tokenize(question)
        stand_ins = {**VERB_STAND_INS, **(stand_ins or {})}

        def evidence(text: str) -> set[str]:
            tokens = set(tokenize(text))
            return tokens | {word for word, others in stand_ins.items() if others & tokens}

        wanted = expected_type(question)
        sentences = [(i, p, compress(p.text[s:e], set(q_tokens))) for i, p in enumerate(passages, 1)
                     for s, e in sentence_spans(p.text)]
        if not sentences:
            return []
        dense = self.vectors([s for _, _, s in sentences]) @ np.asarray(query_vector)
        out = []
        for (index, passage, sentence), similarity in zip(sentences, dense):
            s_tokens = evidence(sentence)
            lexical = coverage(q_tokens, s_tokens, self.idf)
            in_paragraph = coverage(q_tokens, evidence(f"{passage.title} {passage.paragraph}"), self.idf)
            score = 0.5 * float(similarity) + 0.3 * lexical + 0.2 * in_paragraph
            score *= 1 + 0.05 / max(passage.paragraph_number, 1)  # news leads carry the main facts
            if not has_type(sentence, wanted, question):
                score *= 0.6
            elif wanted in _STRONG and _STRONG[wanted].search(sentence):
                score *= 1.15  # "in Geneva" for where, "Jan 21" for when
            if s_tokens and len(s_tokens - set(q_tokens)) < 2:
                score *= 0.6  # restates the question, adds nothing
            if not numbers(question) <= numbers(f"{passage.title} {passage.paragraph}"):
                score *= 0.5  # "in 2021" asked, the paragraph is about another year
            out.append(Candidate(index, sentence, score, in_paragraph, passage))
        return sorted(out, key=lambda c: c.score, reverse=True)

    def answer(self, question: str, query_vector, passages: list[Passage],
               stand_ins: dict[str, set[str]] | None = None) -> tuple[str, bool]:
        """(draft with [passage-number] markers, refused)."""
        return compose(self.candidates(question, query_vector, passages, stand_ins))


def compose(ranked: list[Candidate]) -> tuple[str, bool]:
    """The best sentences, each with its marker, or a refusal when the best one does not answer."""
    if not ranked or ranked[0].score < ANSWER_MIN_SCORE or ranked[0].paragraph_coverage < ANSWER_MIN_COVERAGE:
        return "", True
    chosen = [ranked[0]]
    for candidate in ranked[1:]:
        if len(chosen) >= MAX_SENTENCES or candidate.score < KEEP_SHARE * ranked[0].score:
            break
        if not any(c.passage is candidate.passage or _redundant(candidate.text, c.text) for c in chosen):
            chosen.append(candidate)  # one sentence per paragraph: the others add breadth
    return " ".join(with_marker(c.text, c.passage_index) for c in chosen), False


_ASIDE = re.compile(r", (?:which|who|whose) [^,;“”\"]{3,200}, (?=[a-z])")


def compress(sentence: str, asked: set[str]) -> str:
    """Drop non-restrictive relative clauses that hold none of the question's words: "Russia, which has …
    exercises, wants NATO …" becomes "Russia wants NATO …". Every word left is the source's own, so the
    support check still holds."""
    return _ASIDE.sub(lambda m: m.group(0) if asked & set(tokenize(m.group(0))) else " ", sentence)


def _redundant(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / max(len(ta | tb), 1) > 0.5


def with_marker(sentence: str, marker: int) -> str:
    """Put [n] before the sentence's final full stop ("… talks [1].") or after it otherwise."""
    sentence = re.sub(r"\s*(\.\.\.|…)$", "", sentence.rstrip())  # snippet ellipses: the sentence was cut
    if sentence.endswith(".") and not sentence.endswith(".."):
        return f"{sentence[:-1]} [{marker}]."
    if not re.search(r"[.!?\"'”’)]$", sentence):
        return f"{sentence} [{marker}]."  # a headline-style bullet: end it, so sentences stay apart
    return f"{sentence} [{marker}]"
