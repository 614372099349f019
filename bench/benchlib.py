"""Shared bench plumbing: result rows, the table, timing, and a scratch setup with all five
channel types (default settings, no credentials) so every bench measures the same thing."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"
CORPUS_01 = SHARED / "corpus" / "releases" / "01-siaran-pers-banjir-bekasi.md"

if str(REPO) not in sys.path:  # the benches run from a checkout, crosspost need not be installed
    sys.path.insert(0, str(REPO))

# Only the ids a channel cannot validate without are set; everything else is the default.
CHANNELS_TOML = """\
timezone = "Asia/Jakarta"
database = "crosspost.db"

[channels.website]
type = "website"
site_dir = "site"
base_url = "https://www.kemensos.go.id"

[channels.twitter]
type = "twitter"

[channels.facebook]
type = "facebook"
page_id = "100000000000001"

[channels.instagram]
type = "instagram"
ig_user_id = "17841400000000001"

[channels.youtube]
type = "youtube"
"""


@dataclass
class Row:
    """One line of the table. ``ratio`` is measured / target: a limit passes at <= 1, a
    throughput at >= 1 (``higher_is_better``). ``passed`` None means not measured."""

    what: str
    how: str
    measured: str
    target: str
    ratio: float | None = None
    passed: bool | None = None
    note: str = ""

    @classmethod
    def limit(cls, what: str, how: str, value: float, limit: float, fmt: str, target: str,
              note: str = "") -> Row:
        return cls(what, how, fmt.format(value), target, value / limit, value <= limit, note)

    @classmethod
    def floor(cls, what: str, how: str, value: float, floor: float, fmt: str, target: str,
              note: str = "") -> Row:
        return cls(what, how, fmt.format(value), target, value / floor, value >= floor, note)


def table(rows: Sequence[Row]) -> str:
    """A Markdown table, readable in a terminal and pasteable into RESULTS.md."""
    head = ("what", "how", "measured", "target", "ratio", "result")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        result = {True: "pass", False: "MISS", None: "n/a"}[r.passed]
        lines.append(f"| {r.what} | {r.how} | {r.measured} | {r.target} | {ratio} | {result} |")
    notes = [f"- {r.what}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def median_wall(argv: Sequence[str], runs: int, cwd: Path, env: dict[str, str] | None = None,
                ok_codes: tuple[int, ...] = (0,)) -> float:
    """Median wall time in seconds of a fresh process (stdout discarded)."""
    times = []
    for _ in range(runs):
        times.append(wall_once(argv, cwd, env, ok_codes))
    return statistics.median(times)


def wall_once(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
              ok_codes: tuple[int, ...] = (0,)) -> float:
    return run_once(argv, cwd, env, ok_codes)[0]


def run_once(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
             ok_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh process. CPU time (user + sys) barely moves when other
    work shares the machine; wall time is what the targets are about."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu


def fsync_ms(folder: Path, n: int = 200) -> float:
    """Median latency of write + fsync in ``folder``: every committed SQLite transaction pays
    one (WAL, synchronous=FULL), so it bounds the queue figures."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    times = []
    try:
        for _ in range(n):
            start = time.perf_counter()
            os.write(fd, b"x" * 128)
            os.fsync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return statistics.median(times) * 1000


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def child_env(workdir: Path) -> dict[str, str]:
    """Environment for a crosspost child process: this checkout importable, state kept in workdir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["CROSSPOST_STATE_DIR"] = str(workdir / "state")
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    return env


def make_workdir(root: Path) -> Path:
    """channels.toml with all five channel types, the example release (with a small video so
    YouTube has something to upload), its images."""
    work = root / "work"
    work.mkdir(parents=True, exist_ok=True)
    (work / "channels.toml").write_text(CHANNELS_TOML, "utf-8")
    shutil.copytree(EXAMPLE.parent / "img", work / "img", dirs_exist_ok=True)
    (work / "video.mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 4084)  # MP4 header: media is sniffed
    text = EXAMPLE.read_text("utf-8")
    assert text.startswith("---\n"), EXAMPLE  # front matter first: the video goes at its top
    text = "---\nvideo: video.mp4\n" + text[4:]
    (work / "release.md").write_text(text, "utf-8")
    return work


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out
