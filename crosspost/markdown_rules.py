"""Markdown parsers without the rules a body cannot trigger: the same tokens, parsed sooner.

markdown-it tries every enabled block rule at each block start (and every paragraph terminator at
each continuation line) and every inline rule at each terminator character (``-``, ``:``, ``*``
...). A press release holds no ``|``, ``<``, ``[``, ``` ` ```, ``\\``, ``&`` nor ``#`` as a rule, yet
those rules were called hundreds of times a release (bench/adapt_bench.py: the parse was ~27% of
adaptation). A rule that returns False before it changes anything whenever its trigger is absent
from the source gives no token and ends no paragraph, so a parser without it gives the same tokens.

Each trigger below is what the rule checks first (markdown-it-py 4.x, ``markdown_it/rules_*``);
``tests/test_markdown_rules.py`` compares every token of a pruned parser with the full one's on
the corpus, the examples and generated Markdown, so a wrong trigger fails there. The checks run on
the source as given: markdown-it's normalize (rules_core/normalize.py) only turns ``\\r\\n``/``\\r``
into ``\\n`` (idle_rules splits lines the same way) and NUL into U+FFFD, no trigger character.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# rule -> strings one of which the source must hold for the rule to fire (or to end a paragraph)
_NEEDS: dict[str, tuple[str, ...]] = {
    # block rules (rules_block/)
    "table": ("|",),  # table.py: the header line must hold "|" ('"|" not in lineText')
    "fence": ("```", "~~~"),  # fence.py: at least min_markers=3 of one marker in ("~", "`")
    "blockquote": (">",),  # blockquote.py: 'state.src[pos] != ">"'
    "reference": ("[",),  # reference.py: 'state.src[pos] != "["'
    "html_block": ("<",),  # html_block.py: 'state.src[pos] != "<"'
    "heading": ("#",),  # heading.py: 'ch != "#"'
    # inline rules (rules_inline/)
    "escape": ("\\",),  # escape.py: 'state.src[pos] != "\\\\"'
    "backticks": ("`",),  # backticks.py: 'state.src[start] != "`"'
    "strikethrough": ("~",),  # strikethrough.py: 'ch != "~"' (its post-process pairs only "~")
    "emphasis": ("*", "_"),  # emphasis.py: 'marker not in ("_", "*")' (and its post-process)
    "link": ("[",),  # link.py: 'state.src[state.pos] != "["'
    "image": ("![",),  # image.py: "!" then "[" right after it
    "autolink": ("<",),  # autolink.py: 'state.src[pos] != "<"'
    "html_inline": ("<",),  # html_inline.py: 'src[pos] != "<"'
    "entity": ("&",),  # entity.py: 'state.src[pos] != "&"'
}

# Rules whose trigger is too common a character (``-``, ``*``, a digit, a newline), judged by the
# lines: what starts and ends each (a line ends at "\n", state_block.py's eMarks; isStrSpace is
# " " and "\t"). What precedes a block start on its line is indentation, the ">" of a blockquote or
# the marker of an outer list item (itself at such a place), so a block's first character is the
# first one of its line after [ \t>] or a list marker, and a list marker is the first after [ \t>].
_ENDS_HR = frozenset("*-_")  # hr.py: a marker in ("*", "-", "_"), then that marker or spaces to the end
# lheading.py: a line of "-" or "=", then spaces to the end. It sets state.parentType before it
# looks and leaves it set when it finds none; list.py reads parentType in silent mode only, where
# every caller (paragraph, lheading, blockquote, list, reference, table) has just set it itself.
_ENDS_LHEADING = frozenset("-=")
# list.py (skipBulletListMarker, skipOrderedListMarker): "*", "+", "-" or ASCII digits then "." or ")"
_DIGITS = frozenset("0123456789")


_TRIGGERS = tuple(sorted({s for needs in _NEEDS.values() for s in needs}))
_NEEDS_ITEMS = tuple(_NEEDS.items())
_BULLET_ENDS = ("", " ", "\t")  # what may follow a bullet marker: the line's end or a space


def idle_rules(src: str) -> tuple[str, ...]:
    """The rules that cannot fire on ``src`` (whether or not a parser has them enabled), in a
    fixed order (a cache key)."""
    absent = {s for s in _TRIGGERS if s not in src}
    idle = [rule for rule, needs in _NEEDS_ITEMS if absent.issuperset(needs)]
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")  # normalize.py's NEWLINES_RE
    lines = src.split("\n")
    ends = {line.rstrip(" \t")[-1:] for line in lines}
    if ends.isdisjoint(_ENDS_HR):
        idle.append("hr")
    if ends.isdisjoint(_ENDS_LHEADING):
        idle.append("lheading")
    if not any(_may_start_list(line.lstrip(" \t>")) for line in lines):
        idle.append("list")
    # newline.py: a "\n" inside a paragraph's text needs two neighbouring lines that are not blank
    # (a blank line ends a paragraph, state_block.isEmpty). With every "\n" one of a "\n\n" (as
    # many "\n" as twice the pairs), one line of any two neighbours is empty; otherwise look.
    if src.count("\n") == 2 * src.count("\n\n") or not any(
            a.strip(" \t") and b.strip(" \t") for a, b in zip(lines, lines[1:], strict=False)):
        idle.append("newline")
    return tuple(idle)


def _may_start_list(text: str) -> bool:
    """Whether a line whose first character after [ \t>] begins ``text`` may hold a list marker:
    a bullet followed by a space or the end, or a digit (the ordered marker left to list.py)."""
    first = text[:1]
    if first in ("*", "+", "-"):
        return text[1:2] in _BULLET_ENDS
    return first in _DIGITS


def fitted(build: Callable[[], MarkdownIt], src: str) -> MarkdownIt:
    """A parser as ``build()`` makes it, less the rules that cannot fire on ``src``: its tokens
    for ``src`` are the full parser's. ``build`` must be a module-level function (the cache key)."""
    key = (build, idle_rules(src))
    parser = _PARSERS.get(key)
    if parser is None:
        if len(_PARSERS) >= 64:  # a few sets of idle rules cover most bodies
            _PARSERS.clear()
        parser = _PARSERS[key] = build()
        if key[1]:
            parser.disable(list(key[1]), ignoreInvalid=True)
    return parser


_PARSERS: dict[tuple[Callable[[], MarkdownIt], tuple[str, ...]], MarkdownIt] = {}
