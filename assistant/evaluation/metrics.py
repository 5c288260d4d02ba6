"""Metric functions on plain values: ranking, answer overlap, citation quality (ALCE style), latency.

Citation quality uses the project's own support check (assistant.support.supports), the same check that
verifies citations at answer time; there is no NLI model offline. Nothing here knows about `Answer`
or test-set formats: scoring.py maps those onto these functions.
"""
from __future__ import annotations

import re
from typing import Callable

from ..citations import split_claims
from ..support import supports
from ..text import fold, tokenize

MARKER = re.compile(r"\[(\d+)\]")
Idf = Callable[[str], float]


def normalize(text: str) -> str:
    """Lowercase, quotes and accents folded, punctuation to spaces, whitespace collapsed (for matching)."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def contains_phrase(text: str, phrase: str, whole_words: bool = True) -> bool:
    """Containment after normalising both sides; whole words unless told otherwise."""
    needle = normalize(phrase)
    if not whole_words:
        return bool(needle) and needle in normalize(text)
    return bool(needle) and f" {needle} " in f" {normalize(text)} "


# --- retrieval -------------------------------------------------------------------------------------
def hit_at_k(gold_flags: list[bool], k: int) -> float:
    """1.0 if any of the first k ranked items is gold."""
    return float(any(gold_flags[:k]))


def mrr_at_k(gold_flags: list[bool], k: int = 10) -> float:
    """Reciprocal rank of the first gold item within the first k, else 0."""
    return next((1.0 / rank for rank, gold in enumerate(gold_flags[:k], 1) if gold), 0.0)


# --- correctness ------------------------------------------------------------------------------------
def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def token_f1(answer: str, reference: str) -> float:
    """SQuAD-style F1 over content tokens (stopwords dropped, lightly stemmed)."""
    a, r = tokenize(strip_markers(answer)), tokenize(reference)
    common = sum(min(a.count(t), r.count(t)) for t in set(a) & set(r))
    if not a or not r or not common:
        return 0.0
    precision, recall = common / len(a), common / len(r)
    return 2 * precision * recall / (precision + recall)


def token_recall(answer: str, reference: str) -> float:
    """Share of the reference's distinct content tokens that the answer holds."""
    ref = set(tokenize(reference))
    return len(ref & set(tokenize(strip_markers(answer)))) / len(ref) if ref else 0.0


def contains_any(answer: str, acceptable: list[str]) -> bool:
    """Does the answer contain one of the acceptable answers, "strings any correct answer contains" (the
    test sets' definition)? From a word's start, so a stem the test writes ("clarif", "de-escalat") finds
    "clarifications"; one of three characters or fewer ("no", "US") must be a whole word, or "no" would be
    found in "not"."""
    text = f" {normalize(strip_markers(answer))} "
    return any(f" {needle}{' ' if len(needle) <= 3 else ''}" in text for needle in map(normalize, acceptable)
               if needle)


# --- citations --------------------------------------------------------------------------------------
def invalid_markers(text: str, resolvable: set[int]) -> tuple[int, int]:
    """(markers that resolve to no citation, all markers) in the text."""
    markers = [int(m) for m in MARKER.findall(text)]
    return sum(m not in resolvable for m in markers), len(markers)


def citation_quality(text: str, paragraphs: dict[int, str], idf: Idf = lambda t: 1.0,
                     given: dict[int, frozenset[str]] | None = None) -> dict:
    """ALCE citation recall and precision of `text`, whose [n] markers point at paragraphs[n].

    recall: share of sentences whose cited paragraphs (together) support them;
    precision: share of citations that are not irrelevant: a citation is irrelevant when its sentence is
    not supported, or when it alone does not support the sentence and the sentence's other citations do.
    given: marker -> the question's words its article uses (support.given_words), as at answer time.
    """
    given = given or {}
    claims = sentences_with_markers(text)
    supported = precise = cited = 0
    for sentence, markers in claims:
        markers = list(dict.fromkeys(markers))
        joint = _joint(markers, paragraphs)
        known = frozenset().union(*(given.get(m, frozenset()) for m in markers))
        ok = bool(joint) and supports(sentence, joint, idf, known)
        supported += ok
        cited += len(markers)
        precise += sum(ok and _relevant(sentence, m, markers, paragraphs, idf, given) for m in markers)
    return {"sentences": len(claims), "supported": supported, "citations": cited, "precise": precise,
            "citation_recall": supported / len(claims) if claims else None,
            "citation_precision": precise / cited if cited else None}


def sentences_with_markers(text: str) -> list[tuple[str, list[int]]]:
    """split_claims, minus fragments with no word in them ("… determined. [1]." leaves a lone "."):
    such a fragment is not a claim, and its markers belong to the sentence before it."""
    out: list[tuple[str, list[int]]] = []
    for sentence, markers in split_claims(text):
        if re.search(r"\w", sentence) or not out:
            out.append((sentence, list(markers)))
        else:
            out[-1][1].extend(markers)
    return [(s, m) for s, m in out if re.search(r"\w", s)]


def _joint(markers: list[int], paragraphs: dict[int, str]) -> str:
    return "\n".join(paragraphs[m] for m in markers if m in paragraphs)


def _relevant(sentence: str, marker: int, markers: list[int], paragraphs: dict[int, str], idf: Idf,
              given: dict[int, frozenset[str]]) -> bool:
    if marker not in paragraphs:
        return False
    if supports(sentence, paragraphs[marker], idf, given.get(marker, frozenset())):
        return True
    others = [m for m in markers if m != marker]
    rest = _joint(others, paragraphs)
    return not (rest and supports(sentence, rest, idf, frozenset().union(*(given.get(m, frozenset()) for m in others))))


# --- latency ----------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return sum(values) / len(values) if values else None
