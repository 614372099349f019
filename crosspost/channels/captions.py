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


CLOCK_SLACK = 120.0  # seconds a post's time may precede our claim (the machines' clocks differ)


def same_caption(mine: str, theirs: str | None) -> bool:
    """Instagram keeps captions as sent: the whole caption must be equal, whitespace aside. A first
    line shared with another release's post (a stock opening, hashtags) is not enough (issue 12)."""
    return bool(theirs) and " ".join(mine.split()) == " ".join((theirs or "").split())


def made_after(created: object, since: float | None) -> bool:
    """Whether a post was made after this delivery was claimed (``since``); unknown times pass.
    ``created`` is Graph's ISO 8601 ``timestamp`` (2026-11-20T02:07:00+0000) or a datetime."""
    if since is None or not created:
        return True
    from datetime import datetime

    try:
        when = (created if isinstance(created, datetime)
                else datetime.strptime(str(created), "%Y-%m-%dT%H:%M:%S%z"))
    except ValueError:
        return True
    return when.timestamp() >= since - CLOCK_SLACK
