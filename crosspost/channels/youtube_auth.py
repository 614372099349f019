"""YouTube OAuth: the installed-app flow once (``crosspost auth``), then silent refreshes.

The token JSON (refresh token included) lives in a 0600 file; it is reloaded with
``Credentials.from_authorized_user_file`` and refreshed when expired, and the refreshed
token is written back so cron runs do not refresh on every start. A refresh refused with
``invalid_grant`` (revoked, or a "Testing" app's 7-day refresh token) means a person must
authorize again: that becomes ``ReauthRequired``, never a traceback carrying token text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError, ReauthRequired, RetryLater
from ..i18n import _
from ..secrets import write_private

# force-ssl: the upload-only scope cannot update an existing video's snippet.
SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]


def authorize(client_secrets_file: Path, token_path: Path) -> None:
    """Run Google's consent screen in the browser and store the token 0600 (interactive)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    if not Path(client_secrets_file).is_file():
        raise ConfigError(_(
            'the OAuth client file {client_secrets_file} does not exist: download it from Google Cloud '
            'Console (APIs & Services > Credentials > OAuth client ID, type Desktop app) and set '
            'client_secrets_file in channels.toml').format(client_secrets_file=client_secrets_file))
    flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets_file), scopes=SCOPES)
    creds = flow.run_local_server(port=0)
    write_private(Path(token_path), creds.to_json())


def load_credentials(token_path: Path, request: Any = None, channel: str = "youtube") -> Any:
    """The stored credentials, refreshed (and saved again) when expired.

    ``request`` is a google.auth transport request; tests pass a fake one.
    """
    from google.auth.exceptions import RefreshError, TransportError
    from google.oauth2.credentials import Credentials

    token_path = Path(token_path)
    again = f"run `crosspost auth {channel}` to authorize the YouTube channel again"
    if not token_path.is_file():
        raise ReauthRequired(_(
            "channel '{channel}' has no YouTube authorization yet: run `crosspost auth {channel}`").format(
            channel=channel))
    try:
        creds = Credentials.from_authorized_user_file(str(token_path), SCOPES)
    except (ValueError, KeyError):
        raise ReauthRequired(_(
            "the stored YouTube token of '{channel}' is unreadable: {again}").format(
            channel=channel, again=again)) from None
    if creds.valid:
        return creds
    if not creds.refresh_token:
        raise ReauthRequired(_(
            "the YouTube token of '{channel}' expired and cannot be renewed: {again}").format(
            channel=channel, again=again))
    if request is None:
        from google.auth.transport.requests import Request

        request = Request()
    try:
        creds.refresh(request)
    except RefreshError as exc:
        raise refresh_error(exc, channel) from None
    except TransportError:
        raise RetryLater(_(
            'could not reach Google to renew the YouTube token (network problem): it will be tried '
            'again')) from None
    write_private(token_path, creds.to_json())
    return creds


def refresh_error(exc: Exception, channel: str) -> ReauthRequired:
    """A RefreshError as plain words; its text (which may echo the response) is not repeated."""
    code = _error_code(exc)
    again = f"run `crosspost auth {channel}`, then `crosspost retry`"
    if code == "invalid_grant":
        return ReauthRequired(_(
            "Google refused to renew the YouTube token of '{channel}' (invalid_grant: revoked, or expired "
            "after 7 days because the OAuth app is still in 'Testing'; publish the app to avoid that): "
            '{again}').format(channel=channel, again=again))
    what = f" ({code})" if code else ""
    return ReauthRequired(_(
        "Google refused to renew the YouTube token of '{channel}'{what}: {again}").format(
        channel=channel, what=what, again=again))


def _error_code(exc: Exception) -> str:
    """The OAuth error code (e.g. 'invalid_grant') from a RefreshError, if it carries one."""
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, dict) and isinstance(arg.get("error"), str):
            return arg["error"]
    first = str(exc.args[0]) if getattr(exc, "args", None) else ""
    word = first.split(":", 1)[0].strip()
    return word if word.replace("_", "").isalpha() and word.islower() else ""
