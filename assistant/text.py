"""Tokens for lexical search and support checks: lowercased words and numbers, lightly stemmed.

Deliberately simple (English suffix stripping, no lemmatiser): the same function is used for the BM25
index, queries and the support check, so they always agree.
"""
from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves according article articles say said
says tell told did does do
""".split())
_WORD = re.compile(r"[\w]+(?:[.,][\d]+)*", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase, unify apostrophes and quotes, and strip accents for matching (not for display)."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses")):
                return word[:-1]
            return word[: -len(suffix)] + replacement
    return word


def words(text: str) -> list[str]:
    folded = re.sub(r"'s\b", "", fold(text))
    return [w.replace(",", "") for w in _WORD.findall(folded)]


def tokenize(text: str) -> list[str]:
    """Content tokens: stopwords dropped, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]
