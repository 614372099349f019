"""Offices sharing one log ([office] id, issue 16): each office's runs send only its own
releases, its status and report count only them, and a supervisor's --all-offices sees all.
On each store of conftest.STORE_FACTORIES (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crosspost.errors import InputError
from crosspost.models import Release, Variant
from crosspost.store import ChannelPolicy

NOW = 1_800_000_000.0
POL = {"x": ChannelPolicy()}


def publish(store, slug: str) -> None:
    when = datetime(2026, 11, 20, tzinfo=UTC)
    rid = store.save_release(Release(slug=slug, title=slug, body="Isi.", date=when), NOW)
    store.enqueue(rid, [Variant(channel="x", kind="fake", text=slug)], None, NOW)


def test_offices_see_and_send_only_their_own_releases(store) -> None:
    store.office = "jatim"
    publish(store, "rilis-jatim")
    store.office = "jabar"
    publish(store, "rilis-jabar")
    assert [d.release_slug for d in store.deliveries()] == ["rilis-jabar"]
    assert store.status_counts() == {"x": {"queued": 1}}
    claims, _ = store.claim(NOW, 60, 10, POL)
    assert [c.delivery.release_slug for c in claims] == ["rilis-jabar"]
    with pytest.raises(InputError, match="jatim"):  # one slug, one office
        publish(store, "rilis-jatim")
    store.office = "jatim"
    assert [c.delivery.release_slug for c in store.claim(NOW, 60, 10, POL)[0]] == ["rilis-jatim"]
    groups = store.report_groups(NOW - 1, NOW + 1, [NOW - 1])
    assert sum(g["n"] for g in groups) == 1
    store.all_offices = True  # the supervisor
    assert sorted(d.release_slug for d in store.deliveries()) == ["rilis-jabar", "rilis-jatim"]
    assert sum(g["n"] for g in store.report_groups(NOW - 1, NOW + 1, [NOW - 1])) == 2
