"""Corrections (ralat) on the static site: a dated note on top of the article, the page as it
was before kept beside it (``versi-N.html``), and the manifest entry remembering both.

A government page is a public record: a correction never silently rewrites it. The article
keeps its body, gains an escaped note "Ralat, <tanggal>: ..." with a link to the previous
version, and its ``updated`` time moves so the feed and the sitemap announce the change.
Applying the same ralat twice (a retried delivery) replaces it instead of adding a second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from .files import atomic_write_text, site_lock

if TYPE_CHECKING:
    from .builder import ArticlePage, StaticSite
    from .manifest import Article

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


def _history_page(html: str, label: str) -> str:
    """The previous page, marked as such and kept out of search engines (its canonical link
    already points at the current article)."""
    html = _HEAD.sub(lambda m: m.group(0) + '\n<meta name="robots" content="noindex">', html, count=1)
    banner = (f'\n<p class="ralat-arsip" role="note"><strong>Versi sebelumnya.</strong> Halaman ini '
              f'telah diralat pada {escape(label)}: <a href="index.html">baca versi terbaru</a>.</p>')
    return _BODY.sub(lambda m: m.group(0) + banner, html, count=1)


def apply_correction(site: StaticSite, page: ArticlePage, correction: Correction, now: datetime) -> Article:
    """Add (or, for the same number, replace) a ralat on the article and regenerate what lists it.

    ``page`` is the article as it was published (its media are already in the folder: nothing
    is copied or pruned). Raises ArticleMissing when the site no longer has the article.
    """
    from . import manifest

    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    with site_lock(site.dir):
        articles = manifest.load(site.dir)
        old = manifest.find(articles, page.slug)
        if old is None or old.section != page.section:
            raise ArticleMissing(f"{page.section}/{page.slug}")
        folder = site.dir / old.section / old.slug
        previous = f"versi-{correction.number}.html"
        others = [c for c in old.corrections if c.get("number") != correction.number]
        current = folder / "index.html"
        if not (folder / previous).is_file() and current.is_file():  # the first attempt keeps it
            atomic_write_text(folder / previous, _history_page(current.read_text("utf-8"), correction.label))
        entry = replace(old, updated=stamp, corrections=others + [{
            "number": correction.number, "at": stamp, "label": correction.label,
            "note_html": correction.note_html,
            "previous": previous if (folder / previous).is_file() else ""}])
        atomic_write_text(current, site._render_article(page, entry, now))
        articles = [a for a in articles if a.slug != old.slug] + [entry]
        manifest.save(site.dir, articles)
        site._regenerate(sorted(articles, key=manifest.sort_key, reverse=True), now)
    return entry
