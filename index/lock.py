"""One writer per index folder: an inter-process lock that every indexing run, reset, repair and upload takes.

Two writers on one Chroma folder corrupt its vector index (unreadable embeddings, a folder no command can
open), so a second writer either fails at once with a message naming the holder, or waits for it.
Readers (questions) take no lock. The lock is an OS file lock (`filelock`): it is released when the holder
exits, even by SIGKILL, so a crashed run never leaves the folder locked. It guards writers on this machine
only; see the README for a Chroma server.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

from .store import StoreError

LOCK_NAME = "writer.lock"
HOLDER_NAME = "writer.holder.json"  # who holds the lock, since when (written after taking it)
_held: dict[str, int] = {}  # folders this process holds, with nesting depth


class IndexLocked(StoreError):
    """Another process is writing to this index folder."""


def holder(index_dir: Path | str) -> dict:
    """What the current (or last) writer wrote about itself; {} when unknown."""
    try:
        return json.loads((Path(index_dir) / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def describe(index_dir: Path | str) -> str:
    info = holder(index_dir)
    if not info:
        return f"another indexing run holds {index_dir}"
    return (f"another indexing run (pid {info.get('pid')} on {info.get('host')}, `{info.get('command')}`) "
            f"holds {index_dir} since {info.get('since')}")


@contextmanager
def writer_lock(index_dir: Path | str, wait: bool = False,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the folder's writer lock; raise IndexLocked at once, or wait (telling `on_wait` why) when `wait`."""
    folder = Path(index_dir)
    key = str(folder.resolve())
    if _held.get(key):  # this process already holds it (a repair that re-indexes): no second OS lock
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise IndexLocked(f"{describe(folder)}. Wait for it to finish (or pass --wait to queue behind it); "
                              "two writers at once would corrupt the index.") from None
        (on_wait or (lambda message: None))(f"waiting: {describe(folder)}")
        lock.acquire(timeout=-1)  # blocks until the holder exits
    _held[key] = 1
    try:
        _write_holder(folder)
        yield
    finally:
        _held[key] = 0
        lock.release()


def _write_holder(folder: Path) -> None:
    program = sys.argv[0] if sys.argv else "python"
    if program.endswith("__main__.py"):  # `python -m assistant …` reads better than the module's file path
        program = f"python -m {Path(program).parent.name}"
    info = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join([program, *sys.argv[1:]])[:200],
            "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"), "t": time.time()}
    (folder / HOLDER_NAME).write_text(json.dumps(info), encoding="utf-8")
