"""Fit the threshold of the local model's confirmation (confirm.py) on the tuning halves, and write
confirm_threshold.json.

    python -m assistant.evaluation.fit_confirm [TESTSET.jsonl …] [--index-dir DIR] [--recorded FILE]
    python -m assistant.evaluation.fit_confirm --replay FILE    # refit from recorded answers, no model

Every tuning-half question is answered once with the local model, as `ask()` answers it, except that the
confirmation keeps every sentence and records the model's probability of YES for it. Replaying those
probabilities gives each threshold's answers without asking again: a sentence below the threshold is dropped,
and an answer left with none is a refusal. (This replay leaves out one path: when every sentence is dropped,
the assistant quotes the articles instead if they disagree on the asked fact.)

At each threshold two counts are compared with keeping every sentence: unwanted answers refused (wrong ones,
and answers to unanswerable questions) and right answers lost. The chosen threshold maximises refused minus
twice lost, the lowest on a tie: a right answer lost costs more than an unwanted one refused (a wrong answer
refused still counts as over-refusal, and it was no right answer either). Report halves are never read.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from .. import confirm
from ..core import Assistant
from .cli import build_assistant
from .fit_reader import ANSWERABLE, SHARED, USED, write_fitted
from .fit_reader import DEFAULT_SETS as READER_SETS
from .halves import select
from .metrics import contains_any
from .runner import assistant_answerer
from .testsets import default_corpus, load_testset

# The reader's dev sets and the conversations: the confirmation reads follow-ups too.
DEFAULT_SETS = (*READER_SETS, "conversations/conversations_dev.jsonl")

THRESHOLDS = [round(0.05 * i, 2) for i in range(20)]  # 0.0 … 0.95
LOST_WEIGHT = 2


class RecordingAssistant(Assistant):
    """Answers as Assistant does, but its confirmation keeps every sentence and records its claim, the cited
    sentence and the model's P(YES)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorded: list[dict] = []

    def _confirmer(self, turn):
        if super()._confirmer(turn) is None:  # no confirmation for this question (extractive, across articles)
            return None

        def record(claim: str, sentence: str) -> bool:
            p_yes = confirm.yes_probability(self.chat_model, turn.standalone, claim, sentence)
            self.recorded.append({"claim": claim, "sentence": sentence, "p_yes": p_yes})
            return True
        return record


def collect(testsets: list[Path], index_dir: str | None) -> list[dict]:
    """One entry per tuning-half question: whether it is answerable, its acceptable answers, and the answer's
    sentences with the sentences they cite and their probabilities (None when the confirmation did not run: a
    refusal, a question across articles). A conversation's turns are asked in order, with their history."""
    questions = []
    for testset in testsets:
        cases = select(load_testset(testset), "tune")
        args = SimpleNamespace(index_dir=index_dir, llm="local", embedding_model=None, collection=None)
        assistant = build_assistant(args, default_corpus(testset, cases), kind=RecordingAssistant)
        answer = assistant_answerer(assistant)
        print(f"{testset}: {len(cases)} tuning questions", file=sys.stderr)
        for case in cases:
            assistant.recorded = []
            reply = answer(case)  # every turn is asked, so later turns have their history
            if reply.error:
                print(f"  {case.id}: {reply.error}", file=sys.stderr)
            if reply.error or case.expected not in USED:
                continue
            questions.append({"id": case.id, "set": f"{testset.parent.name}/{testset.name}",
                              "question": case.question, "answerable": case.expected in ANSWERABLE,
                              "acceptable": case.acceptable_answers, "refused": reply.refused, "text": reply.text,
                              "sentences": list(assistant.recorded) or None})
    return questions


def outcome(question: dict, threshold: float) -> str:
    """right | wrong | refused for an answerable question; answered | refused for an unanswerable one."""
    if question["sentences"] is None:
        refused, text = question["refused"], question["text"]
    else:
        kept = [s["claim"] for s in question["sentences"] if s["p_yes"] >= threshold]
        refused, text = not kept, " ".join(kept)
    if refused:
        return "refused"
    if not question["answerable"]:
        return "answered"
    return "right" if contains_any(text, question["acceptable"]) else "wrong"


def sweep(questions: list[dict]) -> list[dict]:
    """For each threshold: unwanted answers refused and right answers lost, against keeping every sentence."""
    before = [outcome(q, 0.0) for q in questions]
    rows = []
    for threshold in THRESHOLDS:
        after = [outcome(q, threshold) for q in questions]
        changed = list(zip(before, after))
        rows.append({"threshold": threshold,
                     "unwanted_refused": sum(a in ("wrong", "answered") and b == "refused" for a, b in changed),
                     "right_lost": sum(a == "right" and b != "right" for a, b in changed)})
    return rows


def choose(rows: list[dict]) -> dict:
    return max(rows, key=lambda r: (r["unwanted_refused"] - LOST_WEIGHT * r["right_lost"], -r["threshold"]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.fit_confirm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("testsets", nargs="*", help=f"dev sets (default: {', '.join(DEFAULT_SETS)} in ../shared/eval)")
    parser.add_argument("--out", default=str(confirm.THRESHOLD_FILE), help="where to write the threshold")
    parser.add_argument("--index-dir", help="index folder for the dev corpora (default: the usual one)")
    parser.add_argument("--recorded", help="also write each question's sentences and probabilities here (JSON)")
    parser.add_argument("--replay", help="read the questions a run wrote with --recorded instead of asking them")
    args = parser.parse_args(argv)
    testsets = [Path(t) for t in args.testsets] or [SHARED / name for name in DEFAULT_SETS]
    if args.replay:
        questions = json.loads(Path(args.replay).read_text(encoding="utf-8"))
    else:
        questions = collect(testsets, args.index_dir)
    if args.recorded:
        Path(args.recorded).write_text(json.dumps(questions, indent=1) + "\n", encoding="utf-8")
    rows = sweep(questions)
    best = choose(rows)
    result = {"threshold": best["threshold"],
              "fitted_on": {"date": date.today().isoformat(), "half": "tune",
                            "sets": sorted({q["set"] for q in questions}), "questions": len(questions),
                            "answerable": sum(q["answerable"] for q in questions),
                            "confirmed": sum(q["sentences"] is not None for q in questions)},
              "rule": f"max unwanted_refused - {LOST_WEIGHT} * right_lost, the lowest threshold on a tie",
              "tried": rows,
              "command": "python -m assistant.evaluation.fit_confirm"}
    write_fitted(Path(args.out), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
