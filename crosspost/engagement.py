"""Plain data shared by the channels' read-only inbox and metrics calls and the office actions
that store them (``crosspost.inbox``): one comment, and why a post gave nothing.

A channel returns figures as ``{name: number}`` with only the names the platform reported, so a
figure it did not give stays absent (the report says "tidak tersedia", never 0). The names are
the same on every platform (``METRICS``), translated from each platform's own by its channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CrosspostError

# views: times shown or played; reach: distinct accounts; impressions only where still reported.
METRICS = ("views", "reach", "impressions", "likes", "reactions", "comments", "shares", "quotes",
           "saves", "bookmarks", "interactions")


@dataclass(frozen=True)
class Comment:
    """One public reply or comment, as a channel read it. ``created_at`` is Unix time."""

    id: str
    author: str
    text: str
    created_at: float
    parent_id: str | None = None  # the comment it answers, when it answers one (not the post)
    url: str | None = None  # the reply on the platform


@dataclass(frozen=True)
class CommentPage:
    """What one fetch read: the new comments (newest first) and where the next fetch resumes."""

    comments: tuple[Comment, ...]
    cursor: str | None = None  # the platform's own marker (X: the newest reply id seen), if any
    complete: bool = True  # False: stopped at the page cap; the next fetch goes on from the cursor


class NotAvailable(CrosspostError):
    """The platform cannot give this (the post was deleted, the 7-day window passed, the access
    tier does not include it). Not a failure of the fetch: the post is skipped with this reason."""

    exit_code = 0

    def __init__(self, message: str, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone  # the post itself no longer exists: stop asking about it
