"""A hypothesis stateful test of the queue's invariants (issue 4, test 6).

Random interleavings of enqueue, engine runs under a scripted platform (refusals, rate limits,
5xx, timeouts after the post landed, duplicates, expired tokens, rejections), clock jumps,
operator retries and resolves must keep: at most one post per delivery on the platform;
`sent` implies a receipt that the platform really holds; the event log replays to the
current state of every delivery.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock
from crosspost.deliver import Engine
from crosspost.errors import InputError
from crosspost.models import Receipt, Release, Variant
from crosspost.store import Store

OUTCOMES = ["ok", "refused", "429:30", "500", "timeout_after_send", "duplicate", "expired_token",
            "rejected"]


class Queue(RuleBasedStateMachine):
    @initialize(script=st.lists(st.sampled_from(OUTCOMES), max_size=25), seed=st.integers(0, 1000))
    def setup(self, script: list[str], seed: int) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="crosspost-hyp-"))
        self.clock = FakeClock()
        self.store = Store.open(self.dir / "log.db")
        self.fake = FakeChannel.create("fake", self.dir, script=tuple(script), backoff_base=5.0,
                                       backoff_max=60.0)
        self.engine = Engine(self.store, {"fake": self.fake}, self.clock, rng=random.Random(seed),
                             settle_seconds=60)
        self.releases = 0

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    @rule()
    def enqueue(self) -> None:
        self.releases += 1
        slug = f"rilis-{self.releases}"
        rid = self.store.save_release(Release(slug=slug, title=slug, body="Isi.",
                                              date=datetime(2026, 11, 20, tzinfo=UTC)))
        self.store.enqueue(rid, [Variant(channel="fake", kind="fake", text=slug)], None, self.clock.now())

    @rule()
    def run(self) -> None:
        self.engine.run_once()

    @rule(seconds=st.sampled_from([1.0, 30.0, 61.0, 400.0, 3600.0]))
    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule()
    def operator_retries_failed(self) -> None:
        try:
            self.store.retry(None, self.clock.now(), all_failed=True)
        except InputError:
            pass  # nothing failed

    @rule()
    def operator_resolves_an_unknown_from_the_platform(self) -> None:
        """What a careful person does: look at the account, then say what is there."""
        unknown = self.store.deliveries(status="unknown")
        if not unknown:
            return
        d = unknown[0]
        found = [p for p in read_posts(self.fake.posts_file) if p["marker"] == f"{d.release_slug}@fake"]
        receipt = Receipt(found[0]["id"], self.fake.settings.url_base + found[0]["id"]) if found else None
        self.store.resolve(d.id, self.clock.now(), receipt)

    @invariant()
    def at_most_one_post_per_delivery(self) -> None:
        if not hasattr(self, "store"):
            return
        markers = [p["marker"] for p in read_posts(self.fake.posts_file)]
        assert len(markers) == len(set(markers)), markers

    @invariant()
    def sent_implies_a_receipt_the_platform_holds(self) -> None:
        if not hasattr(self, "store"):
            return
        posts = {p["marker"]: p for p in read_posts(self.fake.posts_file)}
        for d in self.store.deliveries(status="sent"):
            assert d.remote_id and d.url, d
            assert posts[f"{d.release_slug}@fake"]["id"] == d.remote_id

    @invariant()
    def event_log_replays_to_the_current_state(self) -> None:
        if not hasattr(self, "store"):
            return
        for d in self.store.deliveries():
            state = None
            for e in reversed(self.store.events(delivery_id=d.id)):
                assert e["from_status"] == state, (d.id, e)
                state = e["to_status"]
            assert state == d.status


# derandomize: CI runs the same 60 programs every time (no flaky reds); change the seed by
# hand (or run with --hypothesis-seed) to explore further.
Queue.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                   derandomize=True, suppress_health_check=[HealthCheck.too_slow])
test_queue_invariants = Queue.TestCase
