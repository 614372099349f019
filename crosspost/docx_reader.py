"""Word (.docx) press releases, as most are written: the document gives title, number, body (and
perhaps the date); the rest comes from a sidecar `<stem>.yml` beside it or from --set options.

Tables become Markdown tables with their first row as the header (an HTML table with <th> on the
website). The title is the 'Title' / 'Heading 1' paragraph, else the first prominent line at the
top (all bold, centred, or larger than the body text), as staff type it; that line then leaves the
body. A "Narahubung: ..." line (or a "Narahubung" line and the lines after it) is the contact.
Embedded pictures are extracted with their alt text by crosspost.docx_pictures.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import InputError
from .i18n import _
from .models import SECTIONS

MONTHS = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2, "pebruari": 2,
    "maret": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "june": 6,
    "jun": 6, "juli": 7, "july": 7, "jul": 7, "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_DAYS = r"(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)"
_DATE_LINE = re.compile(
    rf"^(?:[A-Za-z][A-Za-z .'-]{{1,40}},\s*)?(?:{_DAYS},?\s*)?(\d{{1,2}})\s+([A-Za-z]+)\.?\s+(\d{{4}})\.?$",
    re.I)
_NUMBER = re.compile(r"^(?:nomor|no\.?)\s*:\s*(\S.{0,79})$", re.I)
_NUMBER_NO_COLON = re.compile(r"^no\.\s*(\S*\d\S*/\S+)$", re.I)
_ESCAPE = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"^(\s*)(#|[-+] |\d+[.)] )")
MAX_BLOCKS = 3000  # paragraphs and tables in the body: a long press release has a few hundred


@dataclass
class DocxContent:
    """What the Word file itself says about the release."""

    title: str = ""
    body: str = ""
    number: str | None = None
    date: date | None = None
    section: str | None = None
    summary: str | None = None
    contact: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_docx(data: bytes, path: Path) -> DocxContent:
    """Convert the document body to Markdown and pick out title, number, dateline and section label.

    The title is the first 'Title' or 'Heading 1' paragraph (what the author sees as the title),
    else the document's core title property; lower headings stay in the body.
    """
    try:
        import docx
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML and package errors alike
        raise InputError(_(
            'cannot read this Word file ({name}): open it in Word and save it again as .docx').format(
            name=type(exc).__name__), path) from None
    body_items = len(document.element.body)
    if body_items > MAX_BLOCKS:
        raise InputError(_("the Word file has {n} paragraphs and tables (the limit is {limit}): it is not a "
                           "press release").format(n=body_items, limit=MAX_BLOCKS), path)
    styles = _Styles(document)
    out = DocxContent()
    blocks: list[tuple[str, str]] = []  # (kind, markdown) with kind "para" or "item"
    labels = {label.lower(): name for name, label in SECTIONS.items()}
    styled_title = any(not isinstance(b, Table) and b.text.strip()
                       and styles.paragraph(b) in ("Title", "Heading 1")
                       for b in document.iter_inner_content())
    contact: list[str] | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table = _table(block, styles)
            if table:
                blocks.append(("para", table))
            contact = None
            continue
        plain = block.text.strip()
        if not plain:
            continue
        style = styles.paragraph(block)
        is_heading = style.startswith("Heading") or style == "Title"
        if style in ("Title", "Heading 1") and not out.title:
            out.title = re.sub(r"\s+", " ", plain)
            continue
        if contact is not None and len(contact) < 4 and len(plain) <= 120:
            contact.append(plain)
            continue
        m = _CONTACT.match(plain)
        if m and out.contact is None:
            contact = [m.group(1).strip()] if m.group(1).strip() else []
            continue
        if not styled_title and not out.title and not blocks and len(plain) <= 250 \
                and plain.lower() not in labels and _prominent(block, styles) \
                and not (_NUMBER.match(plain) or parse_date_line(plain)):
            out.title = re.sub(r"\s+", " ", plain)
            continue
        if style == "Subtitle" and out.summary is None and not blocks:
            out.summary = re.sub(r"\s+", " ", plain)
            continue
        if out.section is None and plain.lower() in labels and not is_heading:
            out.section = labels[plain.lower()]
            continue
        if out.number is None and len(plain) <= 100:
            m = _NUMBER.match(plain) or _NUMBER_NO_COLON.match(plain)
            if m:
                out.number = m.group(1).strip()
                continue
        if out.date is None:
            found = parse_date_line(plain)
            if found:
                out.date = found
                continue
            lead = _DATELINE.match(plain)  # "JAKARTA, 2 Desember 2026 — Kementerian ...": kept in the text
            if lead and not blocks:
                out.date = parse_date_line(f"{lead.group(1)} {lead.group(2)} {lead.group(3)}")
        text = _inline(block, styles)
        if is_heading:
            level = _heading_level(style)
            blocks.append(("para", "#" * level + " " + text.replace("\\\n", " ")))
        elif _is_list(block, style):
            bullet = "1." if "Number" in style else "-"
            blocks.append(("item", f"{bullet} {text}"))
        else:
            blocks.append(("para", text))
    if not out.title:
        core = (document.core_properties.title or "").strip()
        out.title = re.sub(r"\s+", " ", core)
    if contact:
        out.contact = "; ".join(contact)
    out.body = _join(blocks)  # pictures: crosspost.docx_pictures
    return out


_DATELINE = re.compile(
    r"^[A-Za-z][A-Za-z .'-]{1,40},\s*(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})\s*[—–-]{1,2}\s*\S")
_CONTACT = re.compile(r"^(?:narahubung|kontak media|contact person)\s*:?\s*(.*)$", re.I)
BIG = 14.0  # points: a line at least this large at the top is the title typed by hand (body: 11-12 pt)


def _prominent(paragraph, styles: _Styles) -> bool:
    """The paragraph looks like a title: centred, or every run bold, or larger than body text."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    if paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER:
        return True
    runs = [r for r in paragraph.runs if r.text.strip()]
    if runs and all(styles.flag(r, "bold") for r in runs):
        return True
    return bool(runs) and all(r.font.size is not None and r.font.size.pt >= BIG for r in runs)


