"""Facebook Page: the comments on a sent post and its figures, through facebook-sdk's GraphAPI.

Comments: ``GET /{post-id}/comments`` (developers.facebook.com/docs/graph-api/reference/
page-post/comments): ``filter=stream`` returns every comment, replies included (the default
``toplevel`` hides replies), ``order=reverse_chronological`` newest first, ``since`` a lower
bound on time, ``fields=id,from,message,created_time,parent,permalink_url``; the answer is
``{"data": [...], "paging": {"cursors": {"after": ...}, "next": ...}}``. ``from`` is given only
to a Page token that can MODERATE the Page (the same page: "To access the id field ... you must
be able to perform the MODERATE task"), so the author may be missing: stored as "".

Figures: the post's ``reactions.summary(total_count)``, ``comments.summary(total_count)`` and
``shares`` (``{"count": n}``, left out of the answer while nobody shared the post), and its
insights ``GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique``:
Meta deprecated ``post_impressions*`` on 15 June / 15 November 2025 (Pages API, "Deprecated
Facebook Page Insights Metrics": alternative ``post_total_media_view_unique``, and the blog post
"Page Insights API Updates" of 15 August 2025: impressions replaced by views). Insights need
``read_insights`` (or ``pages_read_engagement`` with ANALYZE); without it, or while a new post
has none yet (an empty ``data``), only the summaries are given. When Meta refuses the two
metrics asked together (one of them retired or not given to this Page: "(#100) The value must be
a valid insights metric"), each is asked alone, so losing views does not lose reach; a metric
refused alone is not asked again for the other posts of the same read. A deleted post answers code 100
subcode 33 ("Object with ID ... does not exist").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engagement import Comment, CommentPage, NotAvailable
from ..errors import DeliveryError
from ..i18n import _
from ..models import Receipt
from .graph_paging import graph_time, read_pages

COMMENT_FIELDS = "id,from,message,created_time,parent,permalink_url"
SUMMARY_FIELDS = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
INSIGHTS = ("post_media_view", "post_total_media_view_unique")
INSIGHT_NAMES = {"post_media_view": "views", "post_total_media_view_unique": "reach"}


def _graph_error(exc: BaseException) -> tuple[int | None, int | None]:
    import facebook

    if not isinstance(exc, facebook.GraphAPIError):
        return None, None
    result = exc.result if isinstance(exc.result, dict) else {}
    found = result.get("error")
    err: dict[str, Any] = found if isinstance(found, dict) else {}
    return (exc.code if isinstance(exc.code, int) else None), err.get("error_subcode")


def _get(channel: Any, graph: Any, path: str, where: str, args: dict[str, Any]) -> dict:
    """One GET; a deleted post is NotAvailable(gone), other failures the channel's read outcome."""
    try:
        result = graph.request(f"{channel.settings.graph_version}/{path}", args=args)
    except Exception as exc:
        code, sub = _graph_error(exc)
        if code == 100 and sub == 33:
            raise NotAvailable(_("the post no longer exists on Facebook"), gone=True) from None
        raise channel._classify(exc, graph.session, "read", where) from None
    if not isinstance(result, dict):
        from ..errors import RetryLater

        raise RetryLater(_("Facebook sent an answer crosspost could not read while {where}").format(
            where=where))
    return result


def comments(channel: Any, receipt: Receipt, since: float | None, cursor: str | None, max_pages: int,
             now: float) -> CommentPage:
    graph = channel._graph()
    args: dict[str, Any] = {"filter": "stream", "order": "reverse_chronological", "fields": COMMENT_FIELDS,
                            "limit": 100}
    if since is not None:
        args["since"] = int(since)
    found: list[Comment] = []
    post = receipt.remote_id
    bodies, complete = read_pages(lambda a: _get(channel, graph, f"{post}/comments", "reading comments", a),
                                  args, max_pages)
    for body in bodies:
        for c in body.get("data") or []:
            created = graph_time(c.get("created_time")) or now
            if since is not None and created < since:
                continue
            parent = (c.get("parent") or {}).get("id")
            found.append(Comment(str(c.get("id") or ""), str((c.get("from") or {}).get("name") or ""),
                                 str(c.get("message") or ""), created, str(parent) if parent else None,
                                 c.get("permalink_url") or _comment_url(receipt, str(c.get("id") or ""))))
    return CommentPage(tuple(c for c in found if c.id), None, complete)


def metrics(channel: Any, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
    graph = channel._graph()
    out: dict[str, dict[str, float] | None] = {}
    refused: set[str] = set()
    for receipt in receipts:
        post = receipt.remote_id
        try:
            body = _get(channel, graph, post, "reading post figures", {"fields": SUMMARY_FIELDS})
        except NotAvailable:
            out[post] = None
            continue
        figures: dict[str, float] = {}
        for edge, name in (("reactions", "reactions"), ("comments", "comments")):
            total = ((body.get(edge) or {}).get("summary") or {}).get("total_count")
            if isinstance(total, (int, float)):
                figures[name] = float(total)
        figures["shares"] = float((body.get("shares") or {}).get("count") or 0)
        figures.update(_insights(channel, graph, post, refused))
        out[post] = figures
    return out


class _Refused(Exception):
    """Meta refused the metrics asked (no insights permission, or a metric it retired)."""


def _insights(channel: Any, graph: Any, post: str, refused: set[str]) -> dict[str, float]:
    """views and reach from the post's insights; nothing when none are available (yet).
    ``refused`` collects the metrics Meta refused asked alone (see the module docstring)."""
    asked = [m for m in INSIGHTS if m not in refused]
    try:
        return _ask(channel, graph, post, asked) if asked else {}
    except _Refused:
        if len(asked) == 1:
            refused.add(asked[0])
            return {}
    out: dict[str, float] = {}
    for one in asked:
        try:
            out.update(_ask(channel, graph, post, [one]))
        except _Refused:
            refused.add(one)
    return out


def _ask(channel: Any, graph: Any, post: str, metrics: list[str]) -> dict[str, float]:
    try:
        body = _get(channel, graph, f"{post}/insights", "reading post insights",
                    {"metric": ",".join(metrics)})
    except NotAvailable:
        return {}
    except DeliveryError as exc:
        if exc.kind == "retry":
            raise
        raise _Refused() from None
    out: dict[str, float] = {}
    for row in body.get("data") or []:
        values = row.get("values") or []
        value = values[-1].get("value") if values else None
        name = INSIGHT_NAMES.get(str(row.get("name")))
        if name and isinstance(value, (int, float)):
            out[name] = float(value)
    return out



def _comment_url(receipt: Receipt, comment_id: str) -> str | None:
    if not receipt.url or not comment_id:
        return receipt.url
    tail = comment_id.rsplit("_", 1)[-1]
    return f"{receipt.url}{'&' if '?' in receipt.url else '?'}comment_id={tail}"
