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
from .support import coverage
from .text import tokenize

# Words that say what kind of answer is wanted but are not themselves evidence.
QUESTION_WORDS = set(tokenize("name names called quote exact words happen happened describe described "
                              "respond response kind type way many much mention mentioned"))
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b({_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}|(19|20)\d\d|monday|tuesday|wednesday|"
                   r"thursday|friday|saturday|sunday|yesterday|today|last (week|month|year)|next week)\b", re.I)
_NUMBER_WORDS = re.compile(r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|"
                           r"thousands?|millions?|billions?)\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+)+")

ANSWER_MIN_COVERAGE = 0.5  # share of the question's (IDF-weighted) words its best paragraph must hold
ANSWER_MIN_SCORE = 0.45
MAX_SENTENCES = 2


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
    return None


def has_type(sentence: str, wanted: str | None, question: str) -> bool:
    if wanted == "number":
        return bool(_NUMBER_WORDS.search(sentence))
    if wanted == "date":
        return bool(_DATE.search(sentence))
    if wanted == "name":
        asked = set(tokenize(question))
        return any(set(tokenize(n)) - asked for n in _NAME.findall(sentence))
    return True


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, encode, idf):
        self.encode, self.idf = encode, idf  # encode(list[str]) -> normalised vectors; idf(token) -> float
        self._cache: dict[str, np.ndarray] = {}

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, self.encode(missing)))
        if len(self._cache) > 50_000:
            self._cache.clear()
        return np.array([self._cache[t] for t in texts])

    def candidates(self, question: str, query_vector, passages: list[Passage]) -> list[Candidate]:
        q_tokens = [t for t in tokenize(question) if t not in QUESTION_WORDS] or tokenize(question)
        wanted = expected_type(question)
        sentences = [(i, p, p.text[s:e]) for i, p in enumerate(passages, 1) for s, e in sentence_spans(p.text)]
        if not sentences:
            return []
        dense = self.vectors([s for _, _, s in sentences]) @ np.asarray(query_vector)
        out = []
        for (index, passage, sentence), similarity in zip(sentences, dense):
            s_tokens = set(tokenize(sentence))
            lexical = coverage(q_tokens, s_tokens, self.idf)
            in_paragraph = coverage(q_tokens, set(tokenize(f"{passage.title} {passage.paragraph}")), self.idf)
            score = 0.5 * float(similarity) + 0.3 * lexical + 0.2 * in_paragraph
            if not has_type(sentence, wanted, question):
                score *= 0.6
            if s_tokens and len(s_tokens - set(q_tokens)) < 2:
                score *= 0.6  # restates the question, adds nothing
            out.append(Candidate(index, sentence, score, in_paragraph, passage))
        return sorted(out, key=lambda c: c.score, reverse=True)

    def answer(self, question: str, query_vector, passages: list[Passage]) -> tuple[str, bool]:
        """(draft with [passage-number] markers, refused)."""
        ranked = self.candidates(question, query_vector, passages)
        if not ranked or ranked[0].score < ANSWER_MIN_SCORE or ranked[0].paragraph_coverage < ANSWER_MIN_COVERAGE:
            return "", True
        chosen = [ranked[0]]
        for candidate in ranked[1:]:
            if len(chosen) >= MAX_SENTENCES or candidate.score < 0.85 * ranked[0].score:
                break
            if not any(_redundant(candidate.text, c.text) for c in chosen):
                chosen.append(candidate)
        return " ".join(with_marker(c.text, c.passage_index) for c in chosen), False


def _redundant(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / max(len(ta | tb), 1) > 0.5


def with_marker(sentence: str, marker: int) -> str:
    """Put [n] before the sentence's final full stop ("… talks [1].") or after it otherwise."""
    sentence = sentence.rstrip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        return f"{sentence[:-1]} [{marker}]."
    return f"{sentence} [{marker}]"
