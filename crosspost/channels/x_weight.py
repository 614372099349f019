"""X's weighted count of a text: twitter-text v3 (vendored ``twitter-text-parser``), every URL 23,
CJK and emoji 2, with the exact shortcuts that spare most texts twitter-text's emoji scan.
twitter_thread splits by it; x_sentences weighs sentences with ``token_weight``."""

from __future__ import annotations

import re
from functools import lru_cache
from types import ModuleType


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


@lru_cache(maxsize=4096)
def token_weight(word: str) -> int:
    """One word's weighted length; without '.' a word holds no URL (twitter-text's own shortcut)
    and, without an emoji start, weighs its code points alone."""
    if "." not in word and not _may_hold_emoji(word):
        import unicodedata

        normal = unicodedata.normalize("NFC", word)
        return len(normal) + len(_HEAVY.findall(normal))
    return weighted_length(word)
