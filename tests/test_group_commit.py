"""Sent results recorded together (Store.record_sent_many, Store.record_sent_and_claim): one
result's error is that result's alone, the others are recorded, and the event chain stays whole
(the chain's head is kept per transaction and must follow a rolled-back item)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crosspost import audit
from crosspost.models import Receipt, Release, Variant
from crosspost.store import ChannelPolicy, Store

T0 = 1_800_000_000.0
POLICIES = {"a": ChannelPolicy()}


def _queue(store: Store, n: int) -> None:
    for i in range(n):
        store.save_and_enqueue(Release(slug=f"rilis-{i}", title=f"Rilis {i}", body="Isi.",
                                       date=datetime(2026, 11, 20, tzinfo=UTC)),
                               [Variant(channel="a", kind="fake", text=f"rilis {i}")], None, T0)


def test_one_failing_result_leaves_the_others_recorded_and_the_chain_whole(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "log.db")
    _queue(store, 3)
    claims, _ = store.claim(T0, 60, 3, POLICIES)
    items = [(c.delivery.id, c.token, Receipt(f"r{c.delivery.id}", None), T0 + 1) for c in claims]
    items.insert(1, (999, "1.nobody", Receipt("r999", None), T0 + 1))  # no such delivery: it fails
    results = store.record_sent_many(items)
    assert results[0] == results[2] == results[3] == "sent" and isinstance(results[1], Exception)
    assert {d.status for d in store.deliveries()} == {"sent"}
    assert audit.verify(store).ok


def test_results_and_the_next_claim_share_one_commit(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "log.db")
    _queue(store, 4)
    first, _ = store.claim(T0, 60, 2, POLICIES)
    items = [(c.delivery.id, c.token, Receipt(f"r{c.delivery.id}", None), T0 + 1) for c in first]
    results, claims, expired = store.record_sent_and_claim(items, T0 + 1, 60, 5, POLICIES)
    assert results == ["sent", "sent"] and not expired
    assert sorted(c.delivery.id for c in claims) == sorted(d.id for d in store.deliveries()
                                                           if d.id not in {c.delivery.id for c in first})
    assert [d.status for d in store.deliveries()] == ["sent", "sent", "sending", "sending"]
    assert audit.verify(store).ok
