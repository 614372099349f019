"""One error hierarchy. The CLI catches CrosspostError once and maps it to an exit code."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1  # some delivery failed or is unknown
EXIT_INPUT = 2  # bad input or usage: nothing was queued
EXIT_ERROR = 3  # environment or internal error (database, permissions)
EXIT_NOTHING = 4  # nothing was due
EXIT_PAUSED = 5  # the office-wide pause is on


EXIT_RETRYING = 6  # nothing failed, but some delivery waits to be tried again (network, rate limit)

# A delivery in one of these states is a problem the operator must look at (exit 1).
PROBLEM_STATUSES = frozenset({"failed", "unknown", "cancelled"})
# Why a queued delivery was put back after an attempt that provably did not reach the platform.
RETRY_KINDS = frozenset({"retry", "rate_limit"})


def outcome_exit_code(rows: Iterable[Any], held_by_pause: bool, *, nothing: int = EXIT_OK) -> int:
    """The one exit-code rule of every office action and of `run` (the README's table).

    ``rows`` are the deliveries the action touched (anything with ``status`` and ``error_kind``).
    1 when one failed, is unknown or was cancelled; 5 when the office-wide pause held work back;
    6 when one was put back to be retried later; ``nothing`` when none was touched; else 0.
    """
    seen = list(rows)
    if any(d.status in PROBLEM_STATUSES for d in seen):
        return EXIT_FAILED
    if held_by_pause:
        return EXIT_PAUSED
    if any(d.status == "queued" and d.error_kind in RETRY_KINDS for d in seen):
        return EXIT_RETRYING
    return EXIT_OK if seen else nothing


class CrosspostError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = EXIT_ERROR


class InputError(CrosspostError):
    """The user's input (a release, an option) is wrong; names the file and line where known."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


class ConfigError(InputError):
    """channels.toml is invalid."""


class StoreError(CrosspostError):
    """The SQLite log cannot be used."""


class LeaseLost(CrosspostError):
    """Another worker took this delivery over (our lease expired): stop, do not send."""


class DeliveryError(CrosspostError):
    """A channel's publish failed. Subclasses say whether a retry is safe.

    ``retry_after`` is the wait the platform asked for, in seconds, when it said so.
    """

    kind = "permanent"

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RetryLater(DeliveryError):
    """Provably not applied (connection refused, 429, quota): safe to send again later."""

    kind = "retry"


class Permanent(DeliveryError):
    """The platform rejected the post (validation, media, policy): a person must change something."""

    kind = "permanent"


class ReauthRequired(DeliveryError):
    """Credentials expired or were revoked: run `crosspost auth CHANNEL`, then `crosspost retry`."""

    kind = "reauth"


class UnknownOutcome(DeliveryError):
    """The post may have been applied (timeout after sending, 5xx on create, duplicate signal)."""

    kind = "unknown"
