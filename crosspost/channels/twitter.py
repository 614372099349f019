"""X/Twitter through tweepy: a post or a numbered thread (reply chain), up to 4 images.

Threads resume: every posted part's id is saved (``ctx.save_progress``) before the next
call, so a retry after a failure half-way continues the chain instead of starting a second
one. Errors are classified by whether the post may already exist (see DESIGN.md).

tweepy hard-codes ``https://api.twitter.com``; the client's session rewrites that host to
``api_base`` (default ``https://api.x.com``) so every call goes to one configurable host,
and it adds a timeout, which tweepy never sets.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..engagement import CommentPage
from ..errors import ConfigError, DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..i18n import N_, _
from ..models import Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext
from .transport import never_sent
from .twitter_thread import body_carried, split_thread, weighted_length

TWEEPY_HOST = "https://api.twitter.com"
# A post's creation time on X and ours are two clocks: a post made for this delivery may carry a
# time up to this much before our claim (the log's own clock tolerance, crosspost.store).
CLOCK_SLACK = 120.0
LOOKUP_PAGES = 5  # pages of the timeline read per lookup (up to 100 posts each)
# What a lookup must ask X for: get_users_tweets returns only id and text unless told (X API v2
# "Fields": tweet.fields; tweepy.Client.get_users_tweets passes tweet_fields through as-is).
LOOKUP_FIELDS = ["created_at", "entities", "referenced_tweets", "in_reply_to_user_id"]

RETRY, UNKNOWN, FAILED, REAUTH = "retry", "unknown", "failed", "reauth"
# The outcome table: every failure tweepy and requests can surface on create_tweet (column 2)
# and on a media upload or a read (column 3; nothing public exists yet, so an ambiguous answer is
# retried), with why. tests/test_twitter_faults.py drives each row through tweepy's real
# transport (requests under `responses`) and checks the channel follows this table.
OUTCOMES: tuple[tuple[str, str, str, str], ...] = (
    ("connect_refused", RETRY, RETRY,
     "requests ConnectionError from urllib3 NewConnectionError/NameResolutionError, or an "
     "SSLError of the handshake: no byte of the request was sent (channels/transport.py)"),
    ("connect_timeout", RETRY, RETRY,
     "requests ConnectTimeout: 'Requests that produced this error are safe to retry' "
     "(requests.exceptions docstring)"),
    ("read_timeout", UNKNOWN, RETRY,
     "requests ReadTimeout: the request was sent and 'the server did not send any data in the "
     "allotted amount of time' (requests.exceptions): X may have created the post"),
    ("connection_broken", UNKNOWN, RETRY,
     "ConnectionError without a refusal (RemoteDisconnected, ConnectionResetError after sending), "
     "ChunkedEncodingError: the request reached X and its answer was cut"),
    ("server_error", UNKNOWN, RETRY,
     "HTTP 5xx (tweepy.TwitterServerError): X may have stored the post before failing "
     "(DESIGN.md: 5xx on create is ambiguous)"),
    ("rate_limit", RETRY, RETRY,
     "HTTP 429 (tweepy.TooManyRequests): nothing applied; wait until reset_time, from "
     "x-rate-limit-reset (X API rate limits; tweepy 4.17 sets reset_time)"),
    ("daily_cap", RETRY, RETRY,
     "HTTP 429 with x-user-limit-24hour-remaining or x-app-limit-24hour-remaining at 0: the "
     "24-hour post cap; wait until its -reset header, not the 15-minute window (PLATFORMS.md)"),
    ("duplicate", UNKNOWN, FAILED,
     "HTTP 403 'You are not allowed to create a Tweet with duplicate content' (no error code in "
     "v2): an earlier attempt probably landed; look it up (PLATFORMS.md)"),
    ("read_only_app", REAUTH, REAUTH,
     "HTTP 403 problem type .../2/problems/oauth1-permissions: the app is Read-only; set it to "
     "Read and write and regenerate the access token (node-twitter-api-v2 issue 493; tweepy issue "
     "1463)"),
    ("unauthorized", REAUTH, REAUTH, "HTTP 401 (tweepy.Unauthorized): revoked or wrong keys"),
    ("no_credits", FAILED, FAILED,
     "HTTP 402: the pay-per-use account has no credits; nothing is posted until a person adds "
     "credits, so not retried on a timer"),
    ("forbidden", FAILED, FAILED, "any other HTTP 403: X's policy refused this post"),
    ("bad_request", FAILED, FAILED, "HTTP 400/404/other 4xx: the request itself is wrong"),
    ("unreadable", UNKNOWN, RETRY,
     "a 2xx whose body is not the JSON tweepy expects (ValueError/KeyError/TypeError): the post "
     "may exist"),
    ("file", FAILED, FAILED, "OSError reading a media file: a person must fix the file"),
    ("unexpected", UNKNOWN, RETRY, "anything else after the call may have started: never retry blindly"),
)


def failure_of(exc: BaseException, creating: bool = True) -> str:
    """The OUTCOMES row an exception from tweepy/requests belongs to."""
    import requests
    import tweepy

    if isinstance(exc, tweepy.TooManyRequests):
        return "daily_cap" if daily_reset(exc.response) else "rate_limit"
    if isinstance(exc, tweepy.Unauthorized):
        return "unauthorized"
    if isinstance(exc, tweepy.TwitterServerError):
        return "server_error"
    if isinstance(exc, tweepy.HTTPException):
        status = getattr(exc.response, "status_code", 0)
        words = " ".join(str(m) for m in exc.api_messages).lower()
        kind = ""
        try:
            kind = str((exc.response.json() or {}).get("type") or "")
        except Exception:
            pass
        if status == 402:
            return "no_credits"
        if isinstance(exc, tweepy.Forbidden):
            if "duplicate content" in words or "duplicate" in words:
                return "duplicate"
            if "oauth1-permissions" in kind or "oauth1 app permissions" in words or "read-only" in words:
                return "read_only_app"
            return "forbidden"
        return "bad_request"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connect_refused" if never_sent(exc) else "connection_broken"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection_broken"
    if isinstance(exc, requests.exceptions.Timeout):
        return "read_timeout"
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return "unreadable"
    if isinstance(exc, OSError) and not creating:
        return "file"
    return "unexpected"


def daily_reset(response: Any) -> float | None:
    """The reset time (Unix seconds) of X's 24-hour cap when the answer says it is used up."""
    headers = getattr(response, "headers", None) or {}
    resets = []
    for who in ("user", "app"):
        remaining = headers.get(f"x-{who}-limit-24hour-remaining")
        reset = headers.get(f"x-{who}-limit-24hour-reset")
        if reset and str(reset).isdigit() and (remaining is None or str(remaining).strip() == "0"):
            if remaining is not None or headers.get("x-rate-limit-remaining") not in (None, "0"):
                resets.append(float(reset))
    return max(resets) if resets else None


