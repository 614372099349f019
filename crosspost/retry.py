"""What a failed attempt leads to: the retry policy, as pure functions of the error and the settings.

Only errors that prove the platform did not apply the post (RetryLater) go back to the queue.
Rate-limit waits (the platform named a wait: Retry-After, a reset header, an embargo) and
re-authentication do not use up attempts; everything else does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from .i18n import _


@dataclass(frozen=True)
class Decision:
    status: str  # "queued", "failed" or "unknown"
    error_kind: str
    message: str
    count_attempt: bool
    not_before: float | None = None


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**(attempt-1)))."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return rng.uniform(0.0, max(0.0, ceiling))


def retry_at(now: float, attempt: int, settings: Any, retry_after: float | None, rng: random.Random) -> float:
    """When to try again. A server hint is a floor; a little jitter on top spreads the herd."""
    base = float(getattr(settings, "backoff_base", 30.0))
    cap = float(getattr(settings, "backoff_max", 3600.0))
    if retry_after is not None:
        return now + max(0.0, retry_after) + rng.uniform(0.0, min(base, cap) / 10)
    return now + backoff_delay(attempt, base, cap, rng)


def safe_message(exc: BaseException, limit: int = 500, mask: Callable[[str], str] | None = None) -> str:
    """The error's text for the log: secrets masked FIRST (a cut through a token would leave a
    fragment no mask recognises), then cut to ``limit`` characters."""
    text = str(exc).strip() or type(exc).__name__
    if mask is not None:
        text = mask(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decide(exc: BaseException, attempts: int, settings: Any, now: float, deadline: float | None,
           rng: random.Random, channel: str = "", delivery_id: int = 0,
           mask: Callable[[str], str] | None = None) -> Decision:
    """Map an exception from publish() to the delivery's next state.

    ``attempts`` is the count before this attempt; ``mask`` hides the channel's secrets.
    """
    message = safe_message(exc, mask=mask)
    max_attempts = int(getattr(settings, "max_attempts", 6))
    if isinstance(exc, RetryLater):
        counted = exc.retry_after is None
        done = attempts + int(counted)
        if counted and done >= max_attempts:
            return Decision("failed", "exhausted", _(
                'gave up after {done} attempts: {message}').format(done=done, message=message), counted)
        when = retry_at(now, done, settings, exc.retry_after, rng)
        if deadline is not None and when > deadline:
            return Decision("failed", "deadline", _(
                'the deadline passes before the next attempt: {message}').format(message=message),
                            counted)
        return Decision("queued", "rate_limit" if not counted else "retry", message, counted, when)
    if isinstance(exc, ReauthRequired):
        return Decision("failed", "reauth", _(
            '{message} (run `crosspost auth {channel}`, then `crosspost retry {delivery_id}`)').format(
            message=message, channel=channel, delivery_id=delivery_id), False)
    if isinstance(exc, Permanent):
        return Decision("failed", "permanent", message, True)
    if isinstance(exc, UnknownOutcome):
        return Decision("unknown", "unknown", message, True)
    if isinstance(exc, DeliveryError):
        return Decision("failed", exc.kind, message, True)
    # Anything unexpected happened after the call may have started: never retry blindly.
    return Decision("unknown", "crash", f"{type(exc).__name__}: {message}", True)


def next_lookup(now: float, lookups: int, since: float | None, settings: Any, rng: random.Random,
                earliest: float = 0.0, retry_after: float | None = None) -> float | None:
    """When an unknown that a lookup could not settle may be looked up again, or None once the
    cap is reached: ``max_attempts`` lookups (``lookups`` counts the ones done, this one included)
    or ``deadline_hours`` since the first. Backoff with "equal jitter" (half the ceiling fixed, half
    random), so lookups never bunch up at the start; never before ``earliest`` (the settle time) or
    the wait the platform asked for."""
    max_lookups = int(getattr(settings, "max_attempts", 6))
    deadline = (since if since is not None else now) + float(getattr(settings, "deadline_hours", 24.0)) * 3600
    if lookups >= max_lookups or now >= deadline:
        return None
    base = float(getattr(settings, "backoff_base", 30.0))
    cap = float(getattr(settings, "backoff_max", 3600.0))
    ceiling = min(cap, base * (2 ** max(0, lookups - 1)))
    when = max(now + ceiling / 2 + rng.uniform(0.0, ceiling / 2), earliest,
               now + (retry_after or 0.0))
    return None if when > deadline else when
