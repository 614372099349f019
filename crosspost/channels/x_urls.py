"""twitter-text's URL extraction, run only where a URL can be: the same result, a fraction of the work.

The vendored ``extract_urls_with_indices`` tries its ~13,000-character pattern at every position of
the text: ~0.2 ms for an 870-character X post, and splitting a release measures the whole text and
every final part (bench/adapt_bench.py). What a match can span, read from the pattern
(``_vendor/twitter_text/regexp/extract_url.py`` and its building blocks):

- the URL group is protocol, domain, port, path and query; ``valid_domain_name`` ends in ``\\.``,
  so every URL holds a '.' (twitter-text's own shortcut: no '.', no URL);
- none of those parts matches a character of ``spaces_group`` (``SPACES`` below): the domain's
  characters exclude it, path, query, port and protocol are allow-lists without it;
- before the URL comes one "preceding" character or ``^`` (text start), and the only lookaheads
  are the TLDs' ``(?=[^0-9a-zA-Z@+-]|$)``, which a space and the end of a window both satisfy.

So every match lies inside one run of non-space characters plus the space before it, and what it
matches there does not depend on anything outside. A window is such a run holding a '.' that a
TLD can follow (see ``_WINDOW``), with the space before it; windows are matched on their own
(cached: releases repeat words such as "kemensos.go.id") and their indices shifted.
``tests/test_x_urls.py`` compares this with the vendored function on the conformance suite's texts
and on generated ones.
"""

from __future__ import annotations

import re
from functools import lru_cache

# twitter_text/regexp/spaces_group.py, as a class: the characters no URL part matches.
SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A space, then a run holding a '.' followed by a character that is neither a space nor a '.'
# (the run at the text's start has no space before it). A domain is ``valid_domain_name`` (which
# ends in ``\\.``) then a gTLD, ccTLD or punycode TLD, none of which starts with a space or a '.':
# so a run whose dots all end it ("daerah.", "...", the most common dotted words of a release)
# holds no URL and is not matched (bench/adapt_bench.py: half the windows, ~20% of a weighing).
# Starting with a character set lets the regex engine skip to the spaces (5x faster than "(?:[ ]|^)").
_HEAD = re.compile(f"(?=[^{SPACES}]*\\.[^{SPACES}.])[^{SPACES}]+")
_WINDOW = re.compile(f"[{SPACES}](?=[^{SPACES}]*\\.[^{SPACES}.])[^{SPACES}]+")


def urls_with_indices(text: str) -> list[dict]:
    """Exactly ``twitter_text.extract_urls.extract_urls_with_indices(text)``."""
    if "." not in text:
        return []
    found: list[dict] = []
    head = _HEAD.match(text)
    windows = _WINDOW.finditer(text, head.end()) if head else _WINDOW.finditer(text)
    for window in ([head] if head else []) + list(windows):
        start = window.start()
        for url, (a, b) in _in_window(window.group()):
            found.append({"url": url, "indices": [start + a, start + b]})
    return found


@lru_cache(maxsize=8192)
def _in_window(window: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    from crosspost._vendor.twitter_text.extract_urls import extract_urls_with_indices

    return tuple((u["url"], (u["indices"][0], u["indices"][1])) for u in extract_urls_with_indices(window))


def url_free_length(text: str) -> int:
    """How many characters of ``text`` lie outside every window: no URL can cover them."""
    covered = 0
    head = _HEAD.match(text)
    if head:
        covered += head.end()
    for window in _WINDOW.finditer(text, head.end() if head else 0):
        covered += window.end() - window.start() - 1  # the space before the run is outside any URL
    return len(text) - covered
