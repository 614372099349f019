"""bench/anchors.py: each anchor runs when its tool is installed and says so when it is not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import anchors  # noqa: E402


def test_fsync_rate_counts_real_fsyncs(tmp_path: Path):
    assert anchors.fsync_rate(tmp_path, seconds=0.05) > 0
    assert not list(tmp_path.iterdir())  # its probe file is removed


def test_queue_anchors_report_absent_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(anchors, "installed", lambda module: False)
    assert set(anchors.queue_anchors(tmp_path, 5).values()) == {None}
    assert anchors.startup_anchor() is None


@pytest.mark.parametrize("label", sorted(anchors.QUEUES))
def test_each_installed_queue_moves_items(tmp_path: Path, label: str):
    module, _ = anchors.QUEUES[label]
    if not anchors.installed(module):
        pytest.skip(f"{module} is not installed (pip install '.[bench]')")
    rate = anchors.queue_anchors(tmp_path, 5)[label]
    assert rate is not None and rate > 0
