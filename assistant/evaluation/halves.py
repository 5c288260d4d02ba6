"""The fixed tuning / report split of every dev set: half of each set tunes, the other half reports.

The rule: within each expected behaviour of a set (answer, refuse, flag a conflict, …), order the ids by their
SHA-256 and alternate tune, report, tune, … (a conversation's turns go together, by the conversation's id).
So the split is the same on every machine and every run, and each half holds both answerable and
unanswerable questions (a plain hash parity put all three unanswerable seed questions in one half).
Anything fitted or tuned (the reader's weights, prompt wording) looks at the tuning
half only; the README quotes the report half, with the tuning half beside it so the gap shows.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

HALVES = ("tune", "report")


def assign(cases: list) -> dict[str, str]:
    """id -> 'tune' | 'report' for every case (cases need `id` and `expected`). A conversation's turns
    stay together: the conversation is the unit, and conversations alternate among themselves."""
    groups: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for case in cases:
        unit, group = (case.conversation, "conversation") if getattr(case, "conversation", "") else (
            case.id, case.expected)
        groups[group].setdefault(unit, []).append(case.id)
    out = {}
    for units in groups.values():
        for position, unit in enumerate(sorted(units, key=_digest)):
            out.update(dict.fromkeys(units[unit], HALVES[position % 2]))
    return out


def select(cases: list, half: str | None) -> list:
    """The cases of one half, in their original order (None or 'all': every case)."""
    if half in (None, "all"):
        return list(cases)
    if half not in HALVES:
        raise ValueError(f"--half must be one of tune, report, all; not {half!r}")
    halves = assign(cases)
    return [c for c in cases if halves[c.id] == half]


def _digest(case_id: str) -> str:
    return hashlib.sha256(case_id.encode("utf-8")).hexdigest()
