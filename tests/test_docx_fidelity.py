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
