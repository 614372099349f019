"""Outcome tables: for each create (or other) call of a channel and each failure its SDK can
surface, the state the delivery goes to. The table is data in the channel module; the channel's
classification code finds the failure's row and builds the error from its state, and the tests
iterate the same rows (a row without a test fails the fault-matrix test).

States (see the README's delivery section and ../shared/DESIGN.md):

- ``retry``: provably not applied (nothing reached the platform, or it refused before applying);
  back to the queue with backoff.
- ``unknown``: it may have been applied; never sent again without a lookup.
- ``failed``: rejected for good; a person changes something.
- ``reauth``: the credentials must be renewed (`crosspost auth`, then `crosspost retry`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome

RETRY, UNKNOWN, FAILED, REAUTH = "retry", "unknown", "failed", "reauth"
STATES = (RETRY, UNKNOWN, FAILED, REAUTH)
ERRORS: dict[str, type[DeliveryError]] = {RETRY: RetryLater, UNKNOWN: UnknownOutcome,
                                          FAILED: Permanent, REAUTH: ReauthRequired}


@dataclass(frozen=True)
class Outcome:
    """One cell: ``call`` failing with ``failure`` leads to ``state``; ``source`` says why."""

    call: str  # which call failed, e.g. "create", "upload", "read", "configure"
    failure: str  # the failure as the SDK surfaces it, e.g. "connect_refused", "graph:2", "curl:56"
    state: str  # retry | unknown | failed | reauth
    source: str  # the documentation or SDK source the cell was decided from

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"outcome state must be one of {STATES}, not {self.state!r}")


def rows(calls: Iterable[str], failure: str, state: str, source: str) -> tuple[Outcome, ...]:
    """The same cell for several calls of one channel (e.g. every call that posts nothing public)."""
    return tuple(Outcome(c, failure, state, source) for c in calls)


def state_of(table: Iterable[Outcome], call: str, failure: str, default: str = UNKNOWN) -> str:
    """The state of ``call`` failing with ``failure``: its own row, else the row for every call
    (``*``), else ``default`` (unknown: a failure nobody wrote down is never retried blindly)."""
    rows = {(o.call, o.failure): o.state for o in table}
    for key in ((call, failure), ("*", failure)):
        if key in rows:
            return rows[key]
    return default


def error(state: str, message: str, retry_after: float | None = None, failure: str = "") -> DeliveryError:
    """The DeliveryError for a state (a wait only means something for ``retry``); ``failure``
    (the table's key) stays on it as ``.failure`` for tests and logs."""
    exc = ERRORS[state](message, retry_after if state == RETRY else None)
    exc.failure = failure  # type: ignore[attr-defined]
    return exc


def check_table(table: Iterable[Outcome]) -> list[str]:
    """Duplicate (call, failure) cells: a table must say one thing per cell."""
    seen: set[tuple[str, str]] = set()
    twice: list[str] = []
    for o in table:
        key = (o.call, o.failure)
        if key in seen:
            twice.append(f"{o.call}/{o.failure}")
        seen.add(key)
    return twice
