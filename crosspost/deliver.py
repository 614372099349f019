"""The delivery engine: reap -> reconcile -> claim -> publish -> record.

The one rule: before the API call may have started, retry freely; after it may have started,
never retry blindly. A delivery is marked `sending` under a lease (committed) before publish()
is called; the lease is checked again just before the call and at every heartbeat, so a
worker whose lease expired or was taken never sends. An expired `sending` becomes `unknown`
(never `queued`) and is settled by the channel's lookup or by a person.

Crash tests: set ``CROSSPOST_FAILPOINT`` to one of ``after_claim`` (the claim is committed),
``after_sending`` (the lease was re-checked, publish is about to be called) or
``after_record`` (the outcome is committed), and the process kills itself with SIGKILL at
that point -- a real kill -9, no cleanup handlers run. The fake channel adds
``after_accept`` (the platform stored the post, the response never arrives). Unset, a
failpoint is one dictionary lookup.
"""

from __future__ import annotations

import os
import random
import signal
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .batching import Leases, record_sent_and_claim
from .channels.base import Channel, PublishContext, is_correction
from .clock import Clock
from .errors import EXIT_FAILED, EXIT_NOTHING, LeaseLost, StoreError, outcome_exit_code
from .i18n import _
from .models import Delivery, Receipt
from .reconcile import reconcile
from .retry import decide, safe_message
from .store import ChannelPolicy, Claim, DeliveryStore

FAILPOINT_ENV = "CROSSPOST_FAILPOINT"
WAITING_SHOWN = 50  # due deliveries of unconfigured channels a run lists (counts["waiting"] has them all)
# Builds a delivery's upload progress callback (bytes_done, bytes_total), e.g. a progress bar row.
ProgressFactory = Callable[[Delivery], Callable[[int, int], None] | None]


