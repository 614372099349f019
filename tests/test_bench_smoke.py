"""`python bench/run.py --quick` still runs end to end and prints its table.

Benchmarks are not tests: no figure is asserted here, only that every bench ran, the table
has a row for each measurement, and the script exits 0 (it exits 1 when a bench crashed).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROWS = ("cold start", "preview start", "adaptation throughput", "queue throughput", "queue under contention",
        "parallel delivery", "large video: memory", "large video: speed", "database growth: status",
        "database growth: report", "anchor: apprise --help", "anchor: raw fsync loop")


def test_quick_bench_runs_and_prints_the_table(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--quick"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "| what | how | measured | target | ratio | result |" in out
    lines = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| ")}
    for row in ROWS:
        assert row in lines, f"no row for {row!r} in:\n{out}"
        assert "crashed" not in lines[row] and "error:" not in lines[row], lines[row]
    assert "machine:" in out and "figures meet their target" in out
