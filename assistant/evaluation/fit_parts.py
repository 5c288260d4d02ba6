"""Fit the answer threshold for the parts of questions across articles (multi.py), on tuning halves only.

    python -m assistant.evaluation.fit_parts [TESTSET.jsonl …] [--index-dir DIR] [--out assistant/part_threshold.json]

A question across articles is answered only when every part is, so its score is its weakest part's best
sentence (the extractive reader's score, read in that part's own articles). The threshold is chosen as the
reader's is (fit_reader.choose_threshold): the highest that still answers 90 % of the answerable tuning
questions. Questions whose outlet is not indexed are refused whatever the threshold and teach nothing here.
Report halves are never read.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np

from .. import multi
from ..core import Turn
from .cli import build_assistant
from .fit_reader import SHARED, choose_threshold, write_fitted
from .halves import select
from .testsets import default_corpus, load_testset

DEFAULT_SETS = ("multihoprag/tests.jsonl",)
USED = ("answer", "refuse_or_say_not_stated")


def weakest_part(assistant, question: str) -> float | None:
    """The lowest best-sentence score over the question's parts; None when it has no parts to read."""
    turn = assistant._retrieve(assistant._condense(assistant._validate(Turn(question))))
    if not turn.plan.parts or turn.plan.unknown:
        return None

    def read(q: str, passages: list) -> list:
        return assistant.extractive.candidates(q, assistant.embeddings.embed_query(q), passages)
    multi.answer_parts(turn.plan.parts, read, threshold=float("-inf"))
    return min((p.best.score if p.best else 0.0) for p in turn.plan.parts)


def collect(testsets: list[Path], index_dir: str | None) -> tuple[list[float], list[bool], list[str]]:
    scores, answerable, sets = [], [], []
    for testset in testsets:
        cases = [c for c in select(load_testset(testset), "tune") if c.expected in USED]
        corpus = default_corpus(testset, cases)
        args = argparse.Namespace(index_dir=index_dir, llm="extractive", embedding_model=None, collection=None)
        assistant = build_assistant(args, corpus)
        for case in cases:
            score = weakest_part(assistant, case.question)
            if score is not None:
                scores.append(score)
                answerable.append(case.expected == "answer")
        sets.append(f"{testset.parent.name}/{testset.name}")
    return scores, answerable, sets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.fit_parts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("testsets", nargs="*", help=f"dev sets (default: {', '.join(DEFAULT_SETS)} in ../shared/eval)")
    parser.add_argument("--out", default=str(multi.THRESHOLD_FILE), help="where to write the threshold")
    parser.add_argument("--index-dir", help="index folder for the dev corpora (default: the usual one)")
    args = parser.parse_args(argv)
    testsets = [Path(t) for t in args.testsets] or [SHARED / name for name in DEFAULT_SETS]
    scores, answerable, sets = collect(testsets, args.index_dir)
    threshold, answered, refused = choose_threshold(np.array(scores), np.array(answerable))
    result = {"threshold": round(threshold, 4),
              "fitted_on": {"date": date.today().isoformat(), "half": "tune", "sets": sets, "questions": len(scores),
                            "answerable": int(sum(answerable)), "tuning_half_answered": round(answered, 3),
                            "tuning_half_refused": round(refused, 3)},
              "command": "python -m assistant.evaluation.fit_parts"}
    write_fitted(Path(args.out), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
