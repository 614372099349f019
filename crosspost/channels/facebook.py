"""Facebook Page through facebook-sdk: a link post, a photo post or a multi-photo post.

facebook-sdk 3.1.0 refuses Graph API versions above 3.1, so the configured version is put
in every request path and the package's own version is never used. Its host is the module
constant ``FACEBOOK_GRAPH_URL``; a session rewrites it to ``graph_url`` (tests point that at
a loopback server) and remembers the last HTTP answer, because ``GraphAPIError`` carries
neither the status nor the headers that say how long to wait.

Multi-photo posts upload every photo unpublished, saving each id (``ctx.save_progress``)
before the next call, so a retry reuses the uploads and only the feed post is repeated.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ConfigError, DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..models import Media, Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext

GRAPH_URL = "https://graph.facebook.com/"  # facebook.FACEBOOK_GRAPH_URL, without importing it
TOKEN_KEY = "page_access_token"
PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")
MIN_SCHEDULE = 10 * 60  # Facebook refuses a scheduled_publish_time closer than 10 minutes
MAX_SCHEDULE = 30 * 24 * 3600  # crosspost refuses more than 30 days ahead
RETRY_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80001})
REAUTH_CODES = frozenset({190, 102})
DUPLICATE = 506
_NOT_SENT = ("refused", "failed to establish a new connection", "name or service not known",
             "nameresolutionerror", "getaddrinfo", "no route to host", "network is unreachable")


def token_expiry(data: dict[str, Any], now: float) -> float | None:
    """When a Meta token dies, from a /debug_token answer: the earlier of its own expiry and its
    data-access expiry (0 means never); an invalid token is dead now. Shared with Instagram."""
    stamps = [float(data[k]) for k in ("expires_at", "data_access_expires_at")
              if isinstance(data.get(k), (int, float)) and data[k] > 0]
    if data.get("is_valid") is False:
        return min(stamps + [now])
    return min(stamps) if stamps else None


@dataclass(frozen=True)
class Settings(CommonSettings):
    page_id: str = ""  # the Page's numeric id (Page settings > About > Page ID)
    graph_version: str = "v26.0"  # Graph API version put in every request path
    graph_url: str = GRAPH_URL  # API host (tests point it at a loopback server)
    post_type: str = "auto"  # "auto": photo post when the release has images; "link"; "photo"
    timeout: float = 60.0  # seconds per HTTP request
    lookup_limit: int = 25  # recent posts searched when settling an unknown outcome

    def __post_init__(self) -> None:
        if self.post_type not in ("auto", "link", "photo"):
            raise ConfigError(f"[facebook] post_type must be 'auto', 'link' or 'photo', not "
                              f"'{self.post_type}'")
        if not re.fullmatch(r"v\d+\.\d+", self.graph_version):
            raise ConfigError(f"[facebook] graph_version must look like 'v26.0', not "
                              f"'{self.graph_version}'")


@dataclass(frozen=True)
class Limits:
    message_chars: int = 63206  # characters in a Page post's message
    max_photos: int = 10  # photos attached to one post
    photo_bytes: int = 4 * 1024 * 1024  # Facebook takes photos up to 4 MB


class FacebookChannel(Channel):
    platform: ClassVar[str] = "facebook"
    Settings: ClassVar[type] = Settings
    Limits: ClassVar[type] = Limits
    secret_keys: ClassVar[tuple[str, ...]] = (TOKEN_KEY,)
    editable: ClassVar[bool] = True  # a correction edits the Page post
    can_lookup: ClassVar[bool] = True

    # -- adapt ---------------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        s, lim = self.settings, self.limits
        link = self.release_link(release)
        text = text.strip()
        problems: list[Problem] = []
        if not s.page_id:
            problems.append(self.problem("page_id", f"set page_id in [channels.{self.name}] of "
                                         "channels.toml (the Page's numeric id)"))
        if not text:
            problems.append(self.problem("text", "the post is empty: check the facebook template"))
        if len(text) > lim.message_chars:
            problems.append(self.problem("text", "the message is too long for a Facebook post: "
                                         "shorten the release or the template",
                                         lim.message_chars, len(text)))
        images = tuple(m for m in release.images if m.kind == "image")
        if s.post_type == "link":
            images = ()
        elif s.post_type == "photo" and not images:
            problems.append(self.problem("media", "post_type is 'photo' but the release has no "
                                         "image: add one or set post_type = \"auto\""))
        if len(images) > lim.max_photos:
            problems.append(self.problem(
                "media", f"Facebook takes at most {lim.max_photos} photos in one post: only the "
                f"first {lim.max_photos} are posted", lim.max_photos, len(images), "warning"))
            images = images[: lim.max_photos]
        problems += self.image_file_problems(images, lim.photo_bytes, PHOTO_TYPES, "Facebook",
                                             "JPEG, PNG, GIF, BMP or TIFF")
        if release.video is not None:
            problems.append(self.problem("media", "the video is not uploaded to Facebook: the post "
                                         "goes out without it", severity="warning"))
        kind = "photo" if images else "link"
        variant = Variant(channel=self.name, kind=self.platform, text=text, title=release.title,
                          media=images, link=link, extra={"post_type": kind},
                          counts={"chars": len(text), "limit": lim.message_chars})
        return variant, problems

    # -- publish -------------------------------------------------------------------------
    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        done = ctx.progress.get("post_id")
        if done:  # the post was created and recorded before the outcome got lost
            return self._receipt(str(done), ctx.progress.get("photos") or [])
        page = self._page_id()
        when = self.schedule_time(ctx)
        graph = self._graph()
        media = list(variant.media)
        args: dict[str, Any] = {"message": variant.text}
        if when is not None:
            args.update(published="false", scheduled_publish_time=str(when))
        photos: list[str] = []
        if not media:
            if variant.link:
                args["link"] = variant.link
            result = self._call(graph, f"{page}/feed", "create", "posting to the Page", post_args=args)
        elif len(media) == 1:
            result = self._upload(graph, page, media[0], args, "create", "posting the photo")
        else:
            photos = self._upload_all(graph, page, media, ctx, scheduled=when is not None)
            ctx.heartbeat()
            for i, photo_id in enumerate(photos):
                args[f"attached_media[{i}]"] = json.dumps({"media_fbid": photo_id})
            result = self._call(graph, f"{page}/feed", "create",
                                f"posting the {len(photos)} photos to the Page", post_args=args)
        post_id = str(result.get("post_id") or result.get("id") or "")
        if not post_id:
            raise UnknownOutcome("Facebook accepted the post but sent no id: check the Page, then "
                                 "`crosspost resolve`")
        ctx.save_progress({"photos": photos, "post_id": post_id})
        receipt = self._receipt(post_id, photos)
        if when is not None:
            receipt.extra["scheduled_publish_time"] = when
        return receipt

    def _upload_all(self, graph: Any, page: str, media: list[Media], ctx: PublishContext,
                    scheduled: bool) -> list[str]:
        """Unpublished photos for one multi-photo post; ids already saved are reused."""
        photos = [str(i) for i in (ctx.progress.get("photos") or [])][: len(media)]
        for index in range(len(photos), len(media)):
            ctx.heartbeat()
            args = {"published": "false"}
            if scheduled:  # photos attached to a scheduled post must be temporary
                args["temporary"] = "true"
            result = self._upload(graph, page, media[index], args, "upload",
                                  f"uploading photo {index + 1} of {len(media)}")
            photos.append(str(result["id"]))
            ctx.save_progress({"photos": list(photos)})
        return photos

    def _upload(self, graph: Any, page: str, m: Media, args: dict[str, Any], stage: str,
                where: str) -> dict:
        try:
            fh = open(m.path, "rb")  # closed by the with block below
        except OSError as exc:
            raise Permanent(f"cannot read the photo {m.path} ({exc.strerror or type(exc).__name__}): "
                            "restore the file or remove it from the release") from None
        with fh:
            return self._call(graph, f"{page}/photos", stage, where, post_args=dict(args),
                              files={"source": fh})

    def schedule_time(self, ctx: PublishContext) -> int | None:
        """The unix time for ``scheduled_publish_time``, or None to publish now."""
        if ctx.scheduled_at is None:
            return None
        when = ctx.scheduled_at.timestamp()
        ahead = when - (ctx.now or time.time)()
        stamp = ctx.scheduled_at.strftime("%Y-%m-%d %H:%M %z")
        if ahead < MIN_SCHEDULE:
            raise Permanent(f"Facebook can schedule a post only at least 10 minutes ahead, and "
                            f"{stamp} is {max(0, int(ahead // 60))} minute(s) away: publish it now "
                            "or choose a later time")
        if ahead > MAX_SCHEDULE:
            raise Permanent(f"{stamp} is more than 30 days ahead: Facebook posts can be scheduled "
                            "at most 30 days in advance; queue it later")
        return int(when)

    def edit(self, remote_id: str, text: str) -> Receipt:
        """Replace the message of a post already on the Page (corrections)."""
        self._call(self._graph(), remote_id, "edit", "correcting the post",
                   post_args={"message": text})
        return self._receipt(remote_id, [])

    def _receipt(self, post_id: str, photos: list) -> Receipt:
        return Receipt(remote_id=post_id, url=f"https://www.facebook.com/{post_id}",
                       extra={"photos": [str(p) for p in photos]})

    def _page_id(self) -> str:
        page = str(self.settings.page_id).strip()
        if not page:
            raise Permanent(f"channel '{self.name}' has no page_id: set it in channels.toml")
        return page

    def _graph(self) -> Any:
        import facebook

        if self.secrets is None:
            raise ReauthRequired(f"channel '{self.name}' has no Page access token: "
                                 f"run `crosspost auth {self.name}`")
        token = self.secrets.require(TOKEN_KEY)
        return facebook.GraphAPI(access_token=token, timeout=self.settings.timeout,
                                 session=_session(self.settings.graph_url))

    def _call(self, graph: Any, path: str, stage: str, where: str, **kwargs: Any) -> dict:
        """One Graph API request with the configured version in its path, errors classified."""
        try:
            result = graph.request(f"{self.settings.graph_version}/{path}", **kwargs)
        except Exception as exc:
            raise self._classify(exc, graph.session, stage, where) from None
        if not isinstance(result, dict):
            msg = f"Facebook sent an answer crosspost could not read while {where}"
            raise (UnknownOutcome(msg) if stage == "create" else RetryLater(msg))
        return result

    # -- errors --------------------------------------------------------------------------
    def _classify(self, exc: BaseException, session: Any, stage: str, where: str) -> DeliveryError:
        """Map a failure to what the engine may do next.

        ``stage`` is "create" when the failed call may have made a public (or scheduled)
        post; unpublished uploads, reads and edits are safe to repeat. Text from requests'
        exceptions is never shown: its URLs carry the access token.
        """
        import facebook
        import requests

        creating = stage == "create"
        response = getattr(session, "last_response", None)
        status = getattr(response, "status_code", None)
        if isinstance(exc, DeliveryError):
            return exc
        if isinstance(exc, facebook.GraphAPIError):
            return self._graph_error(exc, status, getattr(response, "headers", {}) or {}, creating, where)
        if isinstance(exc, KeyError):  # facebook-sdk reads headers["content-type"] unguarded
            msg = f"Facebook answered without a content type (HTTP {status or '?'}) while {where}"
            if creating:
                return UnknownOutcome(msg + ": the post may exist; crosspost checks the Page before "
                                      "trying again")
            return RetryLater(msg + ": nothing was posted; trying again later")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return RetryLater(f"could not connect to Facebook while {where} (timeout): nothing was sent")
        if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
                exc, requests.exceptions.ReadTimeout):
            if not creating or any(m in str(exc).lower() for m in _NOT_SENT):
                return RetryLater(f"could not reach Facebook while {where}: nothing was posted; "
                                  "trying again later")
            return UnknownOutcome(f"the connection to Facebook broke while {where}: the post may "
                                  "exist; crosspost checks the Page before trying again")
        if isinstance(exc, requests.exceptions.Timeout):
            if creating:
                return UnknownOutcome(f"Facebook did not answer in time while {where}: the post may "
                                      "exist; crosspost checks the Page before trying again")
            return RetryLater(f"Facebook did not answer in time while {where}: nothing was posted")
        msg = f"unexpected {type(exc).__name__} while {where}"
        return UnknownOutcome(msg) if creating else RetryLater(msg)

    def _graph_error(self, exc: Any, status: int | None, headers: Any, creating: bool,
                     where: str) -> DeliveryError:
        error = exc.result.get("error") if isinstance(exc.result, dict) else None
        error = error if isinstance(error, dict) else {}
        code, subcode = exc.code, error.get("error_subcode")
        detail = self._mask(" ".join(str(exc.message).split()))[:300]  # masked before it is cut
        ref = f"code {code}" + (f"/{subcode}" if subcode else "")
        name = self.name
        if code is None:  # not a Graph API error document (HTML from a proxy, empty body)
            msg = f"Facebook sent an answer crosspost could not read (HTTP {status or '?'}) while {where}"
            if status is not None and status < 500:
                return Permanent(msg + f": check graph_url and graph_version of '{name}'")
            if creating:
                return UnknownOutcome(msg + ": the post may exist; crosspost checks the Page first")
            return RetryLater(msg + ": nothing was posted; trying again later")
        if code in RETRY_CODES:
            wait = retry_after(headers)
            when = f"in {int(wait)} s" if wait else "later"
            return RetryLater(f"Facebook asked to slow down or is busy ({ref}) while {where}: "
                              f"crosspost tries again {when}", wait)
        if code in REAUTH_CODES:
            return ReauthRequired(f"the Page access token of '{name}' expired or was revoked ({ref}): "
                                  f"run `crosspost auth {name}`, then `crosspost retry`")
        if code == DUPLICATE:
            if creating:
                return UnknownOutcome(f"Facebook says this is a duplicate post ({ref}) while {where}: "
                                      "an earlier attempt probably posted it; crosspost checks the Page")
            return Permanent(f"Facebook refused a duplicate ({ref}) while {where}: {detail}")
        if code == 10 or 200 <= code <= 299:
            return Permanent(f"the Page access token of '{name}' lacks a permission ({ref}): it needs "
                             f"pages_manage_posts and pages_read_engagement; run `crosspost auth {name}` "
                             f"with a token that has them. Facebook said: {detail}")
        if code == 368:
            return Permanent(f"Facebook blocked this post or the Page for a policy reason ({ref}): "
                             f"check the Page's Support Inbox. Facebook said: {detail}")
        if code == 1609005:
            return Permanent(f"Facebook could not use the link in the post ({ref}): check the release "
                             f"link. Facebook said: {detail}")
        if code == 100:
            return Permanent(f"Facebook rejected the request as invalid ({ref}) while {where}: check "
                             f"page_id, the photos and the text. Facebook said: {detail}")
        if error.get("is_transient"):
            return RetryLater(f"Facebook had a temporary problem ({ref}) while {where}: trying again "
                              "later", retry_after(headers))
        if creating and status is not None and status >= 500:
            return UnknownOutcome(f"Facebook had a server error ({ref}, HTTP {status}) while {where}: "
                                  "the post may exist; crosspost checks the Page before trying again")
        return Permanent(f"Facebook rejected the request ({ref}) while {where}: {detail}")

    def _mask(self, text: str) -> str:
        return self.mask(text, (TOKEN_KEY,))

    # -- reconcile -----------------------------------------------------------------------
    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Find this delivery's post among the Page's recent (and, if scheduled, scheduled) posts.

        A post matches when its message carries the release link or starts with the
        variant's first line.
        """
        done = ctx.progress.get("post_id")
        if done:
            return self._receipt(str(done), ctx.progress.get("photos") or [])
        page = self._page_id()
        graph = self._graph()
        edges = ["posts"] + (["scheduled_posts"] if ctx.scheduled_at is not None else [])
        params = {"fields": "id,message,permalink_url,created_time",
                  "limit": str(self.settings.lookup_limit)}
        for edge in edges:
            result = self._call(graph, f"{page}/{edge}", "read", "looking for recent posts",
                                args=dict(params))
            for post in result.get("data") or []:
                if post.get("id") and matches(variant, post.get("message") or ""):
                    receipt = self._receipt(str(post["id"]), ctx.progress.get("photos") or [])
                    if post.get("permalink_url"):
                        receipt = Receipt(receipt.remote_id, post["permalink_url"], receipt.extra)
                    return receipt
        return None

    # -- health (crosspost doctor) -------------------------------------------------------
    def whoami(self, timeout: float) -> str:
        """The Page the stored token acts for (GET /me): a user token instead of the Page's fails."""
        graph = self._graph()
        graph.timeout = timeout
        me = self._call(graph, "me", "read", "checking the Page access token", args={"fields": "id,name"})
        page = str(self.settings.page_id).strip()
        if page and str(me.get("id")) != page:
            raise Permanent(f"the stored token of '{self.name}' acts for {me.get('name') or me.get('id')}, "
                            f"not for Page {page}: store the Page's own access token with "
                            f"`crosspost auth {self.name}`")
        return f"{me.get('name') or '?'} (Page {me.get('id')})"

    def expiry_needs_network(self) -> bool:
        return True  # the Graph API's token debugger

    def credentials_expire_at(self) -> float | None:
        """When the Page token stops working, from Graph API's token debugger (None: never).

        ``expires_at`` 0 means the token itself never expires (a Page token from a long-lived
        user token), but ``data_access_expires_at`` (90 days after the user last used the app)
        still ends its access to Page data; the earlier of the two counts.
        """
        if self.secrets is None or not self.secrets.get(TOKEN_KEY):
            return None
        graph = self._graph()
        graph.timeout = min(self.settings.timeout, 15.0)
        token = self.secrets.require(TOKEN_KEY)
        data = self._call(graph, "debug_token", "read", "asking when the Page token expires",
                          args={"input_token": token}).get("data") or {}
        return token_expiry(data, time.time())

    # -- corrections (ralat) -------------------------------------------------------------
    def correction_problems(self, variant: Variant) -> list[Problem]:
        if len(variant.text) > self.limits.message_chars:
            return [self.problem("ralat", "the corrected Facebook post would be too long: shorten the "
                                 "ralat", self.limits.message_chars, len(variant.text))]
        return []

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Edit the original Page post: the ralat goes first, the earlier message stays below it
        (Facebook also keeps the edit history). An edit is idempotent, so it is safe to repeat."""
        original = variant.extra.get("original") or {}
        post_id = str(original.get("remote_id") or "")
        if not post_id:
            raise Permanent("the log has no id of the original Facebook post: edit it by hand")
        ctx.heartbeat()
        receipt = self.edit(post_id, variant.text)
        url = original.get("url") or receipt.url
        return Receipt(post_id, url, extra={"edited": True, "photos": receipt.extra.get("photos", [])})

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """The edit is applied when the post's message starts with the ralat (else edit again)."""
        original = variant.extra.get("original") or {}
        post_id = str(original.get("remote_id") or "")
        result = self._call(self._graph(), post_id, "read", "reading the corrected post",
                            args={"fields": "id,message,permalink_url"})
        ralat = " ".join(str(variant.extra.get("ralat_text") or variant.text).split())
        if " ".join(str(result.get("message") or "").split()).startswith(ralat):
            return Receipt(post_id, result.get("permalink_url") or original.get("url"),
                           extra={"edited": True})
        return None


