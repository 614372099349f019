"""The accessibility gate: no image without alt text, no video without captions where required."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from crosspost.adapt import adapt
from crosspost.channels.fake import FakeChannel
from crosspost.config import load_config
from crosspost.controls import AccessibilitySettings
from crosspost.models import Media, Release


def setup(cli, extra: str = "", channel_extra: str = "") -> None:
    (cli.cwd / "channels.toml").write_text(
        f'database = "log.db"\n{extra}[channels.a]\ntype = "fake"\n{channel_extra}'
        '[channels.b]\ntype = "fake"\n', encoding="utf-8")


def write_release(cli, images: str = "", video: str = "") -> Path:
    (cli.cwd / "img").mkdir(exist_ok=True)
    for name in ("foto-bansos.jpg", "foto-posko.jpg"):
        Image.new("RGB", (64, 48), "white").save(cli.cwd / "img" / name)
    (cli.cwd / "video").mkdir(exist_ok=True)
    (cli.cwd / "video" / "liputan.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (cli.cwd / "video" / "liputan.id.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHalo\n")
    path = cli.cwd / "rilis.md"
    path.write_text(f'---\ntitle: "Uji Aksesibilitas"\ndate: 2026-11-20T09:00:00+07:00\n{images}{video}---\n'
                    "Isi rilis.\n", encoding="utf-8")
    return path


NO_ALT = ("images:\n  - path: img/foto-bansos.jpg\n    alt: \"Mensos menyerahkan bantuan\"\n"
          "  - img/foto-posko.jpg\n")


def queued(cli) -> int:
    db = cli.cwd / "log.db"
    if not db.exists():
        return 0
    return sqlite3.connect(db).execute("SELECT count(*) FROM deliveries").fetchone()[0]


def test_image_without_alt_is_refused_naming_the_image_and_the_fix(cli):
    setup(cli)
    path = write_release(cli, NO_ALT)
    proc = cli("publish", str(path), "--json")
    assert proc.returncode == 2, proc.stdout
    assert "nothing queued" in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["queued"] is False
    for variant in doc["variants"]:
        [problem] = variant["problems"]
        assert problem["field"] == "alt" and problem["severity"] == "error"
        assert "image 2 (foto-posko.jpg) has no alt text" in problem["message"]
        assert "add alt: under images: in the front matter" in problem["message"]
    assert queued(cli) == 0
    preview = cli("preview", str(path))
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", preview.stdout).split())
    assert preview.returncode == 1 and "image 2 (foto-posko.jpg) has no alt text" in text


def test_alt_text_everywhere_passes(cli):
    setup(cli)
    path = write_release(cli, NO_ALT.replace("  - img/foto-posko.jpg\n",
                                             "  - path: img/foto-posko.jpg\n    alt: \"Posko relawan\"\n"))
    proc = cli("publish", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert queued(cli) == 2


def test_the_gate_can_be_turned_off_for_the_office_or_one_channel(cli):
    setup(cli, channel_extra="require_alt = false\n")
    path = write_release(cli, NO_ALT)
    code, doc = cli.json("preview", str(path))
    by_channel = {v["channel"]: [p["field"] for p in v["problems"]] for v in doc["variants"]}
    assert by_channel == {"a": [], "b": ["alt"]}
    setup(cli, extra="[accessibility]\nrequire_alt = false\n")
    assert cli("publish", str(path)).returncode == 0
    assert queued(cli) == 2


def test_video_without_captions_is_refused_where_captions_are_required(cli):
    setup(cli, channel_extra="require_captions = true\n")
    path = write_release(cli, video="video: video/liputan.mp4\n")
    proc = cli("publish", str(path))
    assert proc.returncode == 2
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", proc.stdout).split())
    assert "liputan.mp4 has no captions file" in text and "add captions:" in text
    assert queued(cli) == 0
    path = write_release(cli, video="video: video/liputan.mp4\ncaptions: video/liputan.id.vtt\n")
    assert cli("publish", str(path)).returncode == 0
    assert queued(cli) == 2


def test_captions_must_be_a_subtitle_file_that_exists(cli):
    setup(cli)
    bad = write_release(cli, video="video: video/liputan.mp4\ncaptions: video/liputan.mp4\n")
    proc = cli("preview", str(bad))
    assert proc.returncode == 2 and ".vtt or .srt" in proc.stderr
    proc = cli("preview", str(write_release(cli, video="video: video/liputan.mp4\ncaptions: hilang.srt\n")))
    assert proc.returncode == 2 and "captions file not found: hilang.srt" in proc.stderr


def test_channels_built_without_config_require_alt_by_default(tmp_path):
    image = tmp_path / "foto.jpg"
    Image.new("RGB", (8, 8)).save(image)
    rel = Release(slug="r", title="R", body="Isi.", date=datetime(2026, 11, 20, tzinfo=UTC),
                  images=(Media(image, alt="  "),))
    [item] = adapt(rel, [FakeChannel.create("a", tmp_path)])
    assert not item.ok and [p.field for p in item.problems] == ["alt"]
    assert "foto.jpg" in item.problems[0].message


def test_config_validates_the_keys(tmp_path):
    cfg_path = tmp_path / "channels.toml"
    cfg_path.write_text('[accessibility]\nrequire_captions = true\n[channels.a]\ntype = "fake"\n'
                        'require_alt = false\n')
    cfg = load_config(cfg_path)
    assert cfg.accessibility == AccessibilitySettings(require_alt=True, require_captions=True)
    assert cfg.channel("a").accessibility == AccessibilitySettings(require_alt=False, require_captions=True)
    cfg_path.write_text('[channels.a]\ntype = "fake"\nrequire_alt = "ja"\n')
    try:
        load_config(cfg_path).channel("a")
    except Exception as exc:  # ConfigError
        assert "require_alt must be true or false" in str(exc)
    else:
        raise AssertionError("a non-boolean require_alt was accepted")
