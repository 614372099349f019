"""A simulated X API v2 account, shaped like X's JSON: what the X channel tests share.

``XAccount`` stores posts as X does (ids growing, ``created_at``, ``referenced_tweets`` for
replies, every link and bare domain wrapped as t.co with ``entities.urls[]`` carrying
``expanded_url`` / ``display_url``, ``&`` escaped as ``&amp;``) and answers POST /2/tweets,
GET /2/users/me and GET /2/users/:id/tweets (``start_time``, ``max_results``,
``pagination_token``). ``install`` puts it behind `responses`, so tweepy's real Client and
requests' real transport run; ``tests/test_x_processes.py`` serves the same account over HTTP.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

USER_ID = "42"


def wrap(text: str) -> tuple[str, list[dict]]:
    """The text as X stores it: each link (twitter-text's rules: bare domains too) -> t.co."""
    from crosspost._vendor.twitter_text.extract_urls import extract_urls_with_indices

    out, urls, pos = [], [], 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        if start < pos:
            continue
        original = url["url"]
        short = "https://t.co/" + hashlib.sha1(original.encode()).hexdigest()[:10]
        out.append(text[pos:start])
        begin = sum(len(p) for p in out)
        out.append(short)
        expanded = original if "://" in original else "http://" + original
        display = original.split("://", 1)[-1]
        urls.append({"start": begin, "end": begin + len(short), "url": short, "expanded_url": expanded,
                     "display_url": display[:26] + ("…" if len(display) > 26 else "")})
        pos = end
    out.append(text[pos:])
    return "".join(out), urls


class XAccount:
    """One X account's posts, as X API v2 answers about them."""

    def __init__(self, now: Callable[[], float], first_id: int = 1_000_000) -> None:
        self.now = now
        self.next_id = first_id
        self.tweets: list[dict] = []
        self.created: list[dict] = []  # request bodies of the posts this account took (not seeded)
        self.lock = threading.Lock()
        # (predicate on the request body, action): "lose" stores the post and loses the answer
        self.faults: list[tuple[Callable[[dict], bool], str]] = []

    def add(self, text: str, created: float, reply_to: str | None = None, media: bool = False) -> dict:
        with self.lock:
            self.next_id += 1
            tid = str(self.next_id)
            wrapped, urls = wrap(text)
            if media:
                short = f"https://t.co/m{tid}"
                urls.append({"start": len(wrapped) + 1, "end": len(wrapped) + 1 + len(short), "url": short,
                             "expanded_url": f"https://x.com/k/status/{tid}/photo/1",
                             "display_url": "pic.x.com/abc", "media_key": f"3_{tid}"})
                wrapped += " " + short
            tweet = {"id": tid, "text": html.escape(wrapped, quote=False), "edit_history_tweet_ids": [tid],
                     "created_at": datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                     "author_id": USER_ID}
            if urls:
                tweet["entities"] = {"urls": urls}
            if reply_to:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
                tweet["in_reply_to_user_id"] = USER_ID
            self.tweets.append(tweet)
            return tweet

    # -- the endpoints: (status, headers, body) ----
    def post_tweet(self, body: dict) -> tuple[int, dict, str, bool]:
        """Returns status, headers, body and whether the answer is lost after storing the post."""
        reply = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        tweet = self.add(body["text"], self.now(), reply, media=bool(body.get("media")))
        self.created.append(body)
        lose = any(pred(body) and action == "lose" for pred, action in self.faults)
        return 201, {}, json.dumps({"data": {"id": tweet["id"], "text": tweet["text"]}}), lose

    def me(self) -> tuple[int, dict, str]:
        return 200, {}, json.dumps({"data": {"id": USER_ID, "name": "Kemensos", "username": "KemensosRI"}})

    def timeline(self, url: str) -> tuple[int, dict, str]:
        q = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        since = q.get("start_time")
        rows = sorted(self.tweets, key=lambda t: int(t["id"]), reverse=True)  # newest first, as X
        if since:
            rows = [t for t in rows if t["created_at"][:19] >= since[:19]]
        offset = int(q.get("pagination_token") or 0)
        size = int(q.get("max_results") or 10)
        page = rows[offset:offset + size]
        fields = set((q.get("tweet.fields") or "").split(","))
        data = [{k: v for k, v in t.items() if k in ("id", "text", "edit_history_tweet_ids") or k in fields}
                for t in page]
        meta = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if offset + size < len(rows):
            meta["next_token"] = str(offset + size)
        return 200, {}, json.dumps({"data": data, "meta": meta} if data else {"meta": meta})

    def install(self, rsps, api: str = "https://api.x.com") -> None:
        import re

        import requests

        def tweet(request):
            status, headers, body, lose = self.post_tweet(json.loads(request.body))
            if lose:  # X stored it; the answer never arrives
                raise requests.exceptions.ConnectionError(
                    "('Connection aborted.', RemoteDisconnected('Remote end closed connection without "
                    "response'))")
            return status, headers, body

        rsps.add_callback("POST", f"{api}/2/tweets", callback=tweet)
        rsps.add_callback("GET", f"{api}/2/users/me", callback=lambda r: self.me())
        rsps.add_callback("GET", re.compile(rf"{re.escape(api)}/2/users/{USER_ID}/tweets.*"),
                          callback=lambda r: self.timeline(r.url))
