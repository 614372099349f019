"""Issue 12, item 4: an unknown that lookup cannot settle is looked up at most max_attempts
times within deadline_hours, then stays unknown for a person; never re-sent by itself.

Cron is played by an injected clock (crosspost.clock.FakeClock): one `run --once` per minute.
"""

from __future__ import annotations

import random
from pathlib import Path

from test_engine import T0, release

from crosspost.channels.base import PublishContext
from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.clock import FakeClock
from crosspost.deliver import Engine
from crosspost.errors import EXIT_FAILED, UnknownOutcome
from crosspost.models import Receipt, Variant
from crosspost.store import SCHEMA_VERSION, Store


class Blind(FakeChannel):
    """A platform whose lookup can never tell (X: more posts since the claim than it reads)."""

    lookups = 0

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        type(self).lookups += 1
        assert ctx.claimed_at is not None and ctx.claimed_at <= (ctx.now or (lambda: 0.0))()
        raise UnknownOutcome("cannot tell")


def cron_day(tmp_path: Path, channel: FakeChannel, minutes: int = 1440, **engine
             ) -> tuple[Store, FakeClock, list]:
    clock = FakeClock(T0)
    store = Store.open(tmp_path / "log.db")
    rid = store.save_release(release())
    [d] = store.enqueue(rid, [Variant(channel="fake", kind="fake", text="rilis-1 fake")], None, clock.now())
    codes = []
    for _ in range(minutes):
        report = Engine(store, {"fake": channel}, clock, rng=random.Random(1), **engine).run_once()
        codes.append(report.exit_code)
        clock.advance(60)
    return store, clock, codes


def test_after_the_cap_no_further_lookup_and_no_resend(tmp_path: Path) -> None:
    Blind.lookups = 0
    fake = Blind.create("fake", tmp_path, script=("timeout_after_send",), max_attempts=6, deadline_hours=24.0)
    store, clock, codes = cron_day(tmp_path, fake)
    [d] = store.deliveries()
    assert Blind.lookups == 6, "1,440 cron minutes, at most max_attempts lookups"
    assert (d.status, d.error_kind) == ("unknown", "unsettled")
    assert f"crosspost resolve {d.id} --sent URL" in d.last_error
    assert len(read_posts(fake.posts_file)) == 1, "never re-sent"
    assert set(codes) == {EXIT_FAILED}, "every run says something needs a person"
    events = [e["detail"] for e in store.events(delivery_id=d.id)]
    assert sum("lookup failed" in e for e in events) == 6
    # a person checks X and says it is not there: it is sent again, with fresh lookups
    store.resolve(d.id, clock.now(), None)
    Engine(store, {"fake": fake}, clock).run_once()
    assert store.delivery(d.id).status == "sent" and len(read_posts(fake.posts_file)) == 2


def test_lookups_are_spread_with_backoff_not_every_minute(tmp_path: Path) -> None:
    Blind.lookups = 0
    fake = Blind.create("fake", tmp_path, script=("timeout_after_send",), backoff_base=60.0)
    store, _clock, _codes = cron_day(tmp_path, fake, minutes=10)
    assert Blind.lookups <= 4  # equal jitter: at least 30 s, 60 s, 120 s, 240 s apart


def test_the_deadline_caps_lookups_too(tmp_path: Path) -> None:
    Blind.lookups = 0
    fake = Blind.create("fake", tmp_path, script=("timeout_after_send",), max_attempts=50,
                        deadline_hours=1.0, backoff_base=60.0, backoff_max=600.0)
    store, _clock, _codes = cron_day(tmp_path, fake, minutes=240)
    [d] = store.deliveries()
    assert d.error_kind == "unsettled" and Blind.lookups < 50


def test_not_found_with_attempts_used_up_fails_instead_of_resending(tmp_path: Path) -> None:
    # the platform never shows the post: every create is a 500 (not applied), max 3 attempts
    fake = FakeChannel.create("fake", tmp_path, script=("500",) * 50, max_attempts=3)
    store, _clock, _codes = cron_day(tmp_path, fake, minutes=1440)
    [d] = store.deliveries()
    assert (d.status, d.error_kind, d.attempts) == ("failed", "exhausted", 3)
    assert f"crosspost retry {d.id}" in d.last_error


def test_schema_is_seven() -> None:
    assert SCHEMA_VERSION >= 7  # the lookup cap's columns (7); later migrations append after it


def test_status_and_doctor_say_so(tmp_path: Path, monkeypatch) -> None:
    import subprocess
    import sys

    Blind.lookups = 0
    fake = Blind.create("fake", tmp_path, script=("timeout_after_send",))
    store, _clock, _codes = cron_day(tmp_path, fake, minutes=120)
    [d] = store.deliveries()
    assert d.error_kind == "unsettled"
    assert [u["id"] for u in store.unsettled()] == [d.id]
    from crosspost.doctor import check_log

    class Cfg:
        database = tmp_path / "log.db"

    monkeypatch.setattr("crosspost.logbook.inspect", lambda cfg: ("ok", "this office's log", ""))
    [line] = [c for c in check_log(Cfg(), T0) if c.name == "unknown"]
    assert line.status == "fail" and f"#{d.id}" in line.detail and "crosspost resolve" in line.fix
    store.close()
    (tmp_path / "channels.toml").write_text(f'database = "{tmp_path / "log.db"}"\n'
                                            '[channels.fake]\ntype = "fake"\n')
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1]), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "crosspost", "status"], cwd=tmp_path, capture_output=True,
                         text=True, env=env)
    assert out.returncode == EXIT_FAILED, out.stderr
    assert f"UNKNOWN: delivery #{d.id}" in out.stderr and "crosspost resolve" in out.stderr
