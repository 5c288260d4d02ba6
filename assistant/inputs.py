"""Shapes the core accepts at its doors, checked before any work: a bad shape is one line saying what to pass.

`where` is checked by filters.validate; this module checks `history`, which followup.messages would
otherwise half-read (an unknown item is skipped) or crash on (`history=5`).
"""
from __future__ import annotations

HISTORY_SHAPE = ("a list of {'role': 'user' | 'assistant', 'content': 'text'} messages or (question, answer) "
                 "pairs")


def history_problem(history) -> str | None:
    """None when `history` is usable; otherwise what is wrong and the shape to pass."""
    if history is None:
        return None
    if isinstance(history, (str, bytes, dict)) or not isinstance(history, (list, tuple)):
        return f"history must be {HISTORY_SHAPE}, not {type(history).__name__}"
    for n, item in enumerate(history):
        problem = _item_problem(item)
        if problem:
            return f"history[{n}] {problem}; pass {HISTORY_SHAPE}"
    return None


def _item_problem(item) -> str | None:
    if type(item).__name__ == "Message":  # followup.Message, already parsed
        return None
    if isinstance(item, dict):
        if item.get("role") not in ("user", "assistant", "system"):
            return f"has role {item.get('role')!r}, not 'user' or 'assistant'"
        if not isinstance(item.get("content"), (str, type(None))):
            return f"has content of type {type(item.get('content')).__name__}, not text"
        return None
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return None if all(isinstance(x, (str, type(None))) for x in item) else "is a pair that is not two texts"
    return f"is {type(item).__name__} {str(item)[:40]!r}"
