"""Settle `unknown` deliveries by asking the platform (channel.lookup) whether the post exists.

Found: the delivery becomes `sent` with the platform's id and link. Not found (the channel's
lookup read everything this delivery could have posted and it is not there): queued again, but
only after ``settle_seconds`` since it became unknown, because a post can take a moment to show
up, and only while its attempts last (then `failed`, `crosspost retry` sends it again).

Lookups are capped (issue 12): a lookup that cannot settle the delivery (too early, the
platform did not answer, the channel cannot tell) is counted and the next one waits with
backoff (``retry.next_lookup``); after ``max_attempts`` lookups or ``deadline_hours`` since the
first, the delivery stays `unknown` for a person (error_kind ``unsettled``, `crosspost resolve`)
and is never looked up or re-sent by itself again. Channels without a lookup stay `unknown` for
the operator from the start. Every unknown still waiting is reported, so the run exits 1.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping
from typing import Any

from .channels.base import Channel, PublishContext, is_correction
from .clock import Clock
from .errors import RetryLater
from .i18n import _
from .models import Delivery
from .retry import next_lookup, safe_message
from .store import DeliveryStore

UNSETTLED = "unsettled"  # error_kind of an unknown that lookup gave up on: a person decides


def reconcile(store: DeliveryStore, channels: Mapping[str, Channel], clock: Clock, settle_seconds: float,
              ids: Collection[int] | None = None, rng: random.Random | None = None
              ) -> list[tuple[str, Delivery]]:
    """Returns (outcome, delivery) pairs: reconciled, requeued, exhausted (not found, attempts used
    up), unsettled / lookup_failed (looked up, not settled), gave_up (the cap was reached now),
    lookup_later (waits for its next lookup) or needs_person (the cap was reached before)."""
    rng = rng or random.Random()
    names = [n for n, c in channels.items() if getattr(c, "can_lookup", False)]
    out: list[tuple[str, Delivery]] = []
    if not names:
        return out
    for item in store.unknown(names, ids):
        d = item.delivery
        channel = channels[d.channel]
        now = clock.now()
        if d.error_kind == UNSETTLED:
            out.append(("needs_person", d))
            continue
        if item.lookup_after is not None and item.lookup_after > now:
            out.append(("lookup_later", d))
            continue
        ctx = PublishContext(
            release=item.release, delivery_id=d.id, progress=dict(d.progress),
            save_progress=_saver(store, d.id),
            sibling_receipts=store.receipts(item.release_id), now=clock.now, claimed_at=item.claimed_at)
        became_unknown = d.updated_at or 0.0
        try:
            find = channel.lookup_correction if is_correction(item.variant) else channel.lookup
            found = find(item.variant, ctx)
        except NotImplementedError:
            continue
        except Exception as exc:  # the platform could not answer, or the channel cannot tell
            message = safe_message(exc, mask=channel.mask)
            wait = exc.retry_after if isinstance(exc, RetryLater) else None
            counted = not (isinstance(exc, RetryLater) and wait is not None)  # a rate limit is free
            out.append(_missed(store, item, channel, now, rng, became_unknown + settle_seconds,
                               _(
                                   'lookup failed: {message}').format(
                                   message=message), "lookup_failed", counted, wait))
            continue
        now = clock.now()
        if found is not None:
            if store.settle(d.id, item.version, now, found, _('reconciled: found on the platform')):
                out.append(("reconciled", d))
        elif now - became_unknown >= settle_seconds:
            max_attempts = int(getattr(channel.settings, "max_attempts", 6))
            if d.attempts >= max_attempts:
                detail = (_(
                    'reconciled: not on the platform, and {attempts} attempts are used up; `crosspost '
                    'retry {id}` sends it again').format(attempts=d.attempts, id=d.id))
                if store.settle(d.id, item.version, now, None, detail, failed="exhausted"):
                    out.append(("exhausted", d))
            elif store.settle(d.id, item.version, now, None, _(
                'reconciled: not on the platform; queued again')):
                out.append(("requeued", d))
        else:
            out.append(_missed(store, item, channel, now, rng, became_unknown + settle_seconds,
                               _('not on the platform yet; too early to be sure'), "unsettled", True, None))
    return out


def _missed(store: DeliveryStore, item: Any, channel: Channel, now: float, rng: random.Random,
            earliest: float, why: str, outcome: str, counted: bool, wait: float | None
            ) -> tuple[str, Delivery]:
    d = item.delivery
    done = item.lookups + int(counted)
    when = next_lookup(now, done, item.lookup_since, channel.settings, rng, earliest, wait)
    if when is None:
        text = (_(
            '{why}. crosspost looked {done} time(s) and cannot tell whether it was posted, so it stops '
            'looking and never sends it by itself: check {channel} by hand, then `crosspost resolve {id} '
            '--sent URL` or `crosspost resolve {id} --not-sent`').format(
            why=why, done=done, channel=d.channel, id=d.id))
        store.note_lookup(d.id, item.version, now, None, text, counted)
        return "gave_up", _with_error(d, text, UNSETTLED)
    store.note_lookup(d.id, item.version, now, when, _(
        '{why} (lookup {done}; next not before {when:.0f})').format(why=why, done=done, when=when),
                      counted)
    return outcome, _with_error(d, why, d.error_kind)


def _saver(store: DeliveryStore, delivery_id: int) -> Callable[[dict[str, Any]], None]:
    def save(progress: dict[str, Any]) -> None:
        store.save_progress(delivery_id, progress)

    return save


def _with_error(d: Delivery, message: str, kind: str | None) -> Delivery:
    from dataclasses import replace

    return replace(d, last_error=message, error_kind=kind)
