"""A Humas office's first day on a fresh machine: the README's flow from `crosspost init` to
`crosspost report` in a new folder, as real processes at 80 columns, in Bahasa Indonesia and in
English. Under Indonesian no line may be English, and no link may be cut with "…".

"English" is judged by words that Indonesian output never uses on their own (the, is, was,
delivery, ...), after removing what is not prose: `commands`, --options, paths, links, slugs,
channel and key names, and the release's own text (which is Indonesian anyway).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO

ENGLISH = {
    "the", "is", "are", "was", "were", "be", "been", "has", "have", "not", "no", "with", "from", "for",
    "of", "to", "and", "or", "this", "that", "it", "its", "will", "would", "cannot", "must", "should",
    "nothing", "delivery", "deliveries", "release", "releases", "sent", "queued", "failed", "error",
    "warning", "usage", "options", "commands", "arguments", "try", "example", "missing", "present",
    "found", "stored", "check", "please", "enabled", "disabled", "valid", "ready", "scheduled",
    "approved", "rejected", "paused", "waiting", "link", "links", "free", "run", "show", "write",
    "written", "file", "folder", "channel", "channels", "credentials", "database", "report", "period",
}
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")
NOT_PROSE = [
    re.compile(r"`[^`]*`"),  # commands to type
    re.compile(r"\bcrosspost(?: [a-z]+)?"),  # a command named in an example or a usage line
    re.compile(r"^\s+[a-z]+(?=\s{2,})"),  # the command column of --help
    re.compile(r"https?://\S+"),  # links
    re.compile(r"--at release\b"),  # the value to type, not prose
    re.compile(r"\b[0-9a-f]{12,}\b"),  # hashes and ids (a hash's letters are no English word)
    re.compile(r"(?<!\w)--?[a-z][\w-]*(?:[= ][A-Z]+\b)?"),  # options, with their metavar
    re.compile(r"(?:[\w.-]*/)+[\w.-]*"),  # paths
    re.compile(r"\b[\w-]+\.(?:md|docx|yml|toml|j2|db|json|html|csv|jpg|png)\b"),  # file names
    re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b"),  # slugs
    re.compile(r"\b\w+_\w+\b"),  # keys (api_key, page_id)
    re.compile(r"\[[^\]]*\]"),  # [channels.x], [OPTIONS]
    re.compile(r"\b[A-Z][A-Z_=|]+\b"),  # FILE, NAME, KEY=VALUE, WIB
    # the platforms' own menu labels, which their consoles show in English (auth --help)
    re.compile(r"Keys and(?: tokens)?|Read and write|Meta for Developers|Credentials"),
]


def english_words(line: str) -> set[str]:
    for pattern in NOT_PROSE:
        line = pattern.sub(" ", line)
    return {w for w in re.findall(r"[A-Za-z']+", line) if w.lower() in ENGLISH}


class Day:
    """One person at a terminal 80 columns wide, in one language, in one folder."""

    def __init__(self, home: Path, lang: str):
        self.cwd = home
        self.env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(REPO), "COLUMNS": "80",
                    "NO_COLOR": "1", "CROSSPOST_STATE_DIR": str(home / ".state"), "CROSSPOST_NO_KEYRING": "1",
                    "LANG": "id_ID.UTF-8" if lang == "id" else "C.UTF-8", "CROSSPOST_USER": "Rina"}
        self.lang = lang
        self.seen: list[tuple[str, str]] = []  # (command, output line)

    def __call__(self, *args: str, ok: tuple[int, ...] = (0,), stdin: str = "") -> str:
        proc = subprocess.run([sys.executable, "-m", "crosspost", *args], cwd=self.cwd, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)
        assert proc.returncode in ok, (args, proc.returncode, proc.stdout, proc.stderr)
        out = proc.stdout + proc.stderr
        self.seen += [(" ".join(args), line) for line in out.splitlines()]
        return out


def walk(day: Day) -> None:
    """The README's first day, in order."""
    out = day("init", "kantor")
    assert "cd kantor" in out
    day.cwd = day.cwd / "kantor"
    assert (day.cwd / ".gitignore").exists()
    day("--help")
    day("publish", "--help")
    day("doctor", "--offline")
    example = "examples/siaran-pers-lumbung-sosial.md"
    day("preview", example, ok=(0, 1))
    day("preview", example, "--html", "pratinjau.html", ok=(0, 1))
    day("publish", example)
    day("publish", example)  # again: nothing is posted twice
    day("status")
    day("status", "1")
    day("show", "1")
    day("log", "-n", "10")
    later = datetime.now() + timedelta(days=30)
    at = f"{later.day} {BULAN[later.month - 1]} {later.year} pukul 09.00 WIB"
    day("publish", "examples/berita-foto-hksn-2026.md", "--at", at)
    day("queue")
    day("pause")
    day("pause", "--reason", "masa berkabung nasional")
    day("run", ok=(5,))
    day("resume")
    day("auth", "twitter", "--check", "--offline", ok=(1,))
    day("auth", "--help")
    day("audit", "--verify")
    day("report")
    day("report", "--period", f"{datetime.now():%Y-%m}", "-o", "laporan.html")
    day("log", "--lim", ok=(2,))  # a typo: typer's own lines
    day("status", "tidak-ada", ok=(2,))


@pytest.fixture(scope="module", params=["id", "en"])
def day(request, tmp_path_factory) -> Day:
    d = Day(tmp_path_factory.mktemp(f"hari-pertama-{request.param}"), request.param)
    walk(d)
    return d


def test_the_first_day_runs_from_init_to_report(day):
    assert (day.cwd / "site" / "index.html").exists() and (day.cwd / "laporan.html").exists()
    assert (day.cwd / "pratinjau.html").exists()


def test_no_link_is_cut(day):
    cut = [(cmd, line) for cmd, line in day.seen if re.search(r"https?://\S*…", line)]
    assert cut == []


def test_no_english_line_under_indonesian(day):
    if day.lang != "id":
        pytest.skip("the English walk may speak English")
    english = [(cmd, line, sorted(words)) for cmd, line in day.seen if (words := english_words(line))]
    assert english == [], "\n".join(f"{cmd}: {line!r} {words}" for cmd, line, words in english)


def test_the_english_walk_is_english(day):
    if day.lang != "en":
        pytest.skip("only the English walk")
    text = "\n".join(line for _cmd, line in day.seen)
    assert "Usage: crosspost" in text and "Writing:" in text and "sent" in text


def test_the_heuristic_sees_english_and_spares_commands():
    assert english_words("the queue is empty.") == {"the", "is"}
    assert english_words("kepala e142078f880191a37f3d42b76badda0286c08576b645298be84e585c5") == set()
    assert english_words("antrean kosong: jalankan `crosspost run --once` di cron") == set()
    assert english_words("  #1 website: https://www.kemensos.go.id/the-release/") == set()
    stored = "kredensial untuk 'twitter' telah disimpan. Periksa dengan `crosspost auth twitter --check`."
    assert english_words(stored) == set()
    assert english_words("  show     Rilis sebagaimana tersimpan di log") == set()
