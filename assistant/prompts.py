"""Prompt files under prompts/, rendered strictly: a missing or unexpected variable is an error at once.

A file holds `[system]`, `[user]` and `[assistant]` sections, in order (example exchanges before the real
question are few-shot examples); `{name}` marks a variable. Values are inserted verbatim (article text can
contain braces), never re-parsed as templates.
"""
from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(ValueError):
    pass


@lru_cache(maxsize=None)
def load(name: str) -> tuple[tuple[str, str], ...]:
    """The file's (role, text) sections in order."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.exists():
        raise PromptError(f"Prompt file {path} is missing; restore it from the repository.")
    parts = re.split(r"^\[(system|user|assistant)\]\n", path.read_text(encoding="utf-8"), flags=re.M)
    return tuple((role, body.strip()) for role, body in zip(parts[1::2], parts[2::2]))


def variables(name: str) -> set[str]:
    return {field for _, body in load(name) for _, field, _, _ in string.Formatter().parse(body) if field}


def render(name: str, **values: str) -> list[dict]:
    """Chat messages [{role, content}] with the variables filled in."""
    expected = variables(name)
    if set(values) != expected:
        raise PromptError(f"Prompt {name!r} takes {sorted(expected)}, got {sorted(values)}")
    return [{"role": role, "content": _fill(body, values)} for role, body in load(name)]


def _fill(body: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), body)
