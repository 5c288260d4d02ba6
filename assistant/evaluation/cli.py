"""`python -m assistant eval TESTSET.jsonl`: answer a test set with `Assistant.ask()`, score it, write a report.

Writes to --out (default eval-runs/<timestamp>-<testset>-<llm>/): results.jsonl, metrics.json, report.md with
PNG charts, ragas.jsonl, and baseline/ with the same files for the tutorial pipeline (--baseline).
"""
from __future__ import annotations

import hashlib
import json
import shlex
import sys
from datetime import datetime
from pathlib import Path

from ..settings import REPO_ROOT, from_env
from . import runner
from .ragas import write_ragas
from .reply import paragraph_id
from .report import HEADLINE, write_report
from .scoring import score
from .summary import summarize
from .halves import select
from .testsets import default_corpus, load_testset


def add_eval_parser(commands, common) -> None:
    sub = commands.add_parser("eval", parents=[common], help="score answers against a test set",
                              description=__doc__)
    sub.add_argument("testset", help="JSONL test set (seed, RGB context_doc_ids, or gold_pids format)")
    sub.add_argument("--corpus", nargs="+", action="extend", metavar="PATH",
                     help="articles to index (default: corpus.jsonl beside the test set, or the seed articles)")
    sub.add_argument("--out", help="run folder; rerun with the same --out to resume (default eval-runs/…)")
    sub.add_argument("--compare", metavar="RUN_DIR", help="a previous run folder to show beside this one")
    sub.add_argument("--baseline", action="store_true", help="also run the vanilla LangChain tutorial pipeline")
    sub.add_argument("--limit", type=int, help="only the first N questions")
    sub.add_argument("--half", choices=("tune", "report", "all"), default="all",
                     help="only the tuning or the report half of the set (fixed split, evaluation/halves.py)")
    sub.add_argument("--rescore", action="store_true",
                     help="recompute the scores of answers already in --out (after a metric changed), then go on")
    sub.add_argument("--no-as-of", dest="as_of", action="store_false",
                     help="ignore the tests' question dates (RealTimeQA question_date is asked as `as_of` by default)")
    sub.add_argument("--judge", action="store_true", help="let the answer model grade answers too (--llm local/openai)")


def run_eval(args) -> int:
    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be at least 1, not {args.limit}")
    testset = Path(args.testset)
    cases = load_testset(testset)
    corpus = tuple(Path(p) for p in args.corpus) if args.corpus else default_corpus(testset, cases)
    cases = select(cases, args.half)
    cases = cases[: args.limit] if args.limit else cases
    assistant = build_assistant(args, corpus)
    out = prepare_out(args, testset, assistant.settings.llm, corpus)
    check_doc_ids(cases, assistant)
    started, scorer = _now(), make_scorer(assistant, args.judge)
    if args.rescore:
        rescore_stored(cases, assistant, out)
    records = {"ours": runner.run(cases, runner.assistant_answerer(assistant, args.as_of), scorer, out / "results.jsonl", "ours")}
    if args.baseline:
        records["baseline"] = run_baseline(cases, assistant, corpus, scorer, out / "baseline")
    metrics = build_metrics(args, testset, corpus, assistant.settings.llm, records, started)
    write_outputs(out, metrics, records)
    print_summary(out, metrics)
    return 0


def build_assistant(args, corpus: tuple[Path, ...], kind=None):
    """An Assistant (or `kind`, a subclass) over its own collection for this corpus, indexed (idempotently)
    before the run."""
    from tqdm import tqdm

    from ..core import Assistant

    settings = from_env(index_dir=args.index_dir, llm=args.llm, embedding_model=args.embedding_model,
                        collection=args.collection or eval_collection(corpus), corpus=corpus)
    assistant = (kind or Assistant).from_settings(settings)
    with tqdm(unit=" paragraphs", desc="indexing", disable=None, mininterval=1.0) as bar:
        report = assistant.add(list(corpus), progress=bar.update)
    if report.skipped:
        print(report.summary(), file=sys.stderr)
    return assistant


def eval_collection(corpus: tuple[Path, ...]) -> str:
    """One collection per corpus, so evaluation never mixes with (or changes) the user's own index."""
    key = "\n".join(sorted(str(Path(p).resolve()) for p in corpus))
    return "eval-" + hashlib.sha1(key.encode()).hexdigest()[:10]


