"""The ministry website, generated as a static site (the default channel: needs no account).

``templates/website.j2`` renders the article body as Markdown (by default just the
release body); this channel turns it into HTML, sanitises it with an allow-list and
lays out the page (title, date, number, images, contact) with ``templates/site/*.j2``.
The public URLs of the copied images go into the receipt, because Instagram's Graph
API needs images it can fetch from the web.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from .. import stat_once
from ..errors import Permanent, RetryLater
from ..i18n import N_, _
from ..models import SECTIONS, Media, Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext

BACKENDS = ("static",)  # "wordpress" is planned
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,150}", re.I)


@dataclass(frozen=True)
class Settings(CommonSettings):
    backend: str = "static"  # how the site is published: "static" (files in site_dir)
    site_dir: str = "site"  # output folder, relative to channels.toml
    base_url: str = "https://www.example.go.id"  # public address the site folder is served from
    site_name: str = "Kementerian Sosial Republik Indonesia"  # shown in the header, feed and titles
    site_tagline: str = "Siaran pers dan berita resmi"  # under the site name; the pages' description
    feed_items: int = 20  # newest articles in feed.xml
    home_items: int = 13  # newest articles on the home page
    # Folder with your own layout.j2/home.j2/section.j2/article.j2; any file missing there comes
    # from the built-in theme. Default: templates/site beside channels.toml, if it exists.
    theme_dir: str = ""
    # The web server's access log (combined format; a glob takes rotated and .gz files too):
    # `crosspost metrics fetch` counts article page views from it. Empty: views not counted.
    access_log: str = ""


@dataclass(frozen=True)
class Limits:
    max_title: int = 200  # characters; longer titles break the layout and search results
    require_alt: bool = True  # warn for every image without alt text (screen readers, SEO)
    max_image_mb: int = 10  # warn above this: heavy pages on mobile data


def safe_file_name(name: str, taken: set[str]) -> str:
    """A URL- and filesystem-safe, unique file name for a copied media file."""
    stem, ext = _safe_parts(name)
    candidate, n = f"{stem}{ext}", 2
    while candidate in taken or candidate == "index.html":
        candidate, n = f"{stem}-{n}{ext}", n + 1
    taken.add(candidate)
    return candidate


@lru_cache(maxsize=1024)  # asked for every image of every release adapted (the same photos recur)
def _safe_parts(name: str) -> tuple[str, str]:
    """A file name's safe stem and extension."""
    path = Path(name)
    stem = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._") or "berkas"
    return stem, re.sub(r"[^a-z0-9.]", "", path.suffix.lower())


def media_names(media: tuple[Media, ...] | list[Media]) -> list[str]:
    """File names of the release's images and video inside the article folder, in order."""
    taken: set[str] = set()
    return [safe_file_name(m.path.name, taken) for m in media]


def excerpt(markdown: str, limit: int = 200) -> str:
    """The first paragraph, cut at a word: the summary of a release that has none."""
    from ..templating import truncate_words
    from ..text import plain_paragraphs

    paragraphs = plain_paragraphs(markdown)
    return truncate_words(paragraphs[0], limit) if paragraphs else ""


def _image_size(m: Media) -> tuple[int | None, int | None]:
    if m.width and m.height:
        return m.width, m.height
    try:
        from ..header_cache import probe_once  # the header, not Pillow; once per file version

        header = probe_once(m.path)
        return header.width, header.height
    except Exception:  # noqa: BLE001 - unknown size only costs a layout shift
        return None, None


