"""Cold start and preview start: fresh processes, medians, against `python -c "import typer"`.

The console script is not installed in a plain checkout, so crosspost runs as
`python -m crosspost` (the console script would do slightly less work: no runpy).
Runs are interleaved so a noisy neighbour slows both sides alike.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from anchors import startup_anchor
from benchlib import Row, child_env, run_once

BASELINE = [sys.executable, "-c", "import typer"]


def _interleaved(cmds: dict[str, list[str]], runs: int, cwd: Path, env: dict[str, str]
                 ) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) per command."""
    for argv in cmds.values():  # warm the page cache and __pycache__
        run_once(argv, cwd, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            times[name].append(run_once(argv, cwd, env))
    return {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
            for name, t in times.items()}


def run(work: Path, quick: bool) -> list[Row]:
    runs = 2 if quick else 15
    env = child_env(work)
    crosspost = [sys.executable, "-m", "crosspost"]
    cmds = {"typer": BASELINE, "help": [*crosspost, "--help"],
            "preview": [*crosspost, "preview", "release.md", "--json"],
            # the floor under any preview: X's counting library beside typer
            "floor": [sys.executable, "-c", "import typer, crosspost._vendor.twitter_text"]}
    apprise = startup_anchor()  # another CLI of its size, when installed (pip install '.[bench]')
    if apprise:
        cmds["apprise"] = apprise
    med = _interleaved(cmds, runs, work, env)
    (base, base_cpu) = med["typer"]
    how = f"median of {runs}, `python -m crosspost`"
    rows = []
    cases = (("help", "cold start", "`--help`", 1.3),
             ("preview", "preview start", "`preview <example> --json`, 5 channels,", 2.5))
    for name, what, cmd, limit in cases:
        wall, cpu = med[name]
        rows.append(Row.limit(what, f"{cmd} vs `python -c \"import typer\"`, {how}", wall / base, limit,
                              f"{{:.2f}}x ({wall * 1000:.0f} ms vs {base * 1000:.0f} ms)", f"<= {limit:.2f}x",
                              f"CPU time {cpu / base_cpu:.2f}x ({cpu * 1000:.0f} ms vs "
                              f"{base_cpu * 1000:.0f} ms)"))
    floor = med["floor"][0]
    rows[1].note += (f"; `import typer, crosspost._vendor.twitter_text` alone takes "
                     f"{floor * 1000:.0f} ms = {floor / base:.2f}x")
    if apprise:
        other = med["apprise"][0]
        for row, name in zip(rows, ("help", "preview"), strict=True):
            row.note += f"; {med[name][0] / other:.2f}x `apprise --help` ({other * 1000:.0f} ms)"
        rows.append(Row("anchor: apprise --help",
                        f"`apprise --help` vs `python -c \"import typer\"`, median of {runs}",
                        f"{other / base:.2f}x ({other * 1000:.0f} ms)", "(anchor)"))
    else:
        rows.append(Row("anchor: apprise --help", "not installed (pip install '.[bench]')", "n/a", ""))
    return rows
