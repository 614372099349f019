"""Watching the fake platform (crosspost/channels/fake.py) from a test, for the SIGSTOP tests:
how many create calls it has seen, and whether its lock is free right now."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

from crosspost.channels.fake import _counter


def fake_calls(tmp: Path) -> int:
    """How many create calls the fake platform has seen (its counter file)."""
    try:
        return int(json.loads(_counter(tmp / "fake-posts.jsonl").read_text())["calls"])
    except (FileNotFoundError, ValueError):
        return 0


def fake_lock_free(tmp: Path) -> bool:
    """No process holds the fake platform's lock (``_locked``) now: it can be taken at once.
    The fake writes its counter under that lock, so a worker seen to count a call may still hold
    it; a worker stopped then would block every other run's call for ever."""
    with open(f"{tmp / 'fake-posts.jsonl'}.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


def in_the_platform_call(tmp: Path) -> bool:
    """The worker counted its call and let go of the lock: it is in the fake's latency sleep."""
    return fake_calls(tmp) >= 1 and fake_lock_free(tmp)
