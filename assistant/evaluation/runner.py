"""Run test cases through an answerer, one JSON line per question as it finishes, resuming a stopped run.

results.jsonl is appended and flushed after every question, so killing a run loses at most the question
in flight; a rerun with the same file skips the ids already there.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..core import AssistantError
from .reply import Reply, from_answer
from .testsets import TestCase

Answerer = Callable[[TestCase], Reply]
Scorer = Callable[[TestCase, Reply], dict]


def assistant_answerer(assistant) -> Answerer:
    """Answer with `Assistant.ask()`, the call the UI makes, restricted to the test's own articles if any."""
    def answer(case: TestCase) -> Reply:
        try:
            return from_answer(assistant.ask(case.question, where=case.where))
        except AssistantError as err:
            return Reply(text="", refused=True, backend="error", error=str(err))
    return answer


def load_results(path: Path) -> dict[str, dict]:
    """Finished records by id. A half-written last line (the run was killed mid-write) is cut off."""
    if not path.exists():
        return {}
    raw = path.read_bytes()
    if raw and not raw.endswith(b"\n"):
        raw = raw[: raw.rfind(b"\n") + 1]
        path.write_bytes(raw)
    records = {}
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{number}: not valid JSON ({err.msg}); delete that line to rerun "
                             "its question") from err
        records[record["id"]] = record
    return records


def rescore(cases: list[TestCase], score: Scorer, path: Path) -> None:
    """Recompute the stored replies' scores (after a metric changed), asking nothing again.
    A stored judge verdict is kept: re-judging would mean asking the model."""
    by_id = {c.id: c for c in cases}
    records = list(load_results(path).values())
    for record in records:
        if record["id"] in by_id:
            judged = {k: v for k, v in record["scores"].items() if k == "judge"}
            record["scores"] = {**score(by_id[record["id"]], Reply(**record["reply"])), **judged}
            record["half"] = by_id[record["id"]].half
    temporary = path.with_suffix(".rescoring")
    temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    temporary.replace(path)  # a killed rescore leaves the old file whole


def make_record(case: TestCase, reply: Reply, scores: dict) -> dict:
    return {"id": case.id, "half": case.half, "category": case.category, "expected": case.expected,
            "question": case.question,
            "reference_answer": case.reference_answer, "reply": reply.to_dict(), "scores": scores}


def run(cases: list[TestCase], answer: Answerer, score: Scorer, path: Path, desc: str = "questions") -> list[dict]:
    """Answer and score every case not yet in `path`; the records of all cases, in test-set order."""
    from tqdm import tqdm

    done = load_results(path)
    pending = [c for c in cases if c.id not in done]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out, tqdm(total=len(cases), initial=len(cases) - len(pending),
                                                        desc=desc, unit="q", disable=None, mininterval=1.0) as bar:
        for case in pending:
            reply = answer(case)
            done[case.id] = make_record(case, reply, score(case, reply))
            out.write(json.dumps(done[case.id], ensure_ascii=False) + "\n")
            out.flush()
            bar.update()
    return [done[c.id] for c in cases]
