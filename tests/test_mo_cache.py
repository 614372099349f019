"""The Indonesian catalogue from the cache (crosspost/mo_cache.py) is the one gettext parses,
is used while the .mo is unchanged, and is parsed afresh when the .mo changes."""

from __future__ import annotations

import gettext
import shutil
import sys
from pathlib import Path

import pytest

from crosspost import mo_cache
from tests.conftest import REPO

MO = REPO / "crosspost" / "locale" / "id" / "LC_MESSAGES" / "crosspost.mo"


@pytest.fixture
def mo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(mo_cache, "cache_file", lambda kind, tag="": tmp_path / f"{kind}{tag}.marshal")
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # written even where the shell says not
    copy = tmp_path / "id" / "LC_MESSAGES" / "crosspost.mo"
    copy.parent.mkdir(parents=True)
    shutil.copy(MO, copy)
    return copy


def read(path: Path, kind: type) -> gettext.GNUTranslations:
    with open(path, "rb") as fp:
        return kind(fp)


def same(a: gettext.GNUTranslations, b: gettext.GNUTranslations) -> None:
    assert a._catalog == b._catalog  # type: ignore[attr-defined]
    assert a.info() == b.info() and a.charset() == b.charset()
    assert [a.plural(n) for n in range(4)] == [b.plural(n) for n in range(4)]  # type: ignore[attr-defined]
    assert a.gettext("Aborted!") == b.gettext("Aborted!") == "Dibatalkan!"


def test_cached_catalogue_is_the_parsed_one(mo: Path, monkeypatch: pytest.MonkeyPatch):
    plain = read(mo, gettext.GNUTranslations)
    same(read(mo, mo_cache.CachedTranslations), plain)  # parsed, then kept
    assert list(mo.parent.parent.parent.glob("gettext*.marshal"))

    def no_parse(self, fp):  # the second read must not parse
        raise AssertionError("parsed again")

    monkeypatch.setattr(gettext.GNUTranslations, "_parse", no_parse)
    same(read(mo, mo_cache.CachedTranslations), plain)


def test_a_changed_catalogue_is_parsed_again(mo: Path):
    read(mo, mo_cache.CachedTranslations)
    data = bytearray(mo.read_bytes())
    at = data.find(b"Dibatalkan!")
    data[at:at + 11] = b"Dibatalkan?"  # same length: only the content differs
    mo.write_bytes(bytes(data))
    assert read(mo, mo_cache.CachedTranslations).gettext("Aborted!") == "Dibatalkan?"


def test_a_broken_cache_file_is_ignored(mo: Path, tmp_path: Path):
    for f in tmp_path.glob("gettext*.marshal"):
        f.unlink()
    (tmp_path / "gettext-id-crosspost.marshal").write_bytes(b"\x00garbage")
    same(read(mo, mo_cache.CachedTranslations), read(mo, gettext.GNUTranslations))
