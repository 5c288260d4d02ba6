"""Which articles a question names: outlets (from the index's own `source` metadata) and dates.

"Does 'The Verge' on 2023-11-24 say …, while the TechCrunch article …" names two parts, each to be read in
its own articles. Outlet names come only from the indexed articles' `source` values, matched fuzzily:
"multihoprag/The Independent - Life and Style" is also "The Independent - Life and Style" and "The
Independent" (a collection prefix and a section are dropped), spelling and case may differ a little, and a
name of several words is also its initials in capitals ("AP" for "Associated Press"). Outlet names are proper
nouns, so the question's words must be capitalised where they name one.

A date next to an outlet ("published on October 1st", "on 2023-11-24") narrows that outlet's articles to the
ones published that day (a day either side, for time zones), when it has any.
A named outlet the index does not hold ("a Bloomberg article") is reported too, so the answer can say that
part is not in the articles instead of guessing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher

from .followup import OTHER_ARTICLE
from .text import tokenize

FUZZY_MIN = 0.85  # similarity of a question's words to a name of several words ("Sydney Morning Herald's")
MIN_PART_WORDS = 2  # content words a part needs to be a claim of its own
_TOKEN = re.compile(r"[\w][\w'’&.]*[\w]|[\w]")
_LOWER_OK = {"and", "of", "&", "the", "for", "on", "in", "a"}  # small words inside a proper name
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
DATE = re.compile(r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b|\b(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|"
                   r"dec)[a-z]*\.?)\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4}))?", re.I)
# Where a question names an outlet ("a Bloomberg article", "the report by Reuters"): a capitalised run next to
# a word for a news item. Only used to notice outlets that are not indexed.
_ITEM = r"(?:article|report|piece|story|coverage|review|op-ed|column)"
_ABOUT_ITEM = re.compile(rf"{_ITEM}s?|report\w*|publish\w*|cover\w*|\d+", re.I)  # tokens, stemmed or not
_NAMED_ITEM = re.compile(rf"\b(?P<before>(?:[A-Z][\w&.’']*\s+){{1,4}}){_ITEM}s?\b|\b{_ITEM}s?\s+(?:from|by|in)\s+"
                         rf"(?:the\s+)?(?P<after>[A-Z][\w&.’']*(?:\s+[A-Z][\w&.’']*){{0,3}})")


@dataclass
class Mention:
    """One place where the question names an outlet, and the articles it selects."""

    label: str  # the words as the question writes them ("The Verge")
    start: int
    end: int
    sources: list[str]  # the `source` values it matches
    doc_ids: list[str]  # those outlets' articles, narrowed by a date given with it
    day: str = ""  # ISO day given with it, if any


@dataclass
class Routing:
    mentions: list[Mention] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # outlets the question names that no article is from

    def parts(self, question: str) -> list[tuple[Mention, str]]:
        """(mention, the words of the question that belong to it): a part's own claim or sub-question.
        English puts them after the outlet when the question opens with it ("Does 'X' suggest A, while 'Y'
        indicates B?") and before it otherwise ("… A according to 'X', B as reported by 'Y'"): the side with
        more words around the outer mentions. Outlets named together ("'X' and 'Y' articles indicate B")
        share the next part's words (the previous part's, when the words come before)."""
        ms = self.mentions
        if not ms:
            return []
        before, after = question[: ms[0].start], question[ms[-1].end:]
        follows = len(_TOKEN.findall(before)) <= len(_TOKEN.findall(after))
        if follows:
            words = [question[m.end: ms[i + 1].start if i + 1 < len(ms) else len(question)] for i, m in enumerate(ms)]
        else:
            words = [question[ms[i - 1].end if i else 0: m.start] for i, m in enumerate(ms)]
        order = range(len(ms) - 2, -1, -1) if follows else range(1, len(ms))
        for i in order:  # too few words of its own: the neighbour's claim is this outlet's too
            if content_words(words[i]) < MIN_PART_WORDS:
                words[i] = words[i + 1] if follows else words[i - 1]
        rest = question  # still too few ("Does the Reuters piece give …"): the question without its outlets
        for m in reversed(ms):
            rest = rest[: m.start] + rest[m.end:]
        if len(ms) == 1:  # one outlet: the whole question is its part
            return [(ms[0], rest)]
        return [(m, w if content_words(w) >= MIN_PART_WORDS else rest) for m, w in zip(ms, words)]


def content_words(words: str) -> int:
    """Words that say what a part is about: not its date, nor words for the news item ("published", "report")."""
    return len([t for t in tokenize(DATE.sub(" ", words)) if not _ABOUT_ITEM.fullmatch(t)])


def display_name(source: str) -> str:
    """"multihoprag/The Verge" -> "The Verge": what follows a collection prefix."""
    return source.rsplit("/", 1)[-1].strip()


def variants(source: str) -> list[list[str]]:
    """The token sequences that name an outlet: its whole name, the name before a section (" - ", " | "),
    each without a leading "The" when what is left is long enough to be a name on its own."""
    name = display_name(source)
    names = {name, re.split(r"\s+[-|–:]\s+", name)[0]}
    out = []
    for n in names:
        tokens = _TOKEN.findall(n)
        out.append(tokens)
        if len(tokens) > 1 and tokens[0].lower() == "the" and (len(tokens) > 2 or len(tokens[1]) >= 6):
            out.append(tokens[1:])
    return [v for v in out if v]


def initials(tokens: list[str]) -> str:
    words = [t for t in tokens if t.lower() not in _LOWER_OK and t[0].isalpha()]
    return "".join(t[0].upper() for t in words) if len(words) >= 2 else ""


def route(question: str, records: dict[str, dict]) -> Routing:
    """The outlets (and dates) a question names, with the indexed articles each selects."""
    by_source: dict[str, list[str]] = {}
    for doc_id, record in records.items():
        if record.get("source"):
            by_source.setdefault(record["source"], []).append(doc_id)
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(question)]
    found = _find_mentions(tokens, by_source)
    mentions = []
    for start, end, sources in found:
        doc_ids = sorted(d for s in sources for d in by_source[s])
        mentions.append(Mention(question[start:end], start, end, sources, doc_ids))
    _attach_dates(question, mentions, records)
    mentions = sorted(mentions + _others(question, mentions, records), key=lambda m: m.start)
    return Routing(mentions, _unknown_outlets(question, mentions, list(by_source)))


def _others(question: str, mentions: list[Mention], records: dict[str, dict]) -> list[Mention]:
    """"the other report" beside a named one: every article the named ones do not select. (Without a named
    one in the question, "the other article" refers to the conversation: followup.py.)"""
    named = {d for m in mentions for d in m.doc_ids}
    rest = sorted(set(records) - named)
    if not mentions or not rest:
        return []
    return [Mention(m.group(0), m.start(), m.end(), [], rest) for m in OTHER_ARTICLE.finditer(question)]


def _find_mentions(tokens, by_source: dict[str, list[str]]) -> list[tuple[int, int, list[str]]]:
    """Non-overlapping (start, end, sources), the longest name first: "FOX News - Health" is one outlet,
    "FOX News" every section of it."""
    hits: dict[tuple[int, int], set[str]] = {}  # (first token, last token) -> sources
    for source in by_source:
        for variant in variants(source):
            n = len(variant)
            for i in range(len(tokens) - n + 1):
                if _names([t for t, _, _ in tokens[i:i + n]], variant):
                    hits.setdefault((i, i + n - 1), set()).add(source)
        short = initials(_TOKEN.findall(display_name(source)))
        for i, (token, _, _) in enumerate(tokens):
            if short and token == short:
                hits.setdefault((i, i), set()).add(source)
    chosen: list[tuple[int, int]] = []
    for first, last in sorted(hits, key=lambda span: (span[0] - span[1], span[0])):
        if all(last < f or first > l for f, l in chosen):
            chosen.append((first, last))
    return sorted((tokens[f][1], tokens[l][2], sorted(hits[(f, l)])) for f, l in chosen)


def _names(words: list[str], variant: list[str]) -> bool:
    """Do the question's words name this outlet? Capitalised (a proper noun) and close in spelling."""
    if not all(w[0].isupper() or not w[0].isalpha() or w.lower() in _LOWER_OK for w in words):
        return False
    if not words[0][0].isupper() and words[0][0].isalpha():
        return False
    said = re.sub(r"['’]s$", "", " ".join(words).lower())  # "The Verge's piece"
    name = " ".join(variant).lower()
    # One word is matched exactly: "Independence" is not "The Independent"; names of several words may
    # differ a little ("Fox News Health" / "FOX News - Health").
    return said == name or (len(variant) > 1 and SequenceMatcher(None, said, name).ratio() >= FUZZY_MIN)