class WebsiteChannel(Channel):
    platform: ClassVar[str] = "website"
    Settings: ClassVar[type] = Settings
    Limits: ClassVar[type] = Limits
    secret_keys: ClassVar[tuple[str, ...]] = ()
    editable: ClassVar[bool] = True  # a correction goes on top of the article, on the same page
    article: ClassVar[bool] = True
    can_lookup: ClassVar[bool] = True
    has_metrics: ClassVar[bool] = True
    engagement_access: ClassVar[str] = N_("read access to the web server's access log (access_log)")

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        """Article page views from the access log (crosspost.channels.website_engagement)."""
        from . import website_engagement

        return website_engagement.metrics(self, receipts)

    # -- helpers ------------------------------------------------------------------------------
    @property
    def site_dir(self) -> Path:
        return self.resolve(self.settings.site_dir)

    def site(self):
        from ..site import StaticSite

        theme = self.resolve(self.settings.theme_dir or "templates/site")
        return StaticSite(self.site_dir, self.settings.base_url, self.settings.site_name,
                          self.settings.site_tagline, self.settings.feed_items, self.settings.home_items,
                          theme)

    def _base_url(self) -> str:
        return self.settings.base_url.rstrip("/")

    # -- adapt --------------------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        from ..site.sanitize import render_body

        s, lim = self.settings, self.limits
        problems: list[Problem] = []
        if s.backend not in BACKENDS:
            problems.append(self.problem(
                "backend", _(
                    'backend {backend!r} is not supported yet; set backend = "static" in [channels.{name}] '
                    'of channels.toml').format(backend=s.backend, name=self.name)))
        base = urlsplit(s.base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            problems.append(self.problem(
                "base_url", _(
                    "base_url {base_url!r} must be the site's address, e.g. https://www.kemensos.go.id, in "
                    'channels.toml').format(base_url=s.base_url)))
        if release.section not in SECTIONS:
            problems.append(self.problem(
                "section", _(
                    'unknown section {section!r}; use one of: {SECTIONS}').format(
                    section=release.section, SECTIONS=', '.join(SECTIONS))))
        if not _SLUG.fullmatch(release.slug) or ".." in release.slug:
            problems.append(self.problem(
                "slug", _(
                    "slug {slug!r} cannot be a web address: use lowercase letters, digits and '-' "
                    'only').format(
                    slug=release.slug)))
        title = release.title.strip()
        if not title:
            problems.append(self.problem("title", _('the release has no title')))
        elif len(title) > lim.max_title:
            problems.append(self.problem("title", _('title too long for the website; shorten it'),
                                         lim.max_title, len(title)))

        media: list[Media] = list(release.images) + ([release.video] if release.video else [])
        names = media_names(media)
        for i, m in enumerate(media, 1):
            label = f"images[{i}]" if m.kind == "image" else "video"
            if not stat_once.is_file(m.path):
                problems.append(self.problem(label, _('file not found: {path}').format(path=m.path)))
                continue
            if m.kind == "image" and lim.require_alt and not m.alt.strip():
                problems.append(self.problem(label, _(
                    'image {name} has no alt text; add `alt:` for readers using a screen reader').format(
                    name=m.path.name), severity="warning"))
            size_mb = stat_once.stat(m.path).st_size / 1_000_000
            if m.kind == "image" and size_mb > lim.max_image_mb:
                problems.append(self.problem(label, _(
                    'image {name} is {size_mb:.1f} MB; the page will load slowly on mobile data').format(
                    name=m.path.name, size_mb=size_mb), lim.max_image_mb,
                                             round(size_mb), severity="warning"))

        html, inline = self._inline_images(render_body(text, base.hostname), release, set(names), problems)
        section, slug = release.section, release.slug
        url = f"{self._base_url()}/{section}/{slug}/"
        variant = Variant(
            channel=self.name, kind=self.platform, text=html, title=title, media=tuple(media), link=url,
            extra={"path": f"{section}/{slug}/index.html", "section": section, "slug": slug,
                   "files": names, "inline_files": inline, "backend": s.backend},
            counts={"title": {"actual": len(title), "limit": lim.max_title, "unit": "chars"},
                    "images": len(release.images)})
        return variant, problems

    def _inline_images(self, html: str, release: Release, taken: set[str],
                       problems: list[Problem]) -> tuple[str, dict[str, str]]:
        """Images written into the body: local files next to the release are copied with the
        article; web images stay; anything else is dropped with a warning."""
        if "<img" not in html:  # replace_images' pattern starts so: nothing to rewrite, no resolve()
            return html, {}
        from ..site.sanitize import replace_images  # imported only when there is an image to rewrite

        folder = release.source.parent.resolve() if release.source else None
        inline: dict[str, str] = {}

        def fix(attrs: dict[str, str]) -> dict[str, str] | None:
            src = attrs.get("src", "")
            if self.limits.require_alt and not attrs.get("alt", "").strip():
                no_alt = self.problem("body", _(
                    'image {src!r} in the text has no alt text').format(src=src[:60]),
                                      severity="warning")
            else:
                no_alt = None
            if urlsplit(src).scheme in ("http", "https"):
                problems.extend([no_alt] if no_alt else [])
                return attrs
            path = (folder / unquote(src)).resolve() if folder and not src.startswith("/") else None
            if path is None or folder not in path.parents or not path.is_file() \
                    or path.suffix.lower() not in IMAGE_EXTENSIONS:
                problems.append(self.problem("body", _(
                    'image {src!r} in the text was not found next to the release; it is left out').format(
                    src=src[:60]), severity="warning"))
                return None
            problems.extend([no_alt] if no_alt else [])
            name = next((n for n, p in inline.items() if p == str(path)), None) \
                or safe_file_name("isi-" + path.name, taken)
            inline[name] = str(path)
            return {**attrs, "src": name}

        return replace_images(html, fix), inline

    # -- deliver ------------------------------------------------------------------------------
    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        from ..site import ArticlePage, PageImage

        if self.settings.backend not in BACKENDS:
            raise Permanent(_(
                'website backend {backend!r} is not supported yet; set backend = "static" in '
                '[channels.{name}]').format(backend=self.settings.backend, name=self.name))
        release = ctx.release
        now = ctx.now() if ctx.now else time.time()
        if release.embargo is not None and release.embargo.timestamp() > now:
            from ..templating import tanggal  # here, not at the top: templating imports Jinja

            raise RetryLater(_(
                'embargoed until {tanggal}; the article goes online then').format(
                tanggal=tanggal(release.embargo, with_time=True)),
                retry_after=release.embargo.timestamp() - now)
        section = variant.extra.get("section", release.section)
        slug = variant.extra.get("slug", release.slug)
        media = list(variant.media)
        names = media_names(media)
        images = [PageImage(n, m.alt, *_image_size(m)) for m, n in zip(media, names, strict=True)
                  if m.kind == "image"]
        video = next((n for m, n in zip(media, names, strict=True) if m.kind == "video"), "")
        files = [(n, m.path) for m, n in zip(media, names, strict=True)]
        files += [(n, Path(p)) for n, p in (variant.extra.get("inline_files") or {}).items()]
        page = ArticlePage(
            section=section, slug=slug, title=variant.title or release.title, date=release.date,
            body_html=variant.text, summary=release.summary,
            description=excerpt(release.body),
            number=release.number or "", contact=release.contact or "", tags=release.tags,
            images=tuple(images), video=video,
            video_url=self._video_url(ctx), files=tuple(files))
        site = self.site()
        try:
            site.publish(page, datetime.fromtimestamp(now, UTC))
        except (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise Permanent(_(
                'cannot write the website: {value}: {filename}; check site_dir in [channels.{name}] and '
                'the media files').format(
                value=exc.strerror or exc, filename=exc.filename, name=self.name)) from None
        except OSError as exc:  # disk full and the like: writing again is harmless
            raise RetryLater(_(
                'cannot write the website into {site_dir}: {value}').format(
                site_dir=self.site_dir, value=exc.strerror or exc)) from None
        return self._receipt(site, section, slug, [i.name for i in images])

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        site = self.site()
        entry = site.find(variant.extra.get("slug", ctx.release.slug))
        return None if entry is None else self._receipt(site, entry.section, entry.slug, entry.images)

    @staticmethod
    def _receipt(site: Any, section: str, slug: str, images: list[str]) -> Receipt:
        # public_dir/public_url: the article's folder and its URL, so a channel that needs a public
        # copy of a derived file (Instagram's fitted images) can put it beside the article.
        return Receipt(remote_id=f"{section}/{slug}", url=site.url(section, slug),
                       extra={"image_urls": [site.url(section, slug, n) for n in images],
                              "public_dir": str((Path(site.dir) / section / slug).resolve()),
                              "public_url": site.url(section, slug)})

    @staticmethod
    def _video_url(ctx: PublishContext) -> str:
        """Link the YouTube upload when that channel went out before this one."""
        for receipt in ctx.sibling_receipts.values():
            if receipt.url and re.match(r"https://(www\.)?(youtube\.com|youtu\.be)/", receipt.url):
                return receipt.url
        return ""

    # -- corrections (ralat) ------------------------------------------------------------------
    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Put a dated ralat on top of the published article; the page as it was before is kept
        as versi-N.html beside it. The variant is the original website variant plus the ralat
        (see crosspost.correct); its media are already in the article folder."""
        from dataclasses import replace

        from ..site import ArticlePage, PageImage
        from ..site.corrections import ArticleMissing, Correction
        from ..site.sanitize import render_body

        extra = variant.extra
        info = extra.get("page") or {}
        section, slug, number = str(extra["section"]), str(extra["slug"]), int(extra["number"])
        site = self.site()
        folder = site.dir / section / slug
        media = list(variant.media)
        names = media_names(media)
        update = bool(extra.get("update"))  # publish --update: the release's media as they are now

        def source(m: Media, name: str) -> Path:
            return m.path if update and m.path.is_file() else folder / name

        images = tuple(PageImage(n, m.alt, *_image_size(replace(m, path=source(m, n))))
                       for m, n in zip(media, names, strict=True) if m.kind == "image")
        files = [(n, m.path) for m, n in zip(media, names, strict=True) if update and m.path.is_file()]
        files += [(n, Path(p)) for n, p in (extra.get("inline_files") or {}).items()
                  if update and Path(p).is_file()]
        page = ArticlePage(
            section=section, slug=slug, title=variant.title or ctx.release.title,
            date=datetime.fromisoformat(info["date"]), body_html=variant.text,
            summary=info.get("summary", ""), description=info.get("description", ""),
            number=info.get("number", ""), contact=info.get("contact", ""),
            tags=tuple(info.get("tags") or ()), images=images,
            video=next((n for m, n in zip(media, names, strict=True) if m.kind == "video"), ""),
            video_url=info.get("video_url", ""), files=tuple(files))
        note = Correction(number, str(extra.get("label", "")),
                          render_body(str(extra.get("note", "")), urlsplit(self.settings.base_url).hostname))
        now = ctx.now() if ctx.now else time.time()
        try:
            site.apply_correction(page, note, datetime.fromtimestamp(now, UTC), update=update)
        except ArticleMissing:
            raise Permanent(_(
                'the article {section}/{slug} is no longer on the website in {site_dir}: publish the '
                'original release again, then `crosspost retry` this correction').format(
                section=section, slug=slug, site_dir=self.site_dir)) from None
        except (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise Permanent(_(
                'cannot write the website: {value}: {filename}; check site_dir in [channels.{name}]').format(
                value=exc.strerror or exc, filename=exc.filename, name=self.name)) from None
        except OSError as exc:  # disk full and the like: writing the ralat again is harmless
            raise RetryLater(_(
                'cannot write the website into {site_dir}: {value}').format(
                site_dir=self.site_dir, value=exc.strerror or exc)) from None
        return self._correction_receipt(site, section, slug, number)

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """The ralat is on the page when the manifest lists its number (writing it again is harmless)."""
        extra = variant.extra
        site = self.site()
        entry = site.find(str(extra["slug"]))
        number = int(extra["number"])
        if entry is None or not any(c.get("number") == number for c in entry.corrections):
            return None
        return self._correction_receipt(site, entry.section, entry.slug, number)

    @staticmethod
    def _correction_receipt(site: Any, section: str, slug: str, number: int) -> Receipt:
        return Receipt(remote_id=f"{section}/{slug}#ralat-{number}",
                       url=f"{site.url(section, slug)}#ralat-{number}",
                       extra={"previous": site.url(section, slug, f"versi-{number}.html")})
