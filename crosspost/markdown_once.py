"""One Markdown parse per body, shared by the website's HTML and the social channels' plain text.

Adapting a release parsed its body twice with markdown-it (the slowest part of adaptation after
the renders, bench/adapt_bench.py): once with the website's settings for the article HTML
(crosspost.site.sanitize) and once with the plain-text settings (crosspost.text). The two parsers
differ in three ways:

- ``breaks`` is read by the HTML renderer alone (markdown_it/renderer.py, ``softbreak``): the
  tokens are the same;
- ``strikethrough`` acts only on a run of two or more ``~`` in the source (rules_inline/
  strikethrough.py); its delimiters then pair against emphasis differently (``~~*~~*``), so a
  body holding ``~~`` is parsed by the plain parser on its own;
- ``validateLink``: the plain parser refuses ``javascript:``, ``vbscript:``, ``file:`` and
  ``data:`` (other than images) destinations, so such a "link" stays literal text there, and a
  reference definition with one stays a paragraph. A body that could hold one after entity and
  backslash decoding (``shares_tree``) is parsed by the plain parser on its own, as before.

``tests/test_markdown_once.py`` compares the plain text from the shared tree with the plain
parser's on the corpus and on generated Markdown.
"""

from __future__ import annotations

from functools import lru_cache
from html import unescape
from typing import TYPE_CHECKING, Any

from .markdown_rules import fitted

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# What markdown-it's default validateLink refuses (markdown_it/common/normalize_url.py,
# BAD_PROTO_RE on the lowercased, normalised URL, whose letters are the source's ASCII letters),
# looked for anywhere in the lowercased decoded text: a superset of the links it refuses.
_REFUSABLE = ("vbscript:", "javascript:", "file:", "data:")


@lru_cache(maxsize=1)
def website_parser() -> MarkdownIt:
    """The article's Markdown: raw HTML allowed (nh3 cleans it), line breaks kept, tables, ~~."""
    return build_website_parser()


def build_website_parser() -> MarkdownIt:
    """A new website parser (crosspost.markdown_rules prunes copies of it per body)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])
    # markdown-it leaves "[text](javascript:...)" as literal text, which would show the payload on
    # the page. Let every link through instead: nh3 drops the unsafe href (it decodes entities and
    # whitespace the way browsers do) and sanitize_html unwraps the empty <a>, keeping the label.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=32)  # a body is asked for by several channels of one release (and by preview)
def website_tokens(md: str) -> tuple[Token, ...]:
    """The body parsed with the website's settings; treat the tokens as read-only. The parser
    lacks the rules that cannot fire on ``md`` (crosspost/markdown_rules.py): the same tokens."""
    return tuple(fitted(build_website_parser, md).parse(md))


def website_html(md: str) -> str:
    """Unsanitised article HTML, as ``website_parser().render(md)`` gives it."""
    parser = website_parser()
    return parser.renderer.render(list(website_tokens(md)), parser.options, {})


def shares_tree(md: str) -> bool:
    """Whether the plain text may be read from the website's tokens: no ``~~`` and no destination
    in the body that the plain parser could refuse."""
    if "~~" in md:
        return False
    decoded = (unescape(md) if "&" in md else md).replace("\\", "").lower()
    return not any(word in decoded for word in _REFUSABLE)


def plain_source_tokens(md: str) -> tuple[Any, ...] | None:
    """The website's tokens for ``md`` when they can stand for the plain parser's, else None."""
    return website_tokens(md) if shares_tree(md) else None
