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
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ConfigError, DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..models import Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext
from .twitter_thread import split_thread, strip_numbering, weighted_length

TWEEPY_HOST = "https://api.twitter.com"
_URL = re.compile(r"https?://\S+")
# Connection errors that prove nothing reached the server.
_NOT_SENT = ("refused", "failed to establish a new connection", "name or service not known",
             "nameresolutionerror", "getaddrinfo", "no route to host", "network is unreachable")


@dataclass(frozen=True)
class Settings(CommonSettings):
    thread: bool = True  # split a long text into a numbered thread; False: too long is a problem
    numbering: bool = True  # add " (1/3)" to each part of a thread
    link_part: str = "last"  # which part carries the release link: "first" or "last"
    link_prefix: str = "Selengkapnya: "  # words put before the link
    max_parts: int = 6  # a longer thread is a problem: shorten the template or raise this
    api_base: str = "https://api.x.com"  # API host for every call (tests may point it elsewhere)
    username: str = ""  # the account's @name, for readable post URLs (optional)
    timeout: float = 60.0  # seconds per HTTP request
    lookup_limit: int = 20  # recent posts searched when settling an unknown outcome
    lookup_chars: int = 60  # opening characters compared when searching (links ignored)

    def __post_init__(self) -> None:
        if self.link_part not in ("first", "last"):
            raise ConfigError(f"[twitter] link_part must be 'first' or 'last', not '{self.link_part}'")
        if self.max_parts < 1:
            raise ConfigError("[twitter] max_parts must be at least 1")


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
    can_lookup: ClassVar[bool] = True

    # -- adapt ---------------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        s, lim = self.settings, self.limits
        link = self.release_link(release)
        problems: list[Problem] = []
        parts = split_thread(text, lim.weighted_length, s.numbering, link, s.link_part, s.link_prefix)
        if not parts:
            problems.append(self.problem("text", "the post is empty: check the twitter template"))
            parts = [""]
        counts = [weighted_length(p) for p in parts]
        if len(parts) > 1 and not s.thread:
            whole = split_thread(text, 10**6, False, link, s.link_part, s.link_prefix)[0]
            problems.append(self.problem(
                "text", "too long for one post and threads are off (thread = false): shorten the "
                "template or the summary", lim.weighted_length, weighted_length(whole)))
        elif len(parts) > s.max_parts:
            problems.append(self.problem(
                "parts", f"the thread would have {len(parts)} posts: shorten the template or "
                "raise max_parts", s.max_parts, len(parts)))
        for i, (part, n) in enumerate(zip(parts, counts, strict=True), 1):
            if part and n > lim.weighted_length:
                problems.append(self.problem(f"parts[{i}]", "this post is over the X limit",
                                             lim.weighted_length, n))
        media = tuple(m for m in release.images if m.kind == "image")
        if len(media) > lim.max_images:
            problems.append(self.problem(
                "media", f"X takes at most {lim.max_images} images: only the first "
                f"{lim.max_images} are posted", lim.max_images, len(media), "warning"))
            media = media[: lim.max_images]
        problems += self._media_problems(media)
        if release.video is not None:
            problems.append(self.problem("media", "video upload to X is not supported yet: the "
                                         "post goes out without the video", severity="warning"))
        variant = Variant(
            channel=self.name, kind=self.platform, text=parts[0] if len(parts) == 1 else text,
            title=release.title, parts=tuple(parts) if len(parts) > 1 else (), media=media,
            link=link, counts={"weighted": counts, "limit": lim.weighted_length})
        return variant, problems

    def _media_problems(self, media: tuple) -> list[Problem]:
        from .x_media import IMAGE_TYPES

        out = self.image_file_problems(media, self.limits.image_bytes, IMAGE_TYPES, "X",
                                       "JPEG, PNG, GIF or WebP")
        for m in media:
            if len(m.alt) > self.limits.alt_text_chars:
                out.append(self.problem("media", f"alt text of {m.path.name} is cut to "
                                        f"{self.limits.alt_text_chars} characters",
                                        self.limits.alt_text_chars, len(m.alt), "warning"))
        return out

    # -- publish -------------------------------------------------------------------------
    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        parts = list(variant.parts) or [variant.text]
        ids = [str(i) for i in (ctx.progress.get("parts") or [])]
        client, auth = self._client()
        media_ids: list[str] = []
        if not ids and variant.media:  # media belong to the first part only
            from .x_media import upload_image

            for m in variant.media:
                ctx.heartbeat()
                try:
                    media_ids.append(upload_image(client.session, auth, self.settings.api_base, m.path,
                                                  m.alt, self.settings.timeout))
                except Exception as exc:
                    raise self._classify(exc, ctx, "media", f"uploading {m.path.name}") from None
        for index in range(len(ids), len(parts)):
            ctx.heartbeat()
            kwargs: dict[str, Any] = {"text": parts[index], "user_auth": True}
            if index == 0 and media_ids:
                kwargs["media_ids"] = media_ids
            if ids:
                kwargs["in_reply_to_tweet_id"] = ids[-1]
            where = f"posting part {index + 1} of {len(parts)}" if len(parts) > 1 else "posting"
            try:
                response = client.create_tweet(**kwargs)
                new_id = str(response.data["id"])
            except Exception as exc:
                err = self._classify(exc, ctx, "create", where)
                if ids:
                    err = type(err)(f"{err} ({len(ids)} earlier part(s) are on X and recorded: a retry "
                                    "continues the thread)", err.retry_after)
                raise err from None
            ids.append(new_id)
            ctx.save_progress({"parts": list(ids)})
        return self._receipt(ids)

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
            raise ReauthRequired(f"channel '{self.name}' has no credentials: "
                                 f"run `crosspost auth {self.name}`")
        keys = [self.secrets.require(k) for k in self.secret_keys]
        client = tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2],
                               access_token_secret=keys[3], wait_on_rate_limit=False)
        client.session = _session(self.settings.api_base, self.settings.timeout)
        return client, oauth1(*keys)

    # -- errors --------------------------------------------------------------------------
    def _classify(self, exc: BaseException, ctx: PublishContext, stage: str, where: str) -> DeliveryError:
        """Map an SDK/HTTP failure to what the engine may do next.

        ``stage`` is "create" when a post may have been made by the failed call; for media
        uploads and reads nothing public can exist, so ambiguous failures are safe to retry.
        """
        import requests
        import tweepy

        creating = stage == "create"
        name = self.name
        if isinstance(exc, DeliveryError):
            return exc
        if isinstance(exc, tweepy.TooManyRequests):
            now = (ctx.now or time.time)()
            wait = max(1.0, exc.reset_time - now) if exc.reset_time else None
            when = f"in {int(wait)} s" if wait else "later"
            return RetryLater(f"X rate limit reached while {where}: crosspost tries again {when}", wait)
        if isinstance(exc, tweepy.Unauthorized):
            return ReauthRequired(f"X refused the credentials of '{name}' while {where}: run "
                                  f"`crosspost auth {name}`, then `crosspost retry`")
        if isinstance(exc, tweepy.TwitterServerError):
            msg = f"X had a server error ({exc.response.status_code}) while {where}"
            if creating:
                return UnknownOutcome(msg + ": the post may exist; crosspost checks recent posts before "
                                      "trying again")
            return RetryLater(msg + ": nothing was posted; trying again later")
        if isinstance(exc, tweepy.HTTPException):
            detail = self._mask("; ".join(str(m) for m in exc.api_messages) or str(exc))
            status = getattr(exc.response, "status_code", "?")
            if isinstance(exc, tweepy.Forbidden) and "duplicate" in detail.lower() and creating:
                return UnknownOutcome(f"X says this is duplicate content while {where}: an earlier "
                                      "attempt probably posted it; crosspost checks recent posts")
            return Permanent(f"X rejected the request ({status}) while {where}: {detail}")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return RetryLater(f"could not connect to X while {where} (timeout): nothing was sent")
        if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
                exc, requests.exceptions.ReadTimeout):
            text = str(exc).lower()
            if any(marker in text for marker in _NOT_SENT) or not creating:
                return RetryLater(f"could not reach X while {where}: nothing was posted; trying again later")
            return UnknownOutcome(f"the connection to X broke while {where}: the post may exist; "
                                  "crosspost checks recent posts before trying again")
        if isinstance(exc, requests.exceptions.Timeout):
            if creating:
                return UnknownOutcome(f"X did not answer in time while {where}: the post may exist; "
                                      "crosspost checks recent posts before trying again")
            return RetryLater(f"X did not answer in time while {where}: nothing was posted")
        if isinstance(exc, (ValueError, KeyError, TypeError)):  # unreadable answer from X
            msg = f"X sent an answer crosspost could not read while {where}"
            return UnknownOutcome(msg) if creating else RetryLater(msg)
        if isinstance(exc, OSError) and not creating:
            return Permanent(f"cannot read a file while {where}: {type(exc).__name__}")
        msg = f"unexpected {type(exc).__name__} while {where}"
        return UnknownOutcome(msg) if creating else RetryLater(msg)

    def _mask(self, text: str) -> str:
        return self.mask(text, self.secret_keys)

    # -- reconcile -----------------------------------------------------------------------
    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Find this delivery's posts among the account's recent ones.

        Returns a Receipt when every part is on X. When only some parts of a thread are
        found, their ids are saved as progress and None is returned, so the retry continues
        the chain after them instead of posting them again.
        """
        parts = list(variant.parts) or [variant.text]
        known = [str(i) for i in (ctx.progress.get("parts") or [])]
        if len(known) >= len(parts):  # every part was recorded before the outcome got lost
            return self._receipt(known[: len(parts)])
        client, _auth = self._client()
        try:
            me = client.get_me(user_auth=True)
            result = client.get_users_tweets(me.data.id, user_auth=True,
                                             max_results=min(100, max(5, self.settings.lookup_limit)))
        except Exception as exc:
            raise self._classify(exc, ctx, "read", "looking for recent posts") from None
        recent = [(str(t.id), t.text or "") for t in (result.data or [])]
        found = list(known)
        for part in parts[len(known):]:
            match = next((tid for tid, text in reversed(recent)
                          if tid not in found and _same_opening(part, text, self.settings.lookup_chars)),
                         None)
            if match is None:
                break
            found.append(match)
        if len(found) > len(known):
            ctx.save_progress({"parts": list(found)})
        if len(found) == len(parts):
            return self._receipt(found)
        return None

    # -- health (crosspost doctor) -------------------------------------------------------
    def whoami(self, timeout: float) -> str:
        """The account the stored keys act for (GET /2/users/me): proves they work."""
        client, _auth = self._client()
        client.session = _session(self.settings.api_base, timeout)
        try:
            me = client.get_me(user_auth=True)
        except Exception as exc:
            raise self._classify(exc, PublishContext(release=None), "read",  # type: ignore[arg-type]
                                 "checking the credentials") from None
        return f"@{me.data.username}" if me.data is not None else "an unnamed account"

    def credentials_expire_at(self) -> float | None:
        """OAuth 1.0a user tokens do not expire; they stop working only when revoked."""
        return None

    # -- corrections (ralat) -------------------------------------------------------------
    def correction_problems(self, variant: Variant) -> list[Problem]:
        n, limit = weighted_length(variant.text), self.limits.weighted_length
        if n > limit:
            return [self.problem("ralat", f"the reply on X is {n} characters, more than {limit}: "
                                 "shorten the ralat", limit, n)]
        return []

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Reply to the original post (the first part of a thread) with the ralat text.

        A reply is a new post: an ambiguous failure is an unknown outcome, settled by lookup()
        (which finds the reply among recent posts by its text) or by a person.
        """
        known = [str(i) for i in (ctx.progress.get("parts") or [])]
        if known:  # the reply was made and recorded before the outcome got lost
            return self._receipt(known[:1])
        original = variant.extra.get("original") or {}
        parts = (original.get("extra") or {}).get("parts") or []
        reply_to = str(parts[0] if parts else original.get("remote_id") or "")
        if not reply_to:
            raise Permanent("the log has no id of the original post on X: reply to it by hand")
        client, _auth = self._client()
        ctx.heartbeat()
        try:
            response = client.create_tweet(text=variant.text, in_reply_to_tweet_id=reply_to, user_auth=True)
            new_id = str(response.data["id"])
        except Exception as exc:
            raise self._classify(exc, ctx, "create", "replying with the correction") from None
        ctx.save_progress({"parts": [new_id]})
        return self._receipt([new_id])


def _normalise(text: str) -> str:
    """Text as X returns it, comparable with what was sent: links (t.co) and entities dropped."""
    text = _URL.sub("", html.unescape(text))
    return " ".join(text.split())


def _same_opening(sent: str, posted: str, chars: int) -> bool:
    a, b = _normalise(strip_numbering(sent)), _normalise(posted)
    n = min(chars, len(a))
    return n > 0 and a[:n] == b[:n]


def _session(api_base: str, timeout: float) -> Any:
    """A requests session that sends tweepy's calls to ``api_base`` with a timeout."""
    import requests

    class _XSession(requests.Session):
        def request(self, method, url, *args, **kwargs):  # type: ignore[override]
            if api_base and url.startswith(TWEEPY_HOST):
                url = api_base.rstrip("/") + url[len(TWEEPY_HOST):]
            kwargs.setdefault("timeout", timeout)
            return super().request(method, url, *args, **kwargs)

    return _XSession()
