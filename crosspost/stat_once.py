"""One ``stat`` per media file and adaptation, however many channels look at it.

Adapting a release checked its photo and video 11 times (the website's is_file and size, X's and
Facebook's byte limits, YouTube's video and thumbnail, Instagram's header and size), ~2.5 us each
(bench/adapt_bench.py). Within ``looking_once()`` (crosspost.adapt.adapt wraps each release in it)
the first answer for a path stands for the rest of that adaptation: the channels judge one
version of each file, as a person previewing would. Outside it every call asks the system.
A failed stat is not kept: the next look asks again and raises again.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SEEN: ContextVar[dict[str, os.stat_result] | None] = ContextVar("crosspost_stat_once", default=None)
# what Path.is_file reads as "no such file" rather than an error (pathlib._IGNORED_ERRNOS)
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_ABSENT_WINDOWS = frozenset({21, 123, 1921})  # pathlib._IGNORED_WINERRORS


@contextmanager
def looking_once() -> Iterator[None]:
    """Within this block, each path is stat'ed once (nested blocks share the outer one's)."""
    if _SEEN.get() is not None:
        yield
        return
    token = _SEEN.set({})
    try:
        yield
    finally:
        _SEEN.reset(token)


def stat(path: str | os.PathLike[str]) -> os.stat_result:
    """``os.stat(path)``, from this adaptation's first look when there is one."""
    seen = _SEEN.get()
    if seen is None:
        return os.stat(path)
    key = os.fspath(path)
    result = seen.get(key)
    if result is None:
        result = seen[key] = os.stat(key)
    return result


def is_file(path: str | os.PathLike[str]) -> bool:
    """``Path(path).is_file()`` on the same look as ``stat``."""
    try:
        return stat_module.S_ISREG(stat(path).st_mode)
    except OSError as exc:
        if exc.errno not in _ABSENT and getattr(exc, "winerror", None) not in _ABSENT_WINDOWS:
            raise
        return False
    except ValueError:  # an embedded NUL, as Path.is_file
        return False