def _attach_dates(question: str, mentions: list[Mention], records: dict[str, dict]) -> None:
    """A date in a mention's part of the question narrows its articles to that day (± one day)."""
    if not mentions:
        return
    for match in DATE.finditer(question):
        nearest = min(mentions, key=lambda m: min(abs(match.start() - m.end), abs(m.start - match.end())))
        days = _days(match, [records[d].get("date", "") for d in nearest.doc_ids])
        on_day = [d for d in nearest.doc_ids if _near(records[d].get("date", ""), days)]
        if on_day and not nearest.day:
            nearest.doc_ids, nearest.day = on_day, days[0]


def _days(match: re.Match, article_days: list[str]) -> list[str]:
    """ISO days the date may mean: a date without a year takes the years of the outlet's articles."""
    if match.group("iso"):
        return [match.group("iso")]
    month = next((i for i, m in enumerate(_MONTHS, 1) if m.startswith(match.group("month").lower()[:3])), 0)
    years = [int(match.group("year"))] if match.group("year") else sorted({int(d[:4]) for d in article_days if d})
    out = []
    for year in years:
        try:
            out.append(date(year, month, int(match.group("day"))).isoformat())
        except ValueError:
            pass
    return out


def _near(day: str, days: list[str]) -> bool:
    try:
        d = date.fromisoformat(day[:10])
    except ValueError:
        return False
    return any(abs(d - date.fromisoformat(x)) <= timedelta(days=1) for x in days)


def _unknown_outlets(question: str, mentions: list[Mention], sources: list[str]) -> list[str]:
    """Outlets named beside "article", "report", … that match no indexed outlet ("a Bloomberg article")."""
    out = []
    for match in _NAMED_ITEM.finditer(question):
        name = re.sub(r"['’]s$", "", (match.group("before") or match.group("after") or "").strip())
        start = match.start("before") if match.group("before") else match.start("after")
        words = [w for w in name.split() if w.lower() not in _LOWER_OK]
        if not words or any(m.start <= start < m.end or start <= m.start < start + len(name) for m in mentions):
            continue
        if not _is_sentence_start(question, start) and name not in out:
            out.append(name)
    return out


def _is_sentence_start(question: str, start: int) -> bool:
    """A capitalised word that opens the question ("Does …", "Which …") is no name."""
    return not question[:start].strip(" '\"‘“")
