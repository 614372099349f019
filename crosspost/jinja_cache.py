"""Compiled Jinja templates kept between processes, one folder per kind of environment.

Compiling the five channel templates took 50-90 ms of every ``preview`` (Jinja turns each into
Python source and compiles it); the process then renders each once. Jinja's
``FileSystemBytecodeCache`` keeps the compiled code; a bucket is reused only while the template's
source checksum matches.

Jinja keys a bucket by the template's name and file name only, not by the environment that
compiled it, and the code differs between environments: the sandbox routes ``*`` and ``**``
through ``call_binop`` (crosspost.templating._Sandbox), trim/lstrip options change the output.
Code compiled by an unsandboxed environment loaded into the sandbox would skip those checks, so
each kind gets its own folder, named by the kind and a digest of the environment's class and
options; never share one folder between kinds.

The folder is under the user's cache directory (``CROSSPOST_CACHE_DIR`` overrides it), created
private (0700); a folder another user owns or can write to is not used (loading a bucket runs its
code). ``PYTHONDONTWRITEBYTECODE`` turns the cache off, as it does Python's own.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache, __version__


def cache_root() -> Path:
    override = os.environ.get("CROSSPOST_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("crosspost")


def folder_for(kind: str, env_class: type, options: dict[str, Any]) -> Path:
    """The one folder for this kind of environment (class and options in its name)."""
    described = f"{env_class.__module__}.{env_class.__qualname__}|{sorted(options.items())!r}|" \
                f"{__version__}|{sys.implementation.cache_tag}"
    digest = hashlib.sha256(described.encode()).hexdigest()[:16]
    return cache_root() / "jinja" / f"{kind}-{digest}"


def _private(folder: Path) -> bool:
    """Created 0700 if absent; usable only when this user owns it and nobody else can write."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def bytecode_cache(kind: str, env_class: type, options: dict[str, Any]) -> FileSystemBytecodeCache | None:
    """A bytecode cache of its own for ``kind``, or None (no cache) when one cannot be had safely."""
    if sys.dont_write_bytecode:
        return None
    folder = folder_for(kind, env_class, options)
    if not _private(folder):
        return None
    return FileSystemBytecodeCache(str(folder))
