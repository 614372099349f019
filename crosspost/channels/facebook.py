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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from ..engagement import CommentPage
from ..errors import ConfigError, DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..i18n import N_, _
from ..models import Media, Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext
from .outcomes import FAILED, REAUTH, RETRY, UNKNOWN, Outcome, error, rows, state_of
from .transport import transport_failure

GRAPH_URL = "https://graph.facebook.com/"  # facebook.FACEBOOK_GRAPH_URL, without importing it
TOKEN_KEY = "page_access_token"
PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")

# -- the outcome table -------------------------------------------------------------------------
# Calls: "create" is POST /{page}/feed and a published POST /{page}/photos (the calls that make a
# public post); "upload" an unpublished POST /{page}/photos (a multi-photo post's parts, nothing
# public yet); "read" every GET (lookup, doctor); "edit" POST /{post-id} with a new message (a
# correction: repeating it leaves the same text). "*" is every call.
# Failures as facebook-sdk 3.1.0 surfaces them (github:mobolic/facebook-sdk facebook/__init__.py,
# GraphAPI.request): a Graph error document becomes GraphAPIError whose .code is
# result["error"]["code"] ("graph:<code>"); a body that is not JSON becomes GraphAPIError with no
# code; an answer without Content-Type raises KeyError (headers["content-type"]); transport
# errors are requests' own, unwrapped (requests/adapters.py HTTPAdapter.send: MaxRetryError with
# NewConnectionError -> ConnectionError, ConnectTimeoutError -> ConnectTimeout, SSLError,
# ProtocolError("Connection aborted.", ...) -> ConnectionError, ReadTimeoutError -> ReadTimeout).
_GRAPH = "developers.facebook.com/docs/graph-api/guides/error-handling"
_REQUESTS = "requests/adapters.py HTTPAdapter.send"
_DUPES = ("Meta users report duplicate posts after exactly these answers on create: koala issue 699 "
          "(code 2, seven duplicate photos), php-graph-sdk issue 1141 (code 1 subcode 99, 'the link "
          "gets posted'); ../shared/PLATFORMS.md")
_CALLS = ("create", "upload", "read", "edit")
_SAFE = ("upload", "read", "edit")  # repeating them posts nothing public



