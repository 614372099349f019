"""YouTube: the comments on a sent video and its statistics, through googleapiclient.

- ``commentThreads.list(part="snippet", videoId=..., maxResults=100, order="time",
  textFormat="plainText", pageToken=...)`` (developers.google.com/youtube/v3/docs/
  commentThreads/list: 1 quota unit a call, maxResults 1-100, default 20; ``nextPageToken``):
  each item's ``snippet.topLevelComment`` is a comment resource with ``id`` and ``snippet``
  ``authorDisplayName``, ``textOriginal``/``textDisplay``, ``publishedAt``. Replies to comments
  need ``part=replies`` and are not read (they cost quota and rarely carry the first complaint).
  ``403 commentsDisabled``: the video does not take comments; ``404 videoNotFound``: deleted.
- ``videos.list(part="statistics", id="a,b,...")`` (docs/videos/list: up to 50 ids, 1 unit):
  ``viewCount``, ``likeCount`` (left out when the owner hides likes), ``commentCount``, as
  strings; a deleted or private video is simply absent from ``items``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..engagement import Comment, CommentPage, NotAvailable
from ..i18n import _
from ..models import Receipt
from .youtube_reasons import http_reasons

IDS_PER_LIST = 50
STATISTICS = {"viewCount": "views", "likeCount": "likes", "commentCount": "comments"}


def _reasons(exc: BaseException) -> set[str]:
    try:
        return http_reasons(exc)
    except Exception:
        return set()


def comments(channel: Any, receipt: Receipt, since: float | None, cursor: str | None, max_pages: int,
             now: float) -> CommentPage:
    from googleapiclient.errors import HttpError

    youtube = channel.client()
    video = receipt.remote_id
    found: list[Comment] = []
    token: str | None = None
    complete = True
    try:
        for page in range(max_pages):
            args: dict[str, Any] = {"part": "snippet", "videoId": video, "maxResults": 100, "order": "time",
                                    "textFormat": "plainText"}
            if token:
                args["pageToken"] = token
            body = youtube.commentThreads().list(**args).execute()
            older = False
            for item in body.get("items") or []:
                top = (item.get("snippet") or {}).get("topLevelComment") or {}
                s = top.get("snippet") or {}
                created = _time(s.get("publishedAt")) or now
                if since is not None and created < since:
                    older = True  # order=time: newest first, the rest is older still
                    continue
                cid = str(top.get("id") or item.get("id") or "")
                text = str(s.get("textOriginal") or s.get("textDisplay") or "")
                found.append(Comment(cid, str(s.get("authorDisplayName") or ""), text, created, None,
                                     f"https://www.youtube.com/watch?v={video}&lc={cid}"))
            token = body.get("nextPageToken")
            if older or not token:
                break
            if page == max_pages - 1:
                complete = False
    except HttpError as exc:
        reasons = _reasons(exc)
        if "commentsDisabled" in reasons:
            raise NotAvailable(_("comments are turned off on this YouTube video")) from None
        if "videoNotFound" in reasons or int(exc.resp.status) == 404:
            raise NotAvailable(_("the video no longer exists on YouTube"), gone=True) from None
        raise channel.classify(exc, "read", started=False) from None
    except Exception as exc:
        raise channel.classify(exc, "read", started=False) from None
    return CommentPage(tuple(found), None, complete)


def metrics(channel: Any, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
    ids = [r.remote_id for r in receipts if r.remote_id]
    out: dict[str, dict[str, float] | None] = {}
    if not ids:
        return out
    youtube = channel.client()
    try:
        for start in range(0, len(ids), IDS_PER_LIST):
            batch = ids[start:start + IDS_PER_LIST]
            request = youtube.videos().list(part="statistics", id=",".join(batch), maxResults=len(batch))
            body = request.execute()
            seen = set()
            for item in body.get("items") or []:
                stats = item.get("statistics") or {}
                seen.add(str(item.get("id")))
                out[str(item.get("id"))] = {ours: float(stats[theirs]) for theirs, ours in STATISTICS.items()
                                            if str(stats.get(theirs, "")).isdigit()}
            for vid in batch:
                if vid not in seen:
                    out[vid] = None  # deleted, or no longer visible to this channel's token
    except Exception as exc:
        raise channel.classify(exc, "read", started=False) from None
    return out


def _time(text: Any) -> float | None:
    """YouTube's RFC 3339 "2026-11-20T09:00:00Z"."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
