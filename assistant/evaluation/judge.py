"""Optional model judge (`--judge`): the configured answer model grades each answer against the reference.

A small local model is a weak judge: its score is reported beside the lexical ones, never instead of them.
The prompt is prompts/judge.txt, loaded like every other prompt (assistant/prompts.py).
"""
from __future__ import annotations

import re

from .. import prompts
from ..llm import BackendError, complete
from .metrics import strip_markers
from .reply import Reply
from .testsets import ANSWERING, TestCase

def messages(question: str, reference: str, answer: str) -> list:
    return prompts.render("judge", question=question, reference=reference, answer=answer)


def verdict(reply_text: str) -> float | None:
    """1.0 for CORRECT, 0.0 for INCORRECT, None when the judge said neither."""
    word = re.search(r"\b(INCORRECT|CORRECT)\b", reply_text.upper())
    return None if word is None else float(word.group(1) == "CORRECT")


class ModelJudge:
    def __init__(self, chat_model, max_tokens: int = 5):
        self.chat_model, self.max_tokens = chat_model, max_tokens

    def __call__(self, case: TestCase, reply: Reply) -> dict:
        if case.expected not in ANSWERING:
            return {"judge": None}
        answer = "I don't know." if reply.refused else strip_markers(reply.text)
        try:
            said = complete(self.chat_model, messages(case.question, case.reference_answer, answer), self.max_tokens)
        except BackendError:
            return {"judge": None}
        return {"judge": verdict(said)}
