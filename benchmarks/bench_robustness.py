"""The robustness figures in the README: split time before and after, two writers on one folder, each kind of
store damage and what --check, ask and --repair make of it.

    python benchmarks/bench_robustness.py split [--before-up-to 100000]   # seconds per paragraph length
    python benchmarks/bench_robustness.py writers                         # two `index` runs at once, twice
    python benchmarks/bench_robustness.py damage                          # four damage cases on 1,050 chunks

"Before" is the sentence splitter as it was at commit 395f232 (loaded from git), "after" the current one.
Every index lives in a temporary folder. Prints a table and writes JSON to benchmarks/results/.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, RESULTS

BEFORE = "395f232"
SENTENCE = "The minister said the talks in Geneva went well. "


def _old_splitter(path: Path):
    source = subprocess.run(["git", "show", f"{BEFORE}:index/sentences.py"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_sentences", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sentence_spans


def split(before_up_to: int) -> list[dict]:
    from index.sentences import sentence_spans

    with tempfile.TemporaryDirectory() as folder:
        old = _old_splitter(Path(folder) / "old_sentences.py")
        rows = []
        for length in (25_000, 50_000, 100_000, 200_000):
            text = (SENTENCE * (length // len(SENTENCE) + 1))[:length]
            row = {"chars": length, "after_s": _seconds(sentence_spans, text)}
            row["before_s"] = _seconds(old, text) if length <= before_up_to else None
            rows.append(row)
            print(f"{length:>8,} chars: before {_fmt(row['before_s'])}, after {row['after_s']:.3f} s", flush=True)
    return rows


def _seconds(function, text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


def _fmt(value) -> str:
    return "not run" if value is None else f"{value:.2f} s"


def _articles(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        body = "\n\n".join(f"Item {j} of report {i} was read." for j in range(10))
        (folder / f"r{i:03d}.txt").write_text(f"Report {i}\n\n{body}", encoding="utf-8")
    return folder


def _cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=REPO, capture_output=True, text=True,
                          env=env)


def writers() -> list[dict]:
    from index.health import damage

    rows = []
    for wait in (False, True):
        with tempfile.TemporaryDirectory() as root:
            articles = _articles(Path(root) / "articles", 60)
            command = [sys.executable, "-m", "assistant", "index", str(articles), "--prune", "--index-dir",
                       f"{root}/index"] + (["--wait"] if wait else [])
            env = os.environ | {"ASSISTANT_EMBED_BATCH": "40"}
            runs = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for _ in range(2)]
            outcomes = [(run.wait(), *run.communicate()) for run in runs]
            row = {"wait": wait, "exit_codes": sorted(code for code, _, _ in outcomes),
                   "refusal": next((e.strip().splitlines()[-1] for c, _, e in outcomes if c), ""),
                   "store_problems": damage(f"{root}/index", "news", full=True)}
            rows.append(row)
            print(row, flush=True)
    return rows


DAMAGE_CASES = ("sqlite truncated to 0", "sqlite truncated to half", "garbage in the vector index file",
                "vector index folder deleted")


def damage_store(index_dir: Path, case: str) -> None:
    """Damage a built index folder's Chroma store one of the DAMAGE_CASES ways (tests/test_store_safety.py too)."""
    chroma = index_dir / "chroma"
    vectors = max(chroma.glob("*/data_level0.bin"), key=lambda p: p.stat().st_size).parent
    sqlite = chroma / "chroma.sqlite3"
    if case == "sqlite truncated to 0":
        sqlite.write_bytes(b"")
    elif case == "sqlite truncated to half":
        os.truncate(sqlite, sqlite.stat().st_size // 2)
    elif case == "garbage in the vector index file":
        (vectors / "data_level0.bin").write_bytes(os.urandom((vectors / "data_level0.bin").stat().st_size))
    else:
        shutil.rmtree(vectors)


def damage_cases() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as root:
        articles = _articles(Path(root) / "articles", 105)  # 1,050 chunks: past Chroma's log, into its files
        built = _cli("index", str(articles), "--index-dir", f"{root}/good")
        assert built.returncode == 0, built.stderr
        shutil.rmtree(articles)  # repairs work from the backup alone
        for case in DAMAGE_CASES:
            index = Path(root) / case.replace(" ", "-")
            shutil.copytree(Path(root) / "good", index)
            damage_store(index, case)
            check = _cli("index", "--check", "--index-dir", str(index))
            ask = _cli("ask", "What was item 3 of report 17?", "--index-dir", str(index))
            started = time.perf_counter()
            repair = _cli("index", "--repair", "--index-dir", str(index))
            after = _cli("ask", "What was item 3 of report 17?", "--index-dir", str(index))
            row = {"case": case, "check_exit": check.returncode, "check_first_line": check.stdout.splitlines()[0],
                   "ask_exit": ask.returncode, "ask_traceback": "Traceback" in ask.stderr,
                   "repair_exit": repair.returncode, "repair_s": round(time.perf_counter() - started, 1),
                   "repair_report": repair.stdout.splitlines()[0],
                   "answer_after": "Item 3 of report 17" in after.stdout}
            rows.append(row)
            print(row, flush=True)
    return rows


def main() -> int:
    import json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("split", "writers", "damage"))
    parser.add_argument("--before-up-to", type=int, default=50_000,
                        help="longest paragraph the old quadratic splitter is timed on (200,000 took 55 s)")
    args = parser.parse_args()
    rows = {"split": lambda: split(args.before_up_to), "writers": writers, "damage": damage_cases}[args.what]()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"robustness-{args.what}.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