def prepare_out(args, testset: Path, llm: str, corpus) -> Path:
    """The run folder; refuses to resume a folder that holds a run of another test set or backend."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else REPO_ROOT / "eval-runs" / f"{stamp}-{testset.stem}-{llm}"
    identity = {"testset": str(testset.resolve()), "llm": llm, "corpus": sorted(str(p) for p in corpus)}
    marker = out / "run.json"
    if marker.exists():
        previous = json.loads(marker.read_text(encoding="utf-8"))
        if (previous.get("testset"), previous.get("llm")) != (identity["testset"], llm):
            raise ValueError(f"{out} holds a run of {previous.get('testset')} with --llm {previous.get('llm')}; "
                             "pick another --out, or the same test set and --llm to resume it")
    out.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(identity, indent=2))
    return out


def check_doc_ids(cases, assistant) -> None:
    """A test none of whose articles is indexed is an error; a few missing (skipped as empty) are a warning."""
    indexed = set(assistant.hybrid.records)
    orphans = [c.id for c in cases if c.context_doc_ids and not set(c.context_doc_ids) & indexed]
    if orphans:
        raise ValueError(f"{len(orphans)} tests name no indexed article in context_doc_ids (e.g. "
                         f"{', '.join(orphans[:3])}); pass the corpus that holds them with --corpus")
    missing = sorted({d for c in cases for d in c.context_doc_ids} - indexed)
    if missing:
        print(f"warning: {len(missing)} doc ids in context_doc_ids are not indexed (e.g. {', '.join(missing[:3])})",
              file=sys.stderr)


def make_scorer(assistant, judge: bool):
    """score() with the index's IDF weights, plus the model judge's verdict when asked for."""
    from .judge import ModelJudge

    if judge and assistant.settings.llm == "extractive":
        raise ValueError("--judge needs an answer model: add --llm local or --llm openai")
    grade = ModelJudge(assistant.chat_model) if judge else None

    def search(query: str, where) -> list[dict]:
        found = assistant.hybrid.search(query, assistant.embeddings.embed_query(query), 5, where)
        return [{"id": p.id, "pids": [paragraph_id(p.id)], "text": p.paragraph or p.text} for p in found]

    # The index's IDF weights, as when the answer was verified.
    return lambda case, reply: {**score(case, reply, assistant.extractive.idf, search),
                                **(grade(case, reply) if grade else {})}


def rescore_stored(cases, assistant, out: Path) -> None:
    """--rescore: new scores for the stored answers of ours and the baseline (the judge is not asked again)."""
    for path in (out / "results.jsonl", out / "baseline" / "results.jsonl"):
        if path.exists():
            runner.rescore(cases, lambda case, reply: score(case, reply, assistant.extractive.idf), path)


def run_baseline(cases, assistant, corpus, scorer, folder: Path) -> list[dict]:
    """The tutorial pipeline over the same corpus, indexed only when some question still needs answering."""
    from .baseline import TutorialBaseline

    path = folder / "results.jsonl"
    if not {c.id for c in cases} - set(runner.load_results(path)):
        return runner.run(cases, None, scorer, path, "baseline")  # all answered: nothing to index or ask
    model = assistant.chat_model if assistant.settings.llm != "extractive" else None
    baseline = TutorialBaseline(corpus, assistant.embeddings, model, assistant.settings.max_answer_tokens)
    try:
        return runner.run(cases, runner.WithHistory(baseline.answer), scorer, path, "baseline")
    finally:
        baseline.close()


def build_metrics(args, testset, corpus, llm: str, records: dict, started: str) -> dict:
    backends = sorted({r["reply"]["backend"] for rows in records.values() for r in rows})
    run = {"testset": str(testset), "corpus": [str(p) for p in corpus], "llm": llm, "backends": backends,
           "command": command_line(args), "started": started, "finished": _now(),
           "as_of": "question dates" if args.as_of else "none"}
    return {"run": run, "ours": summarize(records["ours"]),
            "baseline": summarize(records["baseline"]) if "baseline" in records else None,
            "compare": load_compare(Path(args.compare)) if args.compare else None}


def load_compare(run_dir: Path) -> dict:
    path = run_dir / "metrics.json"
    if not path.is_file():
        raise ValueError(f"--compare {run_dir}: no metrics.json there; give a folder written by "
                         "`python -m assistant eval`")
    previous = json.loads(path.read_text(encoding="utf-8"))
    return {"run_dir": str(run_dir), "llm": previous["run"]["llm"], "testset": previous["run"]["testset"],
            "ours": previous["ours"]}


def write_outputs(out: Path, metrics: dict, records: dict) -> None:
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    write_ragas(records["ours"], out / "ragas.jsonl")
    if "baseline" in records:
        write_ragas(records["baseline"], out / "baseline" / "ragas.jsonl")
    write_report(out, metrics, records)


def print_summary(out: Path, metrics: dict) -> None:
    for system in ("ours", "baseline"):
        if metrics.get(system):
            values = metrics[system]["metrics"]
            shown = [f"{name} {values[name]:.2f}" for name, _ in HEADLINE if values.get(name) is not None]
            print(f"{system}: " + ", ".join(shown))
            for half, part in metrics[system].get("by_half", {}).items():
                shown = [f"{name} {part['metrics'][name]:.2f}" for name, _ in HEADLINE
                         if part["metrics"].get(name) is not None]
                print(f"  {half} half ({part['n']}): " + ", ".join(shown))
    print(f"wrote {out / 'report.md'}")


def command_line(args) -> str:
    parts = ["python -m assistant eval", shlex.quote(str(args.testset))]
    if args.corpus:
        parts.append("--corpus " + " ".join(shlex.quote(str(p)) for p in args.corpus))
    for flag in ("llm", "out", "compare", "limit", "half", "index_dir", "collection", "embedding_model"):
        value = getattr(args, flag, None)
        parts += [f"--{flag.replace('_', '-')} {shlex.quote(str(value))}"] if value and value != "all" else []
    parts += [f"--{flag}" for flag in ("baseline", "judge", "rescore") if getattr(args, flag, False)]
    return " ".join(parts)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
