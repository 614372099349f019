"""X/Twitter weighted counting and thread splitting.

Counting is twitter-text v3 (``twitter-text-parser``, vendored): every URL costs 23, CJK and
emoji cost 2. Splitting works on whole sentences first, then whole words, so a part never
ends inside a word or a URL unless a single token is longer than a whole post. Each part
is measured on its own, numbering suffix and link included, because that is how X
checks it. The release link goes in exactly one part: a post with a URL costs more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from types import ModuleType
from typing import Any, Literal

LinkPart = Literal["first", "last"]
PARAGRAPH, LINE, SPACE = "\n\n", "\n", " "
# Short words ending in '.' that do not end a sentence in Indonesian releases.
ABBREVIATIONS = frozenset(
    "no nomor kab kec kel kota prov jl jln dr drs ir prof h hj st sh se mm mt msi mpd "
    "dll dsb dkk tsb yth bpk ibu sdr a.n u.p pt cv tbk rp ttd ket tel telp hlm".split())
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_SENTENCE_START = re.compile(r"^[\"'“‘(\[]*[A-Z0-9#@]")
_STARTS = frozenset("\"'“‘([ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#@")  # what _SENTENCE_START can begin with
_ENDS = frozenset(".!?…\"'”’)]")  # what a word _SENTENCE_END matches can end with


@lru_cache(maxsize=1024)  # a thread's parts are measured by the splitter, then by the channel
def weighted_length(text: str) -> int:
    """Weighted length as X counts it (twitter-text v3 with discounted emoji)."""
    if not _may_hold_emoji(text):
        return _weighted_without_emoji(text)
    from crosspost._vendor.twitter_text import parse_tweet

    return parse_tweet(text).weightedLength


# -- fast path (bench/): twitter-text's emoji scan costs ~0.8 ms per call and splitting a thread
# measures ~20 candidates per release. Every emoji match starts with the first code point of an
# entry of its emoji list, and the entries that start with an ASCII character (keycaps: # * 0-9)
# go on with a non-ASCII one, so a text holding none of these non-ASCII code points has no emoji
# and weighs exactly what parse_tweet's loop gives it without the emoji table.
_HEAVY = re.compile("[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")  # weight 2


_NON_ASCII = re.compile("[^\x00-\x7f]+")


def _may_hold_emoji(text: str) -> bool:
    """Whether ``text`` holds a code point that can start an emoji. Every one is non-ASCII
    (tests/test_twitter_text.py checks the stored set), so only the non-ASCII characters are
    looked up: an Indonesian release is mostly ASCII."""
    if text.isascii():
        return False
    return not _emoji_triggers().isdisjoint("".join(_NON_ASCII.findall(text)))


@lru_cache(maxsize=1)
def _emoji_triggers() -> frozenset[str]:
    """Precomputed (crosspost/channels/emoji_starts.py): building it from the table took 50-80 ms."""
    from .emoji_starts import stored

    return stored()


def _weighted_without_emoji(text: str) -> int:
    """parse_tweet(text).weightedLength for a text without emoji: URLs 23, weight-2 code points 2."""
    import unicodedata

    normal = unicodedata.normalize("NFC", text)
    if "\r" in normal:  # the substitution turns "\n" into itself: only "\r" changes anything
        normal = re.sub(r"\r\n|\r|\n", "\n", normal)
    total = pos = 0
    for url in _x_urls().urls_with_indices(normal):  # twitter-text's, only where a URL can be
        start = url["indices"][0]
        if start < pos:
            continue
        segment = normal[pos:start]
        total += len(segment) + len(_HEAVY.findall(segment)) + 23
        pos = start + len(url["url"])
    segment = normal[pos:]
    return total + len(segment) + len(_HEAVY.findall(segment))


def surely_over(text: str, limit: int) -> bool:
    """True only when ``weighted_length(text) > limit``, known without measuring: a text without
    emoji weighs at least 1 a code point outside the URLs (``_weighted_without_emoji``), and
    x_urls.url_free_length counts code points no URL can cover. Splitting a release asked
    twitter-text for the whole text's weight (~40 us) only to learn it is a thread."""
    if _may_hold_emoji(text):
        return False
    import unicodedata

    normal = unicodedata.normalize("NFC", text)
    if "\r" in normal:
        normal = re.sub(r"\r\n|\r|\n", "\n", normal)
    return _x_urls().url_free_length(normal) > limit


@lru_cache(maxsize=1)
def _x_urls() -> ModuleType:
    """crosspost.channels.x_urls, imported at the first weighing (compiling its patterns takes
    ~1 ms, which a command that weighs nothing need not pay) and then without an import
    statement's ~1 us a call (4-5 calls a release, bench/adapt_bench.py)."""
    from . import x_urls

    return x_urls


def is_valid(text: str, limit: int = 280) -> bool:
    """True when X would accept ``text`` as one post of at most ``limit`` weighted characters."""
    from crosspost._vendor.twitter_text import parse_tweet

    parsed = parse_tweet(text)
    return bool(text.strip()) and parsed.weightedLength <= limit and (limit != 280 or parsed.valid)


@dataclass(slots=True)
class _Token:
    word: str
    sep: str  # what precedes the word: "", " ", "\n" or "\n\n"
    starts_sentence: bool
    cost: int = -1  # _Additive's weight of sep + word, once measured (a token is never changed)


def _tokens(text: str) -> list[_Token]:
    """Words with the separator before each, and where sentences begin."""
    out: list[_Token] = []
    for sep, words, breaks in _lines(text):
        out.append(_Token(words[0], sep, True))
        first = len(out)
        out.extend([_Token(word, SPACE, False) for word in words[1:]])
        for i in breaks:
            out[first + i - 1].starts_sentence = True
    return out


