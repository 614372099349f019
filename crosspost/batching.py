"""Fewer commits per delivery, the same guarantees (issue 18; bench/RESULTS.md says which
guarantee each part relies on).

* ``record_sent_and_claim``: the engine's main loop records the sent results its workers handed
  back since the last commit and claims work for the workers that freed, in one transaction (the
  group commit: a batch is what finished during the previous commit, no timer). An outcome is
  reported, and ``after_record`` reached, only after that commit, so nothing is acknowledged
  before it is durable.
* ``Leases``: this engine's leases. The claim's own commit is the first lease check; a heartbeat
  within ``fresh`` seconds of the last confirmation (the claim, or a renewal) is answered from it,
  since no other process may take a lease before it expires; otherwise one statement renews every
  lease this engine holds and tells which are still held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


class Leases:
    """The leases one engine holds: delivery id -> (token, when last confirmed)."""

    def __init__(self, store: Any, now: Callable[[], float], lease_seconds: float) -> None:
        self.store, self.now, self.lease_seconds = store, now, lease_seconds
        # A confirmation this recent stands: a lease cannot be taken over before it expires.
        self.fresh = min(1.0, lease_seconds / 10)
        self._held: dict[int, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def confirmed(self, delivery_id: int, token: str, at: float) -> None:
        """The claim committed this lease at ``at``."""
        with self._lock:
            self._held[delivery_id] = (token, at)

    def drop(self, delivery_id: int) -> None:
        with self._lock:
            self._held.pop(delivery_id, None)

    def check(self, delivery_id: int, token: str) -> bool:
        """Is this lease still held? Renews every lease of this engine when it has to ask."""
        now = self.now()
        with self._lock:
            seen = self._held.get(delivery_id)
            if seen is not None and seen[0] == token and 0 <= now - seen[1] < self.fresh:
                return True
            tokens = {i: t for i, (t, _at) in self._held.items()}
            tokens[delivery_id] = token
            held = _extend(self.store, tokens, now, self.lease_seconds)
            for i, t in tokens.items():
                if i in held:
                    self._held[i] = (t, now)
                else:
                    self._held.pop(i, None)
            return delivery_id in held


def _extend(store: Any, tokens: dict[int, str], now: float, lease_seconds: float) -> set[int]:
    many = getattr(store, "extend_leases", None)
    if many is not None:
        return set(many(tokens, now, lease_seconds))
    return {i for i, t in tokens.items() if store.extend_lease(i, t, now, lease_seconds)}


def record_sent_many(store: Any, items: list[tuple]) -> Sequence[Any]:
    """One transaction for several sent results where the store offers it, else one each."""
    many = getattr(store, "record_sent_many", None)
    if many is not None:
        return many(items)
    out: list[Any] = []
    for item in items:
        try:
            out.append(store.record_sent(*item))
        except Exception as exc:  # this item's error, raised to its own caller
            out.append(exc)
    return out


def record_sent_and_claim(store: Any, items: list[tuple], now: float, lease_seconds: float, limit: int,
                          policies: Any, ids: Any, exclude: Any
                          ) -> tuple[Sequence[Any], list[Any], list[Any]]:
    """Sent results and the next claim in one transaction where the store offers it (and there are
    results to record), else the results' commit, then the claim's."""
    both = getattr(store, "record_sent_and_claim", None)
    if both is not None and items:
        return both(items, now, lease_seconds, limit, policies, ids, exclude)
    results = record_sent_many(store, items) if items else []
    claims, expired = (store.claim(now, lease_seconds, limit, policies, ids, exclude) if limit > 0
                       else ([], []))
    return results, claims, expired