@dataclass(frozen=True)
class Settings(CommonSettings):
    thread: bool = True  # split a long text into a numbered thread; False: too long is a problem
    numbering: bool = True  # add " (1/3)" to each part of a thread
    link_part: str = "last"  # which part carries the release link: "first" or "last"
    link_prefix: str = "Selengkapnya: "  # words put before the link
    more_text: str = "… selengkapnya di tautan"  # where a thread stops short of the body (template)
    max_parts: int = 6  # a longer thread is a problem: shorten the template or raise this
    api_base: str = "https://api.x.com"  # API host for every call (tests may point it elsewhere)
    username: str = ""  # the account's @name, for readable post URLs (optional)
    timeout: float = 60.0  # seconds per HTTP request
    lookup_limit: int = 100  # posts per page read when settling an unknown outcome (5-100)
    lookup_chars: int = 60  # no longer used: a lookup compares the whole text (kept for old files)

    def __post_init__(self) -> None:
        if self.link_part not in ("first", "last"):
            raise ConfigError(_(
                "[twitter] link_part must be 'first' or 'last', not '{link_part}'").format(
                link_part=self.link_part))
        if self.max_parts < 1:
            raise ConfigError(_('[twitter] max_parts must be at least 1'))


@dataclass(frozen=True)
class Limits:
    weighted_length: int = 280  # twitter-text v3 weighted characters per post
    max_images: int = 4
    image_bytes: int = 5 * 1024 * 1024
    alt_text_chars: int = 1000


