"""Tokens for lexical search and support checks: lowercased words and numbers, lightly stemmed.

Deliberately simple (Snowball stemming after lemminflect's verb lemmas, no part-of-speech tagging): the same
function is used for the BM25 index, queries and the support check, so they always agree.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

TOKENIZER_VERSION = "5"  # part of the lexical index's cache key: bump when tokens change

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves according article articles say said
says tell told did does do
""".split())
_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[\w]+(?:[.,][\d]+)*", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase, unify apostrophes and quotes, and strip accents for matching (not for display)."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) English stem of the word's verb lemma, so irregular forms meet their verb
    ("won" / "wins", "wrote" / "written by"); the lemmas come from lemminflect's full English tables."""
    from lemminflect import getLemma

    lemma = getLemma(word, upos="VERB", lemmatize_oov=False)
    return _STEMMER.stemWord(lemma[0] if lemma else word)


# "US" would otherwise be the stopword "us"; the country is spelled out so "U.S." matches "United States".
_COUNTRY_ABBREVIATIONS = [(re.compile(r"\bU\.S\.(?=\W|$)|\bU\.S\b|\bUS\b"), "United States"),
                          (re.compile(r"\bU\.K\.(?=\W|$)|\bUK\b"), "United Kingdom")]


@lru_cache(maxsize=1)
def _demonyms() -> tuple[re.Pattern, dict[str, str]]:
    """Every country's demonym ("Russian", "Swiss", "American") -> its name, from countryinfo's table of
    about 250 countries; where several share one ("American"), the most populous country is meant."""
    from countryinfo import CountryInfo

    best: dict[str, tuple[int, str]] = {}
    for data in CountryInfo.all().values():
        demonym, name = (data.get("demonym") or "").strip(), data.get("name", "")
        if demonym and name and " " not in demonym:
            best[demonym] = max(best.get(demonym, (-1, "")), (int(data.get("population") or 0), name))
    names = {demonym: name for demonym, (_, name) in best.items()}
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    return pattern, names


def words(text: str) -> list[str]:
    for pattern, name in _COUNTRY_ABBREVIATIONS:
        text = pattern.sub(name, text)
    pattern, countries = _demonyms()
    text = pattern.sub(lambda m: countries[m.group(1)], text)  # "Russian minister" ~ "Russia's minister"
    folded = re.sub(r"'s\b", "", fold(text))
    return [w.replace(",", "") for w in _WORD.findall(folded)]


def tokenize(text: str) -> list[str]:
    """Content tokens: stopwords dropped, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]
