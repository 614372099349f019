"""Caption helpers shared by the Instagram channel and its two backends (graph, instagrapi).

They live below all three so the backends need not import the channel that imports them.
"""

from __future__ import annotations

import re

# A hashtag or mention starts a word: '#' inside a URL fragment or '@' in an e-mail is not one.
HASHTAG_RE = re.compile(r"(?:^|(?<=\s))#(\w+)", re.UNICODE)
MENTION_RE = re.compile(r"(?:^|(?<=\s))@([A-Za-z0-9._]+)")


def count_hashtags(text: str) -> int:
    return len(HASHTAG_RE.findall(text))


def count_mentions(text: str) -> int:
    return len(MENTION_RE.findall(text))


def first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return " ".join(line.split())
    return ""


def same_caption(mine: str, theirs: str | None) -> bool:
    """Instagram keeps captions as sent; compare whitespace-normalised, or by the first line."""
    if not theirs:
        return False
    if " ".join(mine.split()) == " ".join(theirs.split()):
        return True
    return bool(first_line(mine)) and first_line(mine) == first_line(theirs)
