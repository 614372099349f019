"""crosspost/chapters.py finds the chapter lines youtube.j2's former loop found, on the corpus,
the examples and generated bodies (the loop is kept here, verbatim, as the reference)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crosspost.chapters import video_chapters
from crosspost.templating import _builtin_text, _environment
from tests.conftest import REPO

# youtube.j2's loop before chapters.py, word for word
_LOOP = """\
{% set ns = namespace(chapters=[], on=false, body=[]) %}
{% for raw in release.body.splitlines() %}
{% set line = raw | trim %}
{% set first = line.split(" ")[0] if line else "" %}
{% set stamp = first.count(":") in (1, 2) and first.replace(":", "").isdigit() and line != first %}
{% if stamp and (ns.on or first in ("0:00", "00:00", "0:00:00", "00:00:00")) %}
{% set ns.on = true %}
{% set ns.chapters = ns.chapters + [line] %}
{% else %}
{% set ns.on = false %}
{% endif %}
{% endfor %}
{{ ns.chapters | join("\\u0001") }}"""


def _reference(body: str) -> list[str]:
    template = _environment((_builtin_text(),)).from_string(_LOOP)
    out = template.render(release={"body": body})
    return out.split("\u0001") if out else []


def _bodies() -> list[str]:
    folders = [REPO / "examples", REPO.parent / "shared" / "corpus" / "releases"]
    return [p.read_text("utf-8", errors="replace") for f in folders if f.is_dir()
            for p in sorted(f.iterdir()) if p.suffix == ".md"]


def test_same_chapters_as_the_template_loop_on_real_bodies() -> None:
    bodies = _bodies()
    assert bodies
    sample = ("Pembuka\n\n0:00 Pembuka\n00:45 Sambutan Menteri\n 1:02:03  Tanya jawab \n12:00\n"
              "3:00 sesudah baris tanpa cap\n\n00:00:00 Lagi\n٣:٠٠ angka Arab\n1:2:3:4 terlalu banyak")
    for body in [*bodies, sample]:
        assert video_chapters(body) == _reference(body)
    assert video_chapters(sample) == ["0:00 Pembuka", "00:45 Sambutan Menteri", "1:02:03  Tanya jawab",
                                      "00:00:00 Lagi", "٣:٠٠ angka Arab"]


_piece = st.sampled_from(["0:00", "00:00", "0:00:00", "1:2", "12:34", "1:2:3:4", ":", "::", "a:b", "٣:٠٠",
                          "²:00", " ", "  ", "\t", "\n", "\r\n", "\u2028", "\x0c", "Pembuka", "x", "0", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(_piece, max_size=30).map("".join))
def test_same_chapters_as_the_template_loop_on_generated_bodies(body: str) -> None:
    assert video_chapters(body) == _reference(body)
