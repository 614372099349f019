"""Corrections (ralat) on the static site: a dated note on top of the article, the page as it
was before kept beside it (``versi-N.html``), and the manifest entry remembering both.

StaticSite.apply_correction (in builder.py) writes it; this module holds the pieces.
A government page is a public record: a correction never silently rewrites it. The article
keeps its body, gains an escaped note "Ralat, <tanggal>: ..." with a link to the previous
version, and its ``updated`` time moves so the feed and the sitemap announce the change.
Applying the same ralat twice (a retried delivery) replaces it instead of adding a second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

HISTORY = re.compile(r"versi-\d+\.html")
_HEAD = re.compile(r"<head[^>]*>", re.I)
_BODY = re.compile(r"<body[^>]*>", re.I)


@dataclass(frozen=True)
class Correction:
    number: int  # 1 for the first ralat of the article
    label: str  # the date as shown: "Senin, 30 November 2026"
    note_html: str  # sanitised HTML of the correction text


class ArticleMissing(LookupError):
    """The article to correct is not (or no longer) in the site's manifest."""


def corrections_html(corrections: list[dict[str, Any]]) -> str:
    """The notes shown on top of the article body, newest first. Everything but the already
    sanitised note is escaped here."""
    blocks = []
    for c in sorted(corrections, key=lambda c: c.get("number", 0), reverse=True):
        previous = c.get("previous") or ""
        link = (f'<p class="ralat-versi"><a href="{escape(previous, quote=True)}">Lihat versi '
                f"sebelumnya</a></p>") if previous else ""
        blocks.append(
            f'<aside class="ralat" id="ralat-{int(c.get("number", 0))}" role="note">'
            f'<p><strong>Ralat, {escape(str(c.get("label", "")))}:</strong></p>'
            f'{c.get("note_html", "")}{link}</aside>\n')
    return "".join(blocks)


def history_page(html: str, label: str) -> str:
    """The previous page, marked as such and kept out of search engines (its canonical link
    already points at the current article)."""
    html = _HEAD.sub(lambda m: m.group(0) + '\n<meta name="robots" content="noindex">', html, count=1)
    banner = (f'\n<p class="ralat-arsip" role="note"><strong>Versi sebelumnya.</strong> Halaman ini '
              f'telah diralat pada {escape(label)}: <a href="index.html">baca versi terbaru</a>.</p>')
    return _BODY.sub(lambda m: m.group(0) + banner, html, count=1)
