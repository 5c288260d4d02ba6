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


def _compare(op: str, actual, expected) -> bool:
    if op not in _COMPARE:
        raise FilterError(f"Unknown filter operator {op!r}; use one of {', '.join(_COMPARE)}")
    return _COMPARE[op](actual, expected)


def allowed_doc_ids(where: dict | None, records: dict[str, dict]) -> set[str] | None:
    """None when there is no filter (everything allowed)."""
    if not where:
        return None
    if not isinstance(where, dict):
        raise FilterError("where must be a dict such as {'source': 'Reuters'}")
    return {doc_id for doc_id, record in records.items() if matches(where, record | {"doc_id": doc_id})}
