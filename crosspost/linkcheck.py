"""Check the generated static site: every internal link, image and feed entry must resolve to
a file in the site folder, and (optionally) external links must answer.

Internal means relative (``../../x/index.html``) or absolute under ``base_url`` (canonical,
Open Graph, feed and sitemap URLs): both are mapped onto the site folder, because a link
that works only once the site is online is the kind of breakage nobody notices until then.
Stdlib only (html.parser, ElementTree, urllib) so doctor works without extra packages.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from .i18n import _

# (tag, attribute) pairs that point at something the page needs or offers.
LINK_ATTRS = {
    ("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src"),
    ("video", "src"), ("video", "poster"), ("audio", "src"), ("iframe", "src"), ("track", "src"),
}
SRCSET_TAGS = ("img", "source")
META_URLS = ("og:image", "og:url", "twitter:image")
SKIP_SCHEMES = ("mailto", "tel", "javascript", "data", "sms")
USER_AGENT = "crosspost-doctor (link check)"


@dataclass(frozen=True)
class Broken:
    page: str  # the page (or feed) holding the link, relative to the site folder
    link: str  # the link as written
    kind: str  # "link", "image", "feed entry", ...


@dataclass
class SiteScan:
    pages: int = 0
    links: int = 0
    broken: list[Broken] = field(default_factory=list)
    external: dict[str, str] = field(default_factory=dict)  # url -> first page linking to it


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (kind, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        for key, value in values.items():
            if (tag, key) in LINK_ATTRS:
                if tag == "link" and values.get("rel", "") in ("preconnect", "dns-prefetch"):
                    continue  # a hint to open a connection, not a document
                self.found.append((_kind(tag, key), value))
        if tag in SRCSET_TAGS and values.get("srcset"):
            for candidate in values["srcset"].split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    self.found.append(("image", url))
        if tag == "meta":
            prop = values.get("property") or values.get("name") or ""
            if prop in META_URLS and values.get("content"):
                self.found.append(("image" if prop.endswith("image") else "link", values["content"]))


def _kind(tag: str, attr: str) -> str:
    if tag == "img" or attr == "poster":
        return "image"
    if tag in ("video", "audio", "source", "track"):
        return "media"
    if tag in ("script", "link"):
        return "resource"
    return "link"


class SiteMap:
    """Maps URLs onto files of the site folder."""

    def __init__(self, site_dir: Path, base_url: str) -> None:
        self.dir = Path(site_dir).resolve()
        base = urlsplit(base_url.rstrip("/") + "/")
        self.host = (base.hostname or "").lower()
        self.base_path = base.path  # ends in "/"
        self.base_url = f"{base.scheme}://{base.netloc}{base.path}"

    def page_url(self, file: Path) -> str:
        return self.base_url + "/".join(file.resolve().relative_to(self.dir).parts)

    def internal(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme in ("http", "https") and (parts.hostname or "").lower() == self.host
                and parts.path.startswith(self.base_path.rstrip("/")))

    def file_for(self, url: str) -> Path | None:
        """The file an internal URL is served from, or None when there is none."""
        path = unquote(urlsplit(url).path)[len(self.base_path):].lstrip("/")
        target = (self.dir / path).resolve()
        if target != self.dir and self.dir not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None


def scan_site(site_dir: Path, base_url: str) -> SiteScan:
    """Every HTML page, feed.xml and sitemap.xml of the site, with each internal link checked."""
    site = SiteMap(site_dir, base_url)
    scan = SiteScan()
    for page in sorted(site.dir.rglob("*.html")):
        if any(part.startswith(".") for part in page.relative_to(site.dir).parts):
            continue
        scan.pages += 1
        parser = _Links()
        try:
            parser.feed(page.read_text("utf-8", errors="replace"))
        except OSError:
            continue
        _check(site, scan, page, parser.found)
    for name, kind in (("feed.xml", "feed entry"), ("sitemap.xml", "sitemap entry")):
        file = site.dir / name
        if file.is_file():
            _check(site, scan, file, [(kind, url) for url in _xml_links(file)])
    return scan


def _check(site: SiteMap, scan: SiteScan, page: Path, found: Iterable[tuple[str, str]]) -> None:
    page_url = site.page_url(page)
    label = "/".join(page.relative_to(site.dir).parts)
    for kind, raw in found:
        raw = raw.strip()
        if not raw or raw.startswith("#") or urlsplit(raw).scheme in SKIP_SCHEMES:
            continue
        url = urldefrag(urljoin(page_url, raw))[0]
        scan.links += 1
        if site.internal(url):
            if site.file_for(url) is None:
                scan.broken.append(Broken(label, raw, kind))
        elif urlsplit(url).scheme in ("http", "https"):
            scan.external.setdefault(url, label)


def _xml_links(file: Path) -> list[str]:
    """Link hrefs (Atom) and <loc> texts (sitemap), whatever the namespace."""
    try:
        root = ET.parse(file).getroot()
    except (ET.ParseError, OSError):
        return []
    out: list[str] = []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "link" and el.get("href"):
            out.append(el.get("href", ""))
        elif tag == "loc" and el.text:
            out.append(el.text.strip())
    return out


# -- external links ------------------------------------------------------------------------
Fetch = Callable[[str, str, float], int]


def fetch_status(url: str, method: str, timeout: float) -> int:
    """The HTTP status of one request (redirects followed); raises OSError when unreachable."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def check_url(url: str, timeout: float, fetch: Fetch = fetch_status) -> tuple[bool, str]:
    """HEAD first (cheap); GET when HEAD fails or is refused, since many servers mishandle HEAD."""
    detail = ""
    for method in ("HEAD", "GET"):
        try:
            status = fetch(url, method, timeout)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            detail = _(
                'no answer ({value})').format(
                value=type(reason).__name__ if not isinstance(reason, str) else reason)
            continue
        if status < 400:
            return True, f"HTTP {status}"
        detail = f"HTTP {status}"
    return False, detail


def check_external(urls: Iterable[str], timeout: float = 10.0, workers: int = 8, limit: int = 200,
                   fetch: Fetch = fetch_status) -> tuple[list[tuple[str, bool, str]], int]:
    """Check up to ``limit`` URLs, ``workers`` at a time. Returns (results, how many were skipped)."""
    unique = sorted(set(urls))
    chosen = [u for u in unique if urlsplit(u).scheme in ("http", "https")][: max(0, limit)]
    skipped = len(unique) - len(chosen)
    if not chosen:
        return [], skipped
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(chosen)))) as pool:
        results = list(pool.map(lambda u: (u, *check_url(u, timeout, fetch)), chosen))
    return results, skipped
