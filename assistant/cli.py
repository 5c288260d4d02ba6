"""`python -m assistant index | ask | chat | eval`: a thin door over the same `Assistant`."""
from __future__ import annotations

import argparse
import json
import sys

from .settings import LLM_BACKENDS, from_env


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", help="index folder (default .index, or ASSISTANT_INDEX_DIR)")
    common.add_argument("--collection", help="Chroma collection name")
    common.add_argument("--llm", choices=LLM_BACKENDS, help="answer backend")
    common.add_argument("--embedding-model", help="sentence-transformers name or folder")
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", parents=[common], help="index articles (default: the seed articles)")
    index.add_argument("paths", nargs="*", help="files or folders (.txt .md .html .jsonl)")
    index.add_argument("--prune", action="store_true", help="remove articles whose files are gone")
    index.add_argument("--reset", action="store_true", help="delete the collection first and rebuild")
    index.add_argument("--check", action="store_true",
                       help="only verify that the store, the lexical index and the article records agree")

    for name, text in (("ask", "answer one question"), ("chat", "a terminal chat with history")):
        sub = commands.add_parser(name, parents=[common], help=text)
        if name == "ask":
            sub.add_argument("question")
            sub.add_argument("--json", action="store_true", help="print the Answer as JSON")
        sub.add_argument("--source", action="append", help="only these outlets (repeatable)")
        sub.add_argument("--doc", action="append", help="only these doc_ids (repeatable)")
        sub.add_argument("--since", help="only articles dated on or after this day (YYYY-MM-DD, YYYY-MM, YYYY)")
        sub.add_argument("--until", help="only articles dated on or before this day (YYYY-MM-DD, YYYY-MM, YYYY)")

    from .evaluation.cli import add_eval_parser

    add_eval_parser(commands, common)
    return parser


def make_assistant(args):
    from .core import Assistant

    settings = from_env(index_dir=args.index_dir, collection=args.collection, llm=args.llm,
                        embedding_model=args.embedding_model)
    return Assistant.from_settings(settings)


def where_from(args) -> dict | None:
    """The `where` of --source/--doc/--since/--until, from the builder the chat's filter row uses too."""
    from .filters import build_where

    return build_where(args.source, args.doc, args.since, args.until)


def run_index(args) -> int:
    from tqdm import tqdm

    assistant = make_assistant(args)
    if args.check:
        return run_check(assistant)
    if args.reset:
        assistant.store.reset()
        assistant = make_assistant(args)
    paths = args.paths or list(assistant.settings.corpus)
    try:
        with tqdm(unit=" paragraphs", desc="indexing", disable=None, mininterval=1.0) as bar:
            progress = bar.update if not bar.disable else LogProgress()
            report = assistant.add(paths, prune=args.prune, progress=progress)
    except OSError as err:  # disk full, file size limit, permissions
        print(f"error: writing the index failed ({err}). Free disk space (or fix permissions) and run the "
              "same command again: articles indexed before this point are intact and the rest are redone.",
              file=sys.stderr)
        return 1
    except Exception as err:  # the store reports a full disk as its own error type
        if "full" not in str(err).lower():
            raise
        print(f"error: the disk is full ({err}). Free space and run the same command again: the index "
              "still serves every article completed before this point.", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


class LogProgress:
    """Progress for logs (no terminal): one line every few seconds instead of a redrawn bar."""

    def __init__(self, every_s: float = 5.0):
        self.done, self.every_s, self.last = 0, every_s, 0.0

    def __call__(self, paragraphs: int) -> None:
        import time

        self.done += paragraphs
        if time.monotonic() - self.last >= self.every_s:
            self.last = time.monotonic()
            print(f"indexing: {self.done} paragraphs done", file=sys.stderr, flush=True)


def run_check(assistant) -> int:
    """Exit 0 when every served article is whole and the lexical index matches the store."""
    problems = assistant.check()
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.startswith("note:")]
    print("index OK" if not errors else f"{len(errors)} problem(s); re-run `python -m assistant index` to repair")
    return 0 if not errors else 1


def print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    print(answer.text)
    if answer.citations:
        print("\nSources:\n" + answer.format_sources())
    for notice in answer.notices:
        print(f"\nNote: {notice}")
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        print(f"\n(searched: {answer.standalone_question})")
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in answer.timings.items())
    print(f"\n({answer.backend}; {timings})")


def run_ask(args) -> int:
    answer = make_assistant(args).ask(args.question, where=where_from(args))
    print_answer(answer, args.json)
    return 0


def run_chat(args) -> int:
    from .core import AssistantError

    assistant, history = make_assistant(args), []
    print("Ask about the articles; an empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = assistant.ask(question, history=history, where=where_from(args))
        except AssistantError as err:
            print(f"error: {err}")
            continue
        print_answer(answer, False)
        history += [{"role": "user", "content": question}, answer.as_message()]


def main(argv: list[str] | None = None) -> int:
    from index.embedding import EmbeddingModelError
    from index.store import StoreError

    from .core import AssistantError
    from .filters import FilterError
    from .llm import BackendError

    args = build_parser().parse_args(argv)
    runners = {"index": run_index, "ask": run_ask, "chat": run_chat}
    try:
        if args.command == "eval":
            from .evaluation.cli import run_eval

            return run_eval(args)
        return runners[args.command](args)
    except (AssistantError, StoreError, BackendError, EmbeddingModelError, FilterError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the index stays consistent and the next run completes it", file=sys.stderr)
        return 130
