"""crosspost benchmarks: measure on this machine, side by side in one run, and print a table.

    python bench/run.py            the full run (a few minutes)
    python bench/run.py --quick    a small version of each bench (seconds): a smoke run
    python bench/run.py --only cold,queue --keep

Benchmarks are not tests: nothing here asserts a time. The exit code is 0 when every bench
ran (whatever it measured), 1 when one crashed. The scratch folder is a fresh temporary
directory on the same disk as /tmp, removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anchors import fsync_rate  # noqa: E402
from benchlib import REPO, Row, fsync_ms, load_average, make_workdir, table  # noqa: E402

BENCHES = ("startup", "adapt", "queue", "video", "growth")


def machine(scratch: Path) -> str:
    """nproc, CPU model and Python version: what the figures depend on."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or "?"
    return (f"{nproc} CPU(s), {model}, Python {platform.python_version()} ({platform.machine()}), "
            f"{platform.system()} {platform.release()}; fsync {fsync_ms(scratch):.2f} ms (median) and "
            f"{load_average()} at the end")


def youtube_ready() -> bool:
    return (REPO / "crosspost" / "channels" / "youtube.py").is_file()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small versions of every bench (seconds)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHES)}")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print its path")
    args = parser.parse_args(argv)
    chosen = [b for b in (args.only.split(",") if args.only else BENCHES) if b]
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        parser.error(f"unknown bench(es): {', '.join(sorted(unknown))}")

    scratch = Path(tempfile.mkdtemp(prefix="crosspost-bench-"))
    work = make_workdir(scratch)
    import adapt_bench
    import growth_bench
    import queue_bench
    import startup_bench
    import video_bench

    plan: dict[str, Callable[[], list[Row]]] = {
        "startup": lambda: startup_bench.run(work, args.quick),
        "adapt": lambda: adapt_bench.run(work, args.quick),
        "queue": lambda: queue_bench.run(scratch / "queue", args.quick),
        "video": lambda: video_bench.run(scratch / "video", args.quick) if youtube_ready() else [
            Row("large video", "crosspost/channels/youtube.py", "n/a (channel not present)", "")],
        "growth": lambda: growth_bench.run(scratch / "growth", work, args.quick),
    }
    # the disk's own ceiling, first and last: every durable commit pays one write + fsync
    disk_before = fsync_rate(scratch)
    rows: list[Row] = []
    crashed = False
    began = time.perf_counter()
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            rows += plan[name]()
        except Exception as exc:  # one broken bench must not hide the others' figures
            crashed = True
            traceback.print_exc()
            rows.append(Row(name, "crashed", f"error: {type(exc).__name__}: {str(exc)[:120]}", ""))
    took = time.perf_counter() - began
    disk_after = fsync_rate(scratch)
    rows.append(Row("anchor: raw fsync loop", "write 128 bytes + fsync, one file, 1 s, before and after the "
                    "benches", f"{disk_before:,.0f}/s and {disk_after:,.0f}/s", "(anchor)"))
    mode = "quick" if args.quick else "full"
    print(f"\ncrosspost benchmarks ({mode} run, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
          f"{took:.0f} s)\nmachine: {machine(scratch)}\n")
    print(table(rows))
    missed = [r.what for r in rows if r.passed is False]
    print(f"\n{len(rows) - len(missed)} of {len(rows)} figures meet their target"
          + (f"; missed: {', '.join(missed)}" if missed else ""))
    if args.keep:
        print(f"scratch folder kept: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
