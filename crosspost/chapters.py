"""YouTube chapter lines of a release body, found once per release in Python.

``templates/youtube.j2`` walked every line of the body in the sandbox to find them (~65 us of a
release's ~1.5 ms adaptation, bench/RESULTS.md); the rule is the template's, unchanged, and the
lines reach every template as ``chapters``. YouTube makes chapters of timestamps only when the
first is 0:00 and each is on its own line (https://support.google.com/youtube/answer/9884579),
so a run of stamped lines counts from a 0:00 line and stops at the first line without a stamp.
"""

from __future__ import annotations

_ZERO = frozenset(("0:00", "00:00", "0:00:00", "00:00:00"))


def video_chapters(body: str) -> list[str]:
    """The body's chapter lines, stripped, in order: what youtube.j2's former loop collected
    (``line | trim``, the first word before a space, 1-2 colons and digits otherwise, text after it)."""
    chapters: list[str] = []
    on = False
    for raw in body.splitlines():
        line = raw.strip()
        if ":" not in line:  # no stamp: the loop's ``stamp`` is false
            on = False
            continue
        first = line.split(" ")[0]
        stamp = first.count(":") in (1, 2) and first.replace(":", "").isdigit() and line != first
        if stamp and (on or first in _ZERO):
            on = True
            chapters.append(line)
        else:
            on = False
    return chapters
