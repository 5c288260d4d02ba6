"""Optional model judge (`--judge`): the configured answer model grades each answer against the reference.

A small local model is a weak judge: its score is reported beside the lexical ones, never instead of them.
The prompt lives in judge.txt, in the `[system]` / `[user]` layout of prompts/, with the same strict filling.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..llm import BackendError
from .metrics import strip_markers
from .reply import Reply
from .testsets import ANSWERING, TestCase

PROMPT_FILE = Path(__file__).with_name("judge.txt")
VARIABLES = {"question", "reference", "answer"}


@lru_cache(maxsize=1)
def template() -> dict[str, str]:
    parts = re.split(r"^\[(system|user)\]\n", PROMPT_FILE.read_text(encoding="utf-8"), flags=re.M)
    return {role: body.strip() for role, body in zip(parts[1::2], parts[2::2])}


def messages(question: str, reference: str, answer: str) -> list[dict]:
    values = {"question": question, "reference": reference, "answer": answer}
    return [{"role": role, "content": re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], body)}
            for role, body in template().items()]


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
            said = self.chat_model.complete(messages(case.question, case.reference_answer, answer), self.max_tokens)
        except BackendError:
            return {"judge": None}
        return {"judge": verdict(said)}
