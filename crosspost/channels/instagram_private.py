"""instagrapi (Instagram private API) backend: opt-in, uploads the fitted files directly.

The login session is kept in a 0600 file (``secrets.path("session")``) through
``load_settings``/``dump_settings``, so cron does not log in on every run (frequent logins
are what gets accounts challenged). Challenges never wait for stdin: they become
"run `crosspost auth NAME`". instagrapi's exceptions are mapped to the engine's outcomes.
Note: instagrapi itself sleeps 60 s and resends once on an HTTP 408 (ClientRequestTimeout).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DeliveryError
from ..i18n import _
from ..models import Receipt, Variant
from ..secrets import write_private
from .base import PublishContext
from .captions import made_after, same_caption
from .outcomes import FAILED, REAUTH, RETRY, UNKNOWN, Outcome, error, state_of

COOL_DOWN = 900.0  # "please wait a few minutes": give the account a real rest

# -- the outcome table -------------------------------------------------------------------------
# Calls: "upload" is POST /rupload_igphoto|igvideo/... (the media bytes, keyed by an upload id;
# no post exists until configure); "configure" is POST /api/v1/media/configure/ (and
# configure_sidecar, media/{id}/comment/): the call that makes the post or the ralat comment;
# "read" everything else (login, user_medias, account_info, media_comments): nothing is posted.
# Failures as instagrapi 3.2 surfaces them (github:subzeroid/instagrapi): its default private
# transport is curl (instagrapi/transports.py _CurlH2Adapter.send), which catches curl_cffi's
# RequestException and raises requests' class of the same name (HTTPError and IncompleteRead
# become ConnectionError) with the words "curl private transport failed (<curl class>)" *from*
# the curl_cffi exception, whose .code is libcurl's error code (curl_cffi/requests/session.py:
# code2error(e.code) ... raise error(str(e), e.code, rsp) from e). mixins/private.py
# _send_private_request then turns requests.ConnectionError into ClientConnectionError("<class>
# <message>") while handling it, so the curl code is two links down the chain (__context__,
# __cause__). Every curl failure reads the same; only the code tells them apart ("curl:<n>",
# libcurl-errors.html). rupload posts go through self.private.post directly (mixins/photo.py
# photo_rupload), so they surface as requests' exception itself.
_TRANSPORT = "instagrapi/transports.py _CurlH2Adapter.send + curl_cffi code2error"
_CURL = "curl.se/libcurl/c/libcurl-errors.html"
_BEFORE = {  # the request never left: nothing can have been applied
    "curl:5": "CURLE_COULDNT_RESOLVE_PROXY", "curl:6": "CURLE_COULDNT_RESOLVE_HOST (DNSError)",
    "curl:7": "CURLE_COULDNT_CONNECT (connect refused)",
    "curl:28-connect": "CURLE_OPERATION_TIMEDOUT while connecting: libcurl says 'Connection timed "
                       "out after' / 'Resolving timed out after' (lib/connect.c, lib/multi.c)",
    "curl:35": "CURLE_SSL_CONNECT_ERROR (the TLS handshake failed)",
    "curl:60": "CURLE_PEER_FAILED_VERIFICATION (certificate refused in the handshake)",
    "curl:97": "CURLE_PROXY (the proxy handshake failed)",
}
_AFTER = {  # the request was (or may have been) sent: the post may exist
    "curl:8": "CURLE_WEIRD_SERVER_REPLY: the server answered something",
    "curl:16": "CURLE_HTTP2: HTTP/2 framing error after the stream opened",
    "curl:18": "CURLE_PARTIAL_FILE: the answer was cut (IncompleteRead -> ConnectionError)",
    "curl:28": "CURLE_OPERATION_TIMEDOUT after connecting ('Operation timed out after ... bytes "
               "received'): the request was sent",
    "curl:52": "CURLE_GOT_NOTHING: empty reply, the server closed after reading the request",
    "curl:55": "CURLE_SEND_ERROR: failed while sending, part of the request may have arrived",
    "curl:56": "CURLE_RECV_ERROR: reset while receiving, after the request was sent",
    "curl:92": "CURLE_HTTP2_STREAM: the stream was reset (RST_STREAM) after the request went out",
    "curl:other": "a curl code not written down: never retried blindly",
    "not_h2": "transports.py raises 'did not negotiate HTTP/2' after the answer arrived",
    "transport": "a ConnectionError without a curl code (another transport): may have been sent",
}
_EXC = "instagrapi/mixins/private.py _send_private_request (status and message -> class)"


def _all(failure: str, state: str, source: str) -> Outcome:
    return Outcome("*", failure, state, source)


OUTCOMES: tuple[Outcome, ...] = (
    *(_all(f, RETRY, f"{_CURL}: {why}; {_TRANSPORT}") for f, why in _BEFORE.items()),
    *(Outcome("configure", f, UNKNOWN, f"{_CURL}: {why}; {_TRANSPORT}") for f, why in _AFTER.items()),
    *(Outcome(c, f, RETRY, f"{_CURL}: {why}; nothing public is made by this call") for f, why in
      _AFTER.items() for c in ("upload", "read")),
    _all("ig:PleaseWaitFewMinutes", RETRY, _EXC + ": 'Please wait a few minutes', refused"),
    _all("ig:ClientThrottledError", RETRY, _EXC + ": HTTP 429, refused"),
    _all("ig:RateLimitError", RETRY, _EXC + ": 'rate_limit_error', refused"),
    _all("ig:ClientRequestTimeout", RETRY, _EXC + ": HTTP 408, the server did not take the request "
         "(private_request already resent it once after 60 s)"),
    _all("ig:FeedbackRequired", FAILED, _EXC + ": 'feedback_required', the action is blocked"),
    _all("ig:SentryBlock", FAILED, _EXC + ": 'sentry_block'"),
    *(_all(f"ig:{name}", REAUTH, _EXC + ": the login must be renewed") for name in (
        "LoginRequired", "ChallengeRequired", "TwoFactorRequired", "BadPassword", "BadCredentials")),
    _all("ig:ClientError4xx", FAILED, _EXC + ": another 4xx (ClientBadRequestError...) is a refusal"),
    Outcome("configure", "ig:ClientError5xx", UNKNOWN, _EXC + ": a 5xx on configure may be applied"),
    Outcome("configure", "ig:ClientJSONDecodeError", UNKNOWN, _EXC + ": an unreadable answer to "
            "configure: the post may exist"),
    Outcome("configure", "ig:ConfigureError", UNKNOWN, "mixins/media.py "
            "_extract_configured_media_or_recent: 'configure succeeded without media payload'"),
    Outcome("configure", "unexpected", UNKNOWN, "not written down: never retried blindly"),
    *(Outcome("read", f, RETRY, _EXC + ": a read or a login makes no post") for f in
      ("ig:ClientError5xx", "ig:ClientJSONDecodeError")),
    # Without the failed request's URL an exception cannot be placed before configure (unknown
    # while publishing); reads and logins (publishing=False) are safe to repeat.
    Outcome("read", "unexpected", RETRY, "a read or a login makes no post"),
    Outcome("upload", "ig:PhotoNotUpload", RETRY, "mixins/photo.py photo_rupload: a non-200 answer to "
            "the upload; no post exists before configure"),
)
_REAUTH_NAMES = ("LoginRequired", "ChallengeRequired", "TwoFactorRequired", "BadPassword", "BadCredentials")


def curl_error(exc: BaseException) -> BaseException | None:
    """The curl_cffi exception (with libcurl's .code) behind an instagrapi/requests error, if any."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if type(e).__module__.startswith("curl_cffi") and isinstance(getattr(e, "code", None), int):
            return e
        todo += [e.__cause__, e.__context__]
    return None


def failed_url(exc: BaseException) -> str:
    """The URL of the request that failed (requests' exceptions keep .request), or ""."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        url = getattr(getattr(e, "request", None), "url", None)  # requests' exceptions
        if not isinstance(url, str):  # instagrapi's ClientError(response=...)
            url = getattr(getattr(e, "response", None), "url", None)
        if isinstance(url, str):
            return url
        e = e.__cause__ or e.__context__
    return ""


def stage_of(url: str, default: str) -> str:
    if "/rupload_ig" in url:
        return "upload"
    if "/media/configure" in url or "/comment/" in url:
        return "configure"
    return default if not url else "read"


def failure_of(exc: BaseException) -> str:
    """The OUTCOMES key of what instagrapi raised."""
    import requests
    from instagrapi import exceptions as ie

    curl = curl_error(exc)
    if curl is not None:
        code = int(getattr(curl, "code", 0))
        if code == 28 and any(w in str(curl) for w in ("Connection timed out after", "Resolving timed out")):
            return "curl:28-connect"
        key = f"curl:{code}"
        return key if key in _BEFORE or key in _AFTER else "curl:other"
    for name in ("PleaseWaitFewMinutes", "ClientThrottledError", "RateLimitError", "ClientRequestTimeout",
                 "FeedbackRequired", "SentryBlock", *_REAUTH_NAMES, "ClientJSONDecodeError",
                 "PhotoNotUpload"):
        if isinstance(exc, getattr(ie, name)) and not isinstance(
                exc, (ie.PhotoConfigureError, ie.VideoConfigureError)):
            return f"ig:{name}"
    if isinstance(exc, (ie.PhotoConfigureError, ie.VideoConfigureError, ie.AlbumConfigureError)):
        return "ig:ConfigureError"
    if isinstance(exc, ie.ChallengeError):
        return "ig:ChallengeRequired"
    if "did not negotiate HTTP/2" in str(exc):
        return "not_h2"
    if isinstance(exc, (ie.ClientConnectionError, requests.exceptions.RequestException)):
        return "transport"
    if isinstance(exc, ie.ClientError):
        code = exc.code if isinstance(exc.code, int) else 0
        return "ig:ClientError5xx" if code >= 500 else "ig:ClientError4xx"
    return "unexpected"


class PrivateBackend:
    def __init__(self, name: str, settings: Any, secrets: Any,
                 client_factory: Callable[[], Any] | None = None) -> None:
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.client_factory = client_factory

    # ---- session ------------------------------------------------------------------------
    @property
    def session_file(self) -> Path:
        return self.secrets.path("session")

    def new_client(self, interactive: bool = False) -> Any:
        if self.client_factory is not None:
            cl = self.client_factory()
        else:
            from instagrapi import Client

            cl = Client()
        if not interactive:  # cron cannot answer a challenge: raise ChallengeRequired at once
            cl.with_challenge_flow = False
            cl.challenge_code_handler = self._refuse_challenge
            cl.change_password_handler = self._refuse_challenge
        return cl

    def _refuse_challenge(self, username: str, choice: Any = None) -> str:
        """Unattended runs cannot answer a challenge: stop instead of reading stdin."""
        from instagrapi.exceptions import ChallengeRequired

        raise ChallengeRequired("Instagram asks to verify the account")

    def _save(self, cl: Any) -> None:
        path = self.session_file
        write_private(path, "")  # create 0600 first; dump_settings then rewrites it in place
        cl.dump_settings(path)
        os.chmod(path, 0o600)

    def _login(self, cl: Any, relogin: bool = False) -> None:
        username = self.settings.username or self.secrets.get("username")
        if not username:
            raise ConfigError(_(
                '[channels.{name}] set username: the Instagram account to log in as').format(name=self.name))
        password = self.secrets.require("password")
        try:
            cl.login(username, password, relogin=relogin)
        except Exception as exc:
            raise self.classify(exc, publishing=False, secrets=(password,)) from None
        self._save(cl)

    def client(self) -> tuple[Any, bool]:
        """A client with the saved session loaded (True), or freshly logged in (False)."""
        cl = self.new_client()
        path = self.session_file
        if path.is_file() and path.stat().st_size:
            try:
                cl.load_settings(path)
                return cl, True
            except (ValueError, OSError):
                pass  # unreadable session: log in again
        self._login(cl)
        return cl, False

    def run(self, op: Callable[[Any], Any], publishing: bool) -> Any:
        """Run ``op(client)``; on an expired saved session log in once and run it again
        (LoginRequired means Instagram refused the call, so nothing was applied)."""
        from instagrapi.exceptions import LoginRequired

        cl, from_session = self.client()
        try:
            try:
                result = op(cl)
            except LoginRequired:
                if not from_session or not self.secrets.get("password"):
                    raise
                self._login(cl, relogin=True)
                result = op(cl)
        except DeliveryError:
            raise
        except Exception as exc:
            raise self.classify(exc, publishing) from None
        self._save(cl)  # cookies may have been refreshed
        return result

    # ---- errors -------------------------------------------------------------------------
    def classify(self, exc: Exception, publishing: bool, secrets: tuple[str, ...] = ()) -> DeliveryError:
        """What instagrapi raised -> the DeliveryError of its OUTCOMES row. The call is read from
        the failed request's URL (an upload before configure is safe to repeat); without one,
        ``publishing`` says whether the operation could have made the post."""
        failure = failure_of(exc)
        stage = stage_of(failed_url(exc), "configure" if publishing else "read")
        if failure == "ig:ConfigureError":  # raised after configure with the feed read's response
            stage = "configure"
        state = state_of(OUTCOMES, stage, failure)
        curl = curl_error(exc)
        detail = str(curl if curl is not None else (getattr(exc, "message", "") or exc))
        for value in (*secrets, *(self.secrets.values() if hasattr(self.secrets, "values") else ())):
            if value:
                detail = detail.replace(value, "***")
        what = f"Instagram (instagrapi, {failure}): {exc.__class__.__name__}: {detail[:200]}"
        if state == RETRY:
            text = (_("{what}: Instagram asks to slow down; it will be retried later")
                    if failure in ("ig:PleaseWaitFewMinutes", "ig:ClientThrottledError", "ig:RateLimitError")
                    else _("{what}: nothing was posted by this call; it will be retried"))
        elif state == UNKNOWN:
            text = _("{what}: no clear answer while posting, the post may exist; crosspost checks the "
                     "account before trying again")
        elif state == REAUTH:
            text = _("{what}: the Instagram login must be renewed; run `crosspost auth {name}` at a "
                     "terminal, then `crosspost retry`")
        elif failure in ("ig:FeedbackRequired", "ig:SentryBlock"):
            text = _("{what}: Instagram blocked this action; open the account in the Instagram app, "
                     "resolve any warning there, wait a day, then `crosspost retry`")
        else:
            text = _("{what}: Instagram refused the post")
        wait = COOL_DOWN if failure in ("ig:PleaseWaitFewMinutes", "ig:ClientThrottledError",
                                        "ig:RateLimitError") else None
        return error(state, text.format(what=what, name=self.name), wait, failure)

    # ---- publishing ---------------------------------------------------------------------
    @staticmethod
    def receipt(media: Any) -> Receipt:
        remote = str(getattr(media, "id", None) or getattr(media, "pk", ""))
        code = getattr(media, "code", None)
        return Receipt(remote, f"https://www.instagram.com/p/{code}/" if code else None)

    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        media = list(variant.media)
        caption = variant.text
        if media[0].kind == "video":
            def op(cl):
                return cl.video_upload(media[0].path, caption)
        elif len(media) == 1:
            def op(cl):
                return cl.photo_upload(media[0].path, caption)
        else:
            def op(cl):
                return cl.album_upload([m.path for m in media], caption)
        ctx.heartbeat()
        return self.receipt(self.run(op, publishing=True))

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        medias = self.run(lambda cl: cl.user_medias(cl.user_id, amount=self.settings.lookup_limit),
                          publishing=False)
        for item in medias or []:
            if same_caption(variant.text, getattr(item, "caption_text", "")) and made_after(
                    getattr(item, "taken_at", None), ctx.claimed_at):
                return self.receipt(item)
        return None

    def authorize(self) -> None:
        """Interactive login (challenge codes typed at the terminal), then save the session."""
        self._login(self.new_client(interactive=True))
