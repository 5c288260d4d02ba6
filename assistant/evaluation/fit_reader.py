"""Fit the extractive reader's weights on the tuning halves of the dev sets, and write reader_weights.json.

    python -m assistant.evaluation.fit_reader [TESTSET.jsonl …] [--out assistant/reader_weights.json]

For every tuning-half question the assistant retrieves as it would to answer, and each candidate sentence gets
the reader's features (extractive.FEATURES) and a label: it answers the question when the question is
answerable and the sentence holds a gold support phrase, or sits in a gold paragraph and holds an acceptable
answer. A conditional logit (a softmax over each question's sentences, L2-regularised) learns weights that
rank gold sentences first; the answer threshold on a question's best sentence is then the highest that still
answers 90 % of the answerable tuning questions. Report halves are never read here.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

from ..core import Turn
from ..extractive import FEATURES, WEIGHTS_FILE
from ..settings import REPO_ROOT
from .halves import select
from .metrics import contains_any, contains_phrase
from .scoring import is_gold
from .testsets import default_corpus, load_testset

SHARED = REPO_ROOT.parent / "shared" / "eval"  # ../shared/eval beside the repository
DEFAULT_SETS = ("seed_dev.jsonl", "seed_paraphrase_dev.jsonl", "news_unanswerable/tests.jsonl", "rgb/tests.jsonl")
ANSWERABLE = ("answer", "answer_and_flag_conflict")
USED = (*ANSWERABLE, "refuse_or_say_not_stated")  # counterfactual and caveat questions teach nothing here
L2 = 0.1
MIN_ANSWERED = 0.9  # the over-refusal target: at most 10 % of answerable questions refused


def sentence_is_gold(case, candidate) -> bool:
    if any(contains_phrase(candidate.text, phrase, whole_words=False) for phrase in case.gold_phrases):
        return True
    paragraph = {"pids": [candidate.passage.id.split(".")[0]], "text": candidate.passage.paragraph}
    return bool(case.acceptable_answers) and is_gold(case, paragraph) and contains_any(candidate.text,
                                                                                      case.acceptable_answers)


def question_rows(assistant, case) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the candidate sentences the assistant reads for one question."""
    turn = assistant._retrieve(assistant._condense(assistant._validate(Turn(case.question, [], case.where))))
    ranked = assistant.extractive.candidates(turn.standalone, turn.query_vector, turn.passages, turn.stand_ins)
    answerable = case.expected in ANSWERABLE
    x = np.array([[c.features[name] for name in FEATURES] for c in ranked])
    y = np.array([float(answerable and sentence_is_gold(case, c)) for c in ranked])
    return x, y


def collect(testsets: list[Path], index_dir: str | None) -> list[dict]:
    """One entry per tuning-half question: features, labels, whether it is answerable, which set."""
    from types import SimpleNamespace

    from .cli import build_assistant, eval_collection

    questions = []
    for testset in testsets:
        cases = [c for c in select(load_testset(testset), "tune") if c.expected in USED]
        corpus = default_corpus(testset, cases)
        args = SimpleNamespace(index_dir=index_dir, llm="extractive", embedding_model=None, collection=None)
        assistant = build_assistant(args, corpus)
        print(f"{testset}: {len(cases)} tuning questions ({eval_collection(corpus)})", file=sys.stderr)
        for case in cases:
            x, y = question_rows(assistant, case)
            if len(x):
                questions.append({"x": x, "y": y, "answerable": case.expected in ANSWERABLE,
                                  "set": f"{testset.parent.name}/{testset.name}"})
    return questions


def fit_ranker(questions: list[dict], l2: float = L2, steps: int = 100) -> np.ndarray:
    """Feature weights that rank a question's gold sentences first: a conditional logit (softmax over each
    question's sentences, maximising the gold sentences' share), L2-regularised, fitted by Newton's method.
    Questions without a gold sentence among the candidates teach the ranking nothing and are left out."""
    taught = [q for q in questions if q["y"].sum() > 0]
    w = np.zeros(taught[0]["x"].shape[1])
    for _ in range(steps):
        gradient, hessian = l2 * w, l2 * np.eye(len(w))
        for q in taught:
            z = q["x"] @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            gold = q["y"] > 0
            mean = q["x"].T @ p
            gradient += mean - q["x"][gold].T @ (p[gold] / p[gold].sum())
            hessian += (q["x"] * p[:, None]).T @ q["x"] - np.outer(mean, mean)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def choose_threshold(best: np.ndarray, answerable: np.ndarray) -> tuple[float, float, float]:
    """The highest threshold on a question's best-sentence score (weights · features) that still answers at least
    MIN_ANSWERED of the answerable tuning questions: refuse as much as possible without over-refusing. A
    quote of an on-topic paragraph, cited, misleads less than "the articles don't say" when they do.
    Returns (threshold, share answered, share of unanswerable refused), both on the tuning half."""
    answerable = answerable.astype(bool)
    cut = float(np.quantile(best[answerable], 1 - MIN_ANSWERED, method="lower"))
    below = best[best < cut]
    threshold = (cut + below.max()) / 2 if len(below) else cut  # midway to the next score down
    answered = best >= threshold
    return threshold, float(answered[answerable].mean()), float((~answered[~answerable]).mean())


def write_fitted(out: Path, result: dict) -> None:
    """Write a fit's result (what the answer path reads, and how it was fitted) and show it."""
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


def fit(questions: list[dict]) -> dict:
    w = fit_ranker(questions)
    best = np.array([(q["x"] @ w).max() for q in questions])
    answerable = np.array([q["answerable"] for q in questions])
    threshold, answered, refused = choose_threshold(best, answerable)
    gold = [q for q in questions if q["y"].sum() > 0]
    top_gold = np.mean([q["y"][np.argmax(q["x"] @ w)] for q in gold])
    return {"weights": {name: round(float(v), 4) for name, v in zip(FEATURES, w)},
            # score = sigmoid(bias + weights · features): 0.5 exactly at the fitted answer threshold
            "bias": round(-threshold, 4), "threshold": 0.5,
            "fitted_on": {"date": date.today().isoformat(), "half": "tune",
                          "sets": sorted({q["set"] for q in questions}), "questions": len(questions),
                          "answerable": int(answerable.sum()), "sentences": int(sum(len(q["y"]) for q in questions)),
                          "tuning_half_top_sentence_gold": round(float(top_gold), 3),
                          "tuning_half_answered": round(answered, 3), "tuning_half_refused": round(refused, 3)},
            "command": "python -m assistant.evaluation.fit_reader"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.fit_reader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("testsets", nargs="*", help=f"dev sets (default: {', '.join(DEFAULT_SETS)} in ../shared/eval)")
    parser.add_argument("--out", default=str(WEIGHTS_FILE), help="where to write the weights")
    parser.add_argument("--index-dir", help="index folder for the dev corpora (default: the usual one)")
    args = parser.parse_args(argv)
    testsets = [Path(t) for t in args.testsets] or [SHARED / name for name in DEFAULT_SETS]
    missing = [str(t) for t in testsets if not t.is_file()]
    if missing:
        parser.error(f"no such test set: {', '.join(missing)}")
    result = fit(collect(testsets, args.index_dir))
    write_fitted(Path(args.out), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
