"""A simulated platform (type "fake") for tests, demos and dry runs of the engine.

Posts are appended to a JSON-lines file and a call/post counter sits beside it, both under
an flock, so several processes share one "platform" and tests can count exactly how many
posts went out. ``script`` scripts the outcome of each call in order (shared across
processes); after the script runs out every call succeeds:

    ok                  accepted
    refused             connection refused: nothing applied            -> RetryLater
    429:SECONDS         rate limited with Retry-After                   -> RetryLater(retry_after)
    500                 server error on create, nothing stored           -> UnknownOutcome
    timeout_after_send  stored, but the response never came             -> UnknownOutcome
    duplicate           "duplicate content", nothing new stored          -> UnknownOutcome
    expired_token       credentials expired                             -> ReauthRequired
    rejected            validation error                                -> Permanent

``lookup`` finds a post by its marker (release slug @ channel name), as a real channel finds
its own post among the account's recent ones. With CROSSPOST_FAILPOINT=after_accept the
process is killed (SIGKILL) right after the post is stored: the platform has it, the worker
never learns. With CROSSPOST_FAILPOINT=stop_before_create it stops itself (SIGSTOP) after its
last lease check, just before the create call: the window no lease check can close.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..engagement import Comment, CommentPage, NotAvailable
from ..errors import Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..i18n import N_, _
from ..models import Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext


@dataclass(frozen=True)
class FakeSettings(CommonSettings):
    posts_file: str = "fake-posts.jsonl"  # the simulated platform's storage (relative to channels.toml)
    latency: float = 0.0  # seconds each publish takes before the create call (real sleep)
    script: tuple[str, ...] = ()  # outcome of each call in order, shared by all processes
    url_base: str = "https://fake.example/posts/"  # receipts link here
    # The fake platform's replies and figures, for the inbox and metrics: a JSON object by remote
    # id, each {"comments": [{"id", "author", "text", "created_at"}], "metrics": {...},
    # "gone": true, "fail": "429" | "not_available"} (relative to channels.toml; empty: none).
    engagement_file: str = ""


@dataclass(frozen=True)
class FakeLimits:
    max_chars: int = 5000  # longest text the fake platform accepts


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _counter(path: Path) -> Path:
    return Path(f"{path}.counter")


def read_posts(path: Path) -> list[dict[str, Any]]:
    """Every post the fake platform holds (for tests and for lookup)."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


