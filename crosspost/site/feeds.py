"""Atom feed and sitemap.xml, built with ElementTree so every value is escaped correctly."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from .manifest import Article

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def aware(value: str | datetime) -> datetime:
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def rfc3339(value: str | datetime) -> str:
    return aware(value).isoformat(timespec="seconds")


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def atom_feed(articles: Sequence[Article], *, base_url: str, title: str, subtitle: str,
              article_url: Callable[[Article], str], now: datetime, language: str = "id") -> str:
    """An Atom 1.0 feed of ``articles`` (newest first); ``article_url(article)`` gives links."""
    ET.register_namespace("", ATOM_NS)
    q = f"{{{ATOM_NS}}}"
    feed = ET.Element(q + "feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    ET.SubElement(feed, q + "id").text = base_url + "/"
    ET.SubElement(feed, q + "title").text = title
    if subtitle:
        ET.SubElement(feed, q + "subtitle").text = subtitle
    updated = max((aware(a.updated or a.date) for a in articles), default=aware(now))
    ET.SubElement(feed, q + "updated").text = rfc3339(updated)
    ET.SubElement(feed, q + "link", rel="self", type="application/atom+xml", href=f"{base_url}/feed.xml")
    ET.SubElement(feed, q + "link", rel="alternate", type="text/html", href=base_url + "/")
    author = ET.SubElement(feed, q + "author")
    ET.SubElement(author, q + "name").text = title
    for a in articles:
        url = article_url(a)
        entry = ET.SubElement(feed, q + "entry")
        ET.SubElement(entry, q + "id").text = url
        ET.SubElement(entry, q + "title").text = a.title
        ET.SubElement(entry, q + "link", rel="alternate", type="text/html", href=url)
        ET.SubElement(entry, q + "published").text = rfc3339(a.date)
        ET.SubElement(entry, q + "updated").text = rfc3339(a.updated or a.date)
        ET.SubElement(entry, q + "category", term=a.section)
        if a.summary:
            ET.SubElement(entry, q + "summary").text = a.summary
    return _xml(feed)


def sitemap(urls: Sequence[tuple[str, str | None]]) -> str:
    """sitemap.xml for (absolute URL, last modification or None) pairs."""
    ET.register_namespace("", SITEMAP_NS)
    q = f"{{{SITEMAP_NS}}}"
    root = ET.Element(q + "urlset")
    for loc, lastmod in urls:
        url = ET.SubElement(root, q + "url")
        ET.SubElement(url, q + "loc").text = loc
        if lastmod:
            ET.SubElement(url, q + "lastmod").text = rfc3339(lastmod)
    return _xml(root)
