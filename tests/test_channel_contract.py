"""One contract every channel keeps, the fake included, so none can drift from the others."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from conftest import REPO

from crosspost.channels import REGISTRY, channel_class
from crosspost.channels.base import Channel, CommonSettings, implements
from crosspost.models import Media, Problem, Release, Variant
from crosspost.secrets import SecretStore

WIB = timezone(timedelta(hours=7))
IMAGE = REPO / "examples"


def sample_release() -> Release:
    images = tuple(sorted(IMAGE.rglob("*.jpg")))[:1]
    return Release(
        slug="uji-kontrak", title="Uji Kontrak Kanal", body="Paragraf pertama.\n\nParagraf kedua.",
        date=datetime(2026, 11, 20, 9, 0, tzinfo=WIB), summary="Ringkasan singkat.",
        hashtags=("KemensosHadir",), link="https://www.kemensos.go.id/siaran-pers/uji-kontrak",
        images=tuple(Media(p, alt="Foto uji", width=1200, height=800) for p in images))


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_module_imports_no_sdk(type_):
    module = REGISTRY[type_].split(":")[0]
    code = (f"import sys, {module}\n"
            "sdks = {'tweepy', 'facebook', 'instagrapi', 'googleapiclient'}\n"
            "bad = {m.split('.')[0] for m in sys.modules} & sdks\n"
            "print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_channel_shape_and_variant(type_, tmp_path):
    cls = channel_class(type_)
    assert issubclass(cls, Channel) and cls.platform == type_
    assert issubclass(cls.Settings, CommonSettings)
    for dc in (cls.Settings, cls.Limits):
        assert dataclasses.is_dataclass(dc) and dc.__dataclass_params__.frozen
    settings, limits = cls.Settings(type=type_), cls.Limits()
    ch = cls(f"{type_}-uji", settings, limits, SecretStore("x", tmp_path, env={}, use_keyring=False),
             tmp_path, tmp_path)
    from crosspost.adapt import adapt_one

    adapted = adapt_one(sample_release(), ch)
    assert isinstance(adapted.variant, Variant)
    assert adapted.variant.channel == f"{type_}-uji" and adapted.variant.kind == type_
    assert adapted.variant.text
    assert all(isinstance(p, Problem) and p.channel == ch.name for p in adapted.problems)
    if cls.can_lookup:
        assert cls.lookup is not Channel.lookup
    assert cls.publish is not Channel.publish


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_channel_declares_the_platform_facts(type_, tmp_path):
    """platform, secret_keys and editable are declared by the channel itself, not inherited, so a
    new platform has to say them; nothing outside the channel keeps a per-platform list."""
    cls = channel_class(type_)
    for fact in ("platform", "secret_keys", "editable"):
        assert fact in vars(cls), f"{cls.__name__} does not declare {fact}"
    assert cls.platform == type_
    assert isinstance(cls.secret_keys, tuple) and all(isinstance(k, str) and k for k in cls.secret_keys)
    assert isinstance(cls.editable, bool)
    ch = cls(f"{type_}-uji", cls.Settings(type=type_), cls.Limits(),
             SecretStore("x", tmp_path, env={}, use_keyring=False), tmp_path, tmp_path)
    keys = ch.credential_keys()
    assert isinstance(keys, tuple) and all(isinstance(k, str) and k for k in keys)


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_corrections_are_their_own_methods(type_):
    """The engine calls correct() / lookup_correction() for a ralat; publish() and lookup() never
    look at a variant's action."""
    cls = channel_class(type_)
    assert cls.correct is not Channel.correct
    for method in (cls.publish, cls.lookup):
        assert '"action"' not in inspect.getsource(method)


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_optional_capabilities_match_their_methods(type_):
    cls = channel_class(type_)
    assert cls.has_comments == implements(cls, "comments")
    assert cls.has_metrics == implements(cls, "metrics")


def test_the_article_channels_are_the_websites() -> None:
    """adapt() takes the release's link from them and the claim sends them first."""
    from crosspost.channels import REGISTRY, channel_class

    assert {name for name in REGISTRY if channel_class(name).article} == {"website", "wordpress"}