OUTCOMES: tuple[Outcome, ...] = (
    # Before the request was sent: nothing can have been applied, on any call.
    Outcome("*", "connect_refused", RETRY, _REQUESTS + ": NewConnectionError, the TCP connect failed"),
    Outcome("*", "dns", RETRY, _REQUESTS + ": NameResolutionError, no address to connect to"),
    Outcome("*", "tls", RETRY, _REQUESTS + ": SSLError is raised by the handshake, before the request"),
    Outcome("*", "connect_timeout", RETRY, _REQUESTS + ": ConnectTimeout, no connection was made"),
    # Refused before it was applied: Graph's throttling answers (rate limits) and the token.
    *(Outcome("*", f"graph:{code}", RETRY, _GRAPH + f": code {code} is a rate limit, the call was "
              "throttled, not run; ../shared/PLATFORMS.md") for code in (4, 17, 32, 341, 613, 80001)),
    Outcome("*", "graph:190", REAUTH, _GRAPH + ": 190 access token expired or invalid"),
    Outcome("*", "graph:102", REAUTH, _GRAPH + ": 102 API session, the user must log in again"),
    # A missing permission is fixed by a token that has it: `crosspost auth`, then retry.
    Outcome("*", "graph:10", REAUTH, _GRAPH + ": 10 permission denied (not granted or removed)"),
    Outcome("*", "graph:200-299", REAUTH, _GRAPH + ": 200-299 permission not granted or removed"),
    Outcome("*", "graph:100", FAILED, _GRAPH + ": 100 invalid parameter, the request itself is wrong"),
    Outcome("*", "graph:1609005", FAILED, "../shared/PLATFORMS.md: 1609005 the link could not be used"),
    Outcome("*", "graph:other_4xx", FAILED, _GRAPH + ": any other code on a 4xx is a refusal"),
    Outcome("*", "http_4xx_unreadable", FAILED, "facebook-sdk: a non-JSON 4xx (a proxy's page) is no "
            "Graph answer: graph_url or graph_version is wrong"),
    # After the request was sent, on create: the post may exist (lookup, never a blind retry).
    Outcome("create", "graph:1", UNKNOWN, _GRAPH + ": 1 unknown error, may be transient; " + _DUPES),
    Outcome("create", "graph:2", UNKNOWN, _GRAPH + ": 2 service temporarily unavailable; " + _DUPES),
    Outcome("create", "graph:transient", UNKNOWN, _GRAPH + ": is_transient means retry later, but on "
            "create it may have been applied; " + _DUPES),
    Outcome("create", "graph:other_5xx", UNKNOWN, _GRAPH + ": a 5xx on create may have been applied"),
    Outcome("create", "graph:506", UNKNOWN, _GRAPH + ": 506 duplicate post: an earlier attempt landed"),
    Outcome("create", "graph:368", UNKNOWN, "368 'you've already posted this' is Graph's duplicate "
            "refusal as often as a block: lookup first (issue 12); " + _GRAPH),
    Outcome("create", "read_timeout", UNKNOWN, _REQUESTS + ": ReadTimeout, the request was sent"),
    Outcome("create", "reset", UNKNOWN, _REQUESTS + ": ConnectionResetError after the request was sent"),
    Outcome("create", "empty_reply", UNKNOWN, _REQUESTS + ": RemoteDisconnected, closed without answer"),
    Outcome("create", "connection_broken", UNKNOWN, _REQUESTS + ": another ConnectionError after connect"),
    Outcome("create", "no_content_type", UNKNOWN, "facebook-sdk GraphAPI.request reads "
            "headers['content-type'] unguarded: KeyError on an answer that may be the post's"),
    Outcome("create", "http_5xx_unreadable", UNKNOWN, "facebook-sdk: 'Maintype was not text, image, or "
            "querystring' on a 5xx from a proxy: the Page may have the post"),
    Outcome("create", "unexpected", UNKNOWN, "anything not written down is never retried blindly"),
    # The same failures on calls that make nothing public: repeating them is safe.
    *rows(_SAFE, "graph:1", RETRY, _GRAPH + ": 1 may be transient; nothing public is made"),
    *rows(_SAFE, "graph:2", RETRY, _GRAPH + ": 2 temporary; nothing public is made"),
    *rows(_SAFE, "graph:transient", RETRY, _GRAPH + ": is_transient, retry later"),
    *rows(_SAFE, "graph:other_5xx", RETRY, _GRAPH + ": a server error on a repeatable call"),
    *rows(_SAFE, "graph:506", FAILED, _GRAPH + ": 506 duplicate, refused for good off create"),
    *rows(_SAFE, "graph:368", FAILED, _GRAPH + ": 368 blocked for a policy reason"),
    *(row for f in ("read_timeout", "reset", "empty_reply", "connection_broken", "no_content_type",
                    "http_5xx_unreadable", "unexpected")
      for row in rows(_SAFE, f, RETRY, _REQUESTS + ": repeating an unpublished upload, a read or "
                       "the same edit posts nothing public")),
)
RATE_FAILURES = frozenset(f"graph:{c}" for c in (4, 17, 32, 341, 613, 80001))
PERMISSION_FAILURES = frozenset({"graph:10", "graph:200-299"})


