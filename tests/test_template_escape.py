"""Issue 11: templates see data, not objects. The context held `pathlib.Path` objects, so an office
template could read the stored credentials (`release.source.joinpath(...).read_text()`), write
files and delete the release file. Each known escape is tried against the real template context."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crosspost.adapt import adapt_one, template_context
from crosspost.channels.fake import FakeChannel
from crosspost.errors import InputError
from crosspost.models import Media, Release
from crosspost.templating import plain, render

SECRET = "SANGAT-RAHASIA-token-1234567890"

ESCAPES = [
    "{{ release.source.joinpath('../.crosspost/secrets/x.json').read_text() }}",
    "{{ release.source.parent.joinpath('.crosspost/secrets/x.json').read_text() }}",
    "{{ release.source.write_text('dirusak') }}",
    "{{ release.source.unlink() }}",
    "{{ release.images[0].path.read_bytes() }}",
    "{{ release.images[0].path.parent.iterdir() | list }}",
    "{{ release.images[0].path.symlink_to('/etc/passwd') }}",
    "{{ release.__class__.__init__.__globals__ }}",
    "{{ settings.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ self._TemplateReference__context }}",
    "{{ release.date.__class__.__subclasses__() }}",
    "{{ limits.__dict__ }}",
    "{{ hashtags.append('x') }}{{ hashtags }}",
    "{{ release.update({'title': 'x'}) }}",
    "{{ 'a' * 1000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ release.source | attr('read_text') }}",
    "{{ (release.source | string) | attr('__class__') }}",
    "{{ 1 / 0 }}",
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / ".crosspost" / "secrets").mkdir(parents=True)
    (tmp_path / ".crosspost" / "secrets" / "x.json").write_text(f'{{"token": "{SECRET}"}}')
    work = tmp_path / "rilis"
    work.mkdir()
    (work / "rilis.md").write_text("---\ntitle: T\n---\nIsi.\n")
    (work / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    return work


def release(folder: Path) -> Release:
    return Release(slug="rilis", title="Judul", body="Isi.", date=datetime(2026, 11, 20, 9, tzinfo=UTC),
                   images=(Media(folder / "foto.jpg", "alt"),), source=folder / "rilis.md",
                   contact="Humas")


@pytest.mark.parametrize("text", ESCAPES)
def test_no_template_reads_writes_or_deletes_a_file(folder, text):
    templates = folder.parent / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "fake.j2").write_text(text)
    before = sorted(p.name for p in folder.parent.rglob("*"))
    channel = FakeChannel.create("fake", folder.parent)
    try:
        out = adapt_one(release(folder), channel, templates).variant.text
    except InputError:
        out = ""
    assert SECRET not in out
    assert "dirusak" not in (folder / "rilis.md").read_text()
    assert (folder / "rilis.md").is_file()
    assert sorted(p.name for p in folder.parent.rglob("*")) == before
    assert "uid=" not in out and "PATH" not in out


def test_the_context_is_plain_data(folder):
    channel = FakeChannel.create("fake", folder.parent)
    data = plain(template_context(release(folder), channel))

    def walk(value):
        assert isinstance(value, (str, int, float, bool, type(None), list, dict)), type(value)
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, str)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data)
    assert data["release"]["source"] == str(folder / "rilis.md")
    assert data["release"]["images"][0]["path"] == str(folder / "foto.jpg")


def test_plain_values_still_render_the_shipped_idioms(tmp_path):
    (tmp_path / "t.j2").write_text(
        "{% set ns = namespace(parts=[]) %}{% set ns.parts = ns.parts + [title] %}"
        "{{ ns.parts | join(',') }} {{ release.date | tanggal }} {{ release.contact }} "
        "{{ release.body.splitlines() | length }} {{ settings.max_attempts }}")
    r = release(tmp_path)
    out = render("t.j2", {"title": "Judul", "release": r, "settings": FakeChannel.create(
        "f", tmp_path).settings}, tmp_path)
    assert out == "Judul Jumat, 20 November 2026 Humas 1 6"
