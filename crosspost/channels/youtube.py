"""YouTube through google-api-python-client: upload a video, or update an existing one's snippet.

The client is built from the discovery document shipped beside this module
(``youtube.v3.json``, googleapiclient's own static copy), so building it needs no network.
Uploads are resumable and streamed in chunks (memory stays flat for any video size); the
session URI is saved with ``ctx.save_progress`` as soon as it exists, so a later attempt asks
YouTube how far the upload got and continues instead of creating a second video.

A video is created only when its last byte arrives: failures before the upload session exists
are safe to retry, failures after it may have finished the upload and are *unknown outcome*.
``videos.update`` replaces the whole snippet, so it is always read, modified and written back;
it is idempotent, so its failures are safe to retry.
"""

from __future__ import annotations

import mimetypes
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from .. import stat_once
from ..engagement import CommentPage
from ..errors import (
    ConfigError,
    DeliveryError,
    LeaseLost,
    Permanent,
    ReauthRequired,
    RetryLater,
    UnknownOutcome,
)
from ..i18n import N_, _
from ..models import Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext
from .outcomes import FAILED, REAUTH, RETRY, UNKNOWN, Outcome, error, rows, state_of
from .youtube_reasons import http_reasons

DOCUMENT = Path(__file__).with_name("youtube.v3.json")
PRIVACY = ("public", "unlisted", "private")
PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's daily quota resets at midnight Pacific time
CHUNK_UNIT = 256 * 1024  # resumable chunks must be multiples of 256 KiB
BODY_BLOCK = 1024 * 1024  # bytes read from the video per socket send (http.client's default: 8 KiB)
RETRY_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
REAUTH_REASONS = frozenset({"authError", "unauthorized", "insufficientPermissions", "invalidCredentials",
                            "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "ACCESS_TOKEN_EXPIRED", "CREDENTIALS_MISSING"})
STAGES = {"upload": "the video upload", "update": "the video update", "read": "reading from YouTube"}

# -- the outcome table -------------------------------------------------------------------------
# Calls of videos.insert's resumable upload (googleapiclient/http.py HttpRequest.next_chunk):
# "session" is the POST that opens the upload session (no video exists: it is made only when the
# last byte arrives); "chunk" a PUT of a chunk that is not the last (nothing published yet);
# "final" the PUT of the last chunk (the video may now exist); "resume" the status query on a
# saved session (an empty PUT, Content-Range bytes */size). "update" is videos.update (the same
# snippet written again is harmless), "read" every list call.
# Failures: googleapiclient's HttpError (ResumableUploadError when the session POST is refused)
# with the reason from error.errors[].reason or error.details[].reason (HttpError._get_reason keeps
# whichever comes first as error_details; both are read: "reason:<r>"), else the status
# ("http:<n>", "http:4xx", "http:5xx"); transport errors are httplib2's and the socket's.
_ERRORS = "developers.google.com/youtube/v3/docs/errors"
_RESUMABLE = "developers.google.com/youtube/v3/guides/using_resumable_upload_protocol"
_HTTP = "googleapiclient/http.py next_chunk, _process_response; errors.py HttpError._get_reason"
_ALL = ("session", "chunk", "final", "resume", "update", "read")
_SAFE = ("session", "chunk", "resume", "update", "read")



OUTCOMES: tuple[Outcome, ...] = (
    Outcome("*", "connect_refused", RETRY, "ConnectionRefusedError from httplib2's connect: not sent"),
    Outcome("*", "dns", RETRY, "socket.gaierror / httplib2.ServerNotFoundError: not sent"),
    Outcome("*", "reason:quotaExceeded", RETRY, _ERRORS + ": 403 quotaExceeded, refused; the quota "
            "resets at midnight Pacific time"),
    Outcome("*", "reason:uploadLimitExceeded", RETRY, _ERRORS + ": 400 uploadLimitExceeded, refused"),
    Outcome("*", "reason:rateLimitExceeded", RETRY, _ERRORS + ": 403 rateLimitExceeded, refused"),
    Outcome("*", "http:429", RETRY, "429 Too Many Requests: refused before it was applied"),
    # A missing scope or a dead token is fixed by authorizing again, not by changing the post.
    Outcome("*", "reason:reauth", REAUTH, _ERRORS + ": 401 authError/invalidCredentials, 403 "
            "insufficientPermissions; details[].reason ACCESS_TOKEN_SCOPE_INSUFFICIENT "
            "(google.rpc.ErrorInfo)"),
    Outcome("*", "http:401", REAUTH, "401 Unauthorized (after google-auth's own refresh)"),
    Outcome("*", "http:4xx", FAILED, _ERRORS + ": invalidTitle, invalidCategoryId, forbidden...: refused"),
    # The session is gone: nothing was published through it (the video exists only once the last
    # byte of a live session arrives); a new session is opened at once.
    *rows(("resume", "chunk", "final"), "http:404", RETRY, _RESUMABLE + ": 404 on the upload URI, "
           "the session expired: start the upload again"),
    *rows(("resume", "chunk", "final"), "http:410", RETRY, _RESUMABLE + ": 410 Gone, start again"),
    Outcome("final", "http:5xx", UNKNOWN, _RESUMABLE + ": a 5xx on the last chunk: the video may have "
            "been made; the saved session answers on resume (200/201 with the video)"),
    Outcome("final", "timeout", UNKNOWN, "TimeoutError after the last chunk was sent"),
    Outcome("final", "connection_broken", UNKNOWN, "the connection broke during the last chunk"),
    Outcome("final", "unexpected", UNKNOWN, "not written down: never retried blindly"),
    *rows(_SAFE, "http:5xx", RETRY, _RESUMABLE + ": 5xx before the last byte: resume the upload"),
    *rows(_SAFE, "timeout", RETRY, _HTTP + ": nothing is published before the last byte"),
    *rows(_SAFE, "connection_broken", RETRY, _HTTP + ": nothing is published before the last byte"),
    *rows(("session", "read"), "http:404", FAILED, _ERRORS + ": videoNotFound and the like"),
    *rows(("session", "read", "update"), "http:410", FAILED, "410 Gone on a resource"),
    Outcome("update", "http:404", FAILED, _ERRORS + ": videoNotFound: the video is gone"),
    *rows(_SAFE, "unexpected", FAILED, "not written down: a person looks"),
)


def http_failure(exc: Any) -> str:
    status = int(exc.resp.status)
    reasons = http_reasons(exc)
    for reason in ("quotaExceeded", "uploadLimitExceeded"):
        if reason in reasons:
            return f"reason:{reason}"
    if reasons & RETRY_REASONS:
        return "reason:rateLimitExceeded"
    if status == 429:
        return "http:429"
    if reasons & REAUTH_REASONS:
        return "reason:reauth"
    if status in (401, 404, 410):
        return f"http:{status}"
    return "http:5xx" if status >= 500 else "http:4xx"


def failure_of(exc: BaseException) -> str:
    import socket  # here, not at the top: preview imports this module and needs neither
    from http.client import HTTPException

    import httplib2
    from google.auth.exceptions import TransportError
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        return http_failure(exc)
    if isinstance(exc, (ConnectionRefusedError,)):
        return "connect_refused"
    if isinstance(exc, (socket.gaierror, httplib2.ServerNotFoundError)):
        return "dns"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, (OSError, httplib2.HttpLib2Error, HTTPException, TransportError)):
        return "connection_broken"
    return "unexpected"


@dataclass(frozen=True)
class Settings(CommonSettings):
    privacy: str = "public"  # "public", "unlisted" or "private"; always sent (omitted now means public)
    category_id: str = "25"  # YouTube category; 25 = News & Politics
    chunk_mb: float = 8.0  # resumable upload chunk size in MiB (rounded down to 256 KiB steps)
    made_for_kids: bool = False  # selfDeclaredMadeForKids (COPPA): government news is not for kids
    client_secrets_file: str = ""  # OAuth client JSON (Desktop app), relative to channels.toml
    thumbnail: bool = True  # set the release's first image as the video's thumbnail
    language: str = "id"  # snippet.defaultLanguage
    timeout: float = 120.0  # seconds per HTTP request (one chunk of an upload)
    lookup_limit: int = 50  # recent uploads searched when settling an unknown outcome
    # The OAuth app is still in "Testing": Google ends its refresh tokens 7 days after consent,
    # so doctor, run and publish warn before then.
    testing_app: bool = False
    # The API's host, in place of the discovery document's rootUrl (tests point it at a loopback
    # server; empty: Google's own).
    api_root: str = ""

    def __post_init__(self) -> None:
        if self.privacy not in PRIVACY:
            raise ConfigError(_(
                "[youtube] privacy must be 'public', 'unlisted' or 'private', not '{privacy}'").format(
                privacy=self.privacy))
        if not str(self.category_id).isdigit():
            raise ConfigError(_(
                '[youtube] category_id must be a number such as "25" (News & Politics), not '
                "'{category_id}'").format(
                category_id=self.category_id))
        if self.chunk_mb <= 0:
            raise ConfigError(_('[youtube] chunk_mb must be more than 0 (8 is a good size)'))


@dataclass(frozen=True)
class Limits:
    title_chars: int = 100  # characters in a title
    description_bytes: int = 5000  # UTF-8 bytes in a description
    tags_chars: int = 500  # all tags: commas between them count, and +2 for a tag with a space
    hashtags: int = 15  # with more hashtags YouTube ignores every hashtag in the description
    thumbnail_bytes: int = 2 * 1024 * 1024  # custom thumbnails may be at most 2 MB


class SessionGone(RetryLater):
    """The saved resumable session no longer exists (404/410): a new one is opened."""


def tags_length(tags: list[str] | tuple[str, ...]) -> int:
    """How YouTube counts the tags field: commas between tags, quotes around tags with spaces."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)


def until_pacific_midnight(now: float) -> float:
    """Seconds from ``now`` (unix time) to the next midnight in America/Los_Angeles."""
    local = datetime.fromtimestamp(now, PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), dtime(0), PACIFIC)
    return max(1.0, midnight.timestamp() - now)


@lru_cache(maxsize=1)
def discovery_document() -> str:
    return DOCUMENT.read_text("utf-8")


def upload_http(timeout: float) -> Any:
    """httplib2.Http fit for resumable uploads (bench/: 512 MB went 3x slower than a raw PUT).

    A "308 Resume Incomplete" is not a redirect (it carries no Location): googleapiclient's own
    build_http() drops 308 the same way. And http.client reads a streamed body 8 KiB at a time,
    a read and a send call per 8 KiB; 1 MiB blocks keep the chunk streamed (memory stays flat)
    at the speed of a plain PUT.
    """
    import httplib2

    class _UploadHttp(httplib2.Http):
        def _conn_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
            conn.blocksize = BODY_BLOCK
            return super()._conn_request(conn, *args, **kwargs)

    http = _UploadHttp(timeout=timeout)
    http.redirect_codes = http.redirect_codes - {308}
    return http


def _mimetype(path: Path, family: str) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or ""
    return guessed if guessed.startswith(family + "/") else "application/octet-stream"


class YouTubeChannel(Channel):
    platform: ClassVar[str] = "youtube"
    Settings: ClassVar[type] = Settings
    Limits: ClassVar[type] = Limits
    secret_keys: ClassVar[tuple[str, ...]] = ()  # OAuth installed-app flow: a token file (authorize)
    editable: ClassVar[bool] = True  # a correction edits the video's description
    video_only: ClassVar[bool] = True
    can_lookup: ClassVar[bool] = True
    has_comments: ClassVar[bool] = True
    has_metrics: ClassVar[bool] = True
    engagement_access: ClassVar[str] = N_(  # doctor and the README say it
        "the youtube.force-ssl authorization crosspost already asks for; 1 quota unit a page of comments "
        "and per 50 videos of statistics")

    # -- inbox and metrics (crosspost.channels.youtube_engagement) -------------------------------------------
    def comments(self, receipt: Receipt, since: float | None = None, *, cursor: str | None = None,
                 max_pages: int = 20, now: float | None = None,
                 sent_at: float | None = None) -> CommentPage:
        from . import youtube_engagement

        return youtube_engagement.comments(self, receipt, since, cursor, max_pages,
                              time.time() if now is None else now)

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        from . import youtube_engagement

        return youtube_engagement.metrics(self, receipts)

    # Tests replace this with a function returning googleapiclient's HttpMockSequence.
    http_factory: Callable[[], Any] | None = None

    # -- adapt ---------------------------------------------------------------------------
    def cannot_carry(self, release: Release) -> str | None:
        """Every YouTube post is a video: a release with neither a video file nor a video id is
        routed past this channel (crosspost.routing)."""
        if release.video is None and not release.video_id:
            return _("no video in this release (video: or video_id:)")
        return None

    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        s, lim = self.settings, self.limits

        title = release.title.strip()
        description = text.strip()
        tags = [t.strip() for t in release.tags if t.strip()]
        problems: list[Problem] = []
        title, description = self._fit(release, title, description, problems)
        video = release.video
        if video is None and not release.video_id:
            problems.append(self.problem("media", _(
                'YouTube needs a video file (video:) or an existing video id (video_id:)')))
        elif video is not None and release.video_id:
            problems.append(self.problem("media", _(
                'the release names both a video file and video_id {video_id}: the existing video is '
                'updated and the file is not uploaded').format(
                video_id=release.video_id), severity="warning"))
        elif video is not None and not stat_once.is_file(video.path):
            problems.append(self.problem("media", _('video file not found: {path}').format(path=video.path)))
        problems += self._text_problems(title, description, tags)
        thumb = self._thumbnail(release, problems) if video is not None and not release.video_id else None
        desc_bytes = len(description.encode("utf-8"))
        variant = Variant(
            channel=self.name, kind=self.platform, text=description, title=title,
            media=(video,) if video is not None and not release.video_id else (),
            link=self.release_link(release),
            extra={"tags": tags, "video_id": release.video_id, "category_id": str(s.category_id),
                   "privacy": s.privacy, "thumbnail": str(thumb) if thumb else None},
            counts={"title": {"actual": len(title), "limit": lim.title_chars, "unit": "chars"},
                    "description": {"actual": desc_bytes, "limit": lim.description_bytes, "unit": "bytes"},
                    "tags": {"actual": tags_length(tags), "limit": lim.tags_chars, "unit": "chars"}})
        return variant, problems

    def _fit(self, release: Release, title: str, description: str,
             problems: list[Problem]) -> tuple[str, str]:
        """A title over the limit cut at a word, a description over 5,000 bytes cut at a paragraph
        and ending with the article link (crosspost.fitting), each with a warning. Limits:
        https://developers.google.com/youtube/v3/docs/videos#snippet.title (100 characters) and
        #snippet.description (5,000 bytes); neither may hold '<' or '>'."""
        from ..fitting import fit_paragraphs, shorten_words, utf8_bytes

        lim = self.limits
        if len(title) > lim.title_chars:
            short = shorten_words(title, lim.title_chars)
            problems.append(self.problem("title", _(
                "the title has {n} characters and YouTube allows {limit}: it is shortened at a word to "
                "\"{short}\"; to choose it, write channels: {{{name}: {{title: \"...\"}}}} in the "
                "release").format(n=len(title), limit=lim.title_chars, short=short, name=self.name),
                lim.title_chars, len(title), "warning"))
            title = short
        fitted = fit_paragraphs(description, lim.description_bytes, self.release_link(release), utf8_bytes)
        if fitted is not None:
            description, kept, total = fitted
            problems.append(self.problem("description", _(
                "the description is over {limit} bytes: cut after paragraph {kept} of {total}, ending "
                "with the article link (the whole release is in the article)").format(
                    limit=lim.description_bytes, kept=kept, total=total), severity="warning"))
        return title, description

    def _text_problems(self, title: str, description: str, tags: list[str]) -> list[Problem]:
        lim = self.limits
        out: list[Problem] = []
        if not title:
            out.append(self.problem("title", _('the video needs a title: add title: to the release')))
        if len(title) > lim.title_chars:
            out.append(self.problem("title", _(
                'YouTube titles may have at most {title_chars} characters: shorten the title in the '
                'release (it is not cut automatically)').format(
                title_chars=lim.title_chars), lim.title_chars, len(title)))
        size = len(description.encode("utf-8"))
        if size > lim.description_bytes:
            out.append(self.problem("description", _(
                'the description is too long for YouTube (at most {description_bytes} bytes of UTF-8): '
                'shorten the release summary or the youtube template').format(
                description_bytes=lim.description_bytes), lim.description_bytes, size))
        for field_, value in (("title", title), ("description", description)):
            found = [c for c in "<>" if c in value]  # a substring test, not a loop over every character
            if found:
                out.append(self.problem(field_, _(
                    "YouTube refuses {value} in the {field}: write 'kurang dari'/'lebih dari' or use other "
                    'brackets in the release').format(
                    value=' and '.join(repr(c) for c in found), field=field_)))
        if any(c in t for t in tags for c in "<>"):
            out.append(self.problem("tags", _(
                "YouTube refuses '<' and '>' in tags: change the release tags")))
        total = tags_length(tags)
        if total > lim.tags_chars:
            out.append(self.problem("tags", _(
                'the tags are too long for YouTube (at most {tags_chars} characters, counting commas and 2 '
                'for each tag with a space): remove some tags from the release').format(
                tags_chars=lim.tags_chars), lim.tags_chars, total))
        # each hashtag holds a "#": with no more "#" than allowed there are not too many hashtags,
        # and the description's words need not be looked at (a listcomp over ~200 words a release)
        hashtags = [w for w in description.split() if w.startswith("#") and len(w) > 1] \
            if description.count("#") > lim.hashtags else []
        if len(hashtags) > lim.hashtags:
            out.append(self.problem("description", _(
                'YouTube ignores every hashtag when a description has more than {hashtags}: keep fewer '
                'hashtags').format(hashtags=lim.hashtags),
                                    lim.hashtags, len(hashtags), "warning"))
        return out

    def _thumbnail(self, release: Release, problems: list[Problem]) -> Path | None:
        """The first image as the custom thumbnail, when enabled and usable (else a warning)."""
        if not self.settings.thumbnail:
            return None
        image = next((m for m in release.images if m.kind == "image"), None)
        if image is None:
            return None
        try:
            size = stat_once.stat(image.path).st_size
        except OSError:
            problems.append(self.problem("media", _(
                "thumbnail image not found: {path}; the video goes out with YouTube's own thumbnail").format(
                path=image.path), severity="warning"))
            return None
        if size > self.limits.thumbnail_bytes or image.path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            problems.append(self.problem("media", _(
                '{name} cannot be a YouTube thumbnail (JPEG or PNG up to 2 MB): the video goes out with '
                "YouTube's own thumbnail").format(
                name=image.path.name), self.limits.thumbnail_bytes, size, "warning"))
            return None
        return image.path

    # -- OAuth and client ----------------------------------------------------------------
    def authorize(self) -> None:
        """`crosspost auth NAME`: the browser consent flow, token stored 0600."""
        from .youtube_auth import authorize

        if not self.settings.client_secrets_file:
            raise ConfigError(_(
                '[channels.{name}] set client_secrets_file to the OAuth client JSON (Google Cloud Console '
                '> APIs & Services > Credentials, Desktop app)').format(name=self.name))
        authorize(self.resolve(self.settings.client_secrets_file), self._token_path())
        self.record_token_issued()

    def _token_path(self) -> Path:
        if self.secrets is None:
            raise ReauthRequired(_(
                "channel '{name}' has no secret store: run `crosspost auth {name}`").format(name=self.name))
        return self.secrets.path("token")

    def client(self) -> Any:
        """A YouTube client from the shipped discovery document, authorized with the stored token."""
        import socket

        import google_auth_httplib2
        from googleapiclient.discovery import build_from_document

        from .youtube_auth import load_credentials

        http = self.http_factory() if self.http_factory else upload_http(self.settings.timeout)
        try:
            creds = load_credentials(self._token_path(), google_auth_httplib2.Request(http), self.name)
        except (ConnectionError, TimeoutError, socket.gaierror) as exc:  # while renewing the token
            raise self.classify(exc, "read", started=False) from None
        authed = google_auth_httplib2.AuthorizedHttp(creds, http=http)
        document = discovery_document()
        if self.settings.api_root:
            root = self.settings.api_root.rstrip("/") + "/"
            for google in ("https://youtube.googleapis.com/", "https://www.googleapis.com/"):
                document = document.replace(google, root)
        return build_from_document(document, http=authed)

    # -- publish -------------------------------------------------------------------------
    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        done = ctx.progress.get("video_id")
        if done:  # the upload finished and was recorded before the outcome got lost
            return self._receipt(str(done))
        youtube = self.client()
        if variant.extra.get("video_id"):
            return self._update(youtube, variant, ctx)
        return self._upload(youtube, variant, ctx)

    def insert_body(self, variant: Variant, ctx: PublishContext) -> dict[str, Any]:
        s = self.settings
        snippet: dict[str, Any] = {
            "title": variant.title, "description": variant.text,
            "categoryId": str(variant.extra.get("category_id") or s.category_id),
            "defaultLanguage": s.language}
        tags = list(variant.extra.get("tags") or [])
        if tags:
            snippet["tags"] = tags
        status: dict[str, Any] = {"privacyStatus": variant.extra.get("privacy") or s.privacy,
                                  "selfDeclaredMadeForKids": bool(s.made_for_kids)}
        return {"snippet": snippet, "status": status}

    def chunk_size(self) -> int:
        return max(CHUNK_UNIT, int(self.settings.chunk_mb * 1024 * 1024) // CHUNK_UNIT * CHUNK_UNIT)

    def _upload(self, youtube: Any, variant: Variant, ctx: PublishContext) -> Receipt:

        if not variant.media:
            raise Permanent(_('YouTube needs a video file (video:) or an existing video id (video_id:)'))
        path = variant.media[0].path
        try:
            fh = open(path, "rb")  # closed by the with block; MediaFileUpload would leave it to GC
        except OSError as exc:
            raise Permanent(_(
                'cannot read the video {path} ({value}): restore the file or remove it from the '
                'release').format(
                path=path, value=exc.strerror or type(exc).__name__)) from None
        body = self.insert_body(variant, ctx)
        with fh:
            size = os.fstat(fh.fileno()).st_size
            saved = ctx.progress.get("upload_uri") if ctx.progress.get("size") == size else None
            try:
                video = self._send_chunks(self._insert(youtube, fh, path, body), ctx, size, saved)
            except SessionGone:
                # Nothing was published through the dead session: open a new one now (once).
                fh.seek(0)
                video = self._send_chunks(self._insert(youtube, fh, path, body), ctx, size, None)
        video_id = str(video.get("id") or "")
        if not video_id:
            raise UnknownOutcome(_(
                'YouTube finished the upload but sent no video id: check YouTube Studio, then `crosspost '
                'resolve`'))
        ctx.save_progress({"video_id": video_id})
        receipt = self._receipt(video_id)
        # What YouTube answered, not what was asked (a channel can force private, e.g. unverified apps)
        answered = (video.get("status") or {}).get("privacyStatus") if isinstance(video, dict) else None
        receipt.extra["privacy"] = answered or body["status"]["privacyStatus"]
        thumb = variant.extra.get("thumbnail")
        if thumb and self.settings.thumbnail:
            warning = self._set_thumbnail(youtube, video_id, Path(thumb))
            if warning:
                receipt.extra["warnings"] = [warning]
        return receipt

    def _insert(self, youtube: Any, fh: Any, path: Path, body: dict[str, Any]) -> Any:
        from googleapiclient.http import MediaIoBaseUpload

        media = MediaIoBaseUpload(fh, mimetype=_mimetype(path, "video"), chunksize=self.chunk_size(),
                                  resumable=True)
        return youtube.videos().insert(part="snippet,status", body=body, media_body=media)

    def _send_chunks(self, request: Any, ctx: PublishContext, size: int, resume_uri: str | None) -> dict:
        """The next_chunk() loop: progress, heartbeat, and the session URI saved once known.
        ``resume_uri``: a saved session, asked first how far it got (googleapiclient's empty PUT)."""
        if resume_uri:
            request.resumable_uri = resume_uri
            request._in_error_state = True
        saved = request.resumable_uri
        response = None
        chunk = self.chunk_size()
        final = resuming = False
        try:
            while response is None:
                ctx.heartbeat()
                resuming = bool(request._in_error_state and request.resumable_uri)
                final = (request.resumable_progress or 0) + chunk >= size
                status, response = request.next_chunk()
                if request.resumable_uri and request.resumable_uri != saved:
                    saved = request.resumable_uri
                    ctx.save_progress({"upload_uri": saved, "size": size})
                if ctx.on_progress is not None:
                    ctx.on_progress(status.resumable_progress if status else size, size)
        except LeaseLost:
            self._save_uri(request, saved, ctx, size)
            raise
        except Exception as exc:
            self._save_uri(request, saved, ctx, size)
            got = self.classify(exc, "upload", started=request.resumable_uri is not None,
                                now=self._now(ctx), final=final, resuming=resuming)
            if getattr(got, "failure", "") in ("http:404", "http:410") and isinstance(got, RetryLater) \
                    and request.resumable_uri:
                ctx.save_progress({})  # the session is gone: forget it
                if resume_uri:
                    raise SessionGone(str(got)) from None
            raise got from None
        return response

    @staticmethod
    def _save_uri(request: Any, saved: str | None, ctx: PublishContext, size: int) -> None:
        if request.resumable_uri and request.resumable_uri != saved:
            ctx.save_progress({"upload_uri": request.resumable_uri, "size": size})

    def _set_thumbnail(self, youtube: Any, video_id: str, path: Path) -> str | None:
        """Best effort: a refused thumbnail is a warning, the video itself is out."""
        from googleapiclient.http import MediaFileUpload

        try:
            media = MediaFileUpload(str(path), mimetype=_mimetype(path, "image"), resumable=False)
            try:
                youtube.thumbnails().set(videoId=video_id, media_body=media).execute()
            finally:
                media.stream().close()
        except Exception as exc:
            why = self.classify(exc, "read", started=False)
            return (f"the thumbnail {path.name} was not set ({why}); the video is published, set the "
                    "thumbnail in YouTube Studio (custom thumbnails need a verified channel)")
        return None

    def _write_snippet(self, youtube: Any, video_id: str, snippet: dict, ctx: PublishContext) -> Receipt:
        """videos.update(part="snippet") replaces the whole snippet: callers pass it complete."""
        ctx.heartbeat()
        try:
            youtube.videos().update(part="snippet", body={"id": video_id, "snippet": snippet}).execute()
        except Exception as exc:
            raise self.classify(exc, "update", started=True, now=self._now(ctx)) from None
        return self._receipt(video_id)

    def _update(self, youtube: Any, variant: Variant, ctx: PublishContext) -> Receipt:
        video_id = str(variant.extra["video_id"])
        snippet = self._snippet(youtube, video_id, ctx)
        if snippet is None:
            raise Permanent(_(
                'YouTube has no video {video_id} that this account can edit: check video_id in the release '
                "and the channel's account").format(video_id=video_id))
        snippet = dict(snippet)  # update replaces the whole snippet: keep every field we do not set
        snippet.update(title=variant.title, description=variant.text,
                       categoryId=str(variant.extra.get("category_id") or self.settings.category_id))
        tags = list(variant.extra.get("tags") or [])
        if tags:  # a release without tags keeps the video's own
            snippet["tags"] = tags
        snippet.setdefault("defaultLanguage", self.settings.language)
        receipt = self._write_snippet(youtube, video_id, snippet, ctx)
        receipt.extra["updated"] = True
        return receipt

    def _snippet(self, youtube: Any, video_id: str, ctx: PublishContext) -> dict | None:
        try:
            found = youtube.videos().list(part="snippet", id=video_id).execute()
        except Exception as exc:
            raise self.classify(exc, "read", started=False, now=self._now(ctx)) from None
        items = found.get("items") or []
        return items[0].get("snippet") if items else None

    # -- reconcile -----------------------------------------------------------------------
    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """The video with the variant's title among the channel's recent uploads, if any."""
        done = ctx.progress.get("video_id")
        if done:
            return self._receipt(str(done))
        youtube = self.client()
        now = self._now(ctx)
        if variant.extra.get("video_id"):
            video_id = str(variant.extra["video_id"])
            snippet = self._snippet(youtube, video_id, ctx)
            return self._receipt(video_id) if snippet and snippet.get("title") == variant.title else None
        try:
            mine = youtube.channels().list(part="contentDetails", mine=True).execute()
            items = mine.get("items") or []
            if not items:
                return None
            uploads = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
            page = youtube.playlistItems().list(part="snippet", playlistId=uploads,
                                                maxResults=max(1, min(50, self.settings.lookup_limit))
                                                ).execute()
        except Exception as exc:
            raise self.classify(exc, "read", started=False, now=now) from None
        for item in page.get("items") or []:
            listed = item.get("snippet") or {}
            found = (listed.get("resourceId") or {}).get("videoId")
            if found and listed.get("title") == variant.title:
                return self._receipt(str(found))
        return None

    # -- errors --------------------------------------------------------------------------
    def classify(self, exc: BaseException, stage: str, started: bool, now: float | None = None,
                 final: bool = True, resuming: bool = False) -> DeliveryError:
        """Map a googleapiclient / google-auth / socket failure to its OUTCOMES row.

        ``stage`` "upload" with ``started`` False is the session POST; with a session, the chunk
        (``final``: the last one) or, ``resuming``, the status query of a saved session.
        """
        from google.auth.exceptions import RefreshError

        from .youtube_auth import refresh_error

        if isinstance(exc, DeliveryError):
            return exc
        if isinstance(exc, RefreshError):
            return refresh_error(exc, self.name)
        failure = failure_of(exc)
        call = stage
        if stage == "upload":
            call = "session" if not started else ("final" if final else "chunk")
            if resuming and failure in ("http:404", "http:410"):
                call = "resume"
        state = state_of(OUTCOMES, call, failure)
        what = STAGES.get(stage, stage)
        resp = getattr(exc, "resp", None)
        if resp is not None:
            reasons = ",".join(sorted(http_reasons(exc))) or "error"
            said = self.mask(" ".join(str(getattr(exc, "reason", "") or "").split()))[:200]  # mask, cut
            detail = f"{int(resp.status)} {reasons}" + (f": {said}" if said else "")
        else:
            detail = type(exc).__name__
        wait: float | None = None
        if failure == "reason:quotaExceeded":
            wait = until_pacific_midnight(time.time() if now is None else now)
            text = _("YouTube's daily API quota is used up ({detail}); it resets at midnight Pacific time "
                     "and the delivery waits until then")
        elif failure == "reason:uploadLimitExceeded":
            wait = 24 * 3600.0
            text = _("this YouTube channel reached its upload limit ({detail}): trying again in 24 hours")
        elif failure in ("reason:rateLimitExceeded", "http:429"):
            wait = _retry_after(resp)
            text = _("YouTube asked to slow down ({detail}): it will be tried again")
        elif state == REAUTH:
            text = _("YouTube refused the authorization ({detail}): run `crosspost auth {name}` (a "
                     "missing scope is granted by authorizing again), then `crosspost retry`")
        elif state == RETRY and failure in ("connect_refused", "dns"):
            text = _("could not connect to YouTube for {what} (nothing was sent): it will be tried again")
        elif state == RETRY and call in ("resume", "chunk", "final") and failure in ("http:404", "http:410"):
            text = _("the YouTube upload session is gone ({detail}): nothing was published through it, "
                     "so a new upload session is started")
        elif state == RETRY:
            wait = _retry_after(resp) if resp is not None else None
            text = _("YouTube did not finish {what} ({detail}); no video was made by it, it will be tried "
                     "again")
        elif state == UNKNOWN:
            text = _("no clear answer from YouTube for the last part of {what} ({detail}), so it is unknown "
                     "whether the video was created: `crosspost run` checks the channel's uploads, and a "
                     "retry asks the upload session first")
        else:
            text = _("YouTube refused {what} ({detail}): correct the release or the channel settings, "
                     "then `crosspost retry`")
        return error(state, text.format(detail=detail, what=what, name=self.name), wait, failure)

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _now(ctx: PublishContext) -> float:
        return (ctx.now or time.time)()

    @staticmethod
    def _receipt(video_id: str) -> Receipt:
        return Receipt(remote_id=video_id, url=f"https://www.youtube.com/watch?v={video_id}")

    # -- health (crosspost doctor) -------------------------------------------------------
    TESTING_REFRESH_DAYS: ClassVar[float] = 7.0  # refresh tokens of apps in "Testing"

    def stored_credentials(self) -> tuple[str, str, str] | None:
        fix = f"run `crosspost auth {self.name}`"
        token = self.secrets.path("token") if self.secrets is not None else None
        if token is None or not token.is_file():
            return "fail", "no YouTube authorization stored yet", fix
        return "ok", "YouTube authorization stored", ""

    def whoami(self, timeout: float) -> str:
        """The channel the token acts for: channels.list(mine=True), 1 quota unit."""
        import copy
        from dataclasses import replace

        probe = copy.copy(self)
        probe.settings = replace(self.settings, timeout=timeout)
        try:
            found = probe.client().channels().list(mine=True, part="id,snippet").execute()
        except DeliveryError:
            raise
        except Exception as exc:
            raise self.classify(exc, "read", started=False) from None
        items = found.get("items") or []
        if not items:
            raise Permanent(_(
                "the Google account authorized for '{name}' has no YouTube channel: run `crosspost auth "
                "{name}` and choose the channel's account").format(name=self.name))
        return f"{items[0].get('snippet', {}).get('title') or '?'} (channel {items[0].get('id')})"

    def record_token_issued(self, now: float | None = None) -> None:
        """Remember when consent was given: the token file's own date changes on every refresh."""
        from ..secrets import write_private

        if self.secrets is not None:
            write_private(self.secrets.path("token_issued"), str(now if now is not None else time.time()))

    def credentials_expire_at(self) -> float | None:
        """Only refresh tokens of "Testing" apps expire by date (7 days after consent); the
        token file's ``expiry`` is the hour-long access token, renewed silently."""
        if not self.settings.testing_app or self.secrets is None:
            return None
        token = self.secrets.path("token")
        if not token.is_file():
            return None
        try:
            issued = float(self.secrets.path("token_issued").read_text("utf-8").strip())
        except (OSError, ValueError):
            issued = token.stat().st_mtime  # authorized before crosspost recorded it: a best guess
        return issued + self.TESTING_REFRESH_DAYS * 86400

    # -- corrections (ralat) -------------------------------------------------------------
    def correction_problems(self, variant: Variant) -> list[Problem]:
        out: list[Problem] = []
        size = len(variant.text.encode("utf-8"))
        if size > self.limits.description_bytes:
            out.append(self.problem("ralat", _(
                'the corrected YouTube description would be too long (UTF-8 bytes): shorten the '
                'ralat'), self.limits.description_bytes, size))
        if "<" in variant.text or ">" in variant.text:
            out.append(self.problem("ralat", _(
                'YouTube descriptions cannot contain < or >: remove them from the ralat')))
        return out

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Edit the original video's description to the ralat followed by the earlier text.

        ``videos.update`` replaces the whole snippet, so it is read first and written back with
        only the description changed; the update is idempotent, so its failures are retried.
        """
        video_id = str((variant.extra.get("original") or {}).get("remote_id") or "")
        if not video_id:
            raise Permanent(_('the log has no id of the original YouTube video: edit it in YouTube Studio'))
        youtube = self.client()
        snippet = self._snippet(youtube, video_id, ctx)
        if snippet is None:
            raise Permanent(_(
                'YouTube has no video {video_id} that this account can edit: it may have been removed; '
                'correct it in YouTube Studio').format(video_id=video_id))
        receipt = self._write_snippet(youtube, video_id, {**snippet, "description": variant.text}, ctx)
        receipt.extra["edited"] = True
        return receipt

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Applied when the description starts with the ralat (else updating again is harmless)."""
        video_id = str((variant.extra.get("original") or {}).get("remote_id") or "")
        snippet = self._snippet(self.client(), video_id, ctx) or {}
        ralat = " ".join(str(variant.extra.get("ralat_text") or variant.text).split())
        if " ".join(str(snippet.get("description") or "").split()).startswith(ralat):
            receipt = self._receipt(video_id)
            receipt.extra["edited"] = True
            return receipt
        return None


def http_reason(exc: Any) -> str:
    """One reason for messages (kept for callers that show one)."""
    return ",".join(sorted(http_reasons(exc)))


def _retry_after(resp: Any) -> float | None:
    try:
        value = float(resp.get("retry-after"))
    except (TypeError, ValueError, AttributeError):
        return None
    return value if value >= 0 else None
