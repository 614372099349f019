"""The static site: one folder per article, an index per section, a home page, feed, sitemap.

Layout under ``site_dir``::

    index.html  feed.xml  sitemap.xml  _articles.json  .lock
    <section>/index.html
    <section>/<slug>/index.html  (+ the article's images and video)

Internal links are relative and end in ``index.html`` so the folder can be opened
straight from disk; absolute URLs (canonical, Open Graph, feed, sitemap) use base_url.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..models import SECTIONS
from ..templating import builtin_templates_dir, tanggal
from . import manifest
from .corrections import HISTORY, ArticleMissing, Correction, corrections_html, history_page
from .feeds import atom_feed, aware, sitemap
from .files import atomic_copy, atomic_write_text, site_lock
from .manifest import Article

PAGE = "index.html"


@dataclass(frozen=True)
class PageImage:
    name: str  # file name inside the article folder
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class ArticlePage:
    """Everything an article page shows; ``body_html`` must already be sanitised."""

    section: str
    slug: str
    title: str
    date: datetime
    body_html: str
    summary: str = ""  # the release's own summary, shown as the lead paragraph
    description: str = ""  # for cards, feed and meta tags when there is no summary (an excerpt)
    number: str = ""
    contact: str = ""
    tags: tuple[str, ...] = ()
    images: tuple[PageImage, ...] = ()
    video: str = ""  # file name inside the article folder
    video_url: str = ""  # e.g. the YouTube watch URL when already published there
    files: tuple[tuple[str, Path], ...] = field(default=())  # (name in folder, source) to copy


@lru_cache(maxsize=8)
def _env(theme_dir: str) -> SandboxedEnvironment:
    dirs = [d for d in (theme_dir, str(builtin_templates_dir() / "site")) if d and Path(d).is_dir()]
    env = SandboxedEnvironment(loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
                               autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    env.filters["tanggal"] = tanggal
    env.filters["iso"] = lambda d: d.isoformat(timespec="seconds")
    return env


class StaticSite:
    """Writes and regenerates the site folder. Safe to use from several processes at once."""

    def __init__(self, site_dir: Path, base_url: str, site_name: str, tagline: str = "",
                 feed_items: int = 20, home_items: int = 12, theme_dir: Path | None = None,
                 language: str = "id") -> None:
        self.dir = Path(site_dir)
        self.base_url = base_url.rstrip("/")
        self.site_name = site_name
        self.tagline = tagline
        self.feed_items = feed_items
        self.home_items = home_items
        self.theme_dir = str(theme_dir or "")
        self.language = language

    # -- URLs ---------------------------------------------------------------------------------
    def url(self, section: str | None = None, slug: str | None = None, name: str = "") -> str:
        """Public absolute URL of the home page, a section index, an article or a file in it."""
        parts = [p for p in (section, slug) if p]
        path = "".join(quote(p) + "/" for p in parts) + quote(name)
        return f"{self.base_url}/{path}"

    # -- publishing ---------------------------------------------------------------------------
    def publish(self, page: ArticlePage, now: datetime) -> Article:
        """Write (or rewrite) one article and regenerate everything that lists it."""
        stamp = now.astimezone(UTC).isoformat(timespec="seconds")
        with site_lock(self.dir):
            articles = manifest.load(self.dir)
            old = manifest.find(articles, page.slug)
            if old is not None and old.section != page.section:
                self._remove_folder(old)
            folder = self.dir / page.section / page.slug
            for name, src in page.files:
                atomic_copy(src, folder / name)
            self._prune(folder, {name for name, _ in page.files})
            first = page.images[0] if page.images else None
            entry = Article(section=page.section, slug=page.slug, title=page.title,
                            date=page.date.isoformat(timespec="seconds"),
                            summary=page.summary or page.description,
                            number=page.number, image=first.name if first else "",
                            image_alt=first.alt if first else "", images=[i.name for i in page.images],
                            published=old.published if old else stamp, updated=stamp,
                            corrections=list(old.corrections) if old else [])  # a ralat stays
            atomic_write_text(folder / PAGE, self._render_article(page, entry, now))
            articles = [a for a in articles if a.slug != page.slug] + [entry]
            manifest.save(self.dir, articles)
            self._regenerate(sorted(articles, key=manifest.sort_key, reverse=True), now)
        return entry

    def apply_correction(self, page: ArticlePage, correction: Correction, now: datetime,
                         update: bool = False) -> Article:
        """Add (or, for the same number, replace) a ralat on the article and regenerate what lists it.

        ``page`` is the article as it was published (its media are already in the folder), or with
        ``update`` (`publish --update`) the article as it is now: its new files are copied and the
        lists show its new title, summary and pictures. Nothing is pruned: the kept versions still
        show theirs. Raises ArticleMissing when the site no longer has the article.
        """
        stamp = now.astimezone(UTC).isoformat(timespec="seconds")
        with site_lock(self.dir):
            articles = manifest.load(self.dir)
            old = manifest.find(articles, page.slug)
            if old is None or old.section != page.section:
                raise ArticleMissing(f"{page.section}/{page.slug}")
            folder = self.dir / old.section / old.slug
            previous = f"versi-{correction.number}.html"
            others = [c for c in old.corrections if c.get("number") != correction.number]
            current = folder / "index.html"
            if not (folder / previous).is_file() and current.is_file():  # the first attempt keeps it
                kept = history_page(current.read_text("utf-8"), correction.label)
                atomic_write_text(folder / previous, kept)
            for name, src in page.files if update else ():
                atomic_copy(src, folder / name)
            if update:
                first = page.images[0] if page.images else None
                old = replace(old, title=page.title, summary=page.summary or page.description,
                              image=first.name if first else "", image_alt=first.alt if first else "",
                              images=[i.name for i in page.images])
            entry = replace(old, updated=stamp, corrections=others + [{
                "number": correction.number, "at": stamp, "label": correction.label,
                "note_html": correction.note_html,
                "previous": previous if (folder / previous).is_file() else ""}])
            atomic_write_text(current, self._render_article(page, entry, now))
            articles = [a for a in articles if a.slug != old.slug] + [entry]
            manifest.save(self.dir, articles)
            self._regenerate(sorted(articles, key=manifest.sort_key, reverse=True), now)
        return entry

    def find(self, slug: str) -> Article | None:
        """The manifest entry for ``slug``; the manifest is replaced atomically, so no lock."""
        return manifest.find(manifest.load(self.dir), slug)

    def regenerate(self, now: datetime) -> None:
        """Rewrite indexes, home page, feed and sitemap from the manifest (e.g. after a theme change)."""
        with site_lock(self.dir):
            articles = sorted(manifest.load(self.dir), key=manifest.sort_key, reverse=True)
            self._regenerate(articles, now)

    # -- internals ----------------------------------------------------------------------------
    def _remove_folder(self, old: Article) -> None:
        folder = (self.dir / old.section / old.slug).resolve()
        if folder.is_dir() and self.dir.resolve() in folder.parents:
            shutil.rmtree(folder)

    @staticmethod
    def _prune(folder: Path, keep: set[str]) -> None:
        """Drop media of an earlier version of the article that the new one no longer has."""
        if not folder.is_dir():
            return
        for child in folder.iterdir():
            if child.is_file() and child.name != PAGE and child.name not in keep \
                    and not child.name.startswith(".") and not HISTORY.fullmatch(child.name):
                child.unlink()

    def _regenerate(self, articles: list[Article], now: datetime) -> None:
        home = articles[: self.home_items]
        atomic_write_text(self.dir / PAGE, self._render("home.j2", root="", current="", now=now,
                                                        page_title=self.site_name,
                                                        canonical=self.url(), articles=home))
        for key, label in SECTIONS.items():
            items = [a for a in articles if a.section == key]
            atomic_write_text(self.dir / key / PAGE, self._render(
                "section.j2", root="../", current=key, now=now, page_title=f"{label} — {self.site_name}",
                canonical=self.url(key), section_label=label, articles=items))
        atomic_write_text(self.dir / "feed.xml", atom_feed(
            articles[: self.feed_items], base_url=self.base_url, title=self.site_name,
            subtitle=self.tagline, article_url=lambda a: self.url(a.section, a.slug), now=now,
            language=self.language))
        def latest(items: list[Article]) -> str | None:
            return max((a.updated for a in items if a.updated), default=None, key=aware)

        urls: list[tuple[str, str | None]] = [(self.url(), latest(articles))]
        urls += [(self.url(key), latest([a for a in articles if a.section == key])) for key in SECTIONS]
        urls += [(self.url(a.section, a.slug), a.updated) for a in articles]
        atomic_write_text(self.dir / "sitemap.xml", sitemap(urls))

    def _card(self, a: Article, root: str) -> dict[str, Any]:
        href = f"{root}{quote(a.section)}/{quote(a.slug)}/"
        return {"title": a.title, "href": href + PAGE, "date": a.when, "summary": a.summary,
                "section": a.section, "section_label": SECTIONS.get(a.section, a.section),
                "section_href": f"{root}{quote(a.section)}/{PAGE}", "number": a.number,
                "image": href + quote(a.image) if a.image else "", "image_alt": a.image_alt}

    def _render(self, template: str, *, root: str, current: str, now: datetime, page_title: str,
                canonical: str, articles: list[Article] | None = None, **extra: Any) -> str:
        context = {
            "lang": self.language, "site_name": self.site_name, "tagline": self.tagline,
            "base_url": self.base_url, "root": root, "home_href": root + PAGE,
            "feed_href": root + "feed.xml", "current": current, "year": now.year,
            "page_title": page_title, "canonical": canonical, "description": self.tagline,
            "og_image": "", "og_type": "website",
            "sections": [{"key": k, "label": v, "href": f"{root}{k}/{PAGE}"} for k, v in SECTIONS.items()],
            "articles": [self._card(a, root) for a in (articles or [])],
        }
        context.update(extra)
        return _env(self.theme_dir).get_template(template).render(**context) + "\n"

    def _render_article(self, page: ArticlePage, entry: Article, now: datetime) -> str:
        label = SECTIONS.get(page.section, page.section)
        first = page.images[0].name if page.images else ""
        return self._render(
            "article.j2", root="../../", current=page.section, now=now,
            page_title=f"{page.title} — {self.site_name}", canonical=self.url(page.section, page.slug),
            description=page.summary or page.description or self.tagline, og_type="article",
            og_image=self.url(page.section, page.slug, first) if first else "",
            article={
                "title": page.title, "date": page.date, "summary": page.summary, "number": page.number,
                "contact": page.contact, "tags": list(page.tags), "section_label": label,
                "section_href": f"../../{quote(page.section)}/{PAGE}",
                "images": [{"src": quote(i.name), "alt": i.alt, "width": i.width, "height": i.height}
                           for i in page.images],
                "video": quote(page.video) if page.video else "", "video_url": page.video_url,
                # The body was sanitised by crosspost.site.sanitize; the ralat block escapes its own text.
                "body": Markup(corrections_html(entry.corrections) + page.body_html),  # noqa: S704
                "updated": (datetime.fromisoformat(entry.updated).astimezone(page.date.tzinfo)
                            if entry.published != entry.updated else None),
            })
