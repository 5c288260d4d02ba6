"""A question-answering assistant over news articles, with verified citations to source paragraphs.

    from assistant import Assistant, ask
    answer = ask("What did Lavrov demand?")
    print(answer.text); print(answer.format_sources())
"""
from __future__ import annotations

import index  # noqa: F401  (sets the offline environment first)

from .answer import Answer, Citation, Conflict, Passage
from .core import Assistant, AssistantError
from .settings import Settings

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Conflict", "Passage", "Settings", "ask"]

_shared: dict[tuple, Assistant] = {}


def ask(question: str, history=None, where: dict | None = None, **overrides) -> Answer:
    """One call for scripts: builds (once per set of overrides) an Assistant and asks it."""
    key = tuple(sorted((k, str(v)) for k, v in overrides.items()))
    if key not in _shared:
        _shared[key] = Assistant.from_settings(**overrides)
    return _shared[key].ask(question, history=history, where=where)
