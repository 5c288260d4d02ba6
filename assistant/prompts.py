"""Prompt files under prompts/, as LangChain `ChatPromptTemplate`s; rendering is strict: a missing or
unexpected variable is an error at once.

A file holds `[system]`, `[user]` and `[assistant]` sections, in order (example exchanges before the real
question are few-shot examples); `{name}` marks a variable (f-string syntax, so a literal brace in a prompt
file would be written `{{`). Values are inserted verbatim (article text can contain braces), never re-parsed
as templates. The answer path and the evaluation's judge load their prompts here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_ROLES = {"system": "system", "user": "human", "assistant": "ai"}


class PromptError(ValueError):
    pass


@lru_cache(maxsize=None)
def template(name: str) -> ChatPromptTemplate:
    """prompts/<name>.txt as a chat prompt template (named after the file, for tracing)."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.exists():
        raise PromptError(f"Prompt file {path} is missing; restore it from the repository.")
    parts = re.split(r"^\[(system|user|assistant)\]\n", path.read_text(encoding="utf-8"), flags=re.M)
    sections = [(_ROLES[role], body.strip()) for role, body in zip(parts[1::2], parts[2::2])]
    prompt = ChatPromptTemplate.from_messages(sections)
    prompt.name = f"prompt:{name}"
    return prompt


def variables(name: str) -> set[str]:
    return set(template(name).input_variables)


def render(name: str, **values: str) -> list[BaseMessage]:
    """The prompt's messages with the variables filled in."""
    expected = variables(name)
    if set(values) != expected:
        raise PromptError(f"Prompt {name!r} takes {sorted(expected)}, got {sorted(values)}")
    return template(name).format_messages(**{k: str(v) for k, v in values.items()})
