"""Markdown to plain text for the social channels (no markup, no raw HTML, links kept readable)."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

from .markdown_once import plain_source_tokens
from .markdown_rules import fitted


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    return build_markdown()


def build_markdown() -> MarkdownIt:
    """The plain-text parser (crosspost.markdown_rules prunes copies of it per body)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")  # a Word table (issue 17)


_BROKEN_LINK = re.compile(r"\[([^\]]+)\]\(\s*(?:javascript|data|vbscript):(?:[^()]|\([^()]*\))*\)", re.I)


_BLANKS = re.compile(r"[ \t]+")


def plain_paragraphs(md: str) -> list[str]:
    """Paragraphs of plain text: emphasis dropped, raw HTML removed, links as 'text (url)'."""
    return list(_plain_paragraphs(md))


@lru_cache(maxsize=32)  # adapt asks once per channel for the same body: parse it once
def _plain_paragraphs(md: str) -> tuple[str, ...]:
    # The website's parse of the same body, when it can stand for this parser's (markdown_once.py)
    tokens = plain_source_tokens(md)
    if tokens is None:
        md = _BROKEN_LINK.sub(r"\1", md)  # markdown-it refuses unsafe links; keep just their text
        tokens = tuple(fitted(build_markdown, md).parse(md))  # the same tokens as markdown()'s
    paragraphs: list[str] = []
    current: list[str] = []
    cells: list[str] | None = None  # inside a table: one line per row, cells joined by " | "
    for token in tokens:
        if token.type == "table_open":
            cells, rows = [], []
        elif cells is not None and token.type == "inline":
            cells.append(_inline_text(token.children or []).strip())
        elif cells is not None and token.type == "tr_close":
            rows.append(" | ".join(c for c in cells if c))
            cells = []
        elif token.type == "table_close":
            paragraphs.append("\n".join(r for r in rows if r))
            cells = None
        elif token.type == "inline":
            current.append(_inline_text(token.children or []))
        elif token.type in ("paragraph_close", "heading_close", "list_item_close"):
            text = "".join(current).strip()
            if text:
                paragraphs.append(text)
            current = []
        elif token.type in ("fence", "code_block"):
            paragraphs.append(token.content.strip())
    tail = "".join(current).strip()
    if tail:
        paragraphs.append(tail)
    return tuple(p for p in paragraphs if p)


def _inline_text(children: list) -> str:
    out: list[str] = []
    href_stack: list[tuple[str, int]] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "link_open":
            href_stack.append((str(child.attrs.get("href", "")), len(out)))
        elif child.type == "link_close" and href_stack:
            href, start = href_stack.pop()
            label = "".join(out[start:]).strip()
            if href.startswith(("http://", "https://")) and href.rstrip("/") != label.rstrip("/"):
                out.append(f" ({href})")
        elif child.type == "image":
            continue
        # html_inline is dropped on purpose: tags go, the text between them stays.
    text = "".join(out)
    # every run of blanks becomes one space: without a tab or two spaces in a row, each run is one
    # space already (the substitution matched every space of a paragraph, bench/adapt_bench.py)
    return _BLANKS.sub(" ", text) if "\t" in text or "  " in text else text


def plain_text(md: str) -> str:
    return "\n\n".join(plain_paragraphs(md))
