"""Does a paragraph support a claim? The one check used to verify citations and to score them in evaluation.

Lexical entailment, deliberately: the claim's content words (IDF-weighted) must be found in the paragraph,
and every number in the claim must appear there too. No NLI model ships offline (see
../shared/docs/offline-stack.md); this check is strict enough that a sentence copied from a paragraph
passes and a claim about something else fails.
"""
from __future__ import annotations

import re
from typing import Callable

from .text import tokenize

SUPPORT_THRESHOLD = 0.6
_NUMBER = re.compile(r"\d[\d,.]*")


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def coverage(claim_tokens: list[str], evidence_tokens: set[str], idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the claim's tokens found in the evidence."""
    weights = {t: idf(t) for t in set(claim_tokens)}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in evidence_tokens) / total if total else 0.0


def support_score(claim: str, paragraph: str, idf: Callable[[str], float] = lambda t: 1.0) -> float:
    claim_tokens = tokenize(_strip_markers(claim))
    if not claim_tokens:
        return 0.0
    if not numbers(claim) <= numbers(paragraph):
        return 0.0
    return coverage(claim_tokens, set(tokenize(paragraph)), idf)


def supports(claim: str, paragraph: str, idf: Callable[[str], float] = lambda t: 1.0) -> bool:
    return support_score(claim, paragraph, idf) >= SUPPORT_THRESHOLD


def _strip_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)
