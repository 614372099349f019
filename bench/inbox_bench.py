"""Precision and recall of the inbox rules (crosspost.inbox.rules) on the labelled replies in
tests/data/inbox_replies.tsv, per kind, hard cases included. A quality figure, not a speed one:
nothing here is timed. Run: python bench/inbox_bench.py"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crosspost.inbox.rules import KINDS, Rules  # noqa: E402

FIXTURE = REPO / "tests" / "data" / "inbox_replies.tsv"


def labelled() -> list[tuple[str, str]]:
    rows = []
    for line in FIXTURE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            rows.append((parts[1], parts[2]) if parts[0] == "hard" else (parts[0], parts[1]))
    return rows


def scores(rows: list[tuple[str, str]], rules: Rules) -> dict[str, tuple[float, float, int]]:
    """kind -> (precision, recall, support)."""
    got = [(want, rules.classify(text)) for want, text in rows]
    out = {}
    for kind in KINDS:
        tp = sum(1 for w, g in got if w == kind and g == kind)
        predicted = sum(1 for _w, g in got if g == kind)
        support = sum(1 for w, _g in got if w == kind)
        out[kind] = (tp / predicted if predicted else 0.0, tp / support if support else 0.0, support)
    flagged_tp = sum(1 for w, g in got if w != "lainnya" and g != "lainnya")
    flagged_pred = sum(1 for _w, g in got if g != "lainnya")
    flagged_support = sum(1 for w, _g in got if w != "lainnya")
    out["needs an answer (aduan+pertanyaan)"] = (flagged_tp / flagged_pred if flagged_pred else 0.0,
                                                 flagged_tp / flagged_support, flagged_support)
    return out


def main() -> None:
    rows = labelled()
    print(f"{len(rows)} labelled replies ({FIXTURE.relative_to(REPO)})")
    print(f"{'kind':<38} {'precision':>9} {'recall':>7} {'n':>4}")
    for kind, (p, r, n) in scores(rows, Rules()).items():
        print(f"{kind:<38} {p:>9.2f} {r:>7.2f} {n:>4}")


if __name__ == "__main__":
    main()
