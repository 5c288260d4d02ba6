"""Restricting a question to some articles: `where` is evaluated on the article records, in Python.

Supported: {"source": "Reuters"}, {"doc_id": {"$in": [...]}}, {"date": {"$gte": "2022-01-01"}}, and
{"$and": [...]} / {"$or": [...]}. The result is a set of doc_ids, which both retrievers apply, so dense and
lexical search always see the same articles. `build_where` is the one builder of the CLI's and the chat's
filters (outlets, doc ids, a date range).

Dates. A record's "date" is its ISO day, read from `published` (ISO, "Jan 21, 2022", "21 January 2022",
RFC 2822) or from its dateline; a dateline without a year ("GENEVA, Jan 21") takes the latest year, not
after today, in which that day fell on the weekday the article's lead names ("talks on Friday"): a guess,
marked as one (`date_inferred`). An article with no known date matches no date filter: "" would otherwise
sort before every date and be kept by "until" while "since" drops it.
Not handled: time zones (the day is the one written), dates before year 1000.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

_COMPARE = {
    "$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b, "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b, "$gte": lambda a, b: a >= b, "$lte": lambda a, b: a <= b,
    "$gt": lambda a, b: a > b, "$lt": lambda a, b: a < b,
}
_ISO_PART = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")  # a year, a month or a day
_WRITTEN = ("%b %d, %Y", "%B %d, %Y", "%b. %d, %Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")
_MONTH_DAY = re.compile(r"([A-Z][a-z]{2,8})\.? (\d{1,2})$")
_WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
_WEEKDAY = re.compile(r"\b(" + "|".join(calendar.day_name) + r")\b")


class FilterError(ValueError):
    pass


def matches(where: dict, record: dict) -> bool:
    for key, condition in where.items():
        if key == "$and":
            ok = all(matches(w, record) for w in condition)
        elif key == "$or":
            ok = any(matches(w, record) for w in condition)
        elif key == "date" and not record.get("date"):
            ok = False  # undated: no date range can claim it
        elif isinstance(condition, dict):
            ok = all(_compare(op, record.get(key, ""), value) for op, value in condition.items())
        else:
            ok = record.get(key, "") == condition
        if not ok:
            return False
    return True


def validate(where, path: str = "where") -> None:
    """Raise FilterError, naming the place and the fix, for any shape `matches` cannot evaluate."""
    if not isinstance(where, dict):
        raise FilterError(f"{path} must be a dict such as {{'source': 'Reuters'}}, not {type(where).__name__}")
    for key, condition in where.items():
        if key in ("$and", "$or"):
            if not isinstance(condition, list) or not condition:
                raise FilterError(f"{path}[{key!r}] must be a non-empty list of filters, e.g. "
                                  f"{{'{key}': [{{'source': 'Reuters'}}, {{'published': {{'$gte': '2022-01-01'}}}}]}}")
            for n, part in enumerate(condition):
                validate(part, f"{path}[{key!r}][{n}]")
        elif key.startswith("$"):
            raise FilterError(f"Unknown filter {key!r} in {path}; use $and or $or, or a field name such as 'source'")
        elif isinstance(condition, dict):
            for op, value in condition.items():
                _check_operand(f"{path}[{key!r}]", op, value)
        elif not isinstance(condition, str):
            raise FilterError(f"{path}[{key!r}] must be text (record fields are text), not "
                              f"{type(condition).__name__}: write {str(condition)!r}")


def _check_operand(path: str, op: str, value) -> None:
    if op not in _COMPARE:
        raise FilterError(f"Unknown filter operator {op!r} in {path}; use one of {', '.join(_COMPARE)}")
    if op in ("$in", "$nin"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FilterError(f"{path}[{op!r}] must be a list of text values, e.g. ['Reuters', 'AP']")
    elif not isinstance(value, str):
        hint = " (dates are compared as text: write '2022-01-01')" if op in ("$gte", "$lte", "$gt", "$lt") else ""
        raise FilterError(f"{path}[{op!r}] must be text, not {type(value).__name__} {value!r}{hint}")


def _compare(op: str, actual, expected) -> bool:
    if op not in _COMPARE:
        raise FilterError(f"Unknown filter operator {op!r}; use one of {', '.join(_COMPARE)}")
    return _COMPARE[op](actual, expected)


def allowed_doc_ids(where: dict | None, records: dict[str, dict]) -> set[str] | None:
    """None when there is no filter (everything allowed)."""
    if not where:
        return None
    validate(where)
    return {doc_id for doc_id, record in records.items() if matches(where, record | {"doc_id": doc_id})}


# --- the one builder -------------------------------------------------------------------------------------
def build_where(sources=None, doc_ids=None, since: str | None = None, until: str | None = None) -> dict | None:
    """The `where` for outlets, doc ids and a date range (YYYY, YYYY-MM or YYYY-MM-DD, both ends included);
    None = no filter. Raises FilterError, naming the fix, for a date that is not a real one or a range that
    ends before it starts."""
    first = day_range(since, "since")[0] if (since or "").strip() else None
    last = day_range(until, "until")[1] if (until or "").strip() else None
    if first and last and first > last:
        raise FilterError(f"'since' ({since.strip()}) is after 'until' ({until.strip()}): swap them or "
                          "clear one.")
    clauses = [{"source": {"$in": list(sources)}}] if sources else []
    clauses += [{"doc_id": {"$in": list(doc_ids)}}] if doc_ids else []
    clauses += [{"date": {"$gte": first}}] if first else []
    clauses += [{"date": {"$lte": last}}] if last else []
    return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}


def day_range(text: str, name: str = "date") -> tuple[str, str]:
    """The first and last ISO day of "2022", "2022-02" or "2022-02-28"; FilterError for anything else."""
    text = (text or "").strip()
    match = _ISO_PART.fullmatch(text)
    try:
        if not match:
            raise ValueError
        year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        first = date(year, month or 1, day or 1)
        last = date(year, month or 12, day or calendar.monthrange(year, month or 12)[1])
    except ValueError:
        raise FilterError(f"The {name!r} date {text!r} is not a real date: write YYYY-MM-DD (e.g. 2022-01-31), "
                          "YYYY-MM or YYYY.") from None
    return first.isoformat(), last.isoformat()


def describe_where(sources=None, since: str | None = None, until: str | None = None) -> str:
    """The filters in words, as shown under an answer they shaped; "" when there are none."""
    parts = [f"outlets: {', '.join(sources)}"] if sources else []
    parts += [f"published since {since.strip()}"] if (since or "").strip() else []
    parts += [f"published until {until.strip()}"] if (until or "").strip() else []
    return "; ".join(parts)


# --- article dates ---------------------------------------------------------------------------------------
def parse_date(text: str) -> str:
    """An ISO day from a published date in a common written form; "" when it is not one."""
    text = (text or "").strip()
    iso = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    candidates = [lambda: date.fromisoformat(iso[1])] if iso else []
    candidates += [lambda f=f: datetime.strptime(text, f).date() for f in _WRITTEN]
    candidates.append(lambda: parsedate_to_datetime(text).date())
    for attempt in candidates:
        try:
            return attempt().isoformat()
        except (ValueError, TypeError, IndexError):
            continue
    return ""


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


def needs_lead(record: dict) -> bool:
    """Whether a record's date can only come from its lead: a dateline day without a year, nothing else."""
    return bool(record.get("dateline_date")) and not (parse_date(record.get("published") or "")
                                                      or parse_date(record["dateline_date"]))


def with_dates(records: dict[str, dict], leads: dict[str, str]) -> dict[str, dict]:
    """The records with "date" (ISO or "") and "date_inferred" set; `leads` holds the dateline paragraph of
    each article that `needs_lead`."""
    for doc_id, record in records.items():
        dated = parse_date(record.get("published") or "") or parse_date(record.get("dateline_date") or "")
        inferred = False
        if not dated and record.get("dateline_date"):
            dated = infer_year(record["dateline_date"], leads.get(doc_id, ""))
            inferred = bool(dated)
        record["date"], record["date_inferred"] = dated, inferred
    return records