class TwitterChannel(Channel):
    platform: ClassVar[str] = "twitter"
    Settings: ClassVar[type] = Settings
    Limits: ClassVar[type] = Limits
    secret_keys: ClassVar[tuple[str, ...]] = ("api_key", "api_secret", "access_token", "access_token_secret")
    editable: ClassVar[bool] = False  # a correction is a reply
    places_link: ClassVar[bool] = True  # split_thread puts the link in one part (crosspost.overrides)
    can_lookup: ClassVar[bool] = True
    has_comments: ClassVar[bool] = True
    # recent search covers the last 7 days (tweepy Client.search_recent_tweets: "Tweets from the
    # last seven days"); full-archive search is a paid read per post, not used
    replies_reach: ClassVar[float | None] = 7 * 86400.0
    has_metrics: ClassVar[bool] = True
    engagement_access: ClassVar[str] = N_(  # doctor and the README say it
        "X API credits (pay-per-usage: every post read for replies or figures is billed); replies come "
        "from recent search, which covers only the last 7 days")

    # -- inbox and metrics (crosspost.channels.x_engagement) -------------------------------------------------
    def comments(self, receipt: Receipt, since: float | None = None, *, cursor: str | None = None,
                 max_pages: int = 20, now: float | None = None,
                 sent_at: float | None = None) -> CommentPage:
        from . import x_engagement

        return x_engagement.comments(self, receipt, since, cursor, max_pages,
                                     time.time() if now is None else now, sent_at)

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        from . import x_engagement

        return x_engagement.metrics(self, receipts)

    # -- adapt ---------------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        s, lim = self.settings, self.limits
        link = self.release_link(release)
        problems: list[Problem] = []
        parts = split_thread(text, lim.weighted_length, s.numbering, link, s.link_part, s.link_prefix)
        if not parts:
            problems.append(self.problem("text", _('the post is empty: check the twitter template')))
            parts = [""]
        counts = [weighted_length(p) for p in parts]
        if len(parts) > 1 and not s.thread:
            whole = split_thread(text, 10**6, False, link, s.link_part, s.link_prefix)[0]
            problems.append(self.problem(
                "text", _(
                    'too long for one post and threads are off (thread = false): shorten the template or '
                    'the summary'), lim.weighted_length, weighted_length(whole)))
        elif len(parts) > s.max_parts:
            problems.append(self.problem(
                "parts", _(
                    'the thread would have {parts} posts: shorten the template or raise max_parts').format(
                    parts=len(parts)), s.max_parts, len(parts)))
        for i, (part, n) in enumerate(zip(parts, counts, strict=True), 1):
            if part and n > lim.weighted_length:
                problems.append(self.problem(f"parts[{i}]", _('this post is over the X limit'),
                                             lim.weighted_length, n))
        carried, total = body_carried(release, text)
        counts_extra: dict[str, Any] = {}
        if total:
            counts_extra["body"] = {"actual": carried, "limit": total, "unit": "paragraphs"}
            if carried < total and len(parts) > 1:  # a thread that stops short of the body
                problems.append(self.problem("body", _(
                    "the thread of {posts} posts carries {carried} of the body's {total} paragraphs: "
                    "the rest is only at the link").format(posts=len(parts), carried=carried, total=total),
                    total, carried, "warning"))
        media = tuple(m for m in release.images if m.kind == "image")
        room = lim.max_images * len(parts)  # images beyond the first post's 4 ride on later parts
        if len(media) > room:
            problems.append(self.problem("media", _(
                "X takes at most {per_post} images a post: these {posts} post(s) carry the first "
                "{room}").format(per_post=lim.max_images, posts=len(parts), room=room),
                room, len(media), "warning"))
            media = media[:room]
        problems += self._media_problems(media)
        if release.video is not None:
            problems.append(self.problem("media", _(
                'video upload to X is not supported yet: the post goes out without the '
                'video'), severity="warning"))
        variant = Variant(
            channel=self.name, kind=self.platform, text=parts[0] if len(parts) == 1 else text,
            title=release.title, parts=tuple(parts) if len(parts) > 1 else (), media=media,
            link=link, counts={"weighted": counts, "limit": lim.weighted_length, **counts_extra})
        return variant, problems

    def _media_problems(self, media: tuple) -> list[Problem]:
        from .x_media import IMAGE_TYPES

        out = self.image_file_problems(media, self.limits.image_bytes, IMAGE_TYPES, "X",
                                       "JPEG, PNG, GIF or WebP")
        for m in media:
            if len(m.alt) > self.limits.alt_text_chars:
                out.append(self.problem("media", _(
                    'alt text of {name} is cut to {alt_text_chars} characters').format(
                    name=m.path.name, alt_text_chars=self.limits.alt_text_chars),
                                        self.limits.alt_text_chars, len(m.alt), "warning"))
        return out

    # -- publish -------------------------------------------------------------------------
    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        parts = list(variant.parts) or [variant.text]
        ids = [str(i) for i in (ctx.progress.get("parts") or [])]
        client, auth = self._client()
        per_post = self.limits.max_images
        for index in range(len(ids), len(parts)):
            ctx.heartbeat()
            # X takes 4 images a post (POST /2/tweets, media.media_ids: minItems 1, maxItems 4,
            # X API v2 OpenAPI): part i carries images 4i..4i+3, uploaded just before it is posted
            # (an upload makes nothing public: safe to retry; media ids expire).
            media_ids = self._upload(client, auth, variant.media[index * per_post:(index + 1) * per_post],
                                     ctx)
            kwargs: dict[str, Any] = {"text": parts[index], "user_auth": True}
            if media_ids:
                kwargs["media_ids"] = media_ids
            if ids:
                kwargs["in_reply_to_tweet_id"] = ids[-1]
            where = (_("posting part {index} of {n}").format(index=index + 1, n=len(parts)) if len(parts) > 1
                     else _("posting"))
            try:
                response = client.create_tweet(**kwargs)
                new_id = str(response.data["id"])
            except Exception as exc:
                err = self._classify(exc, ctx, "create", where)
                if ids:
                    err = type(err)(_("{err} ({n} earlier part(s) are on X and recorded: a retry continues "
                                      "the thread)").format(err=err, n=len(ids)), err.retry_after)
                raise err from None
            ids.append(new_id)
            ctx.save_progress({"parts": list(ids)})
        return self._receipt(ids)

    def _upload(self, client: Any, auth: Any, media: tuple, ctx: PublishContext) -> list[str]:
        from .x_media import upload_image

        out: list[str] = []
        for m in media:
            ctx.heartbeat()
            try:
                out.append(upload_image(client.session, auth, self.settings.api_base, m.path, m.alt,
                                        self.settings.timeout))
            except Exception as exc:
                raise self._classify(exc, ctx, "media", f"uploading {m.path.name}") from None
        return out

    def _receipt(self, ids: list[str]) -> Receipt:
        return Receipt(remote_id=ids[0], url=self.status_url(ids[0]), extra={"parts": list(ids)})

    def status_url(self, tweet_id: str) -> str:
        user = self.settings.username.lstrip("@")
        return f"https://x.com/{user}/status/{tweet_id}" if user else f"https://x.com/i/web/status/{tweet_id}"

    def _client(self) -> tuple[Any, Any]:
        """A tweepy Client (never waiting on rate limits) and the OAuth1 auth for media."""
        import tweepy

        from .x_media import oauth1

        if self.secrets is None:
            raise ReauthRequired(_(
                "channel '{name}' has no credentials: run `crosspost auth {name}`").format(name=self.name))
        keys = [self.secrets.require(k) for k in self.secret_keys]
        client = tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2],
                               access_token_secret=keys[3], wait_on_rate_limit=False)
        client.session = _session(self.settings.api_base, self.settings.timeout)
        return client, oauth1(*keys)

    # -- errors --------------------------------------------------------------------------
    def _classify(self, exc: BaseException, ctx: PublishContext, stage: str, where: str) -> DeliveryError:
        """Map an SDK/HTTP failure to what the engine may do next, by ``OUTCOMES``.

        ``stage`` is "create" when a post may have been made by the failed call ("media" for an
        upload, "read" for lookups and doctor: nothing public can exist, so an ambiguous failure is
        safe to retry).
        """
        if isinstance(exc, DeliveryError):
            return exc
        failure = failure_of(exc, stage == "create")
        column = 1 if stage == "create" else 2
        outcome = next(row[column] for row in OUTCOMES if row[0] == failure)
        message = self._message(failure, exc, where)
        if outcome == RETRY:
            return RetryLater(message, self._wait(exc, ctx) if failure in ("rate_limit", "daily_cap")
                              else None)
        if outcome == UNKNOWN:
            return UnknownOutcome(_("{message}: the post may exist; crosspost looks for it on X before "
                                    "anything is sent again").format(message=message))
        if outcome == REAUTH:
            return ReauthRequired(_(
                '{message}: run `crosspost auth {name}`, then `crosspost retry`').format(
                message=message, name=self.name))
        return Permanent(message)

    def _wait(self, exc: BaseException, ctx: PublishContext) -> float | None:
        """Seconds until X takes posts again: the 15-minute window's reset, or the 24-hour cap's
        reset when that cap is the one used up (its headers say so)."""
        now = (ctx.now or time.time)()
        reset = daily_reset(getattr(exc, "response", None)) or getattr(exc, "reset_time", None)
        return max(1.0, float(reset) - now) if reset else None

    def _message(self, failure: str, exc: BaseException, where: str) -> str:
        status = getattr(getattr(exc, "response", None), "status_code", "?")
        detail = self._mask("; ".join(str(m) for m in getattr(exc, "api_messages", []) or []) or str(exc))
        names = {"where": where, "status": status, "detail": detail, "kind": type(exc).__name__,
                 "name": self.name}
        return {
            "connect_refused": _(
                'could not reach X while {where}: nothing was sent; trying again later').format(**names),
            "connect_timeout": _(
                'could not connect to X while {where} (timeout): nothing was sent').format(**names),
            "read_timeout": _("X did not answer in time while {where}").format(**names),
            "connection_broken": _("the connection to X broke while {where} ({kind})").format(**names),
            "server_error": _("X had a server error ({status}) while {where}").format(**names),
            "rate_limit": _(
                'X rate limit reached while {where}: crosspost tries again at its reset').format(**names),
            "daily_cap": _("X's 24-hour post cap is used up while {where}: crosspost tries again when "
                         "it resets").format(**names),
            "duplicate": _("X says this is duplicate content while {where}: an earlier attempt probably "
                         "posted it").format(**names),
            "read_only_app": _("X refused to post while {where}: the app of '{name}' is Read-only. In "
                             "the X developer console set the app's permissions to \"Read and write\", "
                             "then regenerate the access token and secret (old tokens keep the old "
                             "permissions)").format(**names),
            "unauthorized": _("X refused the credentials of '{name}' while {where}").format(**names),
            "no_credits": _("X refused the request while {where}: 402, the account has no API credits "
                          "left. Buy credits (or change the plan) in the X developer console, then "
                          "`crosspost retry` the delivery").format(**names),
            "forbidden": _("X rejected the request ({status}) while {where}: {detail}").format(**names),
            "bad_request": _("X rejected the request ({status}) while {where}: {detail}").format(**names),
            "unreadable": _("X sent an answer crosspost could not read while {where}").format(**names),
            "file": _("cannot read a file while {where}: {kind}").format(**names),
        }.get(failure) or _("unexpected {kind} while {where}").format(**names)

    def _mask(self, text: str) -> str:
        return self.mask(text, self.secret_keys)

    # -- reconcile -----------------------------------------------------------------------
    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Find this delivery's own posts among the account's posts since it was claimed.

        A part matches only a post with the same text (in full, after undoing X's t.co wrapping
        of links and bare domains) that replies to the previous part's id; the first part, only a
        post that replies to nothing and was created after this delivery was first claimed. So a
        closing part made of hashtags and a link can never be taken for another release's.

        Returns a Receipt when every part is on X. When only some parts of a thread are found,
        their ids are saved as progress and None is returned, so the retry continues the chain
        after them. None means "read every post since the claim and it is not there"; when that
        cannot be said (no claim time, more posts than a lookup reads) it raises UnknownOutcome.
        """
        parts = list(variant.parts) or [variant.text]
        known = [str(i) for i in (ctx.progress.get("parts") or [])]
        if len(known) >= len(parts):  # every part was recorded before the outcome got lost
            return self._receipt(known[: len(parts)])
        posts = self._posts_since(ctx)
        found = list(known)
        for part in parts[len(known):]:
            reply_to = found[-1] if found else None
            match = next((p for p in posts if p.id not in found and p.reply_to == reply_to
                          and same_text(part, p.text)), None)
            if match is None:
                break
            found.append(match.id)
        if len(found) > len(known):
            ctx.save_progress({"parts": list(found)})
        if len(found) == len(parts):
            return self._receipt(found)
        return None

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """The ralat reply: the same text, replying to the original post, made after the claim."""
        known = [str(i) for i in (ctx.progress.get("parts") or [])]
        if known:
            return self._receipt(known[:1])
        reply_to = _original_id(variant)
        match = next((p for p in self._posts_since(ctx)
                      if p.reply_to == reply_to and same_text(variant.text, p.text)), None)
        if match is None:
            return None
        ctx.save_progress({"parts": [match.id]})
        return self._receipt([match.id])

    def _posts_since(self, ctx: PublishContext) -> list[_Post]:
        """Every post of the account created since this delivery was first claimed (less the clock
        slack), oldest first, with its text unwrapped; UnknownOutcome when that cannot be read
        completely (no claim time in the log, or more posts than LOOKUP_PAGES pages)."""
        from datetime import UTC, datetime

        if ctx.claimed_at is None:
            raise UnknownOutcome(_(
                'the log has no claim time for this delivery, so crosspost cannot tell its post from older '
                'ones on X: check by hand'))
        since = ctx.claimed_at - CLOCK_SLACK
        client, _auth = self._client()
        per_page = min(100, max(5, self.settings.lookup_limit))
        out: list[_Post] = []
        token = None
        try:
            me = client.get_me(user_auth=True)
            for _page in range(LOOKUP_PAGES):
                result = client.get_users_tweets(
                    me.data.id, user_auth=True, max_results=per_page, tweet_fields=LOOKUP_FIELDS,
                    start_time=datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    **({"pagination_token": token} if token else {}))
                for t in result.data or []:
                    created = t.created_at.timestamp() if t.created_at is not None else None
                    if created is None or created < since:  # never trust the filter alone
                        continue
                    out.append(_Post(str(t.id), unwrap(t.text or "", t.entities), created, _replied_to(t)))
                token = (result.meta or {}).get("next_token")
                if not token:
                    break
        except Exception as exc:
            raise self._classify(exc, ctx, "read", _("looking for recent posts")) from None
        if token:
            raise UnknownOutcome(_(
                'more than {LOOKUP_PAGES} posts since this delivery was claimed: crosspost cannot read '
                'them all to tell; check by hand').format(LOOKUP_PAGES=LOOKUP_PAGES * per_page))
        return sorted(out, key=lambda p: (p.created, int(p.id) if p.id.isdigit() else 0))

    # -- health (crosspost doctor) -------------------------------------------------------
    def whoami(self, timeout: float) -> str:
        """The account the stored keys act for (GET /2/users/me): proves they work."""
        client, _auth = self._client()
        client.session = _session(self.settings.api_base, timeout)
        try:
            me = client.get_me(user_auth=True)
        except Exception as exc:
            raise self._classify(exc, PublishContext(release=None), "read",  # type: ignore[arg-type]
                                 _("checking the credentials")) from None
        return f"@{me.data.username}" if me.data is not None else _("an unnamed account")

    def credentials_expire_at(self) -> float | None:
        """OAuth 1.0a user tokens do not expire; they stop working only when revoked."""
        return None

    # -- corrections (ralat) -------------------------------------------------------------
    def correction_problems(self, variant: Variant) -> list[Problem]:
        n, limit = weighted_length(variant.text), self.limits.weighted_length
        if n > limit:
            return [self.problem("ralat", _(
                'the reply on X is {n} characters, more than {limit}: shorten the ralat').format(
                n=n, limit=limit), limit, n)]
        return []

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Reply to the original post (the first part of a thread) with the ralat text.

        A reply is a new post: an ambiguous failure is an unknown outcome, settled by lookup()
        (which finds the reply among recent posts by its text) or by a person.
        """
        known = [str(i) for i in (ctx.progress.get("parts") or [])]
        if known:  # the reply was made and recorded before the outcome got lost
            return self._receipt(known[:1])
        reply_to = _original_id(variant)
        if not reply_to:
            raise Permanent(_('the log has no id of the original post on X: reply to it by hand'))
        client, _auth = self._client()
        ctx.heartbeat()
        try:
            response = client.create_tweet(text=variant.text, in_reply_to_tweet_id=reply_to, user_auth=True)
            new_id = str(response.data["id"])
        except Exception as exc:
            raise self._classify(exc, ctx, "create", _("replying with the correction")) from None
        ctx.save_progress({"parts": [new_id]})
        return self._receipt([new_id])


