"""Sentence boundaries with character offsets, for news English.

A small rule-based splitter: it knows common abbreviations (U.S., Jan., Mr.) and closing quotes, and
does not try to handle every language. Offsets let a citation point at the exact span in a paragraph.
"""
from __future__ import annotations

import re

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "st", "jr", "sr",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "inc", "corp", "co", "ltd", "no", "vs", "etc", "approx", "a.m", "p.m",
}
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) and whitespace.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+)")


_WORD_BEFORE = re.compile(r"([\w.]+)$")
_NEXT_VISIBLE = re.compile(r"\s*(\S)")
_LOOKBACK = 40  # longest abbreviation-like token worth looking at ("u.s", "approx", an initial)


def _is_abbreviation(text: str, dot_at: int) -> bool:
    # A bounded window, not text[:dot_at]: slicing and searching the whole prefix at every full stop made
    # splitting quadratic (a 200,000-character paragraph took 55 s).
    word = _WORD_BEFORE.search(text, max(0, dot_at - _LOOKBACK), dot_at)
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    # Single capital initials ("J. Smith") are abbreviations too.
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences in `text`, whitespace trimmed; a line break ends one."""
    spans, offset = [], 0
    for line in text.split("\n"):
        spans += [(offset + s, offset + e) for s, e in _line_spans(line)]
        offset += len(line) + 1
    return spans


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _END.finditer(text):
        end = match.end()
        if text[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation(text, match.start()):
            continue
        following = _NEXT_VISIBLE.match(text, end)  # not text[end:].lstrip(): a copy of the rest per stop
        if following and following.group(1).islower():
            continue  # "… said the U.S. envoy." style false break
        spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
