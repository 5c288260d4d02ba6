"""`python app.py`: the Gradio chat over the same `Assistant` as the CLI. This file is the composition root.

It reads flags and the environment, builds the index on first start, and serves `assistant.ui.ChatUI`.
It listens on 127.0.0.1 unless told otherwise; any other address needs `--expose` and a login from
ASSISTANT_UI_USER / ASSISTANT_UI_PASSWORD. It never creates a public share link.
"""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys

from assistant import Assistant, AssistantError  # first: sets the offline environment before gradio loads
from assistant.llm import BackendError
from assistant.settings import LLM_BACKENDS, from_env
from assistant.ui import ChatUI  # imports gradio only when the app is built
from index.embedding import EmbeddingModelError
from index.store import StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python app.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--expose", action="store_true",
                        help="allow a non-loopback --host; requires ASSISTANT_UI_USER and ASSISTANT_UI_PASSWORD")
    parser.add_argument("--index-dir", help="index folder (default .index, or ASSISTANT_INDEX_DIR)")
    parser.add_argument("--collection", help="Chroma collection name")
    parser.add_argument("--llm", choices=LLM_BACKENDS, help="answer backend (default: ASSISTANT_LLM, else local)")
    return parser


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: reachable from this machine only."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def login_for(host: str, expose: bool, environ=os.environ) -> tuple[str, str] | None:
    """None on loopback; otherwise the (user, password) Gradio will ask for. Raises ValueError with the fix."""
    if is_loopback(host):
        return None
    if not expose:
        raise ValueError(f"Refusing to listen on {host}: that makes the app reachable from other machines. "
                         "Add --expose and set ASSISTANT_UI_USER and ASSISTANT_UI_PASSWORD, or drop --host.")
    user, password = environ.get("ASSISTANT_UI_USER", ""), environ.get("ASSISTANT_UI_PASSWORD", "")
    if not user or not password:
        raise ValueError(f"--expose on {host} needs a login: set ASSISTANT_UI_USER and ASSISTANT_UI_PASSWORD "
                         "in the environment (the app will not serve other machines without one).")
    return user, password


def check_port(host: str, port: int) -> None:
    """Raise ValueError with the fix when the port cannot be listened on (in use, out of range)."""
    import socket

    if not 0 < port < 65536:
        raise ValueError(f"--port {port} is not a port: pass a number from 1 to 65535 (default 7860).")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as err:
        raise ValueError(f"Cannot listen on {host}:{port} ({err.strerror}): another program (an app already "
                         f"running?) uses it. Stop it or pass another --port, e.g. --port {port + 1}.") from err


def import_gradio() -> None:
    """Gradio's import (2-3 s), done while the child process probes the index on the other core: the page
    is served that much sooner."""
    import gradio  # noqa: F401


def open_store_safely(settings, meanwhile=None) -> None:
    """Refuse a damaged index in one line before this process opens it (a garbage vector file can crash
    Chroma's native code: index/health.py probes it in a child process, while `meanwhile` runs here)."""
    from index.health import damage, fix_for

    problems = [] if settings.chroma_host else damage(settings.index_dir, settings.collection, meanwhile=meanwhile)
    if problems:
        raise StoreError(f"the index at {settings.index_dir} cannot be used ({problems[0]}): "
                         f"{fix_for(problems, settings.index_dir, settings.collection)}.")


def ensure_index(assistant) -> None:
    """Index the default corpus on the first start, printing progress (later starts skip this)."""
    if assistant.articles():
        return
    from tqdm import tqdm

    folders = ", ".join(str(p) for p in assistant.settings.corpus)
    print(f"The index is empty: indexing {folders} (the first start only)...", flush=True)
    with tqdm(unit=" paragraphs", desc="indexing", mininterval=1.0) as bar:
        report = assistant.add(list(assistant.settings.corpus), progress=bar.update)
    print(report.summary(), flush=True)


def log_model_loads() -> None:
    """Print each real model load ("model loaded: …", written by the loading code; the load test counts them)."""
    models = logging.getLogger("news_assistant.models")
    models.setLevel(logging.INFO)
    models.addHandler(logging.StreamHandler(sys.stdout))


def warm_up(assistant) -> None:
    """Load the models and the vector index now, so the first question does not wait for them."""
    print("Loading the models...", flush=True)
    assistant.warm_up()
    try:
        _ = assistant.chat_model  # the property loads the model, once
    except BackendError as err:  # the core falls back to extractive answers and says so in each answer
        print(f"note: the {assistant.settings.llm} backend is unavailable ({err})", flush=True)


def launch_options(args: argparse.Namespace, auth: tuple[str, str] | None) -> dict:
    """Where Gradio listens and whom it asks to log in: the flags' host (127.0.0.1 unless given) and port."""
    return {"server_name": args.host, "server_port": args.port, "auth": auth}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_model_loads()
    try:
        auth = login_for(args.host, args.expose)
        check_port(args.host, args.port)
        settings = from_env(index_dir=args.index_dir, collection=args.collection, llm=args.llm)
        open_store_safely(settings, meanwhile=import_gradio)
        assistant = Assistant.from_settings(settings)
        ensure_index(assistant)
    except (AssistantError, StoreError, EmbeddingModelError, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    # The page first, then the models: it shows a loading note until they are in, and a question asked
    # meanwhile waits for them (they load once, under a lock).
    ui = ChatUI(assistant)
    ui.ready.clear()
    demo = ui.launch(prevent_thread_lock=True, **launch_options(args, auth))
    print(f"Serving on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    try:
        warm_up(assistant)
    except (StoreError, EmbeddingModelError, OSError) as err:
        demo.close()
        print(f"error: {err}", file=sys.stderr)
        return 2
    ui.ready.set()
    print("Ready.", flush=True)
    assistant.prime_model()  # while the first question is typed
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
