"""Small helpers shared by the benchmark scripts: timing statistics, memory, disk size, machine, output.

Peak memory is the kernel's resident high-water mark (VmHWM in /proc/self/status), which counts native
allocations (torch, Chroma, numpy) that tracemalloc does not see; `reset_peak_rss()` restarts it so each
phase of a script gets its own peak.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # `python benchmarks/x.py` finds assistant/ and index/
RESULTS = REPO / "benchmarks" / "results"
CORPUS_DIR = Path(os.environ.get("REALTIMEQA_DIR", REPO.parent / "shared" / "corpora" / "realtimeqa"))  # ../shared
SEED_DIR = REPO / "data" / "seed-articles"
SEED_QUESTIONS = REPO / "data" / "seed_dev.jsonl"


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "mean": statistics.fmean(values) if values else float("nan"),
            "max": max(values) if values else float("nan")}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def peak_rss_mb() -> float:
    """Peak resident memory of this process since start or the last reset_peak_rss(), in MB."""
    return _status_kib("VmHWM") / 1024


def rss_mb() -> float:
    return _status_kib("VmRSS") / 1024


def reset_peak_rss() -> None:
    """Restart the high-water mark at the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def dir_size_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    return total / 1e6


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(), "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}


def read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
                if limit is not None and len(rows) >= limit:
                    break
    return rows


def print_table(title: str, rows: list[tuple]) -> None:
    """rows: (metric, value, target-or-''); values formatted compactly."""
    def fmt(v):
        if isinstance(v, float):
            return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3g}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    cells = [("metric", "value", "target")] + [(str(r[0]), fmt(r[1]), str(r[2]) if len(r) > 2 else "") for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    print(f"\n## {title}\n")
    for n, c in enumerate(cells):
        print("| " + " | ".join(x.ljust(w) for x, w in zip(c, widths)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{_dt.date.today().isoformat()}.json"
    n = 2
    while path.exists():  # a second run the same day keeps the first one's file
        path = RESULTS / f"{name}-{_dt.date.today().isoformat()}-{n}.json"
        n += 1
    data = {"benchmark": name, "argv": sys.argv, "machine": machine()} | data
    path.write_text(json.dumps(data, indent=2, default=str))
    print(f"\nwrote {path}")
    return path


def set_torch_threads(n: int | None) -> int:
    """Benchmark knob: torch intra-op threads for this process (None = torch's default). Returns the count."""
    import torch

    if n:
        torch.set_num_threads(n)
    return torch.get_num_threads()
