"""Static website generation: sanitised article HTML, pages, section indexes, Atom feed, sitemap."""

from .builder import ArticlePage, PageImage, StaticSite
from .manifest import Article
from .sanitize import render_body, sanitize_html

__all__ = ["Article", "ArticlePage", "PageImage", "StaticSite", "render_body", "sanitize_html"]
