"""Restricting a question to some articles: `where` is evaluated on the article records, in Python.

Supported: {"source": "Reuters"}, {"doc_id": {"$in": [...]}}, {"published": {"$gte": "2022-01-01"}}
(ISO dates compare as strings), and {"$and": [...]} / {"$or": [...]}. The result is a set of doc_ids,
which both retrievers apply, so dense and lexical search always see the same articles.
"""
from __future__ import annotations

_COMPARE = {
    "$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b, "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b, "$gte": lambda a, b: a >= b, "$lte": lambda a, b: a <= b,
    "$gt": lambda a, b: a > b, "$lt": lambda a, b: a < b,
}


class FilterError(ValueError):
    pass


def matches(where: dict, record: dict) -> bool:
    for key, condition in where.items():
        if key == "$and":
            ok = all(matches(w, record) for w in condition)
        elif key == "$or":
            ok = any(matches(w, record) for w in condition)
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
