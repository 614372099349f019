"""Markdown -> safe article HTML.

The release body is written by people and may carry pasted HTML, so the HTML that
markdown-it produces goes through nh3 (ammonia) with an explicit allow-list: whatever
is not listed here is dropped, which is safer than trying to list what is dangerous.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import escape, unescape
from typing import Any
from urllib.parse import urlsplit

import nh3

from ..markdown_once import website_html

TAGS: frozenset[str] = frozenset({
    "p", "a", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "img", "figure", "figcaption", "br", "hr", "code", "pre", "sub", "sup",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
})
ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),  # no generic attributes: no style, no class, no on*, no id
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Removed together with their content (the others are unwrapped, their text kept).
DROP_WITH_CONTENT: frozenset[str] = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "textarea", "select", "frame", "frameset", "applet",
})
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})
EXTERNAL_REL = "noopener noreferrer"

_A_ELEMENT = re.compile(r'<a((?:\s+[a-z-]+="[^"]*")*)\s*>(.*?)</a>', re.S)
_IMG_TAG = re.compile(r'<img((?:\s+[a-z-]+="[^"]*")*)\s*/?>')
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def markdown_to_html(md: str) -> str:
    """Render Markdown (raw HTML allowed) to unsanitised HTML; always pass it to sanitize().
    The parse is shared with the plain text of the same body (crosspost/markdown_once.py)."""
    return website_html(md)


def _demote_headings(html: str) -> str:
    """The page's <h1> is the title: body headings start at h2 and stop at h4."""
    def sub(m: re.Match[str]) -> str:
        level = min(4, max(2, int(m.group(2)) + (1 if m.group(2) == "1" else 0)))
        return f"<{m.group(1)}h{level}"
    return _HEADING.sub(sub, html)


def attrs_of(tag_attrs: str) -> dict[str, str]:
    """Attributes of a tag as nh3 serialises it (double-quoted, '"' and '>' escaped)."""
    return {k: unescape(v) for k, v in _ATTR.findall(tag_attrs)}


def _is_external(href: str, site_host: str | None) -> bool:
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") and not href.startswith("//"):
        return False
    return not site_host or (parts.hostname or "").lower() != site_host.lower()


def _options() -> dict:
    return {"tags": set(TAGS), "clean_content_tags": set(DROP_WITH_CONTENT),
            "attributes": {k: set(v) for k, v in ATTRIBUTES.items()}, "url_schemes": set(URL_SCHEMES),
            "link_rel": None, "strip_comments": True}


@lru_cache(maxsize=1)
def _cleaner() -> Any:
    """nh3.Cleaner ("a reusable sanitizer according to the given options", nh3 >= 0.2.18's
    docstring): the same ammonia Builder as nh3.clean with these options, built once instead of on
    every call (~33 -> ~12 us an article, bench/adapt_bench.py). None on an older nh3."""
    factory = getattr(nh3, "Cleaner", None)
    return factory(**_options()) if factory is not None else None


def _clean(html: str) -> str:
    cleaner = _cleaner()
    return cleaner.clean(html) if cleaner is not None else nh3.clean(html, **_options())


def sanitize_html(html: str, site_host: str | None = None) -> str:
    """Allow-list clean; external links get rel="noopener noreferrer"; <img> without src go."""
    clean = _clean(_demote_headings(html))

    def link(m: re.Match[str]) -> str:
        attrs = attrs_of(m.group(1))
        if not attrs.get("href"):
            return m.group(2)  # its unsafe target was removed: keep the text, not a dead link
        if _is_external(attrs["href"], site_host):
            return f'<a{m.group(1)} rel="{EXTERNAL_REL}">{m.group(2)}</a>'
        return m.group(0)

    def image(m: re.Match[str]) -> str:
        return m.group(0) if attrs_of(m.group(1)).get("src") else ""

    return _IMG_TAG.sub(image, _A_ELEMENT.sub(link, clean)).strip()


def render_body(md: str, site_host: str | None = None) -> str:
    """Markdown body -> sanitised HTML fragment, ready to put into a page unescaped."""
    return sanitize_html(markdown_to_html(md), site_host)


def images_in(html: str) -> list[dict[str, str]]:
    """The attributes of every <img> in sanitised HTML, in order."""
    return [attrs_of(m.group(1)) for m in _IMG_TAG.finditer(html)]


def replace_images(html: str, fn: Callable[[dict[str, str]], dict[str, str] | None]) -> str:
    """Rewrite each <img> of sanitised HTML: ``fn(attrs)`` returns new attrs, or None to drop it."""
    def sub(m: re.Match[str]) -> str:
        new = fn(attrs_of(m.group(1)))
        if new is None:
            return ""
        return "<img" + "".join(f' {k}="{escape(v, quote=True)}"' for k, v in new.items()) + ">"

    return _IMG_TAG.sub(sub, html)
