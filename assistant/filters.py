"""Restricting a question to some articles: `where` is evaluated on the article records, in Python.

Supported: {"source": "Reuters"}, {"doc_id": {"$in": [...]}}, {"date": {"$gte": "2022-01-01"}}, and
{"$and": [...]} / {"$or": [...]}. The result is a set of doc_ids, which both retrievers apply, so dense and
lexical search always see the same articles. `build_where` is the one builder of the CLI's and the chat's
filters (outlets, doc ids, a date range).

Dates. A record's "date" is its ISO day, read at ingest (index/dates.py). An article with no known date
matches no date filter: "" would otherwise sort before every date and be kept by "until" while "since"
drops it.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from index.dates import article_date, date_fields, day_number
from index.dates import needs_lead as dates_need_lead

_COMPARE = {
    "$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b, "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b, "$gte": lambda a, b: a >= b, "$lte": lambda a, b: a <= b,
    "$gt": lambda a, b: a > b, "$lt": lambda a, b: a < b,
}
_ISO_PART = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")  # a year, a month or a day


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


def chroma_where(where: dict):
    """The same filter on chunk metadata, for Chroma's own `where` (dates become day numbers: Chroma ranges
    compare numbers only); None when a field has no counterpart on chunks. Evaluated inside Chroma's search,
    a date range costs no list of thousands of doc ids."""
    clauses = []
    for key, condition in where.items():
        if key in ("$and", "$or"):
            parts = [chroma_where(part) for part in condition]
            if any(part is None for part in parts):
                return None
            clauses.append(parts[0] if len(parts) == 1 else {key: parts})
        elif key == "date":
            ops = condition if isinstance(condition, dict) else {"$eq": condition}
            if any(op in ("$in", "$nin", "$ne") for op in ops):
                return None
            try:
                clauses += [{"day": {op: day_number(value)}} for op, value in ops.items()]
            except (ValueError, TypeError):  # not a whole ISO day ("2022"): compared as text, in Python
                return None
        elif key in ("source", "doc_id"):
            clauses.append({key: condition})
        else:
            return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


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


def describe_where(sources=None, since: str | None = None, until: str | None = None, as_of: str | None = None) -> str:
    """The filters in words, as shown under an answer they shaped; "" when there are none."""
    parts = [f"outlets: {', '.join(sources)}"] if sources else []
    parts += [f"published since {since.strip()}"] if (since or "").strip() else []
    parts += [f"published until {until.strip()}"] if (until or "").strip() else []
    parts += [f"as of {as_of.strip()}"] if (as_of or "").strip() else []
    return "; ".join(parts)


# --- article dates ---------------------------------------------------------------------------------------
def with_dates(records: dict[str, dict], leads: dict[str, str]) -> dict[str, dict]:
    """Records of an index written before dates were stored at ingest get them here, for reading (the next
    index run stores them); `leads` holds the dateline paragraph of each such article that `needs_lead`."""
    for doc_id, record in records.items():
        if "date" not in record:
            lead = leads.get(doc_id, "")
            record.update(date_fields(*article_date(record.get("published"), record.get("dateline_date"), lead)))
    return records


def needs_lead(record: dict) -> bool:
    return "date" not in record and dates_need_lead(record.get("published"), record.get("dateline_date"))
