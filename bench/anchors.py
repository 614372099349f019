"""Anchors: other tools measured side by side with crosspost in the same run, so each figure is
also a ratio to something this machine does at the same moment (the machine is shared; a ratio
holds when its speed drifts, an absolute figure does not).

Each anchor runs only when its tool is installed (``pip install '.[bench]'``) and is otherwise
reported as absent, never as a failure.

- ``startup_anchor``: ``apprise --help`` (a notification CLI of similar size: click, markdown,
  yaml, requests) timed beside ``python -c "import typer"`` and crosspost's own commands.
- ``fsync_rate``: a raw write + fsync loop: the ceiling of any durable commit on this disk.
- ``queue_anchors``: litequeue, persist-queue's SQLiteAckQueue and huey's SqliteStorage, each
  at ``synchronous=FULL`` in WAL, one process: put + take + acknowledge per item (huey has no
  acknowledgement: enqueue + dequeue). bench/queue_bench.py compares the store with these.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchlib import run_once


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# -- start-up ------------------------------------------------------------------------------------

def startup_anchor() -> list[str] | None:
    """argv of ``apprise --help`` (the console script beside this Python), or None."""
    script = Path(sys.executable).with_name("apprise")
    found = str(script) if script.is_file() else shutil.which("apprise")
    return [found, "--help"] if found and installed("apprise") else None


def median_pair(argv: list[str], anchor: list[str], runs: int, cwd: Path, env: dict[str, str]
                ) -> tuple[float, float]:
    """Median wall seconds of ``argv`` and ``anchor``, run in turn (A B A B ...) after a warm-up."""
    run_once(argv, cwd, env)
    run_once(anchor, cwd, env)
    a, b = [], []
    for _ in range(runs):
        a.append(run_once(argv, cwd, env)[0])
        b.append(run_once(anchor, cwd, env)[0])
    return statistics.median(a), statistics.median(b)


# -- disk ----------------------------------------------------------------------------------------

def fsync_rate(folder: Path, seconds: float = 1.0, block: int = 128) -> float:
    """write + fsync per second on one file in ``folder`` (SQLite's WAL commit at FULL does one)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fsync-anchor"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    data = b"x" * block
    n = 0
    try:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            os.write(fd, data)
            os.fsync(fd)
            n += 1
        took = time.perf_counter() - start
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return n / took


# -- queues --------------------------------------------------------------------------------------

def _litequeue(folder: Path, n: int) -> float:
    from litequeue import LiteQueue

    q = LiteQueue(str(folder / "litequeue.db"))
    q.conn.execute("PRAGMA synchronous = FULL")  # litequeue sets NORMAL
    start = time.perf_counter()
    for i in range(n):
        q.put(f"item-{i}")
    for _ in range(n):
        message = q.pop()
        q.done(message.message_id)
    took = time.perf_counter() - start
    q.close()
    return n / took


def _persist_queue(folder: Path, n: int) -> float:
    from persistqueue import SQLiteAckQueue

    q = SQLiteAckQueue(str(folder / "persist-queue"), auto_commit=True, multithreading=False)
    for conn in (q._getter, q._putter):
        conn.execute("PRAGMA synchronous = FULL")
    start = time.perf_counter()
    for i in range(n):
        q.put(f"item-{i}")
    for _ in range(n):
        item = q.get(block=False)
        q.ack(item)
    took = time.perf_counter() - start
    q.close()
    return n / took


def _huey(folder: Path, n: int) -> float:
    from huey.storage import SqliteStorage

    s = SqliteStorage(name="anchor", filename=str(folder / "huey.db"), fsync=True)  # synchronous=2
    start = time.perf_counter()
    for i in range(n):
        s.enqueue(f"item-{i}".encode())
    for _ in range(n):
        s.dequeue()
    took = time.perf_counter() - start
    s.close()
    return n / took


QUEUES: dict[str, tuple[str, Callable[[Path, int], float]]] = {
    "litequeue": ("litequeue", _litequeue),
    "persist-queue SQLiteAckQueue": ("persistqueue", _persist_queue),
    "huey SqliteStorage (no ack)": ("huey", _huey),
}


def queue_anchors(folder: Path, n: int = 2000) -> dict[str, float | None]:
    """Items per second through each installed queue (None when it is not installed), one process,
    WAL and synchronous=FULL, each in a fresh database under ``folder``."""
    out: dict[str, float | None] = {}
    for label, (module, fn) in QUEUES.items():
        if not installed(module):
            out[label] = None
            continue
        where = folder / module
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        out[label] = fn(where, n)
    return out
