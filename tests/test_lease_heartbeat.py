"""One heartbeat statement for all of an engine's leases (Store.extend_leases), on SQLite and on
PostgreSQL: every lease still held is renewed and named, a lost one is neither. On PostgreSQL the
statement once used SQLite's json_each and failed every heartbeat that had to ask the database
(seen as an internal error in tests/test_postgres_processes.py under load)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pg_helpers import drop_schema, fresh_schema, pg_store, require_pg

from crosspost.models import Release, Variant
from crosspost.store import ChannelPolicy, Store

T0 = 1_800_000_000.0


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path: Path):
    if request.param == "sqlite":
        made = Store.open(tmp_path / "log.db")
        yield made
        made.close()
        return
    require_pg()
    name = fresh_schema()
    made = pg_store(name, clock="caller")
    yield made
    made.close()
    drop_schema(name)


def test_one_statement_renews_exactly_the_leases_still_held(store) -> None:
    for i in range(3):
        rid = store.save_release(Release(slug=f"rilis-{i}", title=f"Rilis {i}", body="Isi.",
                                         date=datetime(2026, 11, 20, tzinfo=UTC)), T0)
        store.enqueue(rid, [Variant(channel="a", kind="fake", text=f"rilis {i}")], None, T0)
    claims, _ = store.claim(T0, 60, 3, {"a": ChannelPolicy()})
    tokens = {c.delivery.id: c.token for c in claims}
    assert len(tokens) == 3
    assert store.extend_leases(tokens, T0 + 30, 60) == set(tokens)
    first, second, third = tokens
    lost = {**tokens, first: "1.not-this-workers"}
    assert store.extend_leases(lost, T0 + 80, 60) == {second, third}  # renewed at +30: held to +90
    assert store.extend_leases(tokens, T0 + 100, 60) == {second, third}  # the first expired at +90
    assert not store.extend_lease(first, tokens[first], T0 + 100, 60)
