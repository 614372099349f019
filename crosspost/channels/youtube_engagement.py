"""YouTube: the comments on a sent video and its statistics, through googleapiclient.

- ``commentThreads.list(part="snippet", videoId=..., maxResults=100, order="time",
  textFormat="plainText", pageToken=...)`` (developers.google.com/youtube/v3/docs/
  commentThreads/list: 1 quota unit a call, maxResults 1-100, default 20; ``nextPageToken``):
  each item's ``snippet.topLevelComment`` is a comment resource with ``id`` and ``snippet``
  ``authorDisplayName``, ``textOriginal``/``textDisplay``, ``publishedAt``. With ``part=replies``
  (same 1 unit) ``replies.comments[]`` holds "a limited number of replies, and unless the number
  of items in the list equals the value of the snippet.totalReplyCount property, the list of
  replies is only a subset" (docs/commentThreads): then ``comments.list(part="snippet",
  parentId=..., maxResults=100, textFormat="plainText")`` (docs/comments/list, 1 unit, pages by
  ``nextPageToken``) reads them all; each reply's ``snippet.parentId`` is its thread's comment.
  Those calls share the fetch's page budget. Threads are ordered by their top-level comment's
  time, so the fetch stops at the first page holding a thread older than the last fetch; the
  older threads on the pages it read still show their inline replies, and a new one among them
  is kept (with the rest of that thread's replies read when there are more). A new reply under
  an older thread beyond those pages, or not among its inline replies, is not seen.
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
        calls = 0
        while calls < max_pages:
            args: dict[str, Any] = {"part": "snippet,replies", "videoId": video, "maxResults": 100,
                                    "order": "time", "textFormat": "plainText"}
            if token:
                args["pageToken"] = token
            body = youtube.commentThreads().list(**args).execute()
            calls += 1
            older = False
            for item in body.get("items") or []:
                snippet = item.get("snippet") or {}
                top = snippet.get("topLevelComment") or {}
                created = _time((top.get("snippet") or {}).get("publishedAt")) or now
                cid = str(top.get("id") or item.get("id") or "")
                inline = (item.get("replies") or {}).get("comments") or []
                if since is not None and created < since:
                    older = True  # order=time: newest first, the rest is older still...
                    if not any((_time((r.get("snippet") or {}).get("publishedAt")) or 0.0) >= since
                               for r in inline):
                        continue  # ...but a new reply under it is still a reply to read
                else:
                    found.extend(_comment(top, None, video, now))
                total = snippet.get("totalReplyCount")
                if isinstance(total, int) and total > len(inline):
                    more, calls, read_all = _all_replies(youtube, cid, calls, max_pages)
                    complete = complete and read_all
                    inline = list({str(r.get("id")): r for r in [*inline, *more]}.values())
                found.extend(r for reply in inline for r in _comment(reply, cid, video, now)
                             if since is None or r.created_at >= since)
            token = body.get("nextPageToken")
            if older or not token:
                break
            if calls >= max_pages:
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


def _comment(resource: dict, parent: str | None, video: str, now: float) -> list[Comment]:
    """One comment resource (top-level or reply) as the inbox's Comment; its link opens it."""
    s = resource.get("snippet") or {}
    cid = str(resource.get("id") or "")
    if not cid:
        return []
    text = str(s.get("textOriginal") or s.get("textDisplay") or "")
    return [Comment(cid, str(s.get("authorDisplayName") or ""), text, _time(s.get("publishedAt")) or now,
                    parent, f"https://www.youtube.com/watch?v={video}&lc={cid}")]


def _all_replies(youtube: Any, parent: str, calls: int, max_pages: int) -> tuple[list[dict], int, bool]:
    """Every reply under one thread through comments.list, within the fetch's call budget."""
    replies: list[dict] = []
    token: str | None = None
    while calls < max_pages:
        args: dict[str, Any] = {"part": "snippet", "parentId": parent, "maxResults": 100,
                                "textFormat": "plainText"}
        if token:
            args["pageToken"] = token
        body = youtube.comments().list(**args).execute()
        calls += 1
        replies.extend(body.get("items") or [])
        token = body.get("nextPageToken")
        if not token:
            return replies, calls, True
    return replies, calls, False


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
