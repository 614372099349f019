"""crosspost: the library's regexes compiled when first used, and their compiled form kept.

Upstream compiles each of its ~30 building-block patterns at import (the gTLD and ccTLD
alternations alone take ~15 ms), although only five of them are ever matched: the rest exist to
be pasted into bigger ones through ``regex_supplant``. ``compile()`` returns a ``LazyPattern``
that has the ``pattern`` and ``flags`` a supplant reads and compiles on the first match.

The two patterns every URL count needs (``extract_url``, ``valid_ascii_domain``: 13 and 9 kB of
alternations with IGNORECASE) still take 40-60 ms to compile, in every process. Their compiled
form (the SRE code ``re`` hands to ``_sre.compile``) is kept in a cache file, beside the
bytecode (``__pycache__``), keyed by the pattern, the flags, the Python version and
``_sre.MAGIC``. A cache entry is written only after the pattern rebuilt from it compared equal
to ``re.compile``'s (Pattern equality compares the code); anything unexpected (another Python,
a damaged file, a changed internal) falls back to ``re.compile``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
from pathlib import Path
from typing import Any, Optional

try:
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another implementation of re
    _sre = None

CACHED = frozenset()  # names of patterns whose code is cached (set by the modules that need it)

class LazyPattern:
    """A regex source that becomes a compiled ``re.Pattern`` on first use."""

    __slots__ = ('pattern', 'flags', '_compiled', '_cache')

    def __init__(self, pattern: str, flags: int = 0, cache: bool = False) -> None:
        self.pattern = pattern
        self.flags = int(flags)
        self._compiled: Optional[re.Pattern] = None
        self._cache = cache

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = _cached_compile(self.pattern, self.flags) if self._cache else \
                re.compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:  # search, match, finditer, sub, groups, ...
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f'LazyPattern({self.pattern[:40]!r}..., flags={self.flags})'

def compile(pattern: str, flags: int = 0, cache: bool = False) -> LazyPattern:  # noqa: A001
    return LazyPattern(pattern, flags, cache)

def _cache_file(pattern: str, flags: int) -> Optional[Path]:
    if _sre is None:
        return None
    key = hashlib.sha256(f'{sys.version}\0{_sre.MAGIC}\0{_sre.CODESIZE}\0{flags}\0{pattern}'
                         .encode('utf-8', 'surrogatepass')).hexdigest()[:32]
    here = Path(__file__).resolve().parent
    folder = Path(sys.pycache_prefix) / here.relative_to(here.anchor) if sys.pycache_prefix \
        else here / '__pycache__'
    return folder / f'sre-{sys.implementation.cache_tag}-{key}.marshal'

def _from_code(pattern: str, entry: tuple) -> re.Pattern:
    flags, code, groups, groupindex, indexgroup = entry
    return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)

def _build(pattern: str, flags: int) -> tuple:
    """What re._compiler.compile passes to _sre.compile (Python 3.11-3.13)."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex, tuple(indexgroup))

def _cached_compile(pattern: str, flags: int) -> re.Pattern:
    path = _cache_file(pattern, flags)
    if path is None:
        return re.compile(pattern, flags)
    try:
        return _from_code(pattern, marshal.loads(path.read_bytes()))
    except Exception:  # no entry yet, or one this Python cannot use: compile and (re)write
        pass
    compiled = re.compile(pattern, flags)
    if sys.dont_write_bytecode:
        return compiled
    try:
        entry = _build(pattern, flags)
        if _from_code(pattern, entry) != compiled:  # an internal changed: do not cache
            return compiled
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f'{path.name}.{os.getpid()}.tmp')
        tmp.write_bytes(marshal.dumps(entry))
        os.replace(tmp, path)
    except Exception:  # read-only install, another internal layout: just no cache
        pass
    return compiled
