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


class WithHistory:
    """Asks each conversation turn with the conversation so far, the system's own earlier answers included
    (as the chat does); other cases are asked on their own. `answer(case, history) -> Reply`."""

    def __init__(self, answer: Callable[[TestCase, list], Reply]):
        self.answer, self.histories = answer, {}

    def resume(self, records: list[dict]) -> None:
        """Rebuild the histories from the turns a stopped run already answered."""
        for record in sorted((r for r in records if r.get("conversation")), key=lambda r: r["turn"]):
            self.histories.setdefault(record["conversation"], []).extend(_exchange(record["question"],
                                                                               Reply(**record["reply"])))

    def __call__(self, case: TestCase) -> Reply:
        history = self.histories.setdefault(case.conversation, []) if case.conversation else []
        reply = self.answer(case, list(history))
        if case.conversation:
            history.extend(_exchange(case.question, reply))
        return reply


def _exchange(question: str, reply: Reply) -> list[dict]:
    """A question and its answer as history messages, with the articles the answer cited."""
    return [{"role": "user", "content": question},
            {"role": "assistant", "content": reply.text, "doc_ids": reply.answered_from}]


def assistant_answerer(assistant, use_dates: bool = True) -> Answerer:
    """Answer with `Assistant.ask()`, the call the UI makes, restricted to the test's own articles if any and
    asked as of the test's date if it has one (unless `use_dates` is off)."""
    def answer(case: TestCase, history: list) -> Reply:
        try:
            as_of = case.as_of if use_dates else None
            return from_answer(assistant.ask(case.question, history=history, where=case.where, as_of=as_of))
        except AssistantError as err:
            return Reply(text="", refused=True, backend="error", error=str(err))
    return WithHistory(answer)


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
            "question": case.question, "conversation": case.conversation, "turn": case.turn,
            "reference_answer": case.reference_answer, "reply": reply.to_dict(), "scores": scores}


def run(cases: list[TestCase], answer: Answerer, score: Scorer, path: Path, desc: str = "questions") -> list[dict]:
    """Answer and score every case not yet in `path`; the records of all cases, in test-set order."""
    from tqdm import tqdm

    done = load_results(path)
    pending = [c for c in cases if c.id not in done]
    if hasattr(answer, "resume"):
        answer.resume([done[c.id] for c in cases if c.id in done])
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
