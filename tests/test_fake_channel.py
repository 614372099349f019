"""The fake platform the engine tests rely on: scripted outcomes, shared counts, lookup."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crosspost.channels import channel_class
from crosspost.channels.base import PublishContext
from crosspost.channels.fake import FakeChannel, read_posts
from crosspost.errors import Permanent, ReauthRequired, RetryLater, UnknownOutcome
from crosspost.models import Release

REL = Release(slug="rilis", title="Judul", body="Isi.", date=datetime(2026, 11, 20, tzinfo=UTC))


def ctx() -> PublishContext:
    return PublishContext(release=REL, delivery_id=1)


def test_registered_as_type_fake() -> None:
    assert channel_class("fake") is FakeChannel


def test_build_variant_uses_the_text_and_checks_length(tmp_path: Path) -> None:
    ch = FakeChannel.create("f", tmp_path)
    v, problems = ch.build_variant(REL, "Judul\n\nIsi.")
    assert (v.channel, v.kind, v.text, problems) == ("f", "fake", "Judul\n\nIsi.", [])
    _, problems = ch.build_variant(REL, "x" * 6000)
    assert problems and problems[0].limit == 5000 and problems[0].actual == 6000


@pytest.mark.parametrize("outcome,exc,posted,retry_after", [
    ("refused", RetryLater, 0, None),
    ("429:30", RetryLater, 0, 30.0),
    ("500", UnknownOutcome, 0, None),
    ("timeout_after_send", UnknownOutcome, 1, None),
    ("duplicate", UnknownOutcome, 0, None),
    ("expired_token", ReauthRequired, 0, None),
    ("rejected", Permanent, 0, None),
    ("bogus", Permanent, 0, None),
])
def test_scripted_outcomes(tmp_path: Path, outcome, exc, posted, retry_after) -> None:
    ch = FakeChannel.create("f", tmp_path, script=(outcome,))
    v, _ = ch.build_variant(REL, "t")
    with pytest.raises(exc) as info:
        ch.publish(v, ctx())
    assert info.value.retry_after == retry_after
    assert len(read_posts(ch.posts_file)) == posted
    receipt = ch.publish(v, ctx())  # the script ran out: accepted
    assert receipt.remote_id == f"fake-{posted + 1}"


def test_script_and_count_are_shared_between_instances_and_processes(tmp_path: Path) -> None:
    a = FakeChannel.create("f", tmp_path, script=("ok", "refused"))
    b = FakeChannel.create("f", tmp_path, script=("ok", "refused"))
    v, _ = a.build_variant(REL, "t")
    a.publish(v, ctx())
    with pytest.raises(RetryLater):
        b.publish(v, ctx())
    code = ("import sys; from pathlib import Path; from datetime import datetime, UTC; "
            "from crosspost.channels.fake import FakeChannel; "
            "from crosspost.channels.base import PublishContext; "
            "from crosspost.models import Release; "
            "r = Release(slug='other', title='T', body='b', date=datetime(2026, 1, 1, tzinfo=UTC)); "
            "c = FakeChannel.create('f', Path(sys.argv[1])); v, _ = c.build_variant(r, 't'); "
            "print(c.publish(v, PublishContext(release=r)).remote_id)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                         check=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "fake-2"
    assert [p["marker"] for p in read_posts(a.posts_file)] == ["rilis@f", "other@f"]


def test_lookup_finds_the_post_by_marker(tmp_path: Path) -> None:
    ch = FakeChannel.create("f", tmp_path)
    v, _ = ch.build_variant(REL, "t")
    assert ch.lookup(v, ctx()) is None
    receipt = ch.publish(v, ctx())
    assert ch.lookup(v, ctx()) == receipt
    other = FakeChannel.create("g", tmp_path)  # same platform file, other channel: not its post
    assert other.lookup(v, ctx()) is None


def test_publish_heartbeats_before_the_create_call(tmp_path: Path) -> None:
    ch = FakeChannel.create("f", tmp_path)
    v, _ = ch.build_variant(REL, "t")

    def lost() -> None:
        raise RuntimeError("lease lost")

    with pytest.raises(RuntimeError):
        ch.publish(v, PublishContext(release=REL, heartbeat=lost))
    assert read_posts(ch.posts_file) == []
