"""X/Twitter thread splitting, by X's weighted count (crosspost/channels/x_weight.py).

Splitting works on whole sentences first, then whole words, so a part never
ends inside a word or a URL unless a single token is longer than a whole post. Each part
is measured on its own, numbering suffix and link included, because that is how X
checks it. The release link goes in exactly one part: a post with a URL costs more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from .x_sentences import PARAGRAPH, SPACE, LinkPart, line_words
from .x_sentences import split as split_by_sentences
from .x_weight import surely_over, token_weight, weighted_length


@dataclass(slots=True)
class _Token:
    word: str
    sep: str  # what precedes the word: "", " ", "\n" or "\n\n"
    starts_sentence: bool
    cost: int = -1  # _Additive's weight of sep + word, once measured (a token is never changed)


def _tokens(text: str) -> list[_Token]:
    """Words with the separator before each, and where sentences begin."""
    out: list[_Token] = []
    for sep, words, breaks in line_words(text):
        out.append(_Token(words[0], sep, True))
        first = len(out)
        out.extend([_Token(word, SPACE, False) for word in words[1:]])
        for i in breaks:
            out[first + i - 1].starts_sentence = True
    return out


def _join(tokens: list[_Token]) -> str:
    """The words with the separators between them (the first token's separator left out)."""
    if not tokens:
        return ""
    return tokens[0].word + "".join([t.sep + t.word for t in tokens[1:]])


def _sentences(tokens: list[_Token]) -> list[list[_Token]]:
    groups: list[list[_Token]] = []
    for t in tokens:
        if t.starts_sentence or not groups:
            groups.append([])
        groups[-1].append(t)
    return groups


def _hard_split(word: str, budget: int) -> list[str]:
    """Cut a token longer than a whole post into the fewest pieces that each fit."""
    pieces: list[str] = []
    rest = word
    while rest:
        if weighted_length(rest) <= budget:
            pieces.append(rest)
            break
        lo, hi = 1, len(rest)  # largest prefix that fits, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if weighted_length(rest[:mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(rest[:lo])
        rest = rest[lo:]
    return pieces


class _Exact:
    """Measures a candidate part by joining it and asking twitter-text (the reference)."""

    def fits(self, candidate: list[_Token], budget: int) -> bool:
        return weighted_length(_join(candidate)) <= budget


class _Additive:
    """Measures each token once; a candidate part weighs the sum of its tokens and separators.

    twitter-text's weight is additive across whitespace for these texts: a URL never spans a
    space, NFC composes nothing with a space, an emoji sequence holds no space. A URL's weight
    does depend on what precedes it, which whitespace and a text's start treat alike. The sum is
    an estimate all the same: split_thread measures every final part exactly and falls back to
    _Exact when any part is over (tests/test_twitter_text.py compares both on many texts).
    """

    def fits(self, candidate: list[_Token], budget: int) -> bool:
        if not candidate:
            return True
        total = 0
        for t in candidate:
            if t.cost < 0:
                t.cost = token_weight(t.word) + len(t.sep)
            total += t.cost
        return total - len(candidate[0].sep) <= budget


def _pack(tokens: list[_Token], budget: int, measure: _Exact | _Additive | None = None
          ) -> list[list[_Token]]:
    """Greedy packing: whole sentences where they fit, else word by word."""
    if isinstance(measure, _Additive):
        return _pack_additive(tokens, budget)
    return _pack_measured(tokens, budget, measure)


_COST = attrgetter("cost")


def _cost(t: _Token) -> int:
    if t.cost < 0:
        t.cost = token_weight(t.word) + len(t.sep)
    return t.cost


def _pack_additive(tokens: list[_Token], budget: int) -> list[list[_Token]]:
    """_pack_measured with _Additive, the same parts: the current part's weight is kept as a running
    sum instead of summing every candidate again (a candidate weighs the sum of its tokens' costs
    less its first token's separator; tests/test_x_tokens.py compares the two)."""
    for t in tokens:  # every cost filled first, so that a sentence's weight is summed in C
        if t.cost < 0:
            t.cost = token_weight(t.word) + len(t.sep)
    parts: list[list[_Token]] = [[]]
    used = 0  # the sum of the costs of parts[-1]
    for sentence in _sentences(tokens):
        current = parts[-1]
        weight = sum(map(_COST, sentence))
        if used + weight - len((current or sentence)[0].sep) <= budget:
            current.extend(sentence)
            used += weight
            continue
        if current and weight - len(sentence[0].sep) <= budget:
            parts.append(list(sentence))
            used = weight
            continue
        for tok in sentence:  # a sentence longer than a post: split between words
            current = parts[-1]
            if used + tok.cost - len((current[0] if current else tok).sep) <= budget:
                current.append(tok)
                used += tok.cost
            elif tok.cost - len(tok.sep) <= budget:
                parts.append([tok])
                used = tok.cost
            else:
                pieces = _hard_split(tok.word, budget)
                if current:
                    parts.append([])
                parts[-1].append(_Token(pieces[0], tok.sep, False))
                parts.extend([_Token(p, "", False)] for p in pieces[1:])
                used = sum(_cost(t) for t in parts[-1])
    return [p for p in parts if p]


def _pack_measured(tokens: list[_Token], budget: int, measure: _Exact | _Additive | None = None
                   ) -> list[list[_Token]]:
    parts: list[list[_Token]] = [[]]
    gauge = measure or _Exact()

    def fits(candidate: list[_Token]) -> bool:
        return gauge.fits(candidate, budget)

    for sentence in _sentences(tokens):
        current = parts[-1]
        if fits(current + sentence):
            current.extend(sentence)
            continue
        if current and fits(sentence):
            parts.append(list(sentence))
            continue
        for tok in sentence:  # a sentence longer than a post: split between words
            current = parts[-1]
            if fits(current + [tok]):
                current.append(tok)
            elif fits([tok]):
                parts.append([tok])
            else:
                pieces = _hard_split(tok.word, budget)
                if current:
                    parts.append([])
                parts[-1].append(_Token(pieces[0], tok.sep, False))
                parts.extend([_Token(p, "", False)] for p in pieces[1:])
    return [p for p in parts if p]


def link_adder(link_text: str) -> Callable[[str], str]:
    """What puts the link under a part's text (its own paragraph; the link alone for no text)."""
    def with_link(body: str) -> str:
        if not link_text:
            return body
        return f"{body}{PARAGRAPH}{link_text}" if body else link_text

    return with_link


def split_thread(text: str, limit: int = 280, numbering: bool = True, link: str | None = None,
                 link_part: LinkPart = "last", link_prefix: str = "") -> list[str]:
    """Split ``text`` into posts of at most ``limit`` weighted characters each.

    One part when it fits (link included). Otherwise a thread numbered " (i/n)", the link
    (``link_prefix`` + link) in the first or the last part only.
    """
    if link_part not in ("first", "last"):
        raise ValueError("link_part must be 'first' or 'last'")
    link_text = f"{link_prefix}{link}" if link else ""
    with_link = link_adder(link_text)
    text = text.strip()
    if not text:
        return [link_text] if link_text else []
    single = with_link(text)
    if not surely_over(single, limit) and weighted_length(single) <= limit:
        return [single]

    link_cost = weighted_length(with_link("x")) - 1 if link_text else 0
    # Each token measured once (_Additive), every final part measured exactly; should one be
    # over, the whole split is done again measuring every candidate (_Exact, as before). The
    # _Additive split by whole sentences first, without a token per word (x_sentences.py).
    bodies = split_by_sentences(text, limit, numbering, link_text, link_part, link_cost)
    if bodies is not None:
        parts = _finish(bodies, numbering, link_text, link_part, with_link)
        if all(weighted_length(p) <= limit for p in parts):
            return parts
    tokens = _tokens(text)
    for gauge in ((_Exact(),) if bodies is not None else (_Additive(), _Exact())):
        parts = _split(tokens, limit, numbering, link_text, link_part, link_cost, gauge, with_link)
        if all(weighted_length(p) <= limit for p in parts) or isinstance(gauge, _Exact):
            return parts
    raise AssertionError("unreachable")


def _split(tokens: list[_Token], limit: int, numbering: bool, link_text: str, link_part: LinkPart,
           link_cost: int, gauge: _Exact | _Additive, with_link) -> list[str]:
    n_guess = 2
    groups: list[list[_Token]] = []
    for _ in range(6):  # the suffix width depends on the part count; converges in 1-2 rounds
        suffix_cost = weighted_length(f" ({n_guess}/{n_guess})") if numbering else 0
        budget = max(1, limit - suffix_cost)
        groups = _pack(tokens, budget, gauge)
        if link_text:
            index = 0 if link_part == "first" else len(groups) - 1
            if not gauge.fits(groups[index], budget - link_cost):
                # Repack that part with room for the link; it may become two parts.
                tight = _pack(groups[index], max(1, budget - link_cost), gauge)
                groups[index:index + 1] = tight
        n = len(groups)
        if len(str(n)) <= len(str(n_guess)) or not numbering:
            break
        n_guess = n
    return _finish([_join(g) for g in groups], numbering, link_text, link_part, with_link)


def _finish(bodies: list[str], numbering: bool, link_text: str, link_part: LinkPart,
            with_link: Callable[[str], str]) -> list[str]:
    """The posts from the parts' texts: the link in one, numbered " (i/n)" when more than one."""
    if link_text:
        index = 0 if link_part == "first" else len(bodies) - 1
        bodies[index] = with_link(bodies[index])
    if len(bodies) == 1:
        return bodies
    if numbering:
        return [f"{b} ({i}/{len(bodies)})" for i, b in enumerate(bodies, 1)]
    return bodies


def body_carried(release: Any, text: str) -> tuple[int, int]:
    """(paragraphs of the release body found whole in ``text``, paragraphs in the body): how much
    of the body a post or thread carries, for the preview (whitespace aside)."""
    from ..text import plain_paragraphs

    paragraphs = plain_paragraphs(release.body)
    flat = " ".join(text.split())
    return sum(1 for p in paragraphs if " ".join(p.split()) in flat), len(paragraphs)


def strip_numbering(part: str) -> str:
    """A part without its " (i/n)" suffix (for comparisons and lookups)."""
    return re.sub(r" \(\d+/\d+\)$", "", part)
