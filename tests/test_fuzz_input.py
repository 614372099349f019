"""Issue 11: fuzz the readers. Whatever front matter, .docx bytes or template text comes in, the
only failure is an InputError/ConfigError (exit 2), never an internal error (exit 3), and nothing
takes long. Bounded examples; derandomized when CI=true so CI runs the same cases every time."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crosspost.adapt import adapt_one
from crosspost.channels.fake import FakeChannel
from crosspost.errors import InputError
from crosspost.release import load_release

FUZZ = settings(max_examples=int(os.environ.get("CROSSPOST_FUZZ_EXAMPLES", "150")), deadline=2000,
                derandomize=os.environ.get("CI", "").lower() == "true",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

KEYS = ["title", "date", "section", "number", "summary", "tags", "hashtags", "images", "video", "captions",
        "link", "contact", "language", "slug", "embargo", "video_id", "bogus"]
SCALARS = st.one_of(
    st.text(max_size=40), st.integers(min_value=-10**30, max_value=10**30), st.floats(), st.booleans(),
    st.none(), st.sampled_from(["2026-11-20T09:00:00+07:00", "2026-13-45", "/etc/passwd",
                                "/proc/self/environ", "../x.jpg", "img/foto.jpg", "9" * 5000, "\\ud800",
                                "*a", "&a x", "{", "[",
                                "2026-11-20 09:00 WITA", "siaran-pers", "berita-video", "https://x.test/a"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(["path", "alt", "x"]),
                                                                       inner, max_size=3)), max_leaves=10)
YAML_BITS = st.sampled_from(["title: ", "date: ", "images:\n  - path: ", "\n", "  ", "- ", "[", "]", "{", "}",
                             "&a ", "*a ", "!!python/object:os.system ", '"', "'", "\\ud800", "\\x1b",
                             ": ", "? ", "|\n", ">\n", "---\n", "...\n", "9" * 50, "\t", "#", "%YAML 1.1\n",
                             "!!binary ", "<<: *a\n", "\x00", "\ufeff"])


def _check(path: Path, **kw) -> None:
    try:
        release = load_release(path, **kw)
    except InputError:
        return
    channel = FakeChannel.create("fake", path.parent)
    try:
        adapt_one(release, channel)
    except InputError:
        pass


def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    (folder / "img").mkdir()
    from PIL import Image

    Image.new("RGB", (16, 16), "white").save(folder / "img" / "foto.jpg")
    return folder


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_structured_front_matter(values):
    import yaml

    folder = _folder()
    try:
        text = yaml.safe_dump(values, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError):
        assume(False)
    (folder / "rilis.md").write_text(f"---\n{text}---\nIsi rilis.\n", "utf-8", errors="surrogatepass")
    _check(folder / "rilis.md")


@FUZZ
@given(st.lists(st.one_of(YAML_BITS, st.text(max_size=8)), max_size=30))
def test_raw_front_matter_text(bits):
    folder = _folder()
    text = "---\ntitle: Judul\ndate: 2026-11-20T09:00:00+07:00\n" + "".join(bits) + "\n---\nIsi.\n"
    (folder / "rilis.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    _check(folder / "rilis.md")


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    document.add_heading("Judul dari Word", level=1)
    document.add_paragraph("Jakarta, 20 November 2026")
    document.add_paragraph("Isi rilis dengan **teks**.")
    document.save(buf)
    return buf.getvalue()


DOCX = _docx_bytes()


@FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(DOCX) - 1),
                          st.binary(min_size=1, max_size=8)), max_size=6), st.booleans())
def test_mutated_docx_bytes(edits, truncate):
    data = bytearray(DOCX)
    for offset, chunk in edits:
        data[offset:offset + len(chunk)] = chunk
    if truncate and edits:
        data = data[: edits[0][0]]
    folder = _folder()
    (folder / "rilis.docx").write_bytes(bytes(data))
    _check(folder / "rilis.docx", overrides={"date": "2026-11-20T09:00"})


@FUZZ
@given(st.binary(max_size=64), st.text(max_size=200))
def test_docx_parts_rewritten(prefix, xml_tail):
    """A valid zip whose document.xml is replaced by fuzz: python-docx's XML errors are exit 2."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = prefix + xml_tail.encode("utf-8", "surrogatepass")
            dst.writestr(item, body)
    folder = _folder()
    (folder / "rilis.docx").write_bytes(out.getvalue())
    _check(folder / "rilis.docx", overrides={"date": "2026-11-20T09:00"})


TEMPLATE_BITS = st.sampled_from([
    "{{ ", " }}", "{% ", " %}", "title", "release", ".source", ".title", ".images[0].path", "|length",
    "| truncate_words(", "| tanggal", "| hashtags(", "| utm(", ")", "(", "'", '"', "[0]", "[-1]", " * ",
    " ** ", "999999", " / 0", " + ", "range(", "namespace(", "cycler(", "joiner(", "lipsum(", ".__class__",
    ".__init__", ".__globals__", "|attr('read_text')", "set x = ", "for p in paragraphs", "endfor",
    "if ", "endif", "else", " and ", " not ", "{# ", " #}", "\n", "settings.", "limits.", "self", "loop.",
    "|join(", "|list", "|map(", "|format(", ".format(", "'%s' % ", "|int", "|float", "{%- raw %}",
])


@FUZZ
@given(st.lists(st.one_of(TEMPLATE_BITS, st.text(max_size=6)), max_size=25))
def test_template_text(bits):
    folder = _folder()
    (folder / "templates").mkdir()
    (folder / "templates" / "fake.j2").write_text("".join(bits), "utf-8", errors="surrogatepass")
    (folder / "rilis.md").write_text("---\ntitle: Judul\ndate: 2026-11-20T09:00:00+07:00\n"
                                     "images: [img/foto.jpg]\n---\nIsi rilis.\n", "utf-8")
    release = load_release(folder / "rilis.md")
    channel = FakeChannel.create("fake", folder)
    try:
        adapt_one(release, channel, folder / "templates")
    except InputError:
        pass
    assert (folder / "rilis.md").is_file()


@pytest.mark.parametrize("text", ["{{ 'x' * 99999999999 }}", "{{ 10 ** 10000000 }}",
                                  "{{ ((10 ** 100) ** 100) ** 100 }}", "{{ (1,) * 10**9 }}",
                                  "{{ '%s' % 'x' * 10**8 }}"])
def test_the_known_template_bombs_are_refused(tmp_path, text):
    (tmp_path / "fake.j2").write_text(text)
    from crosspost.templating import render

    with pytest.raises(InputError):
        render("fake.j2", {}, tmp_path)
