"""Dataclass methods from the compiled cache (crosspost/dataclass_cache.py) are the methods
dataclasses would have compiled: same behaviour, same signatures, and a second process compiles
nothing. Each case runs in a child process: the cache patches the ``dataclasses`` module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROBE = r"""
import json, sys
from pathlib import Path
if sys.argv[2] == "cached":
    from crosspost.dataclass_cache import install, stats
    assert install(Path(sys.argv[1]))
import dataclasses, inspect
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Settings:
    name: str
    limit: int = 280
    tags: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, repr=False)

@dataclass(order=True)
class Point:
    x: int
    y: "int" = 0

s = Settings("x", tags=("a",))
same = Settings("x", tags=("a",))
out = {"repr": repr(s), "eq": s == same, "hash": hash(s) == hash(same),
       "sig": str(inspect.signature(Settings)), "ann": repr(Settings.__init__.__annotations__),
       "replace": repr(dataclasses.replace(s, limit=5)), "order": Point(1) < Point(2),
       "fields": [f.name for f in dataclasses.fields(Settings)], "pt": repr(Point(1, 2)),
       "init_name": Settings.__init__.__qualname__}
try:
    s.limit = 3
except dataclasses.FrozenInstanceError as exc:
    out["frozen"] = type(exc).__name__
if sys.argv[2] == "cached":
    out["stats"] = stats()
print(json.dumps(out))
"""


def probe(tmp_path: Path, mode: str, env: dict[str, str] | None = None) -> dict:
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "codes.marshal"), mode], cwd=REPO,
                          env={**base, **(env or {})}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_cached_classes_are_the_classes_dataclasses_makes(tmp_path: Path):
    plain = probe(tmp_path, "plain")
    first = probe(tmp_path, "cached")
    second = probe(tmp_path, "cached")
    assert {k: v for k, v in first.items() if k != "stats"} == plain
    assert {k: v for k, v in second.items() if k != "stats"} == plain
    assert first["stats"]["compiled"] > 0
    # the second process found every method compiled by the first (none compiled again)
    assert second["stats"] == {"loaded": first["stats"]["loaded"] + first["stats"]["compiled"], "compiled": 0}


def test_no_file_written_under_pythondontwritebytecode(tmp_path: Path):
    probe(tmp_path, "cached", {"PYTHONDONTWRITEBYTECODE": "1"})
    assert not (tmp_path / "codes.marshal").exists()


def test_a_broken_file_is_ignored_and_replaced(tmp_path: Path):
    (tmp_path / "codes.marshal").write_bytes(b"not marshal data")
    first = probe(tmp_path, "cached")
    assert first["stats"]["loaded"] == 0 and first["stats"]["compiled"] > 0
    assert probe(tmp_path, "cached")["stats"]["compiled"] == 0


def test_the_cli_entry_installs_both_caches_and_the_library_does_not(tmp_path: Path):
    code = ("import sys, dataclasses, re; sys.argv = ['crosspost', '--version']\n"
            "import atexit; atexit.register(lambda: print('PATCHED', 'exec' in vars(dataclasses),\n"
            "    re._compiler.compile.__module__ != 're._compiler'))\n")
    runs = {"entry": code + "from crosspost.__main__ import run; run()",
            "library": code + "from crosspost.cli import main; main()"}
    seen = {}
    for name, source in runs.items():
        proc = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
        seen[name] = proc.stdout.split("PATCHED")[-1].strip()
    assert seen == {"entry": "True True", "library": "False False"}  # dataclasses, then re
