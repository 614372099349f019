"""Regular expressions compiled once, not in every process: ~170 of them (PyYAML's resolvers,
markdown-it's rules, Jinja's lexer, crosspost's own) are a tenth of a `preview`'s start.

CPython turns a pattern into the regex engine's code in Python (Lib/re/_compiler.py ``compile``:
``_parser.parse`` then ``_code``), and only the last step, ``_sre.compile(pattern, flags, code,
groups - 1, groupindex, indexgroup)``, is C. Those six values depend only on the pattern text and
its flags, so they are kept (crosspost/compile_cache.py, beside the .pyc files, per Python version)
and handed to ``_sre.compile`` as ``re`` itself would: the Pattern is the one ``re`` builds
(install() checks that on a probe pattern: Pattern equality compares the code; the file name
carries ``_sre.MAGIC``). The engine checks the code it is given (``_sre.compile`` validates it),
and a stored entry it refuses is compiled afresh. A pattern's compile-time warnings (e.g. "possible
nested set") are shown only in the process that compiled it. crosspost's vendored twitter-text
keeps its two URL patterns the same way (crosspost/_vendor/twitter_text/regexp/_lazy.py). Installed
by the CLI's entry only (crosspost/__main__.py), for the Python versions whose
``re._compiler.compile`` has this shape.
"""

import atexit
import sys
from pathlib import Path
from typing import Any

from .compile_cache import cache_file, load, save

MAX_ENTRIES = 600  # a preview compiles ~160; a pattern built from a set is new in every process
SHAPES = ((3, 11), (3, 12), (3, 13))  # re/_compiler.py compile() as quoted above (the same in these)

_parts: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_stats = {"loaded": 0, "compiled": 0}
_used: set[tuple[Any, ...]] = set()
_installed = False


def _wrap(original: Any, sre_compile: Any, debug: int) -> Any:
    from re import _parser  # type: ignore[attr-defined]

    code_of = original.__globals__["_code"]

    def compile(p: Any, flags: int = 0) -> Any:  # noqa: A001 - the name re calls
        if not isinstance(p, (str, bytes)) or flags & debug:
            return original(p, flags)
        key = (type(p) is str, p, flags)
        parts = _parts.get(key)
        _used.add(key)
        if parts is not None:
            try:
                return sre_compile(p, *parts)
            except (RuntimeError, TypeError, ValueError):  # refused by the engine's check
                del _parts[key]
        parsed = _parser.parse(p, flags)
        code = code_of(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        # plain ints: the opcodes are int subclasses (_NamedIntConstant) that marshal cannot keep
        parts = (int(flags | parsed.state.flags), [int(c) for c in code], int(parsed.state.groups - 1),
                 {str(k): int(v) for k, v in groupindex.items()}, tuple(indexgroup))
        pattern = sre_compile(p, *parts)
        _parts[key] = parts
        _stats["compiled"] += 1
        return pattern

    return compile


def _load(path: Path) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {k: v for k, v in load(path, MAX_ENTRIES).items()
            if isinstance(k, tuple) and len(k) == 3 and isinstance(v, tuple) and len(v) == 5}


def _save(path: Path) -> None:
    if _stats["compiled"]:
        save(path, _parts, MAX_ENTRIES, _used)


def install(path: Path | None = None) -> bool:
    """Route ``re``'s compilation through the cache (once per process); False when this Python's
    ``re`` is not the shape it knows."""
    global _installed
    if _installed:
        return True
    if sys.version_info[:2] not in SHAPES or sys.implementation.name != "cpython":
        return False
    import _sre
    import re

    compiler = re._compiler  # type: ignore[attr-defined]
    original = compiler.compile
    if getattr(original, "__module__", None) != compiler.__name__ or "_code" not in original.__globals__:
        return False
    wrapped = _wrap(original, _sre.compile, compiler.SRE_FLAG_DEBUG)
    probe = r"(?P<word>\w+)\s*(?:=|:)\s*[^\W\d]+$"  # the engine's code compared, as Pattern == does
    if wrapped(probe, 2) != original(probe, 2):
        return False
    _parts.clear()
    _stats["compiled"] = 0
    file = path or cache_file("regex", f"-sre{_sre.MAGIC}")
    _parts.update(_load(file))
    _stats["loaded"] = len(_parts)
    compiler.compile = wrapped
    atexit.register(_save, file)
    _installed = True
    return True


def stats() -> dict[str, int]:
    return dict(_stats)
