"""Load test of the Gradio app: N concurrent chat sessions for a bounded time, each answer checked.

Each session is its own `gradio_client.Client` (its own Gradio session, so its own conversation state) and
asks the questions of QUESTIONS in turn, starting at a different one per session, through the app's
`/respond` endpoint (the Enter key of the chat box). An answer is right when it holds the expected words
or, for the question the seed articles do not answer, when it is a refusal. After each round of questions
the session clears its conversation (`/clear`), so the chat it re-renders stays short.

The app is started from `app.py` on a free loopback port over `--index-dir` (default: a fresh temporary
index, which the app builds from the seed articles on its first start) unless `--url` names a running one.
When the script started the app it also reads the app process's resident memory after the warm-up and at
the end, and counts how often the app logged a real model load ("model loaded: …", written by the loading
code itself): once per model, at start, is right.

Run:  .venv/bin/python benchmarks/load_test.py [--sessions 20] [--duration 60] [--llm extractive]
                                               [--index-dir DIR | --url http://127.0.0.1:7860/]
Results: a table on stdout and benchmarks/results/load_test-<date>.json.
"""
from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from _common import REPO, print_table, summary, write_results

import index  # noqa: F401  (sets GRADIO_ANALYTICS_ENABLED=False and the rest before gradio_client loads)

# (question, words the answer must hold; None = the articles do not say, so the app must refuse)
QUESTIONS = (
    ("What did Lavrov demand?", "concrete"),
    ("Which country did Russia send troops to for joint military exercises?", "Belarus"),
    ("Who is NATO's Secretary General?", None),
)
START_TIMEOUT_S = 600  # first start: import the stack, build the seed index, load the embedding model


@dataclass
class Request:
    session: int
    question: str
    seconds: float
    error: str = ""  # a failed call, or the error the chat showed
    wrong: bool = False


