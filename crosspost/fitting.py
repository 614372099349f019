"""Fitting a long release into a platform's text limit: cut where a reader expects a cut.

A long release (11,646 bytes of YouTube description) used to be refused, leaving the operator to
shorten the ministry's own text. The office's rule instead: keep whole paragraphs from the top
while they fit, keep the closing block (the link, contact and hashtags the template put after
the body), and make sure the text ends by pointing at the article, where the whole release is.
A title is cut at a word boundary. Every cut is a warning, so preview says what was left out.
"""

from __future__ import annotations

from collections.abc import Callable

Measure = Callable[[str], int]

ELLIPSIS = "…"


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def shorten_words(text: str, limit: int, measure: Measure = len) -> str:
    """``text`` cut at the last word boundary that fits ``limit`` with an ellipsis (never mid-word
    unless one word is longer than the limit)."""
    if measure(text) <= limit:
        return text
    words = text.split()
    kept: list[str] = []
    for word in words:
        if measure(" ".join([*kept, word]) + ELLIPSIS) > limit:
            break
        kept.append(word)
    if not kept:  # one enormous word: cut it by characters
        out = text
        while out and measure(out + ELLIPSIS) > limit:
            out = out[:-1]
        return out + ELLIPSIS
    return " ".join(kept).rstrip(",;:.-—–") + ELLIPSIS


def fit_paragraphs(text: str, limit: int, link: str | None, measure: Measure = len,
                   lead: str = "Selengkapnya: ") -> tuple[str, int, int] | None:
    """``text`` cut at a paragraph boundary to fit ``limit``: (fitted text, paragraphs kept, body
    paragraphs in all), or None when it fits already or cannot be made to fit.

    The closing block starts at the first paragraph holding ``link``; without one, the fitted
    text ends with ``lead + link``.
    """
    if measure(text) <= limit:
        return None
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    start = next((i for i, p in enumerate(paragraphs) if link and link in p), len(paragraphs))
    body, tail = paragraphs[:start], paragraphs[start:]
    if link and not tail:
        tail = [lead + link]
    total = len(body)
    while body and measure("\n\n".join([*body, *tail])) > limit:
        body.pop()
    fitted = "\n\n".join([*body, *tail])
    if not body or measure(fitted) > limit:
        return None
    return fitted, len(body), total