def _table(table, styles: _Styles) -> str:
    """A Word table as a Markdown table, its first row the header (the website shows <th>)."""
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = " ".join(_inline(p, styles).replace("\\\n", " ")
                            for p in cell.paragraphs if p.text.strip())
            cells.append(text.replace("|", "\\|") or " ")
        if any(c.strip() for c in cells):
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [" "] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def parse_date_line(text: str) -> date | None:
    """A dateline such as "Jakarta, 20 November 2026" or "Jumat, 20 Nov 2026"; None otherwise."""
    m = _DATE_LINE.match(text.strip())
    if not m:
        return None
    month = MONTHS.get(m.group(2).lower())
    if month is None:
        return None
    try:
        return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        return None


def _heading_level(style: str) -> int:
    m = re.search(r"(\d+)", style)
    return min(6, int(m.group(1)) + 1) if m else 2


def _is_list(paragraph, style: str) -> bool:
    return "List" in style or bool(paragraph._p.xpath("./w:pPr/w:numPr"))


def _join(blocks: list[tuple[str, str]]) -> str:
    parts: list[str] = []
    for i, (kind, text) in enumerate(blocks):
        if i:
            tight = kind == "item" and blocks[i - 1][0] == "item"
            parts.append("\n" if tight else "\n\n")
        parts.append(text)
    return "".join(parts)


def _inline(paragraph, styles: _Styles) -> str:
    """Runs to Markdown: bold/italic as **/*, hyperlinks as [text](url), line breaks kept."""
    from docx.text.hyperlink import Hyperlink

    pieces: list[tuple[str, bool, bool, str | None]] = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            href = item.url or None
            for run in item.runs:
                pieces.append((run.text, styles.flag(run, "bold"), styles.flag(run, "italic"), href))
        else:
            pieces.append((item.text, styles.flag(item, "bold"), styles.flag(item, "italic"), None))
    merged: list[list] = []
    for text, bold, italic, href in pieces:
        if merged and merged[-1][1:] == [bold, italic, href]:
            merged[-1][0] += text
        else:
            merged.append([text, bold, italic, href])
    out = "".join(_segment(*m) for m in merged)
    out = out.replace("\t", " ").strip()
    lines = [_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), ln.strip()) for ln in out.split("\n")]
    return "\\\n".join(ln for ln in lines if ln)


class _Styles:
    """Style names and run flags looked up once per style, not once per paragraph: python-docx scans
    every style of the document on each ``.style`` access (2,000 paragraphs took 20 s)."""

    def __init__(self, document) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self._by_id = {s.style_id: s for s in document.styles}
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._default_name = (default.name if default is not None else "") or ""
        self._flags: dict[tuple[str | None, str], bool | None] = {}

    def paragraph(self, paragraph) -> str:
        style_id = paragraph._p.style
        if style_id is None:
            return self._default_name
        style = self._by_id.get(style_id)
        return (style.name if style is not None else self._default_name) or ""

    def flag(self, run, name: str) -> bool:
        value = getattr(run, name)
        if value is None:
            style_id = run._r.style
            key = (style_id, name)
            if key not in self._flags:
                style = self._by_id.get(style_id) if style_id else None
                self._flags[key] = getattr(style.font, name) if style is not None else None
            value = self._flags[key]
        return bool(value)


def _segment(text: str, bold: bool, italic: bool, href: str | None) -> str:
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    md = _ESCAPE.sub(r"\\\1", core)
    marker = "***" if bold and italic else "**" if bold else "*" if italic else ""
    if marker and "\n" not in md:
        md = f"{marker}{md}{marker}"
    if href and href.startswith(("http://", "https://", "mailto:")):
        md = f"[{md}]({href.replace(' ', '%20').replace(')', '%29')})"
    return lead + md + trail


# --------------------------------------------------------------------------- the whole .docx input


def sidecar_for(path: Path) -> list[Path]:
    return [p for p in (path.with_suffix(".yml"), path.with_suffix(".yaml")) if p.is_file()]