class FakeChannel(Channel):
    platform: ClassVar[str] = "fake"
    Settings: ClassVar[type] = FakeSettings
    Limits: ClassVar[type] = FakeLimits
    secret_keys: ClassVar[tuple[str, ...]] = ()
    editable: ClassVar[bool] = False
    can_lookup: ClassVar[bool] = True

    @classmethod
    def create(cls, name: str, base_dir: Path, **settings: Any) -> FakeChannel:
        """A fake channel without channels.toml (tests, benchmarks)."""
        return cls(name, FakeSettings(type=cls.platform, **settings), FakeLimits(), base_dir=Path(base_dir))

    @property
    def posts_file(self) -> Path:
        return self.resolve(self.settings.posts_file)

    def marker(self, release: Release) -> str:
        return f"{release.slug}@{self.name}"

    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        variant = Variant(channel=self.name, kind=self.platform, text=text, title=release.title,
                          link=release.link, counts={"chars": len(text)})
        problems = []
        if len(text) > self.limits.max_chars:
            problems.append(self.problem("text", _('text is too long for the fake platform'),
                                         self.limits.max_chars, len(text)))
        return variant, problems

    def _next_call(self) -> tuple[int, str]:
        path = self.posts_file
        with _locked(path):
            state = self._state()
            n = state["calls"]
            state["calls"] = n + 1
            _counter(path).write_text(json.dumps(state))
        script = self.settings.script
        return n, (script[n] if n < len(script) else "ok")

    def _state(self) -> dict[str, int]:
        try:
            return json.loads(_counter(self.posts_file).read_text())
        except FileNotFoundError:
            return {"calls": 0, "posts": 0}

    def _store_post(self, variant: Variant, ctx: PublishContext) -> Receipt:
        path = self.posts_file
        with _locked(path):
            state = self._state()
            state["posts"] += 1
            remote_id = f"fake-{state['posts']}"
            record = {"id": remote_id, "marker": self.marker(ctx.release), "delivery_id": ctx.delivery_id,
                      "text": variant.text[:200], "pid": os.getpid(), "at": time.time()}
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            _counter(path).write_text(json.dumps(state))
        if os.environ.get("CROSSPOST_FAILPOINT") == "after_accept":
            os.kill(os.getpid(), signal.SIGKILL)
        return self._receipt(remote_id)

    def _receipt(self, remote_id: str) -> Receipt:
        return Receipt(remote_id=remote_id, url=f"{self.settings.url_base}{remote_id}")

    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        _n, outcome = self._next_call()
        if self.settings.latency > 0:
            time.sleep(self.settings.latency)
        ctx.heartbeat()  # the last check before the create call, as a real channel does after uploads
        if os.environ.get("CROSSPOST_FAILPOINT") == "stop_before_create":  # the unfenceable window
            signal.pthread_kill(threading.get_ident(), signal.SIGSTOP)  # this thread stops before going on
        kind, _sep, arg = outcome.partition(":")
        if kind == "ok":
            return self._store_post(variant, ctx)
        if kind == "refused":
            raise RetryLater(_('connection refused by the fake platform'))
        if kind == "429":
            raise RetryLater(_('rate limited by the fake platform'), retry_after=float(arg or 60))
        if kind == "500":
            raise UnknownOutcome(_('the fake platform answered 500 to the create call'))
        if kind == "timeout_after_send":
            self._store_post(variant, ctx)
            raise UnknownOutcome(_('timed out waiting for the fake platform after sending'))
        if kind == "duplicate":
            raise UnknownOutcome(_('the fake platform says this post is a duplicate'))
        if kind == "expired_token":
            raise ReauthRequired(_("the fake platform's access token has expired"))
        if kind == "rejected":
            raise Permanent(_('the fake platform rejected the post'))
        raise Permanent(_(
            'unknown outcome {outcome!r} in the script of [channels.{name}]').format(
            outcome=outcome, name=self.name))

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """A correction is one more post on the fake platform, scripted like any call."""
        return self.publish(variant, ctx)

    # -- inbox and metrics: read from engagement_file --------------------------------------------
    has_comments: ClassVar[bool] = True
    has_metrics: ClassVar[bool] = True
    engagement_access: ClassVar[str] = N_("nothing (simulated)")

    def _engagement(self, remote_id: str) -> dict[str, Any]:
        if not self.settings.engagement_file:
            return {}
        try:
            data = json.loads(self.resolve(self.settings.engagement_file).read_text("utf-8"))
        except FileNotFoundError:
            return {}
        post = data.get(remote_id) or {}
        fail = post.get("fail")
        if fail == "429":
            raise RetryLater(_("rate limited by the fake platform"), retry_after=60.0)
        if fail == "not_available" or post.get("gone"):
            raise NotAvailable("the fake platform cannot give this", gone=bool(post.get("gone")))
        return post

    def comments(self, receipt: Receipt, since: float | None = None, *, cursor: str | None = None,
                 max_pages: int = 20, now: float | None = None,
                 sent_at: float | None = None) -> CommentPage:
        rows = [c for c in self._engagement(receipt.remote_id).get("comments") or []
                if since is None or float(c["created_at"]) >= since]
        found = tuple(Comment(str(c["id"]), str(c.get("author") or ""), str(c.get("text") or ""),
                              float(c["created_at"]), c.get("parent_id"), f"{receipt.url}#c{c['id']}")
                      for c in sorted(rows, key=lambda c: -float(c["created_at"])))
        return CommentPage(found, None, True)

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        out: dict[str, dict[str, float] | None] = {}
        for r in receipts:
            try:
                out[r.remote_id] = {k: float(v) for k, v in
                                    (self._engagement(r.remote_id).get("metrics") or {}).items()}
            except NotAvailable as exc:
                if not exc.gone:
                    raise
                out[r.remote_id] = None
        return out

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        marker = self.marker(ctx.release)
        for post in read_posts(self.posts_file):
            if post["marker"] == marker:
                return self._receipt(post["id"])
        return None
