"""Instagram: the comments on a sent post and its figures, through either backend.

Graph backend (developers.facebook.com/docs/instagram-platform):
- ``GET /{ig-media-id}/comments?fields=id,text,username,timestamp,replies{...}`` ("IG Media
  Comments"): top-level comments with their replies nested, paged by ``paging.cursors.after``.
  Needs ``instagram_manage_comments`` (Facebook Login) or ``instagram_business_manage_comments``.
- ``GET /{ig-media-id}/insights?metric=views,reach,likes,comments,shares,saved,total_interactions``
  ("Instagram Media Insights", updated 2026): ``impressions``, ``plays`` and ``video_views`` were
  deprecated on 21 April 2025; "if insights data you are requesting does not exist or is currently
  unavailable, the API returns an empty data set instead of 0"; data can lag 48 hours; code 10
  "Not enough viewers for the media to show insights". Then the media's own ``like_count`` and
  ``comments_count`` fields are used. Needs ``instagram_manage_insights``.
- A deleted media answers code 100 subcode 33.

instagrapi backend: ``Client.media_comments(media_id, amount)`` (mixins/comment.py: pages by
``next_max_id``; ``amount=0`` reads every page; ``MediaNotFound`` for a deleted media) gives
``Comment(pk, text, user.username/full_name, created_at_utc, replied_to_comment_id)``; and
``Client.media_info(pk)`` gives ``like_count``, ``comment_count`` and ``play_count`` (videos).
The private API has no reach or insights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engagement import Comment, CommentPage, NotAvailable
from ..i18n import _
from ..models import Receipt
from .graph_paging import graph_time, read_pages

REPLY_FIELDS = "id,text,username,timestamp"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
INSIGHTS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
INSIGHT_NAMES = {"views": "views", "reach": "reach", "likes": "likes", "comments": "comments",
                 "shares": "shares", "saved": "saves", "total_interactions": "interactions"}
PAGE_SIZE = 50
PRIVATE_PAGE = 20  # instagrapi reads comments ~20 a page


def _refusal(err: dict) -> Exception | None:
    """A deleted media is NotAvailable(gone), code 10 (not enough viewers) NotAvailable; every
    other answer is the backend's own read outcome."""
    code, sub = err.get("code"), err.get("error_subcode")
    if code == 100 and sub == 33:
        return NotAvailable(_("the post no longer exists on Instagram"), gone=True)
    if code == 10:
        return NotAvailable(_("Instagram has no insights for this post (not enough viewers yet)"))
    return None


def _get(backend: Any, path: str, params: dict[str, Any]) -> dict:
    """GET through the backend's one request path (token, timeout, errors classified)."""
    return backend.call("GET", path, params=params, refusal=_refusal)


def comments(channel: Any, receipt: Receipt, since: float | None, cursor: str | None, max_pages: int,
             now: float) -> CommentPage:
    if channel.settings.backend == "instagrapi":
        return _private_comments(channel, receipt, since, max_pages, now)
    backend = channel.backend()
    params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": PAGE_SIZE}
    found: list[Comment] = []
    edge = f"{receipt.remote_id}/comments"
    bodies, complete = read_pages(lambda a: _get(backend, edge, a), params, max_pages)
    for body in bodies:
        for c in body.get("data") or []:
            found.extend(_graph_comment(c, None, receipt, now))
            for r in (c.get("replies") or {}).get("data") or []:
                found.extend(_graph_comment(r, str(c.get("id") or ""), receipt, now))
    kept = [c for c in found if since is None or c.created_at >= since]
    return CommentPage(tuple(sorted(kept, key=lambda c: -c.created_at)), None, complete)


def _graph_comment(c: dict, parent: str | None, receipt: Receipt, now: float) -> list[Comment]:
    if not c.get("id"):
        return []
    return [Comment(str(c["id"]), str(c.get("username") or ""), str(c.get("text") or ""),
                    graph_time(c.get("timestamp")) or now, parent, receipt.url)]


def _private_comments(channel: Any, receipt: Receipt, since: float | None, max_pages: int,
                      now: float) -> CommentPage:
    from instagrapi.exceptions import MediaNotFound

    backend = channel.backend()
    amount = max_pages * PRIVATE_PAGE

    def op(cl: Any) -> Any:
        try:
            return cl.media_comments(receipt.remote_id, amount=amount)
        except MediaNotFound:
            raise NotAvailable(_("the post no longer exists on Instagram"), gone=True) from None

    try:
        found = backend.run(op, publishing=False)
    except NotAvailable:
        raise
    out = []
    for c in found or []:
        created = c.created_at_utc.timestamp() if c.created_at_utc else now
        if since is not None and created < since:
            continue
        user = c.user
        name = str(getattr(user, "full_name", "") or "")
        username = str(getattr(user, "username", "") or "")
        author = f"{name} (@{username})" if name and username else (name or username)
        out.append(Comment(str(c.pk), author, str(c.text or ""), created,
                           str(c.replied_to_comment_id) if c.replied_to_comment_id else None, receipt.url))
    return CommentPage(tuple(sorted(out, key=lambda c: -c.created_at)), None, len(found or []) < amount)


def metrics(channel: Any, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
    out: dict[str, dict[str, float] | None] = {}
    if channel.settings.backend == "instagrapi":
        backend = channel.backend()
        for r in receipts:
            out[r.remote_id] = _private_metrics(backend, r.remote_id)
        return out
    backend = channel.backend()
    for r in receipts:
        try:
            out[r.remote_id] = _graph_metrics(backend, r.remote_id)
        except NotAvailable as exc:
            if exc.gone:
                out[r.remote_id] = None
            else:
                raise
    return out


def _graph_metrics(backend: Any, media: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    try:
        body = _get(backend, f"{media}/insights", {"metric": ",".join(INSIGHTS)})
        for row in body.get("data") or []:
            values = row.get("values") or []
            value = values[-1].get("value") if values else (row.get("total_value") or {}).get("value")
            name = INSIGHT_NAMES.get(str(row.get("name")))
            if name and isinstance(value, (int, float)):
                figures[name] = float(value)
    except NotAvailable as exc:
        if exc.gone:
            raise
    if "likes" not in figures or "comments" not in figures:  # insights empty or not there yet
        body = _get(backend, media, {"fields": "like_count,comments_count"})
        for field_, name in (("like_count", "likes"), ("comments_count", "comments")):
            if name not in figures and isinstance(body.get(field_), (int, float)):
                figures[name] = float(body[field_])
    return figures


def _private_metrics(backend: Any, media: str) -> dict[str, float] | None:
    from instagrapi.exceptions import MediaNotFound

    def op(cl: Any) -> Any:
        try:
            return cl.media_info(media, use_cache=False)
        except MediaNotFound:
            return None

    info = backend.run(op, publishing=False)
    if info is None:
        return None
    figures = {"likes": info.like_count, "comments": info.comment_count}
    if getattr(info, "play_count", None) or getattr(info, "view_count", None):
        figures["views"] = info.play_count or info.view_count
    return {k: float(v) for k, v in figures.items() if isinstance(v, (int, float))}

