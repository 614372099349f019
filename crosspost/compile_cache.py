"""Where compiled start-up artefacts are kept between processes (crosspost/dataclass_cache.py,
crosspost/regex_cache.py): beside the package's own .pyc files, one marshal file per kind and
Python version, written the way Python writes a .pyc (not under PYTHONDONTWRITEBYTECODE, not
where it cannot write, atomically so a reader never sees half a file)."""

import marshal
import os
import sys
from pathlib import Path
from typing import Any


def folder() -> Path:
    """The package's ``__pycache__``, or its place under PYTHONPYCACHEPREFIX (as Python's own)."""
    here = Path(__file__).resolve().parent
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix) / here.relative_to(here.anchor)
    return here / "__pycache__"


def cache_file(kind: str, tag: str = "") -> Path:
    version = ".".join(map(str, sys.version_info[:3]))  # marshal and code objects change with it
    return folder() / f"{kind}.{sys.implementation.cache_tag}-{version}{tag}.marshal"


def load(path: Path, max_entries: int) -> dict[Any, Any]:
    """The stored mapping, or {} when there is none, it cannot be read, or it grew too big."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) and len(data) <= max_entries else {}


def save(path: Path, data: dict[Any, Any], max_entries: int, used: set[Any]) -> None:
    """Write ``data``; grown past ``max_entries`` (patterns built from a set differ in every
    process), only what this process ``used``."""
    if sys.dont_write_bytecode:
        return
    if len(data) > max_entries:
        data = {k: data[k] for k in list(used) if k in data}  # list(): one step, under the GIL
    if len(data) > max_entries:  # one process alone used more: not kept
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps(data))
        os.replace(tmp, path)
    except (OSError, ValueError):  # a read-only install: compiled in each process, as before
        try:
            tmp.unlink()
        except OSError:
            pass