def matches(variant: Variant, message: str) -> bool:
    """Whether a Page post's message is this variant's: same link, or same first line."""
    message = message.strip()
    if variant.link and variant.link in message:
        return True
    first = next((line.strip() for line in variant.text.splitlines() if line.strip()), "")
    return bool(first) and " ".join(message.split()).startswith(" ".join(first.split()))


def retry_after(headers: Any) -> float | None:
    """Seconds to wait, from Retry-After or the usage headers' estimated_time_to_regain_access."""
    raw = headers.get("Retry-After") if headers else None
    if raw and str(raw).strip().isdigit():
        return float(raw)
    minutes: list[float] = []
    for name in ("X-Business-Use-Case-Usage", "X-Page-Usage", "X-App-Usage", "X-Ad-Account-Usage"):
        value = headers.get(name) if headers else None
        if value:
            try:
                _collect(json.loads(value), minutes)
            except ValueError:
                continue
    longest = max(minutes, default=0)
    return longest * 60.0 if longest > 0 else None


def _collect(data: Any, out: list[float]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "estimated_time_to_regain_access" and isinstance(value, (int, float)):
                out.append(float(value))
            else:
                _collect(value, out)
    elif isinstance(data, list):
        for item in data:
            _collect(item, out)


def _session(graph_url: str) -> Any:
    """A requests session sending facebook-sdk's calls to ``graph_url``, keeping the last answer."""
    import facebook
    import requests

    class _GraphSession(requests.Session):
        last_response: Any = None

        def request(self, method, url, *args, **kwargs):  # type: ignore[override]
            base = facebook.FACEBOOK_GRAPH_URL
            if graph_url and url.startswith(base):
                url = graph_url.rstrip("/") + "/" + url[len(base):]
            self.last_response = None
            self.last_response = super().request(method, url, *args, **kwargs)
            return self.last_response

    return _GraphSession()
