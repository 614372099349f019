"""Settle `unknown` deliveries by asking the platform (channel.lookup) whether the post exists.

Found: the delivery becomes `sent` with the platform's id and link. Not found: it is queued
again, but only after ``settle_seconds`` since it became unknown, because a post can take a
moment to show up (and a stalled worker's call may still land). Channels without a lookup
stay `unknown` for the operator (`crosspost resolve`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from .channels.base import Channel, PublishContext, is_correction
from .clock import Clock
from .models import Delivery
from .retry import safe_message
from .store import DeliveryStore


def reconcile(store: DeliveryStore, channels: Mapping[str, Channel], clock: Clock, settle_seconds: float,
              ids: Collection[int] | None = None) -> list[tuple[str, Delivery]]:
    """Returns (outcome, delivery) pairs: reconciled, requeued, unsettled or lookup_failed."""
    names = [n for n, c in channels.items() if getattr(c, "can_lookup", False)]
    out: list[tuple[str, Delivery]] = []
    if not names:
        return out
    for item in store.unknown(names, ids):
        d = item.delivery
        ctx = PublishContext(
            release=item.release, delivery_id=d.id, progress=dict(d.progress),
            save_progress=lambda p, _id=d.id: store.save_progress(_id, p),
            sibling_receipts=store.receipts(item.release_id), now=clock.now)
        try:
            channel = channels[d.channel]
            find = channel.lookup_correction if is_correction(item.variant) else channel.lookup
            found = find(item.variant, ctx)
        except NotImplementedError:
            continue
        except Exception as exc:  # the platform could not answer: ask again next run
            out.append(("lookup_failed", _with_error(d, safe_message(exc, mask=channels[d.channel].mask))))
            continue
        now = clock.now()
        if found is not None:
            if store.settle(d.id, item.version, now, found, "reconciled: found on the platform"):
                out.append(("reconciled", d))
        elif now - (d.updated_at or 0.0) >= settle_seconds:
            if store.settle(d.id, item.version, now, None, "reconciled: not on the platform; queued again"):
                out.append(("requeued", d))
        else:
            out.append(("unsettled", d))
    return out


def _with_error(d: Delivery, message: str) -> Delivery:
    from dataclasses import replace

    return replace(d, last_error=f"lookup failed: {message}")
