"""Channel credentials as the commands need them: which secret keys a channel has, and when they
stop working.

``expiry_warnings`` is for `publish` and `run` (and `crosspost doctor` shows the same facts in
more detail): credentials that die silently are found only when a post fails, so every run says
so days ahead. Answers are cached per state folder (``expiry.json``, 0600) for a few hours, so a
cron run every minute does not ask Facebook every minute. The platform facts themselves live in
each channel (``secret_keys`` / ``credential_keys()``, ``credentials_expire_at()``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .channels.base import implements
from .i18n import _

DAY = 86400.0
EXPIRY_CACHE = "expiry.json"  # under the state dir: run/publish ask the platform at most every CACHE_SECONDS
CACHE_SECONDS = 6 * 3600.0


def secret_keys(channel: Any) -> tuple[str, ...]:
    """The secrets `crosspost auth` asks for and doctor checks (the channel's own list)."""
    return tuple(channel.credential_keys())


def has_expiry(channel: Any) -> bool:
    """Whether the channel can say when its credentials expire (credentials_expire_at)."""
    return implements(channel, "credentials_expire_at")


def bounded(fn: Callable[[], Any], timeout: float) -> Any:
    """Run fn in a daemon thread; TimeoutError when it takes longer than timeout.

    SDKs do not all honour a per-request timeout (instagrapi, token refreshes), and one hung
    platform must not hang doctor or a cron run.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name="crosspost-doctor")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]
    return box.get("value")


def when(stamp: float, tz: str) -> str:
    from .timezones import zone

    return datetime.fromtimestamp(stamp, zone(tz)).strftime("%Y-%m-%d %H:%M %Z")


def in_days(seconds: float) -> str:
    days = seconds / DAY
    if days < 1:
        return f"in {max(0, int(seconds // 3600))} hour(s)"
    return f"in {round(days)} day(s)"


def _fingerprint(channel: Any) -> str:
    """Changes when the channel's credentials change (so a new `crosspost auth` clears the cache).

    A truncated hash of high-entropy secrets, kept in the 0600 state folder beside them.
    """
    h = hashlib.sha256()
    secrets = channel.secrets
    if secrets is None:
        return ""
    for key in secret_keys(channel):
        try:
            h.update((secrets.get(key) or "").encode() + b"\0")
        except Exception:  # noqa: BLE001
            h.update(b"?\0")
    folder = getattr(secrets, "dir", None)
    if folder is not None and Path(folder).is_dir():
        for file in sorted(Path(folder).glob(f"{channel.name}.*")):
            h.update(f"{file.name}:{file.stat().st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def _load_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_cache(path: Path, data: dict[str, Any]) -> None:
    from .secrets import write_private

    try:
        write_private(path, json.dumps(data, indent=1))
    except OSError:
        pass  # a read-only state folder only costs a repeated check


def expires_at(channel: Any, now: float, cache: dict[str, Any] | None = None,
               timeout: float = 10.0) -> float | None:
    """The channel's credential expiry, from ``cache`` when fresh; None when unknown or on error."""
    if not has_expiry(channel):
        return None
    method = channel.credentials_expire_at
    fp = _fingerprint(channel)
    entry = (cache or {}).get(channel.name) or {}
    if entry.get("fp") == fp and now - float(entry.get("checked", 0)) < CACHE_SECONDS:
        return entry.get("expires_at")
    try:
        value = bounded(method, timeout)
    except BaseException:  # noqa: BLE001 - a warning helper must never stop a run
        return entry.get("expires_at") if entry.get("fp") == fp else None
    value = None if value is None else float(value)
    if cache is not None:
        cache[channel.name] = {**entry, "fp": fp, "checked": now, "expires_at": value}
    return value


def expiry_warnings(channels: list[Any], now: float, days: int, scheduled_at: float | None = None, *,
                    timezone: str = "Asia/Jakarta", once_per: float | None = None,
                    timeout: float = 10.0) -> list[str]:
    """One line per channel whose credentials expire within ``days`` (or before ``scheduled_at``).

    For `run` and `publish`. Answers are cached for a few hours in ``<state_dir>/expiry.json``
    so a cron run every minute does not ask Facebook every minute. ``once_per`` (seconds)
    repeats a channel's warning at most that often (for `run --quiet` under cron).
    Never raises: a failing check just gives no warning.
    """
    lines: list[str] = []
    caches: dict[Path, dict[str, Any]] = {}
    for ch in channels:
        if not has_expiry(ch):
            continue
        cache_path = Path(ch.state_dir) / EXPIRY_CACHE
        cache = caches.setdefault(cache_path, _load_cache(cache_path))
        exp = expires_at(ch, now, cache, timeout)
        if exp is None:
            continue
        said = when(exp, timezone)
        fix = _('run `crosspost auth {name}`').format(name=ch.name)
        if exp <= now:
            line = _(
                '{name}: the credentials expired on {said}: {fix}').format(name=ch.name, said=said, fix=fix)
        elif exp <= now + days * DAY:
            line = _(
                '{name}: the credentials expire on {said} ({in_days}): {fix} before then').format(
                name=ch.name, said=said, in_days=in_days(exp - now), fix=fix)
        elif scheduled_at is not None and exp <= scheduled_at:
            line = (_(
                '{name}: the credentials expire on {said}, before the post scheduled for {when}: {fix} '
                'before then').format(name=ch.name, said=said, when=when(scheduled_at, timezone), fix=fix))
        else:
            continue
        entry = cache.setdefault(ch.name, {})
        if scheduled_at is None:  # `run`'s repeated warnings; publish's scheduling check always says it
            if once_per is not None and now - float(entry.get("warned", 0)) < once_per:
                continue
            entry["warned"] = now
        lines.append(line)
    for path, data in caches.items():
        _save_cache(path, data)
    return lines
