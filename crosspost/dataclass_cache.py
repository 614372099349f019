"""Dataclass methods compiled once, not in every process: a third of a `preview`'s own start.

``@dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and (frozen)
``__setattr__``/``__delattr__`` as Python source and ``exec``s it (CPython 3.11
Lib/dataclasses.py ``_create_fn``: ``exec(txt, globals, ns)``). Compiling that text is ~90% of
making a dataclass, 0.5-1 ms for a frozen one, and a `preview` makes ~45 (bench/RESULTS.md). The
text depends only on the class's fields, so its code is the same in every process; it is kept
beside the package's own compiled modules (``crosspost/__pycache__``, where Python keeps them, with
the same permissions: nothing is written where Python could not write its .pyc), keyed by the
text itself, one file per Python version. ``exec`` then runs that code object with the globals
and locals it always had: the classes are what they were.

``install`` puts the cached ``exec`` into the ``dataclasses`` module's own namespace (its lookup
of the builtin goes through it first); only the CLI's entry (crosspost/__main__.py) installs it.
Source text not seen before is compiled exactly as ``exec(text)`` would (``"<string>"``, no
inherited ``__future__`` flags: dataclasses.py has none). PYTHONDONTWRITEBYTECODE stops writes,
as it does for .pyc files.
"""

import atexit
import builtins
from pathlib import Path
from types import CodeType
from typing import Any

from .compile_cache import cache_file, load, save

MAX_ENTRIES = 1000  # a code base's dataclasses need a few hundred; beyond, keep what was used
_FILE = cache_file("dataclasses")

_codes: dict[str, CodeType] = {}
_stats = {"loaded": 0, "compiled": 0}
_used: set[str] = set()
_installed = False


def _exec(source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> Any:  # noqa: A002
    if isinstance(source, str):
        _used.add(source)
        code = _codes.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            _codes[source] = code
            _stats["compiled"] += 1
        source = code
    return builtins.exec(source, globals, locals, **kwargs)


def _load(path: Path) -> dict[str, CodeType]:
    data = load(path, MAX_ENTRIES)
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _save(path: Path) -> None:
    if _stats["compiled"]:  # only when this process compiled something new
        save(path, _codes, MAX_ENTRIES, _used)


def install(path: Path | None = None) -> bool:
    """Route dataclasses' ``exec`` through the cache (once per process); False when it cannot be."""
    global _installed
    import dataclasses

    if _installed or "exec" in vars(dataclasses):
        return _installed
    file = path or _FILE
    _codes.update(_load(file))
    _stats["loaded"] = len(_codes)
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(_save, file)
    _installed = True
    return True


def stats() -> dict[str, int]:
    """How many codes came from the file and how many this process compiled (for tests)."""
    return dict(_stats)
