"""What the channel tests share: a channel built without channels.toml, a PublishContext that
keeps saved progress the way the engine's store does, and test images."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from crosspost.channels.base import Channel, PublishContext
from crosspost.models import Release
from crosspost.secrets import SecretStore


def make_channel(cls: type[Channel], tmp_path: Path, *, name: str = "", env: dict[str, str] | None = None,
                 limits: Any = None, secrets_dir: Path | None = None, state_dir: Path | None = None,
                 **settings: Any) -> Any:
    """A ``cls`` channel named ``name`` (default: its platform) with secrets only from ``env``
    (no keyring), base dir ``tmp_path`` and the given settings."""
    name = name or cls.platform
    secrets = SecretStore(name, secrets_dir or tmp_path, env=env if env is not None else {},
                          use_keyring=False)
    limits = limits if limits is not None else cls.Limits()
    return cls(name, cls.Settings(type=cls.platform, **settings), limits, secrets=secrets,
               base_dir=tmp_path, state_dir=state_dir or tmp_path)


class Progress:
    """What the engine does with progress: keeps the last saved dict for the next attempt.

    A test module sets ``release`` (a factory for its default release) and ``now``."""

    release: Callable[[], Release]
    now: float = 1_000_000.0

    def __init__(self) -> None:
        self.saved: dict = {}
        self.calls: list[dict] = []

    def ctx(self, release: Release | None = None, now: float | None = None,
            scheduled_at: datetime | None = None) -> PublishContext:
        def save(p: dict) -> None:
            self.saved = dict(p)
            self.calls.append(dict(p))

        at = self.now if now is None else now
        return PublishContext(release=release or type(self).release(), progress=dict(self.saved),
                              save_progress=save, scheduled_at=scheduled_at, now=lambda: at)


def make_image(path: Path, size: tuple[int, int] = (64, 48),
               color: tuple[int, int, int] = (200, 30, 30)) -> Path:
    """A small JPEG at ``path`` (its folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "JPEG")
    return path


def refused(url: str = "https://api.twitter.com/2/tweets") -> BaseException:
    """A refused connection exactly as requests/adapters.py raises it: ConnectionError around
    urllib3's MaxRetryError whose reason is a NewConnectionError (ECONNREFUSED)."""
    import requests
    import urllib3

    reason = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, reason))  # type: ignore[arg-type]


def unresolvable(url: str = "https://api.twitter.com/2/tweets") -> BaseException:
    """A DNS failure as requests raises it (urllib3 2's NameResolutionError as the reason)."""
    import requests
    import urllib3

    host = url.split("/")[2]
    reason = urllib3.exceptions.NameResolutionError(host, None, OSError(-2, "Name or service not known"))  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, reason))  # type: ignore[arg-type]
