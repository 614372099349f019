"""Static website generation: sanitised article HTML, pages, section indexes, Atom feed, sitemap.

The names below are imported on first use (PEP 562): ``from .site import manifest`` (the log's
marker, every command) must not pull in Jinja, nh3 and markdown-it (tests/test_startup_imports.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .builder import ArticlePage, PageImage, StaticSite
    from .manifest import Article
    from .sanitize import render_body, sanitize_html

_WHERE = {"ArticlePage": "builder", "PageImage": "builder", "StaticSite": "builder", "Article": "manifest",
          "render_body": "sanitize", "sanitize_html": "sanitize"}

__all__ = ["Article", "ArticlePage", "PageImage", "StaticSite", "render_body", "sanitize_html"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
