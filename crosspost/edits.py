"""A release edited after it went out: say what changed, and (``publish --update``) edit it there.

Publishing a changed release used to exit 0 and change nothing, without a word: the website kept
the old text. Now `publish` compares what each channel would send with what it sent, names the
changes per channel and exits 1 without sending; ``--update`` then

- rewrites the website article in place, the page as it was kept beside it (``versi-N.html``,
  the site's own correction mechanism, channels/website.py ``correct()``),
- edits the Facebook post's message and the YouTube video's description (their ``correct()``
  edit in place; an edit is idempotent, so a retried one is harmless), and
- says that X posts and Instagram captions cannot be edited: `crosspost correct` publishes a
  ralat (a reply, a comment) there.

An update is stored like a correction: its own release row ``<slug>--pembaruan-<n>``
(``releases.corrects`` = the original) whose deliveries are ordinary deliveries with
``extra["action"] == "correct"``, so the engine's claim, lease, retry and unknown rules apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .i18n import N_, _, in_language
from .models import Delivery, Receipt, Release, Variant

if TYPE_CHECKING:
    from .adapt import Adapted
    from .channels.base import Channel
    from .store import Store


PLATFORM_NAMES = {"twitter": "X", "instagram": "Instagram", "facebook": "Facebook", "youtube": "YouTube",
                  "website": "website", "wordpress": "WordPress"}


@dataclass(frozen=True)
class Change:
    """One sent delivery whose variant would now be different."""

    channel: Channel
    delivery: Delivery
    sent: Variant
    now: Variant
    receipt: Receipt | None
    what: tuple[str, ...]

    def line(self) -> str:
        names = {"title": _("title"), "text": _("text"), "media": _("media"), "link": _("link")}
        return _("{channel}: changed since it was sent ({what}); {url}").format(
            channel=self.channel.name, what=", ".join(names.get(w, w) for w in self.what),
            url=self.delivery.url or self.delivery.remote_id or "")


def differences(sent: Variant, now: Variant) -> tuple[str, ...]:
    """What a reader of the post would see changed: its title, text, media or link."""
    out = []
    if (sent.title or "") != (now.title or ""):
        out.append("title")
    if sent.text.strip() != now.text.strip() or tuple(sent.parts) != tuple(now.parts):
        out.append("text")
    if [str(m.path) for m in sent.media] != [str(m.path) for m in now.media] \
            or [m.alt for m in sent.media] != [m.alt for m in now.media]:
        out.append("media")
    if (sent.link or "") != (now.link or ""):
        out.append("link")
    return tuple(out)


def changes(store: Store, release: Release, adapted: Sequence[Adapted]) -> list[Change]:
    """The sent deliveries of ``release`` whose variant changed; none when the release's content
    is as it was published (same content hash) or it was never published."""
    from .errors import InputError
    from .store import _refuse_other_release

    stored = store.release_by_slug(release.slug)
    if stored is None or stored.content_hash == release.content_hash:
        return []
    # Another release landing on this slug is refused as such (exit 2), not taken for an edit.
    _refuse_other_release(release, {"number": stored.number, "title": stored.title})
    try:
        _id, _original, sources = store.correction_sources(release.slug)
    except InputError:
        return []
    sent = {d.channel: (d, v, r) for d, v, r in sources if d.status == "sent"}
    out = []
    for a in adapted:
        if a.variant is None or a.channel.name not in sent:
            continue
        d, v, r = sent[a.channel.name]
        what = differences(v, a.variant)
        if what:
            out.append(Change(a.channel, d, v, a.variant, r, what))
    return out


def refusal(changed: Sequence[Change], slug: str) -> list[str]:
    """What `publish` says when it does not send a changed release."""
    return [*(c.line() for c in changed),
            _("nothing sent: '{slug}' changed after it was published. `crosspost publish FILE --update` "
              "rewrites the website article (its previous version kept) and edits the Facebook post and "
              "the YouTube description; X and Instagram posts cannot be edited: `crosspost correct {slug} "
              "RALAT.md` publishes a ralat there.").format(slug=slug)]


@dataclass
class UpdatePlan:
    """The update release and one edit variant per editable channel, and what cannot be edited."""

    release: Release
    variants: list[Variant] = field(default_factory=list)
    channels: dict[str, Channel] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def update_slug(slug: str, number: int) -> str:
    return f"{slug}--pembaruan-{number}"


def plan_update(store: Store, release: Release, changed: Sequence[Change], now: float, tz: str) -> UpdatePlan:
    """The edits ``publish --update`` queues (nothing written yet)."""
    from .templating import tanggal
    from .timezones import zone

    number = store.correction_count(release.slug) + 1
    label = tanggal(datetime.fromtimestamp(now, zone(tz)))
    # the note is part of the article: in the release's language, not the terminal's
    note = in_language(N_("This article was updated on {date}; the previous version is kept."),
                       release.language).format(date=label)
    update = Release(
        slug=update_slug(release.slug, number), title=_("Update: {title}").format(title=release.title),
        body=release.body, date=datetime.fromtimestamp(now, zone(tz)), section=release.section,
        summary=release.summary, tags=release.tags, link=release.link, language=release.language,
        number=release.number, contact=release.contact, source=release.source,
        content_hash=hashlib.sha256(f"{release.content_hash}:{number}".encode()).hexdigest())
    plan = UpdatePlan(update)
    for c in changed:
        if not c.channel.editable or c.receipt is None:
            plan.notes.append(_("{channel}: {platform} posts cannot be edited; `crosspost correct {slug} "
                                "RALAT.md` publishes a ralat there.").format(
                                    channel=c.channel.name, slug=release.slug,
                                    platform=PLATFORM_NAMES.get(c.channel.platform, c.channel.platform)))
            continue
        base: dict[str, Any] = {
            "action": "correct", "update": True, "note": note, "number": number, "label": label,
            "ralat_text": c.now.text,
            "original": {"release": release.slug, "delivery_id": c.delivery.id,
                         "remote_id": c.receipt.remote_id, "url": c.receipt.url,
                         "extra": dict(c.receipt.extra)}}
        plan.variants.append(_edit_variant(c, release, base))
        plan.channels[c.channel.name] = c.channel
    return plan


def _edit_variant(c: Change, release: Release, base: dict[str, Any]) -> Variant:
    """The channel's new variant as an edit of the sent post (website: the page re-rendered from
    the new text with the release's pictures as they are now; others: the new text replaces the
    old)."""
    from .channels.website import excerpt

    v = c.now
    if c.channel.article:
        page = {"date": release.date.isoformat(), "summary": release.summary,
                "description": excerpt(release.body), "number": release.number or "",
                "contact": release.contact or "", "tags": list(release.tags), "video_url": ""}
        new_files = {k: v.extra[k] for k in ("inline_files",) if k in v.extra}
        # sent_text: what the article's text was, so an editor (WordPress) can keep what the post
        # holds after it (its further pictures, the video link) and replace only the text
        return Variant(channel=v.channel, kind=v.kind, text=v.text, title=v.title, media=v.media,
                       link=v.link, extra={**c.sent.extra, **new_files, **base, "page": page,
                                           "sent_text": c.sent.text}, counts={})
    keep: dict[str, Any] = {k: c.sent.extra[k] for k in ("video_id", "category_id", "tags", "privacy")
                            if k in c.sent.extra}
    return Variant(channel=v.channel, kind=v.kind, text=v.text, title=v.title,
                   extra={**base, **keep}, counts={"chars": len(v.text)})


def queue_update(store: Store, plan: UpdatePlan, original_slug: str, now: float) -> list[Delivery]:
    """Store the update as a correction release of ``original_slug`` with its edit deliveries."""
    if not plan.variants:
        return []
    awaiting = {n for n, ch in plan.channels.items() if getattr(ch.settings, "require_approval", False)}
    _id, rows = store.save_correction(original_slug, plan.release, plan.variants, now, awaiting=awaiting)
    return rows


@dataclass
class EditOutcome:
    """What the edit check did: its notes, the edit deliveries queued, and whether it refused."""

    notes: list[str] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    refused: bool = False
    changed: list[Change] = field(default_factory=list)


def edit_published(cfg: Any, release: Release, adapted: Sequence[Adapted], update: bool,
                   clock: Any = None) -> EditOutcome:
    """Office action behind `publish` (and ``--update``) for a release already sent: nothing when
    it is unchanged; refused with what changed; or, with ``update``, the edits queued and sent."""
    from .clock import SystemClock
    from .logbook import open_log
    from .publishing import send_due

    if not cfg.database.is_file():
        return EditOutcome()
    store = open_log(cfg)
    changed = changes(store, release, adapted)
    if not changed:
        return EditOutcome()
    if not update:
        return EditOutcome(refusal(changed, release.slug), refused=True, changed=changed)
    clock = clock or SystemClock()
    plan = plan_update(store, release, changed, clock.now(), cfg.timezone)
    rows = queue_update(store, plan, release.slug, clock.now())
    rows, _pause = send_due(cfg, store, rows, clock, plan.channels)
    return EditOutcome([*(c.line() for c in changed), *plan.notes], rows, changed=changed)
