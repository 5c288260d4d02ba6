"""Article dates as dates: an ISO day and a day number, read once at ingest and stored with every chunk.

The day comes from `published` in any common written form (ISO, "2022/11/01", "Jan 21, 2022", RFC 2822;
parsed by dateutil), else from a dateline that carries a year ("GENEVA, Jan 21, 2022"). A dateline without a
year ("GENEVA, Jan 21") takes the latest year, not after today, in which that day fell on the weekday the
article's lead names ("talks on Friday"): a guess, marked `date_inferred`. An article with no date gets ""
and no day number: it matches no date range and stays in every question that has none.

The day number (days since 1970-01-01) is what Chroma filters on: its `where` compares numbers, not text.
Not handled: time zones (the day is the one written), dates before year 1000.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

EPOCH = date(1970, 1, 1)
_YEAR = re.compile(r"\b\d{4}\b")
_MONTH_DAY = re.compile(r"([A-Z][a-z]{2,8})\.? (\d{1,2})$")
_WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
_WEEKDAY = re.compile(r"\b(" + "|".join(calendar.day_name) + r")\b")


def parse_date(text: str | None) -> str:
    """An ISO day from a written date; "" unless year, month and day are all written."""
    text = (text or "").strip()
    if not _YEAR.search(text):
        return ""
    try:  # parsed against two different defaults: a part that was not written shows up as a difference
        first = dateutil_parser.parse(text, default=datetime(2000, 1, 1))
        second = dateutil_parser.parse(text, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return ""
    return first.date().isoformat() if first.date() == second.date() and first.year >= 1000 else ""


def day_number(iso_day: str) -> int:
    return (date.fromisoformat(iso_day) - EPOCH).days


def infer_year(month_day: str, lead: str, today: date | None = None) -> str:
    """"Jan 21" + a lead that says "on Friday" -> "2022-01-21" (the latest such year not after today);
    "" when the lead names no weekday or the day is not a date."""
    match, weekday = _MONTH_DAY.match((month_day or "").strip()), _WEEKDAY.search(lead or "")
    if not match or not weekday:
        return ""
    today = today or date.today()
    wanted = _WEEKDAYS[weekday[1].lower()]
    for year in range(today.year, today.year - 30, -1):
        parsed = parse_date(f"{match[1]} {match[2]}, {year}")
        if parsed and parsed <= today.isoformat() and date.fromisoformat(parsed).weekday() == wanted:
            return parsed
    return ""


def needs_lead(published: str | None, dateline_date: str | None) -> bool:
    """Whether the date can only come from the lead: a dateline day without a year, nothing else."""
    return bool(dateline_date) and not (parse_date(published) or parse_date(dateline_date))


def article_date(published: str | None, dateline_date: str | None, lead: str = "") -> tuple[str, bool]:
    """(ISO day or "", whether the year was inferred from the lead's weekday)."""
    dated = parse_date(published) or parse_date(dateline_date)
    if dated or not dateline_date:
        return dated, False
    inferred = infer_year(dateline_date, lead)
    return inferred, bool(inferred)


def lead_of(dateline_date: str | None, paragraphs: list[str]) -> str:
    """The paragraph among the first three that carries the dateline ("GENEVA, Jan 21 …"), or ""."""
    return next((p for p in paragraphs[:3] if dateline_date and dateline_date in p[:80]), "")


def date_fields(iso_day: str, inferred: bool) -> dict:
    """The metadata a record and each of its chunks carry; `day` only when there is a date (Chroma has no
    null, and a missing key matches no range)."""
    fields = {"date": iso_day, "date_inferred": inferred}
    return fields | {"day": day_number(iso_day)} if iso_day else fields