@dataclass(frozen=True)
class _Post:
    id: str
    text: str  # unwrapped (see unwrap)
    created: float
    reply_to: str | None  # the post it replies to (referenced_tweets: replied_to)


def _original_id(variant: Variant) -> str:
    """The id of the original post a ralat replies to: the first part of a thread."""
    original = variant.extra.get("original") or {}
    parts = (original.get("extra") or {}).get("parts") or []
    return str(parts[0] if parts else original.get("remote_id") or "")


def _replied_to(tweet: Any) -> str | None:
    for ref in getattr(tweet, "referenced_tweets", None) or []:
        if getattr(ref, "type", None) == "replied_to":
            return str(ref.id)
    return None


def _canonical_url(url: str) -> str:
    """A link as both sides can agree on it: no scheme, host in lower case, no trailing slash."""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)
    host, slash, rest = bare.partition("/")
    return (host.lower() + slash + rest).rstrip("/")


def unwrap(text: str, entities: Any) -> str:
    """A post's text as X returns it, with every t.co link put back as the link it wraps
    (``entities.urls[].expanded_url``: links and bare domains alike) and the trailing t.co link of
    attached media dropped; then normalised like the text that was sent (see normal_text)."""
    text = html.unescape(text)
    for u in (entities or {}).get("urls") or []:
        wrapped = str(u.get("url") or "")
        if not wrapped:
            continue
        display = str(u.get("display_url") or "")
        if u.get("media_key") or display.startswith(("pic.x.com", "pic.twitter.com")):
            text = text.replace(wrapped, "")
        else:
            link = _canonical_url(str(u.get("expanded_url") or display))
            text = text.replace(wrapped, f"\x00{link}\x00")
    return normal_text(text, already_marked=True)


