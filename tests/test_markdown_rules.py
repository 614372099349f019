"""Pruned parsers (crosspost/markdown_rules.py) give every token the full parser gives: type, tag,
content, attrs, map, markup, info, children and the rest, and the same env (reference links)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_bodies import EXAMPLES, bodies

from crosspost import markdown_rules
from crosspost.markdown_once import build_website_parser
from crosspost.release import load_release
from crosspost.text import build_markdown

BUILDERS = (build_website_parser, build_markdown)
FULL = {build: build() for build in BUILDERS}

# Each rule's trigger, on its own and at the edges of what the rule checks: a marker at a line's
# end or start, in a blockquote or list item, after "\r", a lone "!" at the end of a text ...
PIECES = ["~~", "~", "~~~\n", "*", "**", "_", "__", "`", "```\n", "[a](http://x.id/)", "[r]",
          "[r]: http://r.id/", "![i](img.png)", "!", "![", "]", "]:", "<b>", "</b>", "<!-- c -->",
          "<http://auto.id>", "<div>\n", "\n", "\n\n", "\r", "\r\n", "  \n", "\t", " ", "    ", "\\", "\\\n",
          "&amp;", "&#126;", "&", "#", "# ", "## x\n", ">", "> ", "-", "- ", "-\n", "---", "---\n",
          "===\n", "=", "* * *\n", "___", "+ ", "+", "1. ", "1.", "2) ", "123456789. ", "9", ".", ")", "|",
          "| a | b |\n|---|---|\n| 1 | 2 |\n", "a|b\n-|-\n", ":", "\0", "kata", "Kemensos", "(", "https://y.id",
          "\n> - 1. x", "\n  - y\n", "\n\t* z"]
ALPHABET = "~*_`[]()!<>&#\\|-=+:.19 \t\n\rax\0"


def _tokens(parser, md: str) -> tuple[list[dict], dict]:
    env: dict = {}
    return [t.as_dict() for t in parser.parse(md, env)], env


def _check(md: str) -> None:
    for build in BUILDERS:
        pruned = markdown_rules.fitted(build, md)
        assert _tokens(pruned, md) == _tokens(FULL[build], md), (build.__name__, repr(md))


def _bodies() -> list[str]:
    return list(bodies())


def test_corpus_and_examples():
    bodies = _bodies()
    assert len(bodies) >= 3
    for body in bodies:
        _check(body)
        for i in range(0, len(body), 97):  # and pieces of them, cut anywhere
            _check(body[i:i + 400])


def test_a_release_body_is_parsed_without_most_rules():
    """The point of the module: the example's body (bench/adapt_bench.py) leaves these out."""
    body = load_release(EXAMPLES / "siaran-pers-lumbung-sosial.md").body
    idle = set(markdown_rules.idle_rules(body))
    assert {"table", "fence", "html_block", "link", "entity", "list", "newline"} <= idle
    assert "emphasis" not in idle  # **KUPANG**


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=25))
def test_generated_markdown(pieces):
    _check("".join(pieces))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_generated_from_the_trigger_characters(md):
    _check(md)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.sampled_from(_bodies() or ["teks"]))
def test_a_body_with_one_more_construct(pieces, body):
    _check(body + "".join(pieces))
    _check("".join(pieces) + body[:300])
