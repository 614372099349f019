"""Secrets resolved by reference, never stored in channels.toml, the database or logs.

Order: environment variable CROSSPOST_<CHANNEL>_<KEY> (for cron and CI), then the OS
keyring when one is usable, then a 0600 JSON file under the state directory.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ReauthRequired
from .i18n import _

KEYRING_SERVICE = "crosspost"


def env_name(channel: str, key: str) -> str:
    return "CROSSPOST_" + re.sub(r"[^A-Z0-9]", "_", f"{channel}_{key}".upper())


def _keyring():
    """The keyring module if installed and backed by a real store, else None."""
    if os.environ.get("CROSSPOST_NO_KEYRING"):
        return None
    try:
        import keyring  # optional dependency
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        if isinstance(keyring.get_keyring(), fail.Keyring):
            return None
    except Exception:
        return None
    return keyring


class SecretStore:
    """One channel's secrets. ``env`` and ``use_keyring`` are injectable for tests."""

    def __init__(self, channel: str, state_dir: Path, env: Mapping[str, str] | None = None,
                 use_keyring: bool = True) -> None:
        self.channel = channel
        self.dir = Path(state_dir) / "secrets"
        self.env = os.environ if env is None else env
        self._use_keyring = use_keyring
        self._found: list[Any] = []  # the keyring (or None), looked up on first use

    @property
    def _keyring(self) -> Any:
        """The keyring, found when a secret is first read or written: a `preview` builds every
        channel (and its store) but reads no secret, and keyring's backend probe (D-Bus on a
        desktop) would cost every start."""
        if not self._found:
            self._found.append(_keyring() if self._use_keyring else None)
        return self._found[0]

    @property
    def file(self) -> Path:
        return self.dir / f"{self.channel}.json"

    def _file_values(self) -> dict[str, str]:
        try:
            return json.loads(self.file.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def get(self, key: str) -> str | None:
        value = self.env.get(env_name(self.channel, key))
        if value:
            return value
        if self._keyring is not None:
            try:
                value = self._keyring.get_password(KEYRING_SERVICE, f"{self.channel}:{key}")
            except Exception:
                value = None
            if value:
                return value
        return self._file_values().get(key) or None

    def require(self, key: str) -> str:
        value = self.get(key)
        if not value:
            raise ReauthRequired(
                _("channel '{channel}' has no '{key}': run `crosspost auth {channel}` or set {env}").format(
                    channel=self.channel, key=key, env=env_name(self.channel, key)))
        return value

    def set(self, key: str, value: str) -> None:
        if self._keyring is not None:
            try:
                self._keyring.set_password(KEYRING_SERVICE, f"{self.channel}:{key}", value)
                return
            except Exception:
                pass
        values = self._file_values()
        values[key] = value
        write_private(self.file, json.dumps(values, indent=2))

    def path(self, key: str) -> Path:
        """A 0600 file for secrets that are files (OAuth token JSON, instagrapi session)."""
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.dir / f"{self.channel}.{key}"

    def values(self) -> list[str]:
        """Every secret value known for this channel, so logs and errors can mask them."""
        found = [v for k, v in self.env.items() if k.startswith(env_name(self.channel, "")) and v]
        found += [v for v in self._file_values().values() if isinstance(v, str) and v]
        found += self._secret_file_values()
        return found

    def _secret_file_values(self) -> list[str]:
        """Secrets inside this channel's secret files (``path(key)``: an OAuth token JSON holds
        the access token, refresh token and client secret a platform error may echo)."""
        out: list[str] = []
        try:
            files = sorted(self.dir.glob(f"{self.channel}.*"))
        except OSError:
            return out
        for path in files:
            if path == self.file:
                continue
            try:
                data = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            if isinstance(data, dict):
                out += [v for k, v in data.items() if isinstance(v, str) and len(v) >= 8
                        and any(w in k.lower() for w in ("token", "secret", "password", "key"))
                        and not k.lower().endswith("_uri")]
        return out


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every known secret value in text (errors, logs, --debug output)."""
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, "****")
    return text


def write_private(path: Path, text: str) -> None:
    """Write a file readable only by its owner, created 0600 from the start (no race)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