def failure_of(exc: BaseException, status: int | None) -> tuple[str, str, str]:
    """(the OUTCOMES failure key, a short reference for messages, Graph's own words)."""
    import facebook

    if isinstance(exc, facebook.GraphAPIError):
        result: dict[str, Any] = exc.result if isinstance(exc.result, dict) else {}
        found = result.get("error")
        err: dict[str, Any] = found if isinstance(found, dict) else {}
        code, sub = exc.code, err.get("error_subcode")
        http = f"HTTP {status}" if status else "HTTP ?"
        if not isinstance(code, int):  # not a Graph error document (a proxy's HTML, an empty body)
            low = status is not None and status < 500
            unreadable = "http_4xx_unreadable" if low else "http_5xx_unreadable"
            return unreadable, http, ""
        ref = f"code {code}" + (f"/{sub}" if sub else "") + f", {http}"
        return graph_code_failure(code, err, status), ref, " ".join(str(exc.message).split())
    if isinstance(exc, KeyError):  # facebook-sdk reads headers["content-type"] unguarded
        return "no_content_type", f"HTTP {status or '?'} without a content type", ""
    return transport_failure(exc), type(exc).__name__, ""


GRAPH_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80001, 190, 102, 10, 100, 368, 506, 1609005})


def graph_code_failure(code: int, err: dict[str, Any], status: int | None) -> str:
    """The OUTCOMES key of a Graph error document's code (shared with the Instagram Graph backend)."""
    if code in GRAPH_CODES:
        return f"graph:{code}"
    if 200 <= code <= 299:
        return "graph:200-299"
    if err.get("is_transient"):
        return "graph:transient"
    if status is not None and status >= 500:
        return "graph:other_5xx"
    return "graph:other_4xx"


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
            raise ConfigError(_(
                "[facebook] post_type must be 'auto', 'link' or 'photo', not '{post_type}'").format(
                post_type=self.post_type))
        if not re.fullmatch(r"v\d+\.\d+", self.graph_version):
            raise ConfigError(_(
                "[facebook] graph_version must look like 'v26.0', not '{graph_version}'").format(
                graph_version=self.graph_version))


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
    has_comments: ClassVar[bool] = True
    has_metrics: ClassVar[bool] = True
    engagement_access: ClassVar[str] = N_(  # doctor and the README say it
        "a Page access token with pages_read_engagement and pages_read_user_content (comments; the "
        "author's name needs the MODERATE task on the Page), read_insights for views and reach")

    # -- inbox and metrics (crosspost.channels.facebook_engagement) ------------------------------------------
    def comments(self, receipt: Receipt, since: float | None = None, *, cursor: str | None = None,
                 max_pages: int = 20, now: float | None = None,
                 sent_at: float | None = None) -> CommentPage:
        from . import facebook_engagement

        return facebook_engagement.comments(self, receipt, since, cursor, max_pages,
                              time.time() if now is None else now)

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        from . import facebook_engagement

        return facebook_engagement.metrics(self, receipts)

    # -- adapt ---------------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        from ..fitting import fit_paragraphs

        s, lim = self.settings, self.limits
        link = self.release_link(release)
        text = text.strip()
        problems: list[Problem] = []
        if not s.page_id:
            problems.append(self.problem("page_id", _(
                "set page_id in [channels.{name}] of channels.toml (the Page's numeric id)").format(
                name=self.name)))
        if not text:
            problems.append(self.problem("text", _('the post is empty: check the facebook template')))
        fitted = fit_paragraphs(text, lim.message_chars, link) if len(text) > lim.message_chars else None
        if fitted is not None:  # a long release: whole paragraphs, then the article link
            text = fitted[0]
            problems.append(self.problem("text", _(
                "the message is over {limit} characters: cut after paragraph {kept} of {total}, ending "
                "with the article link").format(limit=lim.message_chars, kept=fitted[1], total=fitted[2]),
                severity="warning"))
        if len(text) > lim.message_chars:
            problems.append(self.problem("text", _(
                'the message is too long for a Facebook post: shorten the release or the template'),
                                         lim.message_chars, len(text)))
        images = tuple(m for m in release.images if m.kind == "image")
        if s.post_type == "link":
            images = ()
        elif s.post_type == "photo" and not images:
            problems.append(self.problem("media", _(
                'post_type is \'photo\' but the release has no image: add one or set post_type = "auto"')))
        if len(images) > lim.max_photos:
            problems.append(self.problem(
                "media", _(
                    'Facebook takes at most {max_photos} photos in one post: only the first {max_photos} '
                    'are posted').format(max_photos=lim.max_photos), lim.max_photos, len(images), "warning"))
            images = images[: lim.max_photos]
        problems += self.image_file_problems(images, lim.photo_bytes, PHOTO_TYPES, "Facebook",
                                             "JPEG, PNG, GIF, BMP or TIFF")
        if release.video is not None:
            problems.append(self.problem("media", _(
                'the video is not uploaded to Facebook: the post goes out without it'), severity="warning"))
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
        graph = self._graph()
        media = list(variant.media)
        args: dict[str, Any] = {"message": variant.text}
        photos: list[str] = []
        if not media:
            if variant.link:
                args["link"] = variant.link
            result = self._call(graph, f"{page}/feed", "create", _("posting to the Page"),
                                post_args=args)
        elif len(media) == 1:
            result = self._upload(graph, page, media[0], args, "create", "posting the photo")
        else:
            photos = self._upload_all(graph, page, media, ctx)
            ctx.heartbeat()
            for i, photo_id in enumerate(photos):
                args[f"attached_media[{i}]"] = json.dumps({"media_fbid": photo_id})
            result = self._call(graph, f"{page}/feed", "create",
                                _("posting the {n} photos to the Page").format(n=len(photos)),
                                post_args=args)
        post_id = str(result.get("post_id") or result.get("id") or "")
        if not post_id:
            raise UnknownOutcome(_(
                'Facebook accepted the post but sent no id: check the Page, then `crosspost resolve`'))
        ctx.save_progress({"photos": photos, "post_id": post_id})
        return self._receipt(post_id, photos)

    def _upload_all(self, graph: Any, page: str, media: list[Media], ctx: PublishContext) -> list[str]:
        """Unpublished photos for one multi-photo post; ids already saved are reused."""
        photos = [str(i) for i in (ctx.progress.get("photos") or [])][: len(media)]
        for index in range(len(photos), len(media)):
            ctx.heartbeat()
            args = {"published": "false"}
            result = self._upload(graph, page, media[index], args, "upload",
                                  _("uploading photo {index} of {n}").format(index=index + 1, n=len(media)))
            photos.append(str(result["id"]))
            ctx.save_progress({"photos": list(photos)})
        return photos

    def _upload(self, graph: Any, page: str, m: Media, args: dict[str, Any], stage: str,
                where: str) -> dict:
        try:
            fh = open(m.path, "rb")  # closed by the with block below
        except OSError as exc:
            raise Permanent(_(
                'cannot read the photo {path} ({value}): restore the file or remove it from the '
                'release').format(
                path=m.path, value=exc.strerror or type(exc).__name__)) from None
        with fh:
            return self._call(graph, f"{page}/photos", stage, where, post_args=dict(args),
                              files={"source": fh})

    def edit(self, remote_id: str, text: str) -> Receipt:
        """Replace the message of a post already on the Page (corrections)."""
        self._call(self._graph(), remote_id, "edit", _("correcting the post"),
                   post_args={"message": text})
        return self._receipt(remote_id, [])

    def _receipt(self, post_id: str, photos: list) -> Receipt:
        return Receipt(remote_id=post_id, url=f"https://www.facebook.com/{post_id}",
                       extra={"photos": [str(p) for p in photos]})

    def _page_id(self) -> str:
        page = str(self.settings.page_id).strip()
        if not page:
            raise Permanent(_(
                "channel '{name}' has no page_id: set it in channels.toml").format(name=self.name))
        return page

    def _graph(self) -> Any:
        import facebook

        if self.secrets is None:
            raise ReauthRequired(_(
                "channel '{name}' has no Page access token: run `crosspost auth {name}`").format(
                name=self.name))
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
            msg = _("Facebook sent an answer crosspost could not read while {where}").format(where=where)
            raise (UnknownOutcome(msg) if stage == "create" else RetryLater(msg))
        return result

    # -- errors --------------------------------------------------------------------------
    def _classify(self, exc: BaseException, session: Any, stage: str, where: str) -> DeliveryError:
        """Map a failure to what the engine may do next, by the row of ``OUTCOMES``.

        ``stage`` is "create" when the failed call may have made a public post; unpublished
        uploads, reads and edits are safe to repeat. Text from requests' exceptions is never
        shown: its URLs carry the access token.
        """
        if isinstance(exc, DeliveryError):
            return exc
        response = getattr(session, "last_response", None)
        status = getattr(response, "status_code", None)
        headers = getattr(response, "headers", {}) or {}
        failure, ref, detail = failure_of(exc, status)
        state = state_of(OUTCOMES, stage, failure)
        detail = self._mask(detail)[:300]  # masked before it is cut
        wait = retry_after(headers) if state == RETRY else None
        return error(state, self._message(state, failure, ref, detail, where, wait), wait, failure)

    def _message(self, state: str, failure: str, ref: str, detail: str, where: str,
                 wait: float | None = None) -> str:
        name = self.name
        said = _(" Facebook said: {detail}").format(detail=detail) if detail else ""
        if failure in PERMISSION_FAILURES:
            return _("the Page access token of '{name}' lacks a permission ({ref}): it needs "
                     "pages_manage_posts and pages_read_engagement; run `crosspost auth {name}` with a "
                     "token that has them, then `crosspost retry`.{said}").format(name=name, ref=ref,
                                                                                 said=said)
        if state == REAUTH:
            return _("the Page access token of '{name}' expired or was revoked ({ref}): run "
                     "`crosspost auth {name}`, then `crosspost retry`").format(name=name, ref=ref)
        if state == RETRY:
            if failure in RATE_FAILURES:
                when = _("in {seconds} s").format(seconds=int(wait)) if wait else _("later")
                return _("Facebook asked to slow down ({ref}) while {where}: nothing was posted; "
                         "crosspost tries again {when}").format(ref=ref, where=where, when=when)
            return _("Facebook did not take the request ({ref}) while {where}: nothing was posted; "
                     "trying again later").format(ref=ref, where=where)
        if state == UNKNOWN:
            if failure in ("graph:506", "graph:368"):
                return _("Facebook says this may be a duplicate post ({ref}) while {where}: an earlier "
                         "attempt probably posted it; crosspost checks the Page before anything else."
                         "{said}").format(ref=ref, where=where, said=said)
            return _("no clear answer from Facebook ({ref}) while {where}: the post may exist; crosspost "
                     "checks the Page before trying again").format(ref=ref, where=where)
        if failure == "graph:368":
            return _("Facebook blocked this request or the Page for a policy reason ({ref}): check the "
                     "Page's Support Inbox.{said}").format(ref=ref, said=said)
        if failure == "graph:1609005":
            return _("Facebook could not use the link in the post ({ref}): check the release link."
                     "{said}").format(ref=ref, said=said)
        if failure == "graph:100":
            return _("Facebook rejected the request as invalid ({ref}) while {where}: check page_id, "
                     "the photos and the text.{said}").format(ref=ref, where=where, said=said)
        if failure == "http_4xx_unreadable":
            return _("Facebook sent an answer crosspost could not read ({ref}) while {where}: check "
                     "graph_url and graph_version of '{name}'").format(ref=ref, where=where, name=name)
        return _("Facebook rejected the request ({ref}) while {where}.{said}").format(
            ref=ref, where=where, said=said)

    def _mask(self, text: str) -> str:
        return self.mask(text, (TOKEN_KEY,))

    # -- reconcile -----------------------------------------------------------------------
    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Find this delivery's post among the Page's recent posts.

        Only this delivery's own post can match: created after the delivery was first claimed
        (``created_time``, Graph's ISO 8601 with +0000), and its whole message equal to the text
        sent, whitespace aside. Another release's post that shares a link or an opening line is
        not it (issue 12: a closing line of hashtags and the link repeats across releases).
        """
        done = ctx.progress.get("post_id")
        if done:
            return self._receipt(str(done), ctx.progress.get("photos") or [])
        page = self._page_id()
        graph = self._graph()
        params = {"fields": "id,message,permalink_url,created_time",
                  "limit": str(self.settings.lookup_limit)}
        result = self._call(graph, f"{page}/posts", "read", _("looking for recent posts"), args=params)
        for post in result.get("data") or []:
            if post.get("id") and matches(variant, post.get("message") or "", post.get("created_time"),
                                          ctx.claimed_at):
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
        me = self._call(graph, "me", "read", _("checking the Page access token"), args={"fields": "id,name"})
        page = str(self.settings.page_id).strip()
        if page and str(me.get("id")) != page:
            raise Permanent(_(
                "the stored token of '{name}' acts for {value}, not for Page {page}: store the Page's own "
                'access token with `crosspost auth {name}`').format(
                name=self.name, value=me.get('name') or me.get('id'), page=page))
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
        data = self._call(graph, "debug_token", "read", _("asking when the Page token expires"),
                          args={"input_token": token}).get("data") or {}
        return token_expiry(data, time.time())

    # -- corrections (ralat) -------------------------------------------------------------
    def correction_problems(self, variant: Variant) -> list[Problem]:
        if len(variant.text) > self.limits.message_chars:
            return [self.problem("ralat", _(
                'the corrected Facebook post would be too long: shorten the '
                'ralat'), self.limits.message_chars, len(variant.text))]
        return []

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Edit the original Page post: the ralat goes first, the earlier message stays below it
        (Facebook also keeps the edit history). An edit is idempotent, so it is safe to repeat."""
        original = variant.extra.get("original") or {}
        post_id = str(original.get("remote_id") or "")
        if not post_id:
            raise Permanent(_('the log has no id of the original Facebook post: edit it by hand'))
        ctx.heartbeat()
        receipt = self.edit(post_id, variant.text)
        url = original.get("url") or receipt.url
        return Receipt(post_id, url, extra={"edited": True, "photos": receipt.extra.get("photos", [])})

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """The edit is applied when the post's message starts with the ralat (else edit again)."""
        original = variant.extra.get("original") or {}
        post_id = str(original.get("remote_id") or "")
        result = self._call(self._graph(), post_id, "read", _("reading the corrected post"),
                            args={"fields": "id,message,permalink_url"})
        ralat = " ".join(str(variant.extra.get("ralat_text") or variant.text).split())
        if " ".join(str(result.get("message") or "").split()).startswith(ralat):
            return Receipt(post_id, result.get("permalink_url") or original.get("url"),
                           extra={"edited": True})
        return None


CLOCK_SLACK = 120.0  # seconds a Page post's created_time may precede our claim (clocks differ)


def matches(variant: Variant, message: str, created: str | None = None, since: float | None = None) -> bool:
    """Whether a Page post is this variant's: the same message (whitespace aside), and, when the
    claim time is known, created after it."""
    if since is not None and created:
        try:
            made = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z").timestamp()
        except ValueError:
            made = None
        if made is not None and made < since - CLOCK_SLACK:
            return False
    return bool(message.strip()) and " ".join(message.split()) == " ".join(variant.text.split())


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

        def request(self, method, url, *args, **kwargs):
            base = facebook.FACEBOOK_GRAPH_URL
            if graph_url and url.startswith(base):
                url = graph_url.rstrip("/") + "/" + url[len(base):]
            self.last_response = None
            self.last_response = super().request(method, url, *args, **kwargs)
            return self.last_response

    return _GraphSession()
