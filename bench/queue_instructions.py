"""The queue's CPU work a delivery as instructions counted by valgrind (callgrind), not seconds.

On a shared virtual machine the CPU's speed drifts by a third within minutes (a fixed Python loop
took 0.73-1.00 s in one minute), which hides a 10% change in the queue's seconds; the count of
instructions is the same run after run (within 0.3%) whatever the machine does. A figure is the
difference between a log of LARGE and one of SMALL releases (5 deliveries each), so start-up and
imports cancel out, split into queueing (save_and_enqueue, as `publish`) and claim + sent (claims
of 16, as the engine's loop). Instructions are not time: a `rep stosb` counts once a byte here
and costs a cycle per 32 or more on the CPU; compare counts of the same kind of code.

    python bench/queue_instructions.py            # this checkout
    python bench/queue_instructions.py --vs REV   # and a git revision, side by side

Needs valgrind (Debian: apt-get install valgrind); ~40 s a checkout.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SMALL, LARGE = 40, 200  # releases of 5 deliveries


def child(releases: int, phase: str) -> None:
    """What is counted: a fresh log, ``releases`` queued, then (phase "both") drained."""
    sys.path.insert(0, str(BENCH))
    from queue_bench import CHANNELS, _drain_store, fill

    from crosspost.store import ChannelPolicy, Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "log.db")
        now = time.time()
        fill(store, releases, now)
        if phase == "both":
            _drain_store(store, {f"fake{c}": ChannelPolicy() for c in range(CHANNELS)}, now, 16, True)
        store.close()


def _env(checkout: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once (the warm-up), not in every count
    return env


def _count(checkout: Path, releases: int, phase: str) -> int:
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          str(Path(__file__).resolve()), "--child", str(releases), phase],
                         env=_env(checkout), cwd=checkout, capture_output=True, text=True, check=True).stderr
    found = re.search(r"Collected : (\d+)", out)
    if found is None:
        raise RuntimeError(f"valgrind printed no count:\n{out[-2000:]}")
    return int(found.group(1))


def measure(checkout: Path) -> tuple[float, float]:
    """Instructions a delivery: (queueing, claim + sent)."""
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "2", "both"], check=True,
                   env=_env(checkout), cwd=checkout)  # warm-up: .pyc written
    n = (LARGE - SMALL) * 5
    enq = (_count(checkout, LARGE, "enq") - _count(checkout, SMALL, "enq")) / n
    both = (_count(checkout, LARGE, "both") - _count(checkout, SMALL, "both")) / n
    return enq, both - enq


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vs", help="a git revision to count beside this checkout")
    parser.add_argument("--child", nargs=2, metavar=("RELEASES", "PHASE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(int(args.child[0]), args.child[1])
        return 0
    if shutil.which("valgrind") is None:
        print("queue_instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    rows = [("this checkout", *measure(REPO))]
    if args.vs:
        with tempfile.TemporaryDirectory() as folder:
            other = Path(folder) / "checkout"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(other), args.vs],
                           check=True, capture_output=True)
            try:
                shutil.copytree(BENCH, other / "bench", dirs_exist_ok=True)  # this bench's own drain
                rows.append((args.vs, *measure(other)))
            finally:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(other)],
                               check=False, capture_output=True)
    print("| checkout | queueing, instructions a delivery | claim + sent | together |")
    print("|---|---|---|---|")
    for label, enq, drain in rows:
        print(f"| {label} | {enq:,.0f} | {drain:,.0f} | {enq + drain:,.0f} |")
    if len(rows) == 2:
        print(f"\nthis checkout / {args.vs}: {(rows[0][1] + rows[0][2]) / (rows[1][1] + rows[1][2]):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
