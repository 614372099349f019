"""Issue 17: a Word release keeps its tables, its hand-typed bold title and its contact line.

The files are generated with python-docx the way Word writes them: direct formatting on runs
(<w:b/>, <w:sz w:val="32"/>) and paragraphs (<w:jc w:val="center"/>) rather than styles, and a
table with its header in the first row.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from crosspost.release import load_release
from crosspost.site.sanitize import render_body


def _docx(path: Path, *, title_as: str = "bold", table: bool = True) -> Path:
    d = docx.Document()
    label = d.add_paragraph("SIARAN PERS")
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head = d.add_paragraph()
    run = head.add_run("Kemensos Salurkan Bantuan ke 5 Provinsi")
    if title_as == "bold":
        run.bold = True
    elif title_as == "big":
        run.font.size = Pt(16)
    elif title_as == "centre":
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("Nomor: 310/HUMAS/XII/2026")
    d.add_paragraph("Jakarta, 1 Desember 2026")
    d.add_paragraph("Kementerian Sosial menyalurkan bantuan kepada penerima di lima provinsi.")
    if table:
        t = d.add_table(rows=3, cols=2)
        for r, (a, b) in enumerate([("Provinsi", "Penerima"), ("Jawa Barat", "1.200"), ("Papua", "800")]):
            t.cell(r, 0).text, t.cell(r, 1).text = a, b
    d.add_paragraph("Bantuan disalurkan melalui PT Pos Indonesia.")
    d.add_paragraph("Narahubung:")
    d.add_paragraph("Biro Hubungan Masyarakat, Kementerian Sosial RI")
    d.save(path)
    return path


def test_a_bold_title_typed_by_hand_is_the_title_and_leaves_the_body(tmp_path):
    for how in ("bold", "big", "centre"):
        r = load_release(_docx(tmp_path / f"{how}.docx", title_as=how))
        assert r.title == "Kemensos Salurkan Bantuan ke 5 Provinsi", how
        assert "Salurkan Bantuan ke 5" not in r.body and r.number == "310/HUMAS/XII/2026"
        assert r.body.startswith("Kementerian Sosial menyalurkan")


def test_a_table_becomes_an_html_table_with_a_header_row(tmp_path):
    r = load_release(_docx(tmp_path / "t.docx"))
    assert not any("table" in w for w in r.warnings)
    html = render_body(r.body, "www.kemensos.go.id")
    assert "<th>Provinsi</th>" in html and "<td>Jawa Barat</td>" in html and "<td>800</td>" in html


def test_the_narahubung_lines_are_the_contact(tmp_path):
    r = load_release(_docx(tmp_path / "c.docx", table=False))
    assert r.contact == "Biro Hubungan Masyarakat, Kementerian Sosial RI"
    assert "Narahubung" not in r.body and "Biro Hubungan" not in r.body


def test_a_table_is_plain_rows_on_social_channels(tmp_path):
    from crosspost.text import plain_paragraphs

    r = load_release(_docx(tmp_path / "s.docx"))
    assert "Provinsi | Penerima\nJawa Barat | 1.200\nPapua | 800" in plain_paragraphs(r.body)


def _with_pictures(tmp_path: Path, alts: list[str | None], sidecar: str = "") -> Path:
    from PIL import Image

    d = docx.Document()
    d.add_heading("Kemensos Bagikan Paket Sembako", level=1)
    d.add_paragraph("Petugas membagikan paket.")
    for i, alt in enumerate(alts):
        photo = tmp_path / f"foto{i}.jpg"
        Image.new("RGB", (800, 600), (30 * i, 90, 160)).save(photo, "JPEG", quality=83)
        shape = d.add_picture(str(photo))
        if alt is not None:  # what Word's "Edit Alt Text" (and LibreOffice's Description) writes
            shape._inline.docPr.set("descr", alt)
    path = tmp_path / "foto.docx"
    d.save(path)
    (tmp_path / "foto.yml").write_text("date: 2026-11-20 09:00\n" + sidecar, encoding="utf-8")
    return path


def test_embedded_pictures_are_extracted_unchanged_with_words_alt_text(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    r = load_release(_with_pictures(tmp_path, ["Petugas menurunkan paket dari truk", "Warga antre"]))
    assert [m.alt for m in r.images] == ["Petugas menurunkan paket dari truk", "Warga antre"]
    for i, m in enumerate(r.images):
        assert m.path.read_bytes() == (tmp_path / f"foto{i}.jpg").read_bytes()  # not re-encoded
        assert (m.width, m.height) == (800, 600) and m.path.is_relative_to(tmp_path / "state")
    assert r.warnings == ()
    again = load_release(tmp_path / "foto.docx")
    assert [m.path for m in again.images] == [m.path for m in r.images]  # content-addressed


def test_a_picture_without_alt_text_is_the_accessibility_gates_error(tmp_path, monkeypatch):
    from crosspost.adapt import adapt
    from crosspost.channels.facebook import FacebookChannel
    from tests.channel_helpers import make_channel

    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    r = load_release(_with_pictures(tmp_path, [None]))
    assert len(r.images) == 1 and any("no alt text" in w and "Alt Text" in w for w in r.warnings)
    [fb] = adapt(r, [make_channel(FacebookChannel, tmp_path, page_id="1")])
    assert not fb.ok and any(p.severity == "error" and "alt" in p.message.lower() for p in fb.problems)


def test_images_in_the_sidecar_win_over_embedded_pictures(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("CROSSPOST_STATE_DIR", str(tmp_path / "state"))
    Image.new("RGB", (640, 480)).save(tmp_path / "lain.jpg", "JPEG")
    r = load_release(_with_pictures(tmp_path, ["Foto"], "images:\n  - path: lain.jpg\n    alt: Foto lain\n"))
    assert [m.alt for m in r.images] == ["Foto lain"]
    assert any("1 picture(s) inside the Word file are left out" in w for w in r.warnings)


def test_a_dateline_at_the_start_of_the_text_dates_the_release(tmp_path):
    d = docx.Document()
    d.add_heading("Kemensos Gelar Bakti Sosial", level=1)
    d.add_paragraph("JAKARTA, 2 Desember 2026 — Kementerian Sosial menggelar bakti sosial.")
    path = tmp_path / "dl.docx"
    d.save(path)
    r = load_release(path)
    assert (r.date.year, r.date.month, r.date.day) == (2026, 12, 2)
    assert r.body.startswith("JAKARTA, 2 Desember 2026 — Kementerian")  # the dateline stays, as written
    assert not any("last-modified" in w for w in r.warnings)
