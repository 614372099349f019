"""`crosspost preview --html`: one self-contained HTML page showing every variant as it will look.

The page is emailed to the approving supervisor (kepala subbagian publikasi), so it must open
anywhere, offline, in a mail client: CSS is inline, images are small JPEG thumbnails embedded
as data: URIs, there is no JavaScript and nothing is fetched from the network. Every value
from the release is escaped by Jinja2 (autoescape); the website body, which is HTML, is
sanitised once more here and its images are embedded or dropped.

The layout lives in ``crosspost/preview_html.j2`` (inside the package, not in the user's
templates/: this page is part of the approval record, not something an office customises).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from .adapt import Adapted
from .counts import count_rows
from .models import SECTIONS, Media, Problem, Release
from .templating import tanggal

TEMPLATE = "preview_html.j2"
THUMB_WIDTH = 480  # px: sharp enough on a 375 px card, small enough to email
THUMB_QUALITY = 72

PLATFORMS = {
    "website": "Situs web",
    "twitter": "X (Twitter)",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "youtube": "YouTube",
}
COUNT_LABELS = {
    "title": "Judul",
    "chars": "Karakter",
    "weighted": "Panjang X (berbobot)",
    "images": "Gambar",
    "hashtags": "Tagar",
    "mentions": "Sebutan (@)",
    "description": "Deskripsi",
    "tags": "Tag",
    "parts": "Bagian utas",
}
FIELD_LABELS = {"text": "teks", "title": "judul", "media": "media", "images": "gambar", "body": "isi"}
UNITS = {"chars": "karakter", "bytes": "bita", "": ""}

# The website body is already sanitised by crosspost.site.sanitize; this second, stricter pass
# makes the preview safe even if a future channel hands over looser HTML.
BODY_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "a", "ul", "ol", "li", "blockquote", "h2", "h3",
             "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
             "img", "hr", "sub", "sup", "code", "pre", "s", "small"}
BODY_ATTRS = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"colspan", "rowspan"},
              "td": {"colspan", "rowspan"}}


@dataclass(frozen=True)
class Thumb:
    """An embedded preview of one media file (src is a data: URI, or empty when unreadable)."""

    src: str
    alt: str
    name: str
    kind: str
    width: int | None
    height: int | None
    has_alt: bool
    size_kb: int | None
    note: str = ""


@dataclass(frozen=True)
class Count:
    label: str
    actual: int
    limit: int | None
    unit: str

    @property
    def ok(self) -> bool:
        return self.limit is None or self.actual <= self.limit


@lru_cache(maxsize=64)
def _thumbnail(path: Path, mtime: float, width: int = THUMB_WIDTH) -> str:
    """A JPEG data: URI at most ``width`` px wide; '' when Pillow cannot read the file.

    Cached by path and mtime because the same image appears on several cards.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            im: Image.Image = ImageOps.exif_transpose(opened)
            im.thumbnail((width, width * 3))
            if im.mode != "RGB":
                background = Image.new("RGB", im.size, "white")
                rgba = im.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                im = background
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=THUMB_QUALITY, optimize=True)
    except (UnidentifiedImageError, OSError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def thumbnail(path: Path, width: int = THUMB_WIDTH) -> str:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ""
    return _thumbnail(path.resolve(), mtime, width)


def media_thumb(m: Media, note: str = "") -> Thumb:
    try:
        size_kb: int | None = round(m.path.stat().st_size / 1024)
    except OSError:
        size_kb = None
    src = thumbnail(m.path) if m.kind == "image" and size_kb is not None else ""
    alt = m.alt.strip()
    # The preview's own <img> always needs alt text; a missing one is flagged in the media list.
    shown_alt = alt or f"Gambar tanpa teks alternatif: {m.path.name}"
    return Thumb(src=src, alt=shown_alt, name=m.path.name, kind=m.kind, width=m.width, height=m.height,
                 has_alt=bool(alt), size_kb=size_kb, note=note)


def counts_of(counts: dict[str, Any]) -> list[Count]:
    out = []
    for label, actual, limit, unit in count_rows(counts):
        name, _, index = label.partition(" ")
        shown = COUNT_LABELS.get(name, name) + (f" {index}" if index else "")
        out.append(Count(shown, actual, limit, UNITS.get(unit, unit)))
    return out


def website_body(html: str, inline_files: dict[str, str]) -> Markup:
    """The article body with images written into the text embedded (or dropped: nothing external)."""
    import nh3

    from .site.sanitize import replace_images

    clean = nh3.clean(html, tags=BODY_TAGS, attributes=BODY_ATTRS, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer")

    def embed(attrs: dict[str, str]) -> dict[str, str] | None:
        src = attrs.get("src", "")
        path = inline_files.get(src)
        data = thumbnail(Path(path)) if path else ""
        if not data:
            return None  # a web image would be fetched when the email is opened: leave it out
        return {"src": data, "alt": attrs.get("alt", "").strip() or f"Gambar tanpa teks alternatif: {src}"}

    return Markup(replace_images(clean, embed))


def _card(item: Adapted) -> dict[str, Any]:
    v = item.variant
    kind = item.channel.platform
    card: dict[str, Any] = {
        "name": item.channel.name, "kind": kind, "platform": PLATFORMS.get(kind, kind), "ok": item.ok,
        "variant": v, "problems": [_problem(p) for p in item.problems],
        "errors": sum(p.severity == "error" for p in item.problems),
        "warnings": sum(p.severity == "warning" for p in item.problems),
        "counts": [], "media": [], "parts": [], "body": None, "domain": "",
    }
    if v is None:
        return card
    card["counts"] = counts_of(v.counts)
    notes: dict[str, str] = {}
    if kind == "instagram":  # show what fitting did: the approver sees the padded/cropped result
        for info in v.extra.get("images", []) or []:
            orig, fitted = info.get("original"), info.get("fitted")
            if info.get("changed") and orig and fitted:
                notes[str(info.get("path"))] = (f"disesuaikan untuk Instagram dari {orig[0]}×{orig[1]} "
                                                f"({Path(str(info.get('source'))).name})")
    card["media"] = [media_thumb(m, notes.get(str(m.path), "")) for m in v.media]
    if v.parts:
        weighted = [c for c in card["counts"] if c.label.startswith(COUNT_LABELS["weighted"])]
        card["parts"] = [{"text": p, "count": weighted[i] if i < len(weighted) else None}
                         for i, p in enumerate(v.parts)]
    if kind == "website":
        card["body"] = website_body(v.text, v.extra.get("inline_files") or {})
    if v.link:
        card["domain"] = urlsplit(v.link).hostname or ""
    card["extra"] = {k: v.extra[k] for k in ("privacy", "tags", "category_id", "post_type", "backend")
                     if k in v.extra and v.extra[k] not in (None, "", [], ())}
    return card


def _problem(p: Problem) -> dict[str, Any]:
    return {"severity": p.severity, "label": "Galat" if p.severity == "error" else "Peringatan",
            "field": FIELD_LABELS.get(p.field, p.field), "message": p.message,
            "detail": f"{p.actual} / {p.limit}" if p.limit is not None and p.actual is not None else ""}


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(Path(__file__).resolve().parent)),
                      autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["tanggal"] = tanggal
    return env


def render_preview_html(release: Release, adapted: list[Adapted], now: datetime,
                        skipped: Sequence[Any] = ()) -> str:
    """The page as a string (see write_preview_html)."""
    cards = [_card(a) for a in adapted]
    return _env().get_template(TEMPLATE).render(
        release=release,
        section=SECTIONS.get(release.section, release.section),
        content_hash=(release.content_hash or "")[:12],
        generated=now,
        cards=cards,
        ready=sum(c["ok"] for c in cards),
        skipped=[{"name": x.channel, "reason": x.reason} for x in skipped],
        source=release.source.name if release.source else "",
    )


def write_preview_html(release: Release, adapted: list[Adapted], out: Path, now: datetime,
                       skipped: Sequence[Any] = ()) -> Path:
    """Write the approval preview to ``out`` (parent folders created) and return its path.

    ``now`` is passed in (timezone-aware, preferably the office's zone) so the page is
    reproducible in tests and shows the time the approver expects. ``skipped`` (routing.Skipped)
    are the channels this release does not go to, listed so the approver sees why.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(render_preview_html(release, adapted, now, skipped), encoding="utf-8")
    tmp.replace(out)
    return out
