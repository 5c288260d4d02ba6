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
    common.add_argument("--llm", choices=LLM_BACKENDS, help="answer backend (default: ASSISTANT_LLM, else local)")
    common.add_argument("--embedding-model", help="sentence-transformers name or folder")
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", parents=[common], help="index articles (default: the seed articles)")
    index.add_argument("paths", nargs="*", help="files or folders (.txt .md .html .jsonl)")
    index.add_argument("--prune", action="store_true", help="remove articles whose files are gone")
    index.add_argument("--reset", action="store_true",
                       help="delete the collection first and rebuild (a damaged store folder is set aside)")
    index.add_argument("--check", action="store_true",
                       help="only verify the store (every embedding read back), the lexical index and the records")
    index.add_argument("--repair", action="store_true",
                       help="rebuild a damaged store from the article backup (plus PATHS, if given)")
    index.add_argument("--wait", action="store_true",
                       help="if another indexing run holds the index folder, wait for it instead of failing")

    for name, text in (("ask", "answer one question"), ("chat", "a terminal chat with history")):
        sub = commands.add_parser(name, parents=[common], help=text)
        if name == "ask":
            sub.add_argument("question")
            sub.add_argument("--json", action="store_true", help="print the Answer as JSON")
        sub.add_argument("--source", action="append", help="only these outlets (repeatable)")
        sub.add_argument("--doc", action="append", help="only these doc_ids (repeatable)")
        sub.add_argument("--since", help="only articles dated on or after this day (YYYY-MM-DD, YYYY-MM, YYYY)")
        sub.add_argument("--until", help="only articles dated on or before this day (YYYY-MM-DD, YYYY-MM, YYYY)")
        sub.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                         help="ask as of this day: only articles published by then; 'now', 'this week', "
                              "'latest' are read against it (default: the newest article's day)")

    from .evaluation.cli import add_eval_parser

    add_eval_parser(commands, common)
    return parser


def settings_of(args):
    return from_env(index_dir=args.index_dir, collection=args.collection, llm=args.llm,
                    embedding_model=args.embedding_model)


def make_assistant(args, probe: bool = False):
    """The Assistant for these flags; with `probe`, a damaged local store is refused first, in one line
    (opening it in this process could crash it: index/health.py)."""
    from index.embedding import load_sentence_transformer
    from index.health import damage, fix_for
    from index.store import StoreError

    from .core import Assistant

    settings = settings_of(args)
    problems = damage(settings.index_dir, settings.collection,  # the model loads while the child probes
                      meanwhile=lambda: load_sentence_transformer(settings.embedding_model)
                      ) if probe and not settings.chroma_host else []
    if problems:
        raise StoreError(f"the index at {settings.index_dir} cannot be used ({problems[0]}): "
                         f"{fix_for(problems, settings.index_dir, settings.collection)}.")
    return Assistant.from_settings(settings)


def where_from(args) -> dict | None:
    """The `where` of --source/--doc/--since/--until, from the builder the chat's filter row uses too."""
    from .filters import build_where

    return build_where(args.source, args.doc, args.since, args.until)


def run_index(args) -> int:
    from tqdm import tqdm

    if args.check:
        return run_check(args)
    if args.repair:
        return run_repair(args)
    if args.reset:
        reset(args)
    assistant = make_assistant(args)
    paths = args.paths or list(assistant.settings.corpus)
    try:
        with tqdm(unit=" paragraphs", desc="indexing", disable=None, mininterval=1.0) as bar:
            progress = bar.update if not bar.disable else LogProgress()
            report = assistant.add(paths, prune=args.prune, progress=progress, wait=args.wait, on_wait=_say)
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


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def reset(args) -> None:
    """Delete this collection (and its backup); a store too damaged to open is set aside instead."""
    from index.backup import backup_path
    from index.health import damage, set_aside
    from index.lock import writer_lock

    settings = settings_of(args)
    with writer_lock(settings.index_dir, args.wait, _say):
        if not settings.chroma_host and damage(settings.index_dir, settings.collection):
            _say(f"the store was damaged; set aside at {set_aside(settings.index_dir)} (delete it when done)")
        else:
            make_assistant(args).store.reset()
        backup_path(settings.index_dir, settings.collection).unlink(missing_ok=True)


def run_repair(args) -> int:
    """Set the damaged store aside, rebuild this collection from the backup (and PATHS), check the result."""
    from index.backup import ArticleBackup, backup_path
    from index.health import damage, set_aside
    from index.lock import writer_lock

    settings = settings_of(args)
    path = backup_path(settings.index_dir, settings.collection)
    if not (path.exists() and ArticleBackup(path).hashes()) and not args.paths:  # nothing to rebuild from
        print(f"error: no article backup of collection {settings.collection!r} in {settings.index_dir}; rebuild it "
              "from the files with `python -m assistant index --reset PATHS` (the store is left untouched)",
              file=sys.stderr)
        return 2
    with writer_lock(settings.index_dir, args.wait, _say):
        aside = None if settings.chroma_host else set_aside(settings.index_dir)
        assistant = make_assistant(args)
        if settings.chroma_host:
            assistant.store.reset()
            assistant = make_assistant(args)
        print("restored from the backup: " + assistant.restore().summary())
        if args.paths:
            print("re-read: " + assistant.add(args.paths, prune=args.prune).summary())
    if aside:
        print(f"the damaged store was set aside at {aside}: delete it once you are satisfied (another collection "
              "it held is rebuilt by `--repair --collection NAME`)")
    problems = [] if settings.chroma_host else damage(settings.index_dir, settings.collection, full=True)
    problems += [p for p in assistant.check() if not p.startswith("note:")]
    print("index OK" if not problems else "\n".join(problems))
    return 0 if not problems else 1


def run_check(args) -> int:
    """Exit 0 when the store reads back whole, every served article is whole and the lexical index matches."""
    from index.health import damage, fix_for

    settings = settings_of(args)
    damaged = [] if settings.chroma_host else damage(settings.index_dir, settings.collection, full=True)
    problems = damaged + ([] if damaged else make_assistant(args).check())
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.startswith("note:")]
    if not errors:
        print("index OK")
    elif damaged or any("backed-up" in p for p in errors):
        fix = fix_for(errors, settings.index_dir, settings.collection)
        print(f"{len(errors)} problem(s) in the store: {fix}")
    else:
        print(f"{len(errors)} problem(s); re-run `python -m assistant index` to repair")
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
    answer = make_assistant(args, probe=True).ask(args.question, where=where_from(args), as_of=args.as_of)
    print_answer(answer, args.json)
    return 0


def run_chat(args) -> int:
    from .core import AssistantError

    assistant, history = make_assistant(args, probe=True), []
    assistant.prime_model()  # while the first question is typed
    print("Ask about the articles; an empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = assistant.ask(question, history=history, where=where_from(args), as_of=args.as_of)
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
