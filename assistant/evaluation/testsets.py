"""Test sets: read and validate the three JSONL formats into one `TestCase` shape.

Formats (one JSON object a line, detected per line):
- seed (data/seed_dev.jsonl): `expected_behavior`, `acceptable_answers`, `gold_evidence[].support` phrases;
- context (RGB): `kind` and `context_doc_ids`, the only articles the test may read;
- gold pids (RealTimeQA): `gold_pids` / `gold_pids_lenient`, paragraph ids of the evidence;
- conversations: `turns` (each a seed-format question plus `standalone_question`) and `corpus` ("seed" or
  doc ids); each turn becomes a case `<id>#t<n>`, asked with the conversation so far.
Every problem is reported as `file:line: what is wrong`, all of them at once.
It does not read the corpus: whether the doc ids and pids exist is checked when the run starts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.dates import parse_date

from ..settings import Settings
from .halves import assign

BEHAVIOURS = ("answer", "answer_and_flag_conflict", "refuse_or_say_not_stated", "answer_with_caveat",
              "warn_or_decline")
KIND_BEHAVIOUR = {"counterfactual": "warn_or_decline", "conflict": "answer_and_flag_conflict",
                  "unanswerable": "refuse_or_say_not_stated", "answerable": "answer",
                  # MultiHop-RAG: questions over two to four articles, each one answerable
                  "comparison_query": "answer", "temporal_query": "answer", "inference_query": "answer"}
ANSWERING = ("answer", "answer_and_flag_conflict", "answer_with_caveat")
MAX_ERRORS_SHOWN = 20


class TestSetError(ValueError):
    """The test set cannot be used; the message lists each bad line."""

    __test__ = False  # not a pytest test class, despite the name


@dataclass
class TestCase:
    __test__ = False  # not a pytest test class, despite the name

    id: str
    question: str
    reference_answer: str
    expected: str  # one of BEHAVIOURS
    category: str = "all"
    acceptable_answers: list[str] = field(default_factory=list)
    gold_phrases: list[str] = field(default_factory=list)  # a paragraph holding one is gold evidence
    gold_pids: list[str] = field(default_factory=list)
    context_doc_ids: list[str] = field(default_factory=list)
    counterfactual_answer: str = ""
    format: str = "plain"  # seed | context | pids | plain
    half: str = ""  # tune | report (evaluation/halves.py), set when a test set is loaded
    conversation: str = ""  # the conversation a turn belongs to; turns are asked in order, with history
    turn: int = 0  # 1-based
    standalone: str = ""  # the follow-up written out in full (for scoring a rewrite)
    as_of: str = ""  # the day the question was asked (RealTimeQA's question_date), ISO; asked as of it

    @property
    def has_gold(self) -> bool:
        return bool(self.gold_phrases or self.gold_pids)

    @property
    def where(self) -> dict | None:
        """The retrieval filter that restricts this test to its own articles."""
        return {"doc_id": {"$in": self.context_doc_ids}} if self.context_doc_ids else None


def load_testset(path: Path | str) -> list[TestCase]:
    """All cases of a JSONL test set, or TestSetError naming every bad line."""
    path = Path(path)
    if not path.is_file():
        raise TestSetError(f"{path}: no such test set file; pass a .jsonl file such as data/seed_dev.jsonl")
    cases, errors, first_line = [], [], {}
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        found, problems = parse_line(line)
        errors += [f"{path}:{number}: {p}" for p in problems]
        for case in found:
            if case.id in first_line:
                errors.append(f"{path}:{number}: duplicate id {case.id!r} (first on line {first_line[case.id]})")
            else:
                first_line[case.id] = number
                cases.append(case)
    if errors:
        more = f"\n… and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise TestSetError("\n".join(errors[:MAX_ERRORS_SHOWN]) + more)
    if not cases:
        raise TestSetError(f"{path}: no test cases (expected one JSON object a line)")
    halves = assign(cases)
    for case in cases:
        case.half = halves[case.id]
    return cases


def parse_line(line: str) -> tuple[list[TestCase], list[str]]:
    """([cases], []) for a good line (a conversation gives one case per turn), ([], [problems]) otherwise."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return [], [f"not valid JSON ({err.msg} at column {err.colno})"]
    if not isinstance(record, dict):
        return [], [f"expected a JSON object, got {type(record).__name__}"]
    if "turns" in record:
        return conversation_cases(record)
    problems = check_fields(record)
    return ([], problems) if problems else ([to_case(record)], [])


