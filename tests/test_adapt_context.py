"""One prepared template context per release (crosspost/adapt.py), shared by every channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost import adapt as adapt_module
from crosspost.config import load_config
from crosspost.errors import InputError
from crosspost.release import load_release
from crosspost.templating import render
from tests.conftest import REPO

CHANNELS = """\
timezone = "Asia/Jakarta"
[channels.website]
type = "website"
site_dir = "site"
base_url = "https://www.kemensos.go.id"
[channels.twitter]
type = "twitter"
[channels.facebook]
type = "facebook"
page_id = "100000000000001"
"""


@pytest.fixture
def office(tmp_path: Path):
    (tmp_path / "channels.toml").write_text(CHANNELS, "utf-8")
    cfg = load_config(tmp_path / "channels.toml")
    release = load_release(REPO / "examples" / "siaran-pers-lumbung-sosial.md", cfg.timezone)
    return cfg, release


def test_the_release_part_is_built_once_per_release(office, monkeypatch: pytest.MonkeyPatch):
    cfg, release = office
    calls: list[str] = []
    real = adapt_module.release_context

    def counting(rel):
        calls.append(rel.slug)
        return real(rel)

    monkeypatch.setattr(adapt_module, "release_context", counting)
    adapted = adapt_module.adapt(release, cfg.channels(), cfg.templates_dir)
    assert len(adapted) == 3 and all(a.variant for a in adapted)
    assert len(calls) <= 2  # once, and once more when the article's link is filled in


def test_prepared_context_renders_as_the_plain_one(office):
    cfg, release = office
    for channel in cfg.channels():
        context = adapt_module.template_context(release, channel)
        name = f"{channel.platform}.j2"
        assert render(name, context, prepared=True) == render(name, dict(context))


def test_a_template_cannot_change_what_the_next_channel_sees(office, tmp_path: Path):
    cfg, release = office
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "twitter.j2").write_text("{{ paragraphs.append('disusupkan') }}", "utf-8")
    shared = adapt_module.release_context(release)
    twitter = next(c for c in cfg.channels() if c.platform == "twitter")
    with pytest.raises(InputError):
        adapt_module.adapt_one(release, twitter, folder, shared)
    assert "disusupkan" not in shared["paragraphs"]
