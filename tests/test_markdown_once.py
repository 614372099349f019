"""One parse per body (crosspost/markdown_once.py): the plain text read from the website's tokens
equals the plain parser's own, and the HTML equals a fresh render."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from release_bodies import bodies

from crosspost import markdown_once, text

PIECES = ["~~", "~", "*", "**", "_", "__", "`", "[a](http://x.id/)", "[b](https://x.id/p)", "<b>", "</b>",
          "<!-- c -->", "[r]", "[r]: http://r.id/", "![i](img.png)", "![alt *x*](p.jpg)", "<http://auto.id>",
          "\n", "\n\n", "  \n", "\\", "\\~", "&amp;", "&#126;", "# ", "> ", "- ", "1. ", "    ", "```\n",
          "| a | b |\n|---|---|\n| 1 | 2 |\n", "kata", "Kemensos", " ", "(", ")", "!", "https://y.id"]
REFUSED = ["[x](javascript:alert(1))", "[y](data:text/html,z)", "[r]: vbscript:x", "[f](file:///etc)",
           "[e](&#106;avascript:x)",
           "[s](java\\script:x)", "<javascript:x>", "![d](data:image/png;base64,AA)"]


def _plain_parser_text(md: str) -> tuple[str, ...]:
    """What crosspost.text gave before the shared parse: the plain parser alone."""
    saved = markdown_once.plain_source_tokens
    markdown_once.plain_source_tokens = lambda _md: None  # type: ignore[assignment]
    try:
        return text._plain_paragraphs.__wrapped__(md)
    finally:
        markdown_once.plain_source_tokens = saved


def _fresh_html(md: str) -> str:
    parser = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser.render(md)


def _check(md: str) -> None:
    assert text._plain_paragraphs.__wrapped__(md) == _plain_parser_text(md), repr(md)
    assert markdown_once.website_html(md) == _fresh_html(md), repr(md)


def _bodies() -> list[str]:
    return list(bodies())


def test_corpus_and_examples_bodies():
    bodies = _bodies()
    assert len(bodies) >= 3
    for body in bodies:
        assert markdown_once.shares_tree(body) or "javascript:" in body.lower() or "data:" in body.lower()
        _check(body)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=25))
def test_generated_markdown(pieces):
    _check("".join(pieces))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.sampled_from(REFUSED))
def test_refusable_links_take_the_plain_parser(pieces, refused):
    md = "".join(pieces) + refused
    assert not markdown_once.shares_tree(md)
    _check(md)


@pytest.mark.parametrize("md", ["~~struck~~ text", "~~*~~*", "a ~~b~~ [~~c~~](http://c.id/) d"])
def test_strikethrough_takes_the_plain_parser(md):
    assert markdown_once.plain_source_tokens(md) is None  # ~~*~~* pairs differently with ~~ on
    _check(md)


def test_a_plain_body_is_parsed_once(monkeypatch):
    md = "**KUPANG** — Kemensos [meresmikan](https://kemensos.go.id/a) lumbung.\n\nParagraf *dua*."
    calls = []
    real = MarkdownIt.parse
    # every parser (pruned copies too, crosspost/markdown_rules.py): one parse in all
    monkeypatch.setattr(MarkdownIt, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    markdown_once.website_tokens.cache_clear()
    text._plain_paragraphs.cache_clear()
    assert text.plain_paragraphs(md) == ["KUPANG — Kemensos meresmikan (https://kemensos.go.id/a) lumbung.",
                                         "Paragraf dua."]
    assert "<strong>KUPANG</strong>" in markdown_once.website_html(md)
    assert calls == [1]
