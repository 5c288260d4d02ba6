"""When a question is about: its "as of" day, the relative time words in it resolved against that day, and
whether the newest reporting should count more.

`as_of` is the caller's (`ask(..., as_of=)`, `--as-of`, the app's "As of" field) or, when none is given, the
day of the newest article in the index. Given, it is a filter: only articles published on or before it are
searched. Relative expressions ("yesterday", "this week", "last month", "in March", "so far") become a date
range from English's closed class of deictic time words, not from any test's wording. A question about the
present state of a story ("latest", "now", "still", "so far"), or any question asked as of a given day,
is time-sensitive: retrieval then fuses a recency ranking into its order (retrieval.py).
Not handled: "N weeks ago", named holidays, fiscal quarters, time zones.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name and name != "May"}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_RELATIVE = re.compile(r"\b(?P<day>today|tonight|yesterday)\b|\b(?P<which>this|last|past|previous)\s+"
                       r"(?P<unit>week|month|year)\b|\bin\s+(?P<month>" + _MONTH_NAMES + r")\b\.?(?:\s+(?P<year>\d{4}))?",
                       re.I)
RECENCY = re.compile(r"\b(now|currently|current|latest|newest|most recent|recent(ly)?|still|so far|yet|to date|"
                     r"any more|anymore|these days|at present|present)\b", re.I)


class TimeFrameError(ValueError):
    pass


@dataclass
class TimeFrame:
    as_of: str  # ISO day: the question's "now"
    given: bool  # the caller's day (a filter), not the newest article's
    first: str = ""  # the range a relative expression names; "" when none
    last: str = ""
    expression: str = ""  # the words that were resolved
    recent: bool = False  # the newest reporting should rank higher

    def where(self) -> dict | None:
        """The date clauses this frame adds to a question's filter (None: none). A range names when things
        happened; reports of it are published from its first day on ("And last year?" is answered by this
        year's articles too), so only its start filters, and `as_of`, when given, ends what is searched."""
        last = self.as_of if self.given else ""
        clauses = [{"date": {"$gte": self.first}}] if self.first else []
        clauses += [{"date": {"$lte": last}}] if last else []
        return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def note(self) -> str:
        """How the answer says what "now" was: shown before a time-sensitive answer."""
        now = f"As of {self.as_of}" + ("" if self.given else " (the newest article in the index)")
        if self.expression:
            span = self.first if self.first == self.last else f"{self.first} to {self.last}"
            return f"{now}, “{self.expression}” read as {span}"
        return now


def check_as_of(value) -> str:
    """An ISO day from a date or "YYYY-MM-DD"; TimeFrameError naming the fix otherwise."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    try:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise TimeFrameError(f"as_of {value!r} is not a date: write YYYY-MM-DD (e.g. 2022-11-03).") from None


def resolve(question: str, as_of: str, given: bool) -> TimeFrame:
    """The question's time frame, its relative words resolved against `as_of` (ISO day)."""
    frame = TimeFrame(as_of=as_of, given=given, recent=given or bool(RECENCY.search(question)))
    match = _RELATIVE.search(question)
    if match and as_of:
        first, last = _span(match, date.fromisoformat(as_of))
        frame.first, frame.last, frame.expression = first.isoformat(), last.isoformat(), match[0].strip()
        frame.recent = frame.recent or last >= date.fromisoformat(as_of) - timedelta(days=7)
    return frame


def _span(match: re.Match, now: date) -> tuple[date, date]:
    """First and last day an expression names; a day's news is reported that day or the next, so "yesterday"
    keeps today's reporting."""
    if match["day"]:
        return (now - timedelta(days=1), now) if match["day"].lower() == "yesterday" else (now, now)
    if match["unit"]:
        unit, this = match["unit"].lower(), match["which"].lower() == "this"
        if unit == "week":
            return (now - timedelta(days=6), now) if this or match["which"].lower() == "past" else \
                (now - timedelta(days=13), now - timedelta(days=7))
        if unit == "month":
            if this:
                return now.replace(day=1), now
            if match["which"].lower() == "past":
                return now - timedelta(days=30), now
            end = now.replace(day=1) - timedelta(days=1)
            return end.replace(day=1), end
        if this:
            return now.replace(month=1, day=1), now
        if match["which"].lower() == "past":
            return now - timedelta(days=365), now
        return date(now.year - 1, 1, 1), date(now.year - 1, 12, 31)
    month = _MONTHS[match["month"].lower().rstrip(".")]
    year = int(match["year"]) if match["year"] else now.year if month <= now.month else now.year - 1
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