def failpoint(name: str) -> None:
    """Die like kill -9 here when CROSSPOST_FAILPOINT names this point (crash tests only)."""
    if os.environ.get(FAILPOINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class RunReport:
    """What one run did: outcome counts and the latest state of every delivery it touched."""

    counts: Counter = field(default_factory=Counter)
    outcomes: list[tuple[str, Delivery]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    waiting: list[Delivery] = field(default_factory=list)  # due, its channel not configured (the first ones)
    waiting_channels: dict[str, int] = field(default_factory=dict)  # how many of those per channel
    paused: dict[str, Any] | None = None  # the office-wide pause that stopped (part of) this run

    def add(self, outcome: str, delivery: Delivery) -> None:
        self.counts[outcome] += 1
        self.outcomes.append((outcome, delivery))

    @property
    def exit_code(self) -> int:
        if self.counts["duplicate"]:
            return EXIT_FAILED  # a post the platform holds twice is a failure, even if one is recorded
        return outcome_exit_code(self.deliveries, self.paused is not None, nothing=EXIT_NOTHING)


class Engine:
    """Sends what is due through the given channels (by name), safely across threads and processes."""

    def __init__(self, store: DeliveryStore, channels: Mapping[str, Channel], clock: Clock,
                 lease_seconds: float = 300, workers: int | None = None, rng: random.Random | None = None,
                 settle_seconds: float = 60.0, progress: ProgressFactory | None = None) -> None:
        self.store = store
        # Upload progress: called once per delivery sent, returns the on_progress callback (or None).
        self.progress = progress
        self.channels = dict(channels)
        self.clock = clock
        self.lease_seconds = lease_seconds
        # Default: one thread per channel (at least 4), so one release goes to every channel at
        # once; threads mostly wait on the network, and 4 was slower than the slowest of 5 channels.
        self.workers = max(1, workers if workers is not None else max(4, len(self.channels)))
        self.rng = rng or random.Random()
        self.settle_seconds = settle_seconds
        self.policies = {name: _policy(ch) for name, ch in self.channels.items()}
        # Fewer commits per delivery (crosspost.batching): the claim is the first lease check and one
        # statement renews all this engine's leases; the sent results that finished together and the
        # claim for the workers they freed share a commit.
        self._leases = Leases(store, clock.now, lease_seconds)

    # -- one run ------------------------------------------------------------------------------
    def run_once(self, delivery_ids: Collection[int] | None = None) -> RunReport:
        """Reap expired leases, reconcile unknowns, then send everything due (or just these ids),
        each delivery at most once per run."""
        report = RunReport()
        ids = list(delivery_ids) if delivery_ids is not None else None
        if self._paused(report):  # -- controls: an office-wide pause stops the whole run
            return report
        for d in self.store.reap(self.clock.now()):
            report.add("reaped", d)
        for outcome, d in reconcile(self.store, self.channels, self.clock, self.settle_seconds, ids,
                                    self.rng):
            report.add(outcome, d)
        self._drain(report, ids)
        self._paused(report)  # -- controls: paused meanwhile (claim() stopped handing out work)
        self._note_waiting(report, ids)
        touched = dict.fromkeys(d.id for _, d in report.outcomes)
        report.deliveries = [d for d in (self._fresh(i) for i in touched) if d is not None]
        still_there = getattr(self.store, "still_there", None)
        if still_there is not None and not still_there():  # what was recorded went to a deleted file
            raise StoreError(_("the delivery log {path} was deleted or replaced while this run used it; "
                               "what this run recorded is lost with it: {outcomes}. Restore the log, then "
                               "check those deliveries on the platforms (`crosspost status`)").format(
                                   path=getattr(self.store, "path", "?"),
                                   outcomes=", ".join(f"#{d.id} {o}" for o, d in report.outcomes) or "-"))
        return report

    def reap(self) -> list[Delivery]:
        return self.store.reap(self.clock.now())

    # -- controls -------------------------------------------------------------------------------
    def _paused(self, report: RunReport | None = None) -> bool:
        """Is the office-wide pause on? (claim() enforces it too; this is for reporting and for the
        last check before a claimed delivery's publish() starts.)"""
        pause = self.store.active_pause(self.clock.now())
        if pause is not None and report is not None and report.paused is None:
            report.paused = pause
            report.counts["paused"] += 1
        return pause is not None

    def _fresh(self, delivery_id: int) -> Delivery | None:
        return self.store.delivery(delivery_id)

    def _drain(self, report: RunReport, ids: list[int] | None) -> None:
        attempted: set[int] = set()
        inflight: dict[Future, Claim] = {}
        sent: list[tuple[Claim, Receipt]] = []  # published, handed back by their worker, not yet recorded
        with ThreadPoolExecutor(self.workers, thread_name_prefix="crosspost-send") as pool:
            while True:
                room = self.workers - len(inflight)
                # claims in batches sized to the free workers: one claim commit for half of them or
                # more, not one per finished delivery (all of them when nothing is in flight); with
                # results to record, the claim rides in their commit, whatever the room
                want = room if room > 0 and (sent or not inflight or room * 2 >= self.workers) else 0
                if sent or want:
                    at = self.clock.now()
                    items = [(c.delivery.id, c.token, receipt, at) for c, receipt in sent]
                    try:
                        results, claims, expired = record_sent_and_claim(
                            self.store, items, at, self.lease_seconds, want, self.policies, ids, attempted)
                    except StoreError as exc:  # the posts exist: say where, or they are lost with the log
                        raise StoreError("; ".join(_posted_but_unrecorded(exc, c, r) for c, r in sent)
                                         or str(exc)) from None
                    for (claim, receipt), result in zip(sent, results, strict=True):
                        report.add(self._sent_outcome(report, claim, receipt, result), claim.delivery)
                    if sent:
                        failpoint("after_record")
                    sent = []
                    for d in expired:
                        report.add("expired", d)
                    if claims:
                        failpoint("after_claim")
                    for c in claims:
                        attempted.add(c.delivery.id)
                        self._leases.confirmed(c.delivery.id, c.token, at)
                        inflight[pool.submit(self._send, c)] = c
                if not inflight:
                    return
                done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for fut in done:
                    claim = inflight.pop(fut)
                    try:
                        outcome = fut.result()
                    except StoreError:  # the log itself is gone or unusable: stop, exit 3
                        raise
                    except Exception as exc:  # a bug in recording: the row stays sending -> reaped later
                        outcome = "error"
                        report.counts["internal_error"] += 1
                        claim = replace(claim, delivery=_errored(claim.delivery, exc))
                    if isinstance(outcome, Receipt):  # published: recorded by the next commit above
                        sent.append((claim, outcome))
                    else:
                        report.add(outcome, claim.delivery)

    @staticmethod
    def _sent_outcome(report: RunReport, claim: Claim, receipt: Receipt, result: str | Exception) -> str:
        """The outcome of a published delivery once its result is committed."""
        if isinstance(result, StoreError):
            raise StoreError(_posted_but_unrecorded(result, claim, receipt))
        if isinstance(result, Exception):  # a bug in recording: the row stays sending -> reaped later
            report.counts["internal_error"] += 1
            return "error"
        # superseded: the platform took this post after another claim took over (the unfenceable
        # window between the last lease check and the request reaching the platform, see README)
        return "duplicate" if result in ("duplicate", "superseded") else "sent"

    # -- one delivery -------------------------------------------------------------------------
    def _send(self, claim: Claim) -> str | Receipt:
        """Publish one claimed delivery: its outcome when this thread recorded it, or the platform's
        receipt, which the engine's loop records (it is not sent until that commit)."""
        try:
            return self._send_claimed(claim)
        finally:
            self._leases.drop(claim.delivery.id)

    def _send_claimed(self, claim: Claim) -> str | Receipt:
        d = claim.delivery
        channel = self.channels[d.channel]
        now = self.clock.now

        def heartbeat() -> None:
            if not self._leases.check(d.id, claim.token):
                raise LeaseLost(_(
                    "delivery {id} ({release_slug} -> {channel}): this worker's lease expired or was taken "
                    'over; it must not send').format(id=d.id, release_slug=d.release_slug, channel=d.channel))

        try:
            heartbeat()  # a stall between claim and here (SIGSTOP, swap) must not lead to a send
        except LeaseLost:
            # publish() was never called under this claim, so this claim provably posted nothing:
            # queue it again. The store refuses it if another claim took over (the token is fenced),
            # and an expired lease nobody took over is still this claim's to give back.
            self.store.record(d.id, claim.token, "queued", now(), error=_('lease expired before sending'),
                              error_kind="lease", count_attempt=False, not_before=now())
            return "lease_lost"
        if self._paused():  # -- controls: paused since the claim; publish() never started, so requeue
            self.store.record(d.id, claim.token, "queued", now(), error=_('held by the office-wide pause'),
                              error_kind="paused", count_attempt=False)
            return "paused"
        scheduled = claim.scheduled_at
        ctx = PublishContext(
            release=claim.release, delivery_id=d.id, progress=dict(d.progress),
            save_progress=lambda p: self.store.save_progress(d.id, p), heartbeat=heartbeat,
            scheduled_at=datetime.fromtimestamp(scheduled, UTC) if scheduled and scheduled > now() else None,
            sibling_receipts=self.store.receipts(claim.release_id), now=now,
            on_progress=self.progress(d) if self.progress is not None else None)
        failpoint("after_sending")
        try:
            send = channel.correct if is_correction(claim.variant) else channel.publish
            receipt = send(claim.variant, ctx)
        except LeaseLost as exc:
            # The channel stopped at a heartbeat; earlier steps may have reached the platform.
            held = self.store.record(d.id, claim.token, "unknown", now(),
                                     error=safe_message(exc, mask=channel.mask),
                                     error_kind="lease", count_attempt=False)
            return "unknown" if held else "lease_lost"
        except Exception as exc:  # every failure is classified, never lost
            decision = decide(exc, d.attempts, channel.settings, now(), claim.deadline, self.rng,
                              channel=d.channel, delivery_id=d.id, mask=channel.mask)
            held = self.store.record(d.id, claim.token, decision.status, now(), error=decision.message,
                                     error_kind=decision.error_kind, count_attempt=decision.count_attempt,
                                     not_before=decision.not_before)
            if not held:
                return "lease_lost"
            return {"queued": "retry"}.get(decision.status, decision.status)
        return receipt  # recorded by _drain's next commit, with the others that finished meanwhile

    def _note_waiting(self, report: RunReport, ids: list[int] | None) -> None:
        """Due deliveries of channels this process does not serve: counted per channel in the store
        (a year-old log holds thousands), and the first WAITING_SHOWN of them listed."""
        counts, shown = self.store.due_elsewhere(self.clock.now(), self.channels, ids, WAITING_SHOWN)
        report.waiting.extend(shown)
        report.waiting_channels.update(counts)
        if counts:
            report.counts["waiting"] += sum(counts.values())


def _policy(channel: Channel) -> ChannelPolicy:
    s = channel.settings
    return ChannelPolicy(deadline_seconds=float(getattr(s, "deadline_hours", 24.0)) * 3600,
                         min_interval=float(getattr(s, "min_interval", 0.0)), article=channel.article)


def _posted_but_unrecorded(exc: BaseException, claim: Claim, receipt: Receipt) -> str:
    d = claim.delivery
    text = _("{error}; the platform accepted delivery #{id} ({release} -> {channel}) as "
             "{receipt}: once the log is back, `crosspost resolve {id} --sent {url}`")
    where = " ".join(x for x in (receipt.remote_id, receipt.url) if x)
    return text.format(error=exc, id=d.id, release=d.release_slug, channel=d.channel, receipt=where,
                       url=receipt.url or receipt.remote_id)


def _errored(d: Delivery, exc: BaseException) -> Delivery:
    return replace(d, last_error=_('internal error: {name}: {exc}').format(name=type(exc).__name__, exc=exc))


__all__ = ["Engine", "LeaseLost", "ProgressFactory", "RunReport", "failpoint"]
