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

from ..errors import ConfigError, DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..models import Receipt, Variant
from ..secrets import write_private
from .base import PublishContext
from .captions import same_caption

COOL_DOWN = 900.0  # "please wait a few minutes": give the account a real rest
DROPPED = ("aborted", "reset", "RemoteDisconnected", "IncompleteRead", "BrokenPipe")


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
        if not interactive:
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
            raise ConfigError(f"[channels.{self.name}] set username: the Instagram account to log in as")
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
        import requests
        from instagrapi import exceptions as ie

        detail = str(getattr(exc, "message", "") or exc)
        for value in (*secrets, *(self.secrets.values() if hasattr(self.secrets, "values") else ())):
            if value:
                detail = detail.replace(value, "***")
        what = f"Instagram (instagrapi): {exc.__class__.__name__}: {detail[:200]}"
        if isinstance(exc, (ie.PleaseWaitFewMinutes, ie.ClientThrottledError, ie.RateLimitError)):
            return RetryLater(f"{what}: Instagram asks to slow down; it will be retried later", COOL_DOWN)
        if isinstance(exc, (ie.FeedbackRequired, ie.SentryBlock)):
            return Permanent(f"{what}: Instagram blocked this action; open the account in the Instagram "
                             "app, resolve any warning there, wait a day, then `crosspost retry`")
        if isinstance(exc, (ie.LoginRequired, ie.ChallengeError, ie.TwoFactorRequired, ie.BadPassword,
                            ie.BadCredentials)):
            return ReauthRequired(f"{what}: the Instagram login must be renewed; run "
                                  f"`crosspost auth {self.name}` at a terminal, then `crosspost retry`")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return RetryLater(f"{what}: Instagram unreachable; it will be retried")
        if isinstance(exc, ie.ClientConnectionError):
            if publishing and any(s.lower() in detail.lower() for s in DROPPED):
                return UnknownOutcome(f"{what}: the connection dropped during the upload, the post may "
                                      "exist; `crosspost reconcile` checks the account")
            return RetryLater(f"{what}: Instagram unreachable; it will be retried")
        timeouts = (requests.exceptions.Timeout, ie.ClientRequestTimeout, ie.ClientIncompleteReadError,
                    TimeoutError)
        server_error = isinstance(exc, ie.ClientError) and isinstance(exc.code, int) and exc.code >= 500
        if isinstance(exc, timeouts) or server_error or isinstance(exc, requests.exceptions.RequestException):
            if publishing:
                return UnknownOutcome(f"{what}: no clear answer during the upload, the post may exist; "
                                      "`crosspost reconcile` checks the account")
            return RetryLater(f"{what}: temporary failure; it will be retried")
        if isinstance(exc, ie.ClientError):
            return Permanent(f"{what}: Instagram refused the post")
        if publishing:
            return UnknownOutcome(f"{what}: unexpected failure during the upload, the post may exist; "
                                  "check the account, then `crosspost resolve`")
        return RetryLater(f"{what}: unexpected failure; it will be retried")

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
            if same_caption(variant.text, getattr(item, "caption_text", "")):
                return self.receipt(item)
        return None

    def authorize(self) -> None:
        """Interactive login (challenge codes typed at the terminal), then save the session."""
        self._login(self.new_client(interactive=True))
