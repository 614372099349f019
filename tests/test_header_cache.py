"""crosspost/header_cache.py: a header is read once per file version, a new version is read
again, an error is never kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from crosspost import header_cache


def test_read_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "foto.png"
    Image.new("RGB", (40, 30), "red").save(path)
    reads: list[Path] = []
    real = header_cache.probe
    monkeypatch.setattr(header_cache, "probe", lambda p: reads.append(p) or real(p))
    assert (header_cache.probe_once(path).width, header_cache.probe_once(str(path)).height) == (40, 30)
    assert len(reads) == 1
    Image.new("RGB", (40, 31), "red").save(path)  # same name, same byte count or not: a new version
    assert header_cache.probe_once(path).height == 31
    assert len(reads) == 2


def test_errors_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "foto.png"
    with pytest.raises(FileNotFoundError):
        header_cache.probe_once(path)
    path.write_bytes(b"not an image")
    with pytest.raises(ValueError):
        header_cache.probe_once(path)
    Image.new("RGB", (8, 9), "blue").save(path)
    assert header_cache.probe_once(path).height == 9