def conversation_cases(record: dict) -> tuple[list[TestCase], list[str]]:
    """The turns of a conversation as cases, restricted to the conversation's articles."""
    turns, conversation = record.get("turns"), str(record.get("id") or "")
    if not conversation or not isinstance(turns, list) or not turns:
        return [], ["a conversation needs an `id` and a non-empty list of `turns`"]
    corpus = record.get("corpus")
    if not (corpus == "seed" or (_strings(corpus) and corpus)):
        return [], ['`corpus` must be "seed" or a non-empty list of doc ids']
    doc_ids = seed_doc_ids() if corpus == "seed" else list(corpus)
    cases, problems = [], []
    for number, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict):
            problems.append(f"turn {number}: expected a JSON object")
            continue
        turn = {"reference_answer": "", **turn, "id": f"{conversation}#t{number}",
                "gold_evidence": [{"support": e.get("support"), "role": e.get("role")}
                                  for e in turn.get("gold_evidence") or [] if isinstance(e, dict)]}
        found = check_fields(turn)
        problems += [f"turn {number}: {p}" for p in found]
        if not found:
            case = to_case(turn)
            case.conversation, case.turn, case.context_doc_ids = conversation, number, doc_ids
            case.standalone, case.category = str(turn.get("standalone_question") or ""), (
                "first_turn" if number == 1 else "follow_up")
            cases.append(case)
    return ([], problems) if problems else (cases, [])


def seed_doc_ids() -> list[str]:
    """The seed articles' doc ids (their file names without .txt)."""
    return sorted(p.stem for folder in Settings().corpus for p in Path(folder).glob("*.txt"))


def check_fields(r: dict) -> list[str]:
    problems = []
    if not _text(r.get("id") or r.get("qid")):
        problems.append("missing `id` (or `qid`): every test needs a unique id")
    for name in ("question", "reference_answer"):
        if not isinstance(r.get(name), str) or (name == "question" and not r[name].strip()):
            problems.append(f"`{name}` must be a non-empty string" if name == "question" else
                            f"`{name}` must be a string")
    for name in ("acceptable_answers", "alt_answers", "gold_pids", "gold_pids_lenient", "choices"):
        if name in r and not _strings(r[name]):
            problems.append(f"`{name}` must be a list of strings")
    if "expected_behavior" in r and r["expected_behavior"] not in BEHAVIOURS[:4]:
        problems.append(f"`expected_behavior` {r['expected_behavior']!r} is not one of: {', '.join(BEHAVIOURS[:4])}")
    if "kind" in r and r["kind"] not in KIND_BEHAVIOUR:
        problems.append(f"`kind` {r['kind']!r} is not one of: {', '.join(KIND_BEHAVIOUR)}")
    if r.get("kind") == "counterfactual" and not _text(r.get("counterfactual_answer")):
        problems.append("a counterfactual test needs `counterfactual_answer` (the planted wrong answer)")
    if "context_doc_ids" in r and not (_strings(r["context_doc_ids"]) and r["context_doc_ids"]):
        problems.append("`context_doc_ids` must be a non-empty list of doc_id strings")
    return problems + _check_evidence(r.get("gold_evidence"))


def _check_evidence(evidence) -> list[str]:
    if evidence is None:
        return []
    if not isinstance(evidence, list):
        return ["`gold_evidence` must be a list of {support, role, …} objects"]
    return [f"`gold_evidence[{i}]` needs a non-empty `support` phrase (exact text of the gold paragraph)"
            for i, item in enumerate(evidence) if not (isinstance(item, dict) and _text(item.get("support")))]


def to_case(r: dict) -> TestCase:
    """A validated record in any of the formats, as a TestCase."""
    kind = r.get("kind")
    expected = r.get("expected_behavior") or KIND_BEHAVIOUR.get(kind, "answer")
    acceptable = list(r.get("acceptable_answers") or [])
    if "acceptable_answers" not in r and expected != "refuse_or_say_not_stated":
        acceptable = [a for a in [r["reference_answer"], *r.get("alt_answers", [])] if a.strip()]
    evidence = r.get("gold_evidence") or []
    # Near misses look relevant but do not answer: they are not gold for retrieval.
    phrases = [e["support"] for e in evidence if e.get("role") != "near_miss"]
    return TestCase(id=str(r.get("id") or r.get("qid")), question=r["question"].strip(),
                    reference_answer=r["reference_answer"], expected=expected,
                    category=str(r.get("category") or kind or "all"), acceptable_answers=acceptable,
                    gold_phrases=phrases, gold_pids=list(r.get("gold_pids_lenient") or r.get("gold_pids") or []),
                    context_doc_ids=list(r.get("context_doc_ids") or []),
                    counterfactual_answer=str(r.get("counterfactual_answer") or ""), format=_format(r),
                    as_of=parse_date(str(r.get("question_date") or "")))


def _format(r: dict) -> str:
    if "gold_evidence" in r or "expected_behavior" in r:
        return "seed"
    if "context_doc_ids" in r:
        return "context"
    return "pids" if ("gold_pids" in r or "gold_pids_lenient" in r) else "plain"


def default_corpus(testset: Path, cases: list[TestCase]) -> tuple[Path, ...]:
    """`corpus.jsonl` beside the test set (RGB, RealTimeQA), else the seed articles for seed-format sets."""
    beside = Path(testset).with_name("corpus.jsonl")
    if any(c.conversation for c in cases):  # conversations are over the seeds and the archive excerpt beside
        return (*Settings().corpus, *([beside] if beside.is_file() else []))
    if beside.is_file() and beside.resolve() != Path(testset).resolve():
        return (beside,)
    if all(c.format == "seed" for c in cases):
        return Settings().corpus
    raise TestSetError(f"{testset}: no corpus found for this test set; pass --corpus PATH (the articles its "
                       "questions are about)")


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
