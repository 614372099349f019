"""The delivery engine on the scripted fake platform: every outcome lands in the right state."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crosspost.channels.base import PublishContext
from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock
from crosspost.deliver import Engine, LeaseLost
from crosspost.errors import EXIT_FAILED, EXIT_NOTHING, EXIT_OK, EXIT_RETRYING
from crosspost.models import Receipt, Release, Variant
from crosspost.retry import backoff_delay, decide
from crosspost.store import ChannelPolicy, Store

T0 = 1_800_000_000.0


def release(slug: str = "rilis-1") -> Release:
    return Release(slug=slug, title="Judul", body="Isi.", date=datetime(2026, 11, 20, tzinfo=UTC))


class Env:
    def __init__(self, tmp_path: Path, **settings) -> None:
        self.tmp = tmp_path
        self.clock = FakeClock(T0)
        self.store = Store.open(tmp_path / "log.db")
        self.fake = FakeChannel.create("fake", tmp_path, **settings)
        self.channels = {"fake": self.fake}

    def engine(self, **kw) -> Engine:
        kw.setdefault("rng", random.Random(7))
        return Engine(self.store, self.channels, self.clock, **kw)

    def queue(self, slug: str = "rilis-1", channels=("fake",), not_before=None):
        rid = self.store.save_release(release(slug))
        variants = [Variant(channel=c, kind=self.channels[c].platform, text=f"{slug} {c}") for c in channels]
        return self.store.enqueue(rid, variants, not_before, self.clock.now())

    def get(self, d):
        return self.store.delivery(d.id)

    @property
    def posts(self):
        return read_posts(self.fake.posts_file)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def scripted(tmp_path: Path, *script: str, **settings) -> Env:
    return Env(tmp_path, script=script, **settings)


def test_happy_path_records_the_receipt(env: Env) -> None:
    [d] = env.queue()
    report = env.engine().run_once()
    got = env.get(d)
    assert (got.status, got.attempts, got.remote_id, got.url) == ("sent", 1, "fake-1",
                                                                  "https://fake.example/posts/fake-1")
    assert report.counts["sent"] == 1 and report.exit_code == EXIT_OK
    assert [p["marker"] for p in env.posts] == ["rilis-1@fake"]
    assert env.engine().run_once().exit_code == EXIT_NOTHING
    assert len(env.posts) == 1


def test_connection_refused_goes_back_to_the_queue_with_backoff(tmp_path: Path) -> None:
    env = scripted(tmp_path, "refused", backoff_base=30.0)
    [d] = env.queue()
    report = env.engine().run_once()
    got = env.get(d)
    assert (got.status, got.attempts, got.error_kind) == ("queued", 1, "retry")
    assert T0 <= got.not_before <= T0 + 30
    # cron must see it: nothing failed, but the post is not out yet (exit 6, not 0)
    assert report.counts["retry"] == 1 and report.exit_code == EXIT_RETRYING and env.posts == []
    env.clock.set(got.not_before)
    assert env.engine().run_once().exit_code == EXIT_OK
    assert env.get(d).status == "sent" and env.get(d).attempts == 2 and len(env.posts) == 1


def test_rate_limit_honours_retry_after_and_uses_no_attempt(tmp_path: Path) -> None:
    env = scripted(tmp_path, "429:900")
    [d] = env.queue()
    env.engine().run_once()
    got = env.get(d)
    assert (got.status, got.attempts, got.error_kind) == ("queued", 0, "rate_limit")
    assert got.not_before >= T0 + 900
    env.clock.set(T0 + 899)
    assert env.engine().run_once().exit_code == EXIT_NOTHING  # not before the server's hint
    env.clock.set(got.not_before)
    env.engine().run_once()
    assert env.get(d).status == "sent"


def test_each_delivery_is_attempted_at_most_once_per_run(tmp_path: Path) -> None:
    env = scripted(tmp_path, "refused", "refused", backoff_base=0.0)  # zero backoff: due at once
    [d] = env.queue()
    env.engine().run_once()
    assert env.get(d).attempts == 1 and env.get(d).status == "queued"


def test_attempts_exhausted_fail(tmp_path: Path) -> None:
    env = scripted(tmp_path, *["refused"] * 5, max_attempts=3, backoff_base=1.0, backoff_max=1.0)
    [d] = env.queue()
    for _ in range(3):
        env.engine().run_once()
        env.clock.advance(2)
    got = env.get(d)
    assert (got.status, got.attempts, got.error_kind) == ("failed", 3, "exhausted")
    assert "gave up after 3 attempts" in got.last_error and env.posts == []


def test_deadline_fails_a_retry_that_would_come_too_late(tmp_path: Path) -> None:
    env = scripted(tmp_path, "429:7200", deadline_hours=1.0)
    [d] = env.queue()
    report = env.engine().run_once()
    got = env.get(d)
    assert (got.status, got.error_kind) == ("failed", "deadline") and report.exit_code == EXIT_FAILED


def test_scheduled_delivery_waits_and_deadline_counts_from_schedule(env: Env) -> None:
    [d] = env.queue(not_before=T0 + 86_400 * 2)
    assert env.engine().run_once().exit_code == EXIT_NOTHING
    env.clock.set(T0 + 86_400 * 2 + 60)
    env.engine().run_once()
    assert env.get(d).status == "sent"


def test_reauth_fails_without_using_an_attempt_and_retry_requeues(tmp_path: Path) -> None:
    env = scripted(tmp_path, "expired_token")
    [d] = env.queue()
    env.engine().run_once()
    got = env.get(d)
    assert (got.status, got.error_kind, got.attempts) == ("failed", "reauth", 0)
    assert "crosspost auth fake" in got.last_error and f"crosspost retry {d.id}" in got.last_error
    env.store.retry(d.id, env.clock.now())
    env.engine().run_once()
    assert env.get(d).status == "sent" and len(env.posts) == 1


def test_permanent_rejection_fails(tmp_path: Path) -> None:
    env = scripted(tmp_path, "rejected")
    [d] = env.queue()
    report = env.engine().run_once()
    got = env.get(d)
    assert (got.status, got.error_kind, got.attempts) == ("failed", "permanent", 1)
    assert "rejected" in got.last_error and report.exit_code == EXIT_FAILED


@pytest.mark.parametrize("outcome,posted", [("timeout_after_send", 1), ("500", 0), ("duplicate", 0)])
def test_ambiguous_outcomes_become_unknown_and_reconcile_settles_them(tmp_path: Path, outcome: str,
                                                                      posted: int) -> None:
    env = scripted(tmp_path, outcome)
    [d] = env.queue()
    report = env.engine(settle_seconds=60).run_once()
    assert env.get(d).status == "unknown" and report.exit_code == EXIT_FAILED
    assert len(env.posts) == posted
    env.clock.advance(10)
    report = env.engine(settle_seconds=60).run_once()
    if posted:  # lookup finds the post the platform accepted: sent, with its remote id, never resent
        assert report.counts["reconciled"] == 1
        assert (env.get(d).status, env.get(d).remote_id) == ("sent", "fake-1")
    else:  # not on the platform, but too early to be sure: stays unknown
        assert env.get(d).status == "unknown" and report.counts["unsettled"] == 1
        env.clock.advance(60)
        report = env.engine(settle_seconds=60).run_once()
        assert report.counts["requeued"] == 1 and env.get(d).status == "sent"
    assert len(env.posts) == 1


def test_unknown_without_lookup_waits_for_the_operator(tmp_path: Path) -> None:
    env = scripted(tmp_path, "timeout_after_send")
    env.fake.can_lookup = False  # instance override: a platform with no way to look
    [d] = env.queue()
    env.engine().run_once()
    env.clock.advance(3600)
    env.engine().run_once()
    assert env.get(d).status == "unknown" and len(env.posts) == 1
    env.store.resolve(d.id, env.clock.now(), Receipt("fake-1", "https://fake.example/posts/fake-1"))
    assert env.get(d).status == "sent"


def test_reaper_turns_an_expired_lease_into_unknown_never_queued(env: Env) -> None:
    [d] = env.queue()
    env.store.claim(T0, 300, 1, {"fake": ChannelPolicy()})
    env.clock.advance(301)
    reaped = env.engine().reap()
    assert [r.id for r in reaped] == [d.id] and env.get(d).status == "unknown"
    assert env.posts == []
    # the fake's lookup finds nothing; once settled it is sent exactly once
    env.clock.advance(60)
    env.engine(settle_seconds=60).run_once()
    assert env.get(d).status == "sent" and len(env.posts) == 1


def test_a_worker_that_loses_its_lease_mid_publish_does_not_send(tmp_path: Path) -> None:
    env = Env(tmp_path)

    class Slow(FakeChannel):
        def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
            env.clock.advance(301)  # a long upload without heartbeats: the lease runs out
            return super().publish(variant, ctx)  # heartbeats before the create call

    env.channels["fake"] = Slow.create("fake", tmp_path)
    [d] = env.queue()
    env.engine(lease_seconds=300).run_once()
    got = env.get(d)
    assert got.status == "unknown" and got.error_kind == "lease" and env.posts == []


def test_a_stall_between_claim_and_publish_puts_it_back_unsent(env: Env, monkeypatch) -> None:
    [d] = env.queue()
    engine = env.engine(lease_seconds=300)
    real_claim = env.store.claim

    def claim_then_stall(*a, **k):
        out = real_claim(*a, **k)
        env.clock.advance(301)
        return out

    monkeypatch.setattr(env.store, "claim", claim_then_stall)
    report = engine.run_once()
    assert report.counts["lease_lost"] == 1
    got = env.get(d)
    assert got.status == "queued" and got.attempts == 0 and env.posts == []


def test_unexpected_exception_after_the_call_started_is_unknown(tmp_path: Path) -> None:
    env = Env(tmp_path)

    class Buggy(FakeChannel):
        def publish(self, variant, ctx):
            raise KeyError("id")

    env.channels["fake"] = Buggy.create("fake", tmp_path)
    [d] = env.queue()
    env.engine().run_once()
    assert (env.get(d).status, env.get(d).error_kind) == ("unknown", "crash")


def test_channel_not_configured_stays_queued_and_is_reported(env: Env) -> None:
    env.channels["gone"] = FakeChannel.create("gone", env.tmp)
    [d] = env.queue(channels=("gone",))
    del env.channels["gone"]
    report = env.engine().run_once()
    assert env.get(d).status == "queued"
    assert [w.id for w in report.waiting] == [d.id] and report.counts["waiting"] == 1


def test_website_goes_first_and_its_receipt_reaches_the_others(tmp_path: Path) -> None:
    env = Env(tmp_path)
    seen: dict[str, dict] = {}

    class Site(FakeChannel):
        platform = "website"

    class Social(FakeChannel):
        def publish(self, variant, ctx):
            seen[self.name] = dict(ctx.sibling_receipts)
            return super().publish(variant, ctx)

    env.channels.update(site=Site.create("site", tmp_path, posts_file="site.jsonl"),
                        ig=Social.create("ig", tmp_path), fb=Social.create("fb", tmp_path))
    env.queue(channels=("ig", "fb", "site"))
    report = env.engine().run_once()
    assert report.counts["sent"] == 3
    for name in ("ig", "fb"):
        assert seen[name]["site"].url == "https://fake.example/posts/fake-1"


def test_channels_of_one_release_go_out_in_parallel(tmp_path: Path) -> None:
    env = Env(tmp_path)
    barrier = threading.Barrier(3, timeout=10)

    class Together(FakeChannel):
        def publish(self, variant, ctx):
            barrier.wait()  # breaks (-> unknown) unless all three are in flight at once
            return super().publish(variant, ctx)

    for n in ("a", "b", "c"):
        env.channels[n] = Together.create(n, tmp_path)
    env.queue(channels=("a", "b", "c"))
    report = env.engine(workers=3).run_once()
    assert report.counts["sent"] == 3


def test_min_interval_spaces_posts_on_one_channel(tmp_path: Path) -> None:
    env = Env(tmp_path, min_interval=600.0)
    a = env.queue("r1")[0]
    b = env.queue("r2")[0]
    env.engine().run_once()
    assert [env.get(a).status, env.get(b).status] == ["sent", "queued"]
    env.clock.advance(600)
    env.engine().run_once()
    assert env.get(b).status == "sent"


def test_progress_is_saved_and_handed_to_the_next_attempt(tmp_path: Path) -> None:
    env = Env(tmp_path)
    calls: list[dict] = []

    class Thread(FakeChannel):
        def publish(self, variant, ctx):
            calls.append(dict(ctx.progress))
            if not ctx.progress:
                ctx.save_progress({"parts": ["p1"]})
                from crosspost.errors import RetryLater
                raise RetryLater("part 2 refused")
            return super().publish(variant, ctx)

    env.channels["fake"] = Thread.create("fake", tmp_path, backoff_base=1.0, backoff_max=1.0)
    [d] = env.queue()
    env.engine().run_once()
    env.clock.advance(2)
    env.engine().run_once()
    assert calls == [{}, {"parts": ["p1"]}] and env.get(d).status == "sent"


def test_backoff_is_full_jitter_within_bounds() -> None:
    rng = random.Random(42)
    for attempt in range(1, 10):
        ceiling = min(3600.0, 30.0 * 2 ** (attempt - 1))
        samples = [backoff_delay(attempt, 30.0, 3600.0, rng) for _ in range(400)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert min(samples) < ceiling * 0.05 and max(samples) > ceiling * 0.95  # full range used
    same = [backoff_delay(3, 30.0, 3600.0, random.Random(1)) for _ in range(2)]
    assert same[0] == same[1]  # seeded: reproducible


def test_decide_maps_errors_and_never_requeues_ambiguity() -> None:
    from crosspost.channels.base import CommonSettings
    from crosspost.errors import Permanent, ReauthRequired, RetryLater, UnknownOutcome

    s, rng = CommonSettings(), random.Random(0)
    assert decide(RetryLater("x"), 0, s, T0, None, rng).status == "queued"
    assert decide(RetryLater("x"), 5, s, T0, None, rng).status == "failed"
    assert decide(RetryLater("x", retry_after=10), 99, s, T0, None, rng).status == "queued"
    assert decide(Permanent("x"), 0, s, T0, None, rng).status == "failed"
    assert not decide(ReauthRequired("x"), 0, s, T0, None, rng).count_attempt
    assert decide(UnknownOutcome("x"), 0, s, T0, None, rng).status == "unknown"
    assert decide(ConnectionResetError("x"), 0, s, T0, None, rng).status == "unknown"
    assert decide(LeaseLost("x"), 0, s, T0, None, rng).status == "unknown"


def test_run_report_lists_final_states(tmp_path: Path) -> None:
    env = scripted(tmp_path, "ok", "rejected")
    a = env.queue("r1")[0]
    b = env.queue("r2")[0]
    report = env.engine(workers=1).run_once()
    assert {d.id: d.status for d in report.deliveries} == {a.id: "sent", b.id: "failed"}
    assert report.exit_code == EXIT_FAILED


def test_run_once_with_ids_sends_only_those(env: Env) -> None:
    a = env.queue("r1")[0]
    b = env.queue("r2")[0]
    env.engine().run_once(delivery_ids=[b.id])
    assert (env.get(a).status, env.get(b).status) == ("queued", "sent")
