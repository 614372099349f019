"""crosspost/stat_once.py: one look per file within an adaptation, the system's answer outside it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from crosspost import stat_once


def test_within_a_block_the_first_look_stands(tmp_path: Path):
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"x" * 10)
    with stat_once.looking_once():
        assert stat_once.stat(photo).st_size == 10
        photo.write_bytes(b"x" * 20)
        assert stat_once.stat(str(photo)).st_size == 10  # the same version for every channel
        with stat_once.looking_once():  # a nested block shares the outer look
            assert stat_once.stat(photo).st_size == 10
    assert stat_once.stat(photo).st_size == 20  # outside: the system again
    with stat_once.looking_once():
        assert stat_once.stat(photo).st_size == 20  # a new adaptation looks again


def test_is_file_answers_as_pathlib(tmp_path: Path):
    (tmp_path / "berkas").write_text("a")
    (tmp_path / "folder").mkdir()
    for name in ("berkas", "folder", "tidak-ada", "berkas/di-bawah-berkas", "nul\0"):
        path = tmp_path / name
        with stat_once.looking_once():
            assert stat_once.is_file(path) == path.is_file(), name
        assert stat_once.is_file(path) == path.is_file(), name


def test_a_failed_look_is_not_kept(tmp_path: Path):
    video = tmp_path / "video.mp4"
    with stat_once.looking_once():
        assert not stat_once.is_file(video)
        video.write_bytes(b"v")
        assert stat_once.is_file(video)


def test_adapt_looks_at_each_media_file_once(monkeypatch, tmp_path: Path):
    from crosspost.adapt import adapt
    from crosspost.config import load_config
    from crosspost.release import load_release
    from tests.test_adapt_golden import CHANNELS

    example = Path(__file__).resolve().parents[1] / "examples" / "siaran-pers-lumbung-sosial.md"
    shutil.copytree(example.parent / "img", tmp_path / "img")
    (tmp_path / "video.mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 4084)
    (tmp_path / "release.md").write_text("---\nvideo: video.mp4\n" + example.read_text("utf-8")[4:], "utf-8")
    (tmp_path / "channels.toml").write_text(CHANNELS, "utf-8")
    cfg = load_config(tmp_path / "channels.toml")
    release = load_release(tmp_path / "release.md", cfg.timezone)
    media = {os.fspath(m.path) for m in (*release.images, release.video) if m is not None}
    looks: list[str] = []
    real = os.stat

    def counting(path, *args, **kwargs):
        if os.fspath(path) in media:
            looks.append(os.fspath(path))
        return real(path, *args, **kwargs)

    adapt(release, cfg.channels(), cfg.templates_dir)  # Instagram fits the photo once, before counting
    monkeypatch.setattr(os, "stat", counting)
    adapt(release, cfg.channels(), cfg.templates_dir)
    assert len(media) == 2 and sorted(looks) == sorted(media)  # 13 looks before stat_once