def _lines(text: str) -> list[tuple[str, list[str], list[int]]]:
    """Each non-blank line of ``text``: the separator before it ("" for the first, else "\n\n"
    or "\n"), its words, and the indices of the words after the first that begin a sentence
    (the first word of a line always does). Shared by _tokens and x_sentences."""
    out: list[tuple[str, list[str], list[int]]] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    for pi, para in enumerate(paragraphs):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        for li, line in enumerate(lines):
            words = line.split()
            sep = "" if not out else (PARAGRAPH if li == 0 and pi > 0 else LINE)
            out.append((sep, words, _breaks(line, words)))
    return out


def _breaks(line: str, words: list[str]) -> list[int]:
    """The indices i >= 1 of the words of ``line`` that begin a sentence."""
    if '"' not in line and "“" not in line and "”" not in line:  # most lines quote nobody
        # a sentence starts at a word _SENTENCE_START matches (its first character is one of
        # _STARTS) after a word _ends_sentence accepts (its last character is one of _ENDS): both
        # characters are checked first, as most words neither end a sentence nor start in capitals
        return [i for i, (prev, word) in enumerate(zip(words, words[1:], strict=False), 1)
                if prev[-1] in _ENDS and word[0] in _STARTS and _SENTENCE_START.match(word) is not None
                and _ends_sentence(prev)]
    out: list[int] = []
    quoted = _quote_open(words[0], False) if len(words) > 1 else False
    for i in range(1, len(words)):
        word = words[i]
        # Inside a quotation a full stop does not end the quoted statement.
        if not quoted and _SENTENCE_START.match(word) and _ends_sentence(words[i - 1]):
            out.append(i)
        if '"' in word or "“" in word or "”" in word:  # most words hold no quotation mark
            quoted = _quote_open(word, quoted)
    return out


def _ends_sentence(word: str) -> bool:
    if not _SENTENCE_END.search(word):
        return False
    bare = word.rstrip("\"'”’)]").rstrip(".!?…").lower()
    if bare in ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
        return False
    return not re.fullmatch(r"[a-z]\.[a-z]", bare)  # e.g. "a.n."


def _quote_open(word: str, quoted: bool) -> bool:
    """Whether a double quotation is still open after ``word``."""
    for ch in word:
        if ch == "“":
            quoted = True
        elif ch == "”":
            quoted = False
        elif ch == '"':
            quoted = not quoted
    return quoted


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
                t.cost = _token_weight(t.word) + len(t.sep)
            total += t.cost
        return total - len(candidate[0].sep) <= budget


@lru_cache(maxsize=4096)
def _token_weight(word: str) -> int:
    """One word's weighted length; without '.' a word holds no URL (twitter-text's own shortcut)
    and, without an emoji start, weighs its code points alone."""
    if "." not in word and not _may_hold_emoji(word):
        import unicodedata

        normal = unicodedata.normalize("NFC", word)
        return len(normal) + len(_HEAVY.findall(normal))
    return weighted_length(word)


def _pack(tokens: list[_Token], budget: int, measure: _Exact | _Additive | None = None
          ) -> list[list[_Token]]:
    """Greedy packing: whole sentences where they fit, else word by word."""
    if isinstance(measure, _Additive):
        return _pack_additive(tokens, budget)
    return _pack_measured(tokens, budget, measure)


_COST = attrgetter("cost")


def _cost(t: _Token) -> int:
    if t.cost < 0:
        t.cost = _token_weight(t.word) + len(t.sep)
    return t.cost


def _pack_additive(tokens: list[_Token], budget: int) -> list[list[_Token]]:
    """_pack_measured with _Additive, the same parts: the current part's weight is kept as a running
    sum instead of summing every candidate again (a candidate weighs the sum of its tokens' costs
    less its first token's separator; tests/test_x_tokens.py compares the two)."""
    for t in tokens:  # every cost filled first, so that a sentence's weight is summed in C
        if t.cost < 0:
            t.cost = _token_weight(t.word) + len(t.sep)
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


def split_thread(text: str, limit: int = 280, numbering: bool = True, link: str | None = None,
                 link_part: LinkPart = "last", link_prefix: str = "") -> list[str]:
    """Split ``text`` into posts of at most ``limit`` weighted characters each.

    One part when it fits (link included). Otherwise a thread numbered " (i/n)", the link
    (``link_prefix`` + link) in the first or the last part only.
    """
    if link_part not in ("first", "last"):
        raise ValueError("link_part must be 'first' or 'last'")
    link_text = f"{link_prefix}{link}" if link else ""

    def with_link(body: str) -> str:
        if not link_text:
            return body
        return f"{body}{PARAGRAPH}{link_text}" if body else link_text

    text = text.strip()
    if not text:
        return [link_text] if link_text else []
    single = with_link(text)
    if not surely_over(single, limit) and weighted_length(single) <= limit:
        return [single]

    from .x_sentences import split as split_by_sentences

    link_cost = weighted_length(with_link("x")) - 1 if link_text else 0
    # Each token measured once (_Additive), every final part measured exactly; should one be
    # over, the whole split is done again measuring every candidate (_Exact, as before). The
    # _Additive split by whole sentences first, without a token per word (x_sentences.py).
    parts = split_by_sentences(text, limit, numbering, link_text, link_part, link_cost, with_link)
    if parts is not None and all(weighted_length(p) <= limit for p in parts):
        return parts
    tokens = _tokens(text)
    for gauge in ((_Exact(),) if parts is not None else (_Additive(), _Exact())):
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