# --- the app under test ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, seconds: float = START_TIMEOUT_S) -> None:
    """Poll until the app answers HTTP; raise with the end of its log if it exits or never comes up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"app.py did not serve {url} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@dataclass
class App:
    url: str
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def serve_app(index_dir: Path, log: Path, llm: str = "extractive", collection: str | None = None):
    """`python app.py` on a free loopback port over `index_dir`, output to `log`; yields an `App`, stopped by
    its PID afterwards."""
    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--index-dir", str(index_dir), "--llm", llm]
    command += ["--collection", collection] if collection else []
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    try:
        app = App(f"http://127.0.0.1:{port}/", process, log)
        wait_until_serving(app.url, process, log)
        yield app
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- one session ------------------------------------------------------------------------------------------
def connect(url: str):
    """A client with its own Gradio session. It waits up to 60 s for a reply, as a browser would: httpx's
    default 5 s made a busy but working app look broken."""
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False,
                  httpx_kwargs={"timeout": 60})


def reply_of(chat: list) -> str:
    """The HTML of the last assistant message in the chat the app sent back."""
    replies = [m.get("content") for m in chat if isinstance(m, dict) and m.get("role") == "assistant"]
    content = replies[-1] if replies else ""
    return content if isinstance(content, str) else str(content)


def judge(reply: str, expected: str | None) -> tuple[str, bool]:
    """(error shown in the chat or "", wrong?) for one reply. The UI marks refusals with class="refusal"."""
    if 'class="error"' in reply:
        return reply, False
    if expected is None:
        return "", 'class="refusal"' not in reply
    return "", 'class="refusal"' in reply or expected.lower() not in reply.lower()


def ask_once(client, session: int, question: str, expected: str | None) -> Request:
    started = time.perf_counter()
    try:
        _, chat, _ = client.predict(question, api_name="/respond")
        error, wrong = judge(reply_of(chat), expected)
    except Exception as err:  # anything the call raises is an error of the run, not of this script
        error, wrong = f"{type(err).__name__}: {err}", False
    return Request(session, question, time.perf_counter() - started, error[:500], wrong)


def run_session(url: str, session: int, deadline: float, results: list[Request], lock: threading.Lock) -> None:
    """Ask questions in turn until `deadline` (a request under way at the deadline is finished)."""
    try:
        client = connect(url)
    except Exception as err:
        with lock:
            results.append(Request(session, "(connect)", 0.0, f"{type(err).__name__}: {err}"))
        return
    turn = session  # sessions start at different questions, so the mix is even from the start
    try:
        while time.monotonic() < deadline:
            question, expected = QUESTIONS[turn % len(QUESTIONS)]
            request = ask_once(client, session, question, expected)
            with lock:
                results.append(request)
            if request.error:
                time.sleep(1)  # a failing app answers at once: don't spin
            turn += 1
            if turn % len(QUESTIONS) == session % len(QUESTIONS):
                client.predict(api_name="/clear")  # a round done: start a fresh conversation
    finally:
        client.close()


def load(url: str, sessions: int = 20, duration_s: float = 60.0) -> list[Request]:
    """Run `sessions` concurrent sessions against `url` for `duration_s` seconds; every request's outcome."""
    results: list[Request] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s
    threads = [threading.Thread(target=run_session, args=(url, n, deadline, results, lock), daemon=True)
               for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def report(results: list[Request], sessions: int, duration_s: float, elapsed_s: float) -> dict:
    """The figures of a run: counts, latency percentiles (seconds), and per-question latency."""
    answered = [r for r in results if r.question != "(connect)"]
    latency = [r.seconds for r in answered]
    per_question = {q: summary([r.seconds for r in answered if r.question == q]) for q, _ in QUESTIONS}
    return {"sessions": sessions, "duration_s": duration_s, "elapsed_s": round(elapsed_s, 1),
            "requests": len(answered), "errors": sum(bool(r.error) for r in results),
            "wrong": sum(r.wrong for r in results), "throughput_per_s": len(answered) / max(elapsed_s, 1e-9),
            "latency_s": summary(latency), "per_question_s": per_question,
            "first_errors": [asdict(r) for r in results if r.error][:5],
            "first_wrong": [asdict(r) for r in results if r.wrong][:5]}


def run(url: str, sessions: int, duration_s: float, app: App | None = None) -> dict:
    """Warm the app up with one round of questions, then run the load; adds memory figures for our own app."""
    for question, expected in QUESTIONS:  # the first answers load models and fill caches: not measured
        warm = connect(url)
        ask_once(warm, -1, question, expected)
        warm.close()
    rss_before = rss_mb(app.process.pid) if app else None
    started = time.monotonic()
    results = load(url, sessions, duration_s)
    figures = report(results, sessions, duration_s, time.monotonic() - started)
    if app:
        rss_after = rss_mb(app.process.pid)
        figures |= {"rss_after_warmup_mb": rss_before, "rss_end_mb": rss_after,
                    "rss_growth_kb_per_request": (rss_after - rss_before) * 1024 / max(figures["requests"], 1),
                    "model_loads_logged": app.log.read_text().count("model loaded: ")}
    return figures


def print_figures(figures: dict) -> None:
    latency = figures["latency_s"]
    rows = [("sessions", figures["sessions"]), ("duration (s)", figures["elapsed_s"]),
            ("requests", figures["requests"]), ("errors", figures["errors"], "0"),
            ("wrong answers", figures["wrong"], "0"), ("throughput (req/s)", figures["throughput_per_s"]),
            ("latency p50 (s)", latency["p50"]), ("latency p95 (s)", latency["p95"]),
            ("latency max (s)", latency["max"])]
    rows += [(f"p50 (s): {q[:40]}", s["p50"]) for q, s in figures["per_question_s"].items()]
    if "rss_end_mb" in figures:
        rows += [("app RSS after warm-up (MB)", figures["rss_after_warmup_mb"]),
                 ("app RSS at end (MB)", figures["rss_end_mb"]),
                 ("RSS growth per request (KB)", figures["rss_growth_kb_per_request"]),
                 ("model loads logged", figures["model_loads_logged"],
                  "1 (embedding)" if figures["llm"] == "extractive" else "2 (embedding, answer model)")]
    print_table("load test", rows)
    for failure in figures["first_errors"] + figures["first_wrong"]:
        print(f"- session {failure['session']}: {failure['question']!r}: {failure['error'] or 'wrong answer'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="concurrent chat sessions (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="a running app to test (default: start app.py on loopback)")
    where.add_argument("--index-dir", help="index folder for the app started here (default: a fresh temp one)")
    parser.add_argument("--llm", default="extractive", help="answer backend of the app started here")
    args = parser.parse_args(argv)
    if args.url:
        figures = run(args.url, args.sessions, args.duration)
    else:
        with tempfile.TemporaryDirectory(prefix="load-test-") as scratch:
            index_dir = Path(args.index_dir or Path(scratch) / "index")
            with serve_app(index_dir, Path(scratch) / "app.log", args.llm) as app:
                print(f"app.py serving {app.url} over {index_dir} (pid {app.process.pid})", flush=True)
                figures = run(app.url, args.sessions, args.duration, app)
    figures["llm"] = args.llm if not args.url else "(the running app's)"
    print_figures(figures)
    write_results("load_test", figures)
    return 0 if figures["errors"] == 0 and figures["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
