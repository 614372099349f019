"""Patterns from the regex cache (crosspost/regex_cache.py) are the patterns ``re`` builds, a
second process compiles none of them, and an entry the engine refuses is compiled afresh. Each
case runs in a child process: the cache patches ``re``'s compiler."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PATTERNS = [
    (r"(?P<year>\d{4})-(?P<month>\d\d)", 0), (r"(?<!\w)(?:belum cair|bansos)(?!\w)", 0),
    (r"^---[ \t]*$", 8), (r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD]", 0),
    (r"(?i)kemensos\s+(ri)?", 0), (r"a # comment\n b", 64), (r"\bWIB|WITA|WIT\b", 2), ("é+", 0),
]
PROBE = r"""
import json, re, sys
from pathlib import Path
patterns = json.loads(sys.argv[3])
if sys.argv[2] == "cached":
    from crosspost.regex_cache import install, stats
    assert install(Path(sys.argv[1]))
out = []
for text, flags in patterns:
    p = re.compile(text, flags)
    as_bytes = text.isascii() and "\\u" not in text
    b = re.compile(text.encode(), flags & ~32) if as_bytes else None
    sample = "Tahun 2026-12 kemensos  RI: belum cair, WIB é é a b ---"
    out.append([p.pattern, p.flags, p.groups, dict(p.groupindex), [m.span() for m in p.finditer(sample)],
                p.sub("#", sample), b.flags if b else None, b.pattern.decode() if b else None])
if sys.argv[2] == "cached":
    out.append(stats())
print(json.dumps(out))
"""


def probe(tmp_path: Path, mode: str, patterns=PATTERNS, env: dict[str, str] | None = None):
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    argv = [sys.executable, "-c", PROBE, str(tmp_path / "regex.marshal"), mode, json.dumps(patterns)]
    proc = subprocess.run(argv, cwd=REPO, env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_cached_patterns_are_the_patterns_re_builds(tmp_path: Path):
    plain = probe(tmp_path, "plain")
    *first, first_stats = probe(tmp_path, "cached")
    *second, second_stats = probe(tmp_path, "cached")
    assert first == plain and second == plain
    assert first_stats["compiled"] >= len(PATTERNS)
    assert second_stats["compiled"] == 0
    assert second_stats["loaded"] == first_stats["loaded"] + first_stats["compiled"]


def test_an_entry_the_engine_refuses_is_compiled_afresh(tmp_path: Path):
    probe(tmp_path, "cached")
    path = tmp_path / "regex.marshal"
    stored = marshal.loads(path.read_bytes())
    key = (True, PATTERNS[0][0], PATTERNS[0][1])
    flags, code, groups, groupindex, indexgroup = stored[key]
    stored[key] = (flags, [999999] + code[1:], groups, groupindex, indexgroup)  # not SRE code
    path.write_bytes(marshal.dumps(stored))
    *out, stats = probe(tmp_path, "cached")
    assert out == probe(tmp_path, "plain")
    assert stats["compiled"] == 1


def test_nothing_written_under_pythondontwritebytecode(tmp_path: Path):
    probe(tmp_path, "cached", env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert not (tmp_path / "regex.marshal").exists()


def test_a_full_file_keeps_only_what_was_used(tmp_path: Path):
    from crosspost import regex_cache

    many = [(f"x{i}", 0) for i in range(regex_cache.MAX_ENTRIES + 1)]
    probe(tmp_path, "cached", patterns=many)
    assert not (tmp_path / "regex.marshal").exists() or \
        len(marshal.loads((tmp_path / "regex.marshal").read_bytes())) <= regex_cache.MAX_ENTRIES
    probe(tmp_path, "cached")
    kept = marshal.loads((tmp_path / "regex.marshal").read_bytes())
    assert len(kept) <= regex_cache.MAX_ENTRIES
    assert (True, PATTERNS[0][0], PATTERNS[0][1]) in kept
