"""Is the store itself readable? Opened, counted, every embedding read back, one vector query, in a child process.

Why a child process: a vector index file full of garbage crashes Chroma's native code (SIGSEGV) instead of
raising, and a crash must not take the CLI or the app with it. The child imports Chroma only (no torch), so a
quick probe costs about the time of that import. Run as `python -m index.health INDEX_DIR COLLECTION [--full]`;
it prints one JSON object: {"problems": [...], "chunks": n, "records": n}.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Callable

PAGE = 500  # embeddings read per call in a full check (bounded memory on a big index)
MAX_LISTED = 20  # problems listed; one bad page already says the store needs repair


def probe(index_dir: Path | str, collection: str, full: bool = False, timeout: float = 600,
          meanwhile: Callable[[], None] | None = None) -> dict:
    """The child's report; a crash or a hang becomes a problem. `meanwhile` runs while the child works
    (the CLI loads the embedding model then, so the probe costs next to no wall time on two cores)."""
    command = [sys.executable, "-m", "index.health", str(index_dir), collection] + (["--full"] if full else [])
    root = Path(__file__).resolve().parent.parent
    child = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if meanwhile:
            meanwhile()
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return {"problems": [f"opening the store took over {timeout:.0f} s"], "chunks": 0, "records": 0}
    except BaseException:
        child.kill()
        child.wait()
        raise
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        how = f"signal {-child.returncode}" if child.returncode < 0 else f"exit {child.returncode}"
        tail = (err.strip().splitlines() or [""])[-1][:200]
        return {"problems": [f"the store crashed the reader when opened ({how}{': ' + tail if tail else ''})"],
                "chunks": 0, "records": 0}


def damage(index_dir: Path | str, collection: str, full: bool = False,
           meanwhile: Callable[[], None] | None = None) -> list[str]:
    """Problems of a local store that was built; [] for a healthy one or one never built (nothing to lose)."""
    from .backup import ArticleBackup, backup_path

    built = (Path(index_dir) / "chroma" / "chroma.sqlite3").exists()
    backed_up = backup_path(index_dir, collection).exists() and bool(
        ArticleBackup(backup_path(index_dir, collection)).hashes())
    if not built and not backed_up:
        return []
    problems = probe(index_dir, collection, full, meanwhile=meanwhile)["problems"]
    if not built:
        problems.insert(0, f"{Path(index_dir) / 'chroma'} is missing")
    if problems and not backed_up and any("does not exist" in p for p in problems):
        return []  # this collection was never built here: the ordinary "index is empty" path applies
    return problems


def set_aside(index_dir: Path | str) -> Path | None:
    """Move a damaged Chroma folder out of the way (renamed, not deleted); None when there is none."""
    import time

    folder = Path(index_dir) / "chroma"
    if not folder.exists():
        return None
    target = folder.with_name(f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    folder.rename(target)
    return target


def repair_command(index_dir: Path | str, collection: str) -> str:
    return f"python -m assistant index --repair --index-dir {index_dir} --collection {collection}"


_DISK = ("disk i/o error", "disk is full", "no space left", "file too large", "read-only file system")


def fix_for(problems: list[str], index_dir: Path | str, collection: str) -> str:
    """What to do about these problems: free space when the disk refused a write, else repair."""
    if any(marker in p.lower() for p in problems for marker in _DISK):
        return (f"the disk holding {index_dir} is full or refuses writes (even reading the store writes a "
                "journal): free space, then run the same command again; the index itself may be intact")
    return f"repair it with `{repair_command(index_dir, collection)}` (rebuilds it from the article backup)"


def inspect(index_dir: Path | str, collection: str, full: bool) -> dict:
    """Open the collections, count them, read embeddings back (all of them when `full`), run one query."""
    report = {"problems": [], "chunks": 0, "records": 0}
    try:
        chunks, records = _open(index_dir, collection)
        report["chunks"], report["records"] = chunks.count(), records.count()
        _read_back(chunks, report, full)
    except Exception as err:  # any failure of the store is the finding, not a crash of the check
        report["problems"].append(f"the store cannot be read ({type(err).__name__}: {str(err)[:200]})")
    return report


def _open(index_dir, collection: str):
    import chromadb
    from chromadb.config import Settings

    folder = Path(index_dir) / "chroma"
    if not (folder / "chroma.sqlite3").exists():
        raise FileNotFoundError(f"{folder / 'chroma.sqlite3'} is missing")
    client = chromadb.PersistentClient(path=str(folder), settings=Settings(anonymized_telemetry=False))
    return (client.get_collection(collection, embedding_function=None),
            client.get_collection(f"{collection}__articles", embedding_function=None))


def _read_back(chunks, report: dict, full: bool) -> None:
    total, read, first = report["chunks"], 0, None
    for offset in range(0, total if full else min(total, 1), PAGE):
        try:
            page = chunks.get(include=["embeddings"], limit=PAGE, offset=offset)
        except Exception as err:  # e.g. "Error getting embedding" after two writers overlapped
            report["problems"].append(f"chunks {offset}-{offset + PAGE}: embeddings unreadable "
                                      f"({type(err).__name__}: {str(err)[:120]})")
            continue
        for chunk_id, vector in zip(page["ids"], page["embeddings"]):
            if vector is None or not len(vector) or not all(math.isfinite(x) for x in vector):
                report["problems"].append(f"chunk {chunk_id} has no readable embedding")
            first = first or (chunk_id, [float(x) for x in vector])
        read += len(page["ids"])
    if full and read != total:
        report["problems"].append(f"the store counts {total} chunks but {read} could be read")
    if first:
        hit = chunks.query(query_embeddings=[first[1]], n_results=1, include=["distances"])
        if not hit["ids"][0] or hit["distances"][0][0] > 1e-3:
            report["problems"].append(f"a vector query does not find chunk {first[0]} by its own embedding")
    del report["problems"][MAX_LISTED:]


def main(argv: list[str]) -> int:
    from . import offline  # noqa: F401  (no telemetry in the child either)

    print(json.dumps(inspect(argv[0], argv[1], "--full" in argv[2:])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
