"""`crosspost show`: a release exactly as the log holds it, which is what `approve` will send.

The approver must judge the stored variants, not a fresh rendering of the file on someone's
disk (it may have changed since `publish`): everything here comes from the database. Prints
nothing; the CLI renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import Config
from .errors import InputError
from .i18n import _
from .models import Delivery, Release, Variant
from .store import Store


@dataclass
class Shown:
    """The stored release, one (delivery, variant) per channel, its approvals and its events."""

    release: Release
    number: int
    deliveries: list[tuple[Delivery, Variant]]
    approvals: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # oldest first


def show_release(cfg: Config, store: Store, handle: str) -> Shown:
    """What the log holds for the release a person means by ``handle`` (slug, #number, start, file)."""
    from .publishing import release_slug

    slug = release_slug(cfg, store, handle)
    release = store.release_by_slug(slug)
    if release is None:
        raise InputError(_("no release '{handle}' in the log (see `crosspost status`)").format(handle=handle))
    pairs = store.release_variants(slug)
    number = pairs[0][0].release_id if pairs else 0
    events = [e for e in store.events(release=slug) if e.get("release") == slug]
    return Shown(release, number, pairs, store.approvals(slug), list(reversed(events)))


def stored_adapted(cfg: Config, shown: Shown) -> list[Any]:
    """The stored variants as `Adapted` items, so the approval page can show them (no problems:
    they passed every check when they were queued)."""
    from .adapt import Adapted

    out = []
    for delivery, variant in shown.deliveries:
        from .config import build_channel

        try:
            channel = cfg.channel(delivery.channel)
        except InputError:  # the channel left channels.toml since: show the variant all the same
            channel = build_channel(delivery.channel, {"type": variant.kind}, cfg)
        out.append(Adapted(channel, variant, ()))
    return out
