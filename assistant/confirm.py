"""The local model's second reading of what it wrote: does the cited sentence itself state this answer to
this question?

The lexical support check (support.py) passes a claim whose words stand in its sentence, but not a claim's
role: "Juliana Henderson" for the 2021 Teacher of the Year, from the dateline "HENDERSON, Nev."; "Argentina"
for the 2014 World Cup winner, from "Argentina Heads to Its Sixth World Cup Final". So each sentence that
passes it is read once more by the model, with prompts/confirm.txt: the question, the sentence of the answer
and the source sentence it cites. Its greedy YES/NO is no test (asked whether paragraphs state an answer,
the 1.5B model said YES to 15 of 15 unanswerable RGB questions), but the probability it gives YES is: below
a threshold fitted on the tuning halves (confirm_threshold.json) the sentence is dropped, and an answer left
with none is a refusal.

Only the local model: it gives that probability (LocalChatModel.yes_probability), and it was measured. The
streamed partial answers are not confirmed (the model is still writing), so the final answer can drop a
sentence a partial showed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from . import prompts
from .llm import LocalChatModel

# Fitted on the tuning halves by evaluation/fit_confirm.py, which states what each threshold it tried refused
# and lost.
THRESHOLD_FILE = Path(__file__).with_name("confirm_threshold.json")


def confirm_threshold() -> float:
    return float(json.loads(THRESHOLD_FILE.read_text(encoding="utf-8"))["threshold"])


def yes_probability(model: LocalChatModel, question: str, claim: str, sentence: str) -> float:
    """How sure the model is that `sentence` states `claim` as the answer to `question`."""
    return model.yes_probability(prompts.render("confirm", question=question, answer=claim, sentence=sentence))


def confirmer(model, question: str) -> Callable[[str, str], bool] | None:
    """`confirm(claim, sentence)` for citations.attribute, or None where the model gives no probabilities."""
    if not isinstance(model, LocalChatModel):
        return None
    threshold = confirm_threshold()
    return lambda claim, sentence: yes_probability(model, question, claim, sentence) >= threshold


def read_opening(model: LocalChatModel) -> None:
    """Read the confirm prompt's fixed opening (instructions and examples) into the model's prompt cache."""
    model.yes_probability(prompts.render("confirm", question="", answer="", sentence=""))