def normal_text(text: str, already_marked: bool = False) -> str:
    """Whitespace collapsed, NFC, every link (as twitter-text finds them, bare domains included:
    X's own rules) in its canonical form, so the sent text and X's unwrapped text compare equal."""
    import unicodedata

    text = unicodedata.normalize("NFC", html.unescape(text) if not already_marked else text)
    if already_marked:
        pieces = text.split("\x00")  # odd pieces are links X already unwrapped
        text = "".join(p if i % 2 else _canonical_links(p) for i, p in enumerate(pieces))
    else:
        text = _canonical_links(text)
    return " ".join(text.split())


def _canonical_links(text: str) -> str:
    from crosspost._vendor.twitter_text.extract_urls import extract_urls_with_indices

    out, pos = [], 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(_canonical_url(url["url"]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def same_text(sent: str, unwrapped: str) -> bool:
    """Whether the text crosspost sent is the text of the post X holds (already unwrapped)."""
    a = normal_text(sent)
    if not a.startswith("@"):  # a reply's text may start with the @names it answers (X adds them)
        unwrapped = re.sub(r"^(?:@\w{1,15}\s+)+", "", unwrapped)
    return bool(a) and a == unwrapped


def _session(api_base: str, timeout: float) -> Any:
    """A requests session that sends tweepy's calls to ``api_base`` with a timeout."""
    import requests

    class _XSession(requests.Session):
        def request(self, method, url, *args, **kwargs):
            if api_base and url.startswith(TWEEPY_HOST):
                url = api_base.rstrip("/") + url[len(TWEEPY_HOST):]
            kwargs.setdefault("timeout", timeout)
            return super().request(method, url, *args, **kwargs)

    return _XSession()
