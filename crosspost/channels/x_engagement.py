"""X: the replies to a sent post and its public figures, read through tweepy's Client.

Replies: ``GET /2/tweets/search/recent`` with ``query=conversation_id:<first part id>``
(docs.x.com, "Conversation threads using the X API": every reply in a conversation carries the
conversation_id of the post that started it; tweepy ``Client.search_recent_tweets``). Recent
search covers the last 7 days only (tweepy's docstring: "Tweets from the last seven days"), so
`inbox fetch` does not ask about an older post (``TwitterChannel.replies_reach``), and asked
directly it gets NotAvailable instead of a call that cannot answer. Newest first,
``max_results`` 10-100, ``meta.next_token`` for the next page, ``since_id`` to read only what is
newer than the last fetch (``meta.newest_id``). Reads are paid (docs.x.com "X API pay-per-usage
pricing": every post a read returns is billed, recent search and GET /2/tweets included), so
a page asks for 100 replies, ``since_id`` skips what was read before, and a fetch stops at
``max_pages``.

Figures: ``GET /2/tweets?ids=...&tweet.fields=public_metrics`` (up to 100 ids a call; tweepy
``Client.get_tweets``): ``impression_count``, ``like_count``, ``reply_count``,
``retweet_count``, ``quote_count``, ``bookmark_count``. A deleted post comes back in ``errors``
with ``resource_type`` "tweet" and ``value`` its id (a "Not Found Error"), not in ``data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..engagement import Comment, CommentPage, NotAvailable
from ..i18n import _
from ..models import Receipt
from .base import PublishContext

IDS_PER_LOOKUP = 100  # GET /2/tweets takes at most 100 ids
REPLY_FIELDS = ["created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets"]
# public_metrics names -> crosspost.engagement.METRICS
PUBLIC_METRICS = {"impression_count": "views", "like_count": "likes", "reply_count": "comments",
                  "retweet_count": "shares", "quote_count": "quotes", "bookmark_count": "bookmarks"}


def _read_error(channel: Any, exc: BaseException, where: str) -> Exception:
    return channel._classify(exc, PublishContext(release=None), "read", where)  # type: ignore[arg-type]


def comments(channel: Any, receipt: Receipt, since: float | None, cursor: str | None, max_pages: int,
             now: float, sent_at: float | None = None) -> CommentPage:
    """The replies newer than ``cursor`` (X's since_id), newest first."""
    posted = sent_at if sent_at is not None else _id_time(receipt.remote_id)
    if posted is not None and now - posted > (channel.replies_reach or float("inf")):
        raise NotAvailable(_("X's recent search covers only the last 7 days: replies to an older post "
                             "are not read (full-archive search costs a read per post; crosspost does not "
                             "use it)"))
    own = {str(p) for p in (receipt.extra.get("parts") or [])} | {receipt.remote_id}
    me = channel.settings.username.lstrip("@").casefold()
    client, _auth = channel._client()
    my_id = _my_id(channel, client) if not me else None  # without a username: who the account is
    found: list[Comment] = []
    token: str | None = None
    newest: str | None = None
    complete = True
    try:
        for page in range(max_pages):
            params: dict[str, Any] = {"max_results": 100, "tweet_fields": REPLY_FIELDS,
                                      "expansions": ["author_id"], "user_fields": ["name", "username"]}
            if cursor:
                params["since_id"] = cursor
            if token:
                params["next_token"] = token
            result = client.search_recent_tweets(f"conversation_id:{receipt.remote_id}", user_auth=True,
                                                 **params)
            meta = result.meta or {}
            if page == 0:
                newest = meta.get("newest_id")
            users = {str(u.id): u for u in (result.includes or {}).get("users", [])}
            for t in result.data or []:
                user = users.get(str(t.author_id))
                username = str(getattr(user, "username", "") or "")
                if str(t.id) in own or (me and username.casefold() == me) or str(t.author_id) == my_id:
                    continue  # the thread's own parts and the account's own replies (ralat)
                created = t.created_at.timestamp() if t.created_at is not None else now
                if since is not None and created < since:
                    continue
                name = str(getattr(user, "name", "") or username)
                found.append(Comment(str(t.id), f"{name} (@{username})" if username else name, t.text or "",
                                     created, _replied_to(t, receipt.remote_id),
                                     f"https://x.com/{username or 'i/web'}/status/{t.id}"))
            token = meta.get("next_token")
            if not token:
                break
        else:
            complete = False
    except NotAvailable:
        raise
    except Exception as exc:
        raise _read_error(channel, exc, "reading replies") from None
    # An unfinished read keeps the old cursor, so the next fetch reads the skipped older pages too.
    return CommentPage(tuple(found), (newest or cursor) if complete else cursor, complete)


def metrics(channel: Any, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
    """public_metrics of each post (None: X says it no longer exists), 100 ids per call."""
    ids = [r.remote_id for r in receipts if r.remote_id]
    out: dict[str, dict[str, float] | None] = {}
    if not ids:
        return out
    client, _auth = channel._client()
    try:
        for start in range(0, len(ids), IDS_PER_LOOKUP):
            batch = ids[start:start + IDS_PER_LOOKUP]
            result = client.get_tweets(batch, tweet_fields=["public_metrics"], user_auth=True)
            for t in result.data or []:
                figures = t.public_metrics or {}
                out[str(t.id)] = {ours: float(figures[theirs]) for theirs, ours in PUBLIC_METRICS.items()
                                  if isinstance(figures.get(theirs), (int, float))}
            for err in result.errors or []:
                if err.get("resource_type") == "tweet" and str(err.get("value")) in batch:
                    out[str(err["value"])] = None
    except Exception as exc:
        raise _read_error(channel, exc, "reading post figures") from None
    return out


def _my_id(channel: Any, client: Any) -> str | None:
    """The account's own user id (GET /2/users/me, once per channel object), so its own replies in
    the conversation (a ralat) are not taken for the public's."""
    cached = getattr(channel, "_x_user_id", None)
    if cached is None:
        me = client.get_me(user_auth=True)
        cached = str(me.data.id) if me.data is not None else ""
        channel._x_user_id = cached
    return cached or None


def _replied_to(tweet: Any, post_id: str) -> str | None:
    """The reply it answers, or None when it answers the post itself."""
    for ref in tweet.referenced_tweets or []:
        if ref.type == "replied_to" and str(ref.id) != post_id:
            return str(ref.id)
    return None


def _id_time(tweet_id: str) -> float | None:
    """When a post was made, from its Snowflake id (ms since 2010-11-04 in the top bits)."""
    if not tweet_id.isdigit() or int(tweet_id) < 2**22:
        return None
    return ((int(tweet_id) >> 22) + 1288834974657) / 1000.0


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
