"""Image headers read once per file version and process (bench/adapt_bench.py).

Adapting a release asks for the size of each of its photos several times (Instagram's original
and fitted sizes, the website's layout), and a batch of releases shares the same photos: each ask
opened the file and walked its header (~30 us). The answer is kept per path and file version:
device, inode, size, and modification and change times in nanoseconds, read by one ``stat``. A
file rewritten in place changes its change time (POSIX ``st_ctime``: set by every write), so a new
version is read again. Errors are not kept: the next ask reads the file and raises again.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import stat_once
from .imageheader import Header, probe

_KEPT: dict[tuple[str, int, int, int, int, int], Header] = {}
_MAX_KEPT = 1024


def probe_once(path: Path | str) -> Header:
    """``imageheader.probe(path)``, from memory when this version of the file was read before."""
    text = os.fspath(path)
    st = stat_once.stat(text)  # FileNotFoundError / OSError as probe's open would raise them
    key = (text, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    header = _KEPT.get(key)
    if header is None:
        header = probe(Path(text))
        if len(_KEPT) >= _MAX_KEPT:
            _KEPT.clear()
        _KEPT[key] = header
    return header
