"""Office actions: publish, approve, correct, send what is due, run the queue.

Whole operations that return data and print nothing, so the CLI, a script or a future web page
or scheduler call the same code. A command parses its options, calls one of these, renders the
result and exits with ``outcome.exit_code``. "Due now" and "which exit code" are decided here,
once, for every action.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import Clock, SystemClock
from .errors import EXIT_OK, PROBLEM_STATUSES, InputError, outcome_exit_code
from .i18n import _
from .models import Delivery, Release

PAST_TOLERANCE = 60.0  # seconds: "--at 09:00" typed at 09:00:30 still means now

if TYPE_CHECKING:  # adapt pulls in jinja2 and markdown-it; the engine the channels' base
    from .adapt import Adapted
    from .config import Config
    from .correct import CorrectionPlan, Ralat
    from .deliver import Engine, ProgressFactory
    from .routing import Skipped
    from .store import Store

def exit_code(rows: Iterable[Delivery], pause: dict[str, Any] | None, *, nothing: int = EXIT_OK) -> int:
    """The exit code of an action that left these deliveries: 5 when the pause holds queued ones
    (see errors.outcome_exit_code)."""
    rows = list(rows)
    held = pause is not None and any(d.status == "queued" for d in rows)
    return outcome_exit_code(rows, held, nothing=nothing)


def due_now(rows: Iterable[Delivery], now: float) -> list[Delivery]:
    """The deliveries a command sends at once: queued and not scheduled later."""
    return [d for d in rows if d.status == "queued" and (d.not_before or 0) <= now]


@dataclass
class Outcome:
    """What an office action left in the log: the deliveries as they are now, the pause that
    held some of them (if any), and one note per thing the operator should know."""

    release: Release | None
    deliveries: list[Delivery] = field(default_factory=list)
    pause: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # stderr lines (credential expiry, ...)

    @property
    def exit_code(self) -> int:
        return exit_code(self.deliveries, self.pause)


# -- preparing a release ---------------------------------------------------------------------------
@dataclass
class Prepared:
    """A release read and adapted for the channels that apply to it, and the ones routed past it
    (crosspost.routing) with why."""

    release: Release
    adapted: list[Adapted]
    skipped: list[Skipped] = field(default_factory=list)


def prepare(cfg: Config, file: Path, channels: Collection[str] = (), exclude: Collection[str] = (),
            overrides: dict[str, Any] | None = None, disabled_too: bool = False
            ) -> tuple[Release, list[Adapted]]:
    """Read the release and adapt it for the chosen channels (no store, no network); with
    ``disabled_too`` (preview) every channel that has a table in channels.toml."""
    done = prepare_release(cfg, file, channels, exclude, overrides, disabled_too)
    return done.release, done.adapted


def prepare_release(cfg: Config, file: Path, channels: Collection[str] = (), exclude: Collection[str] = (),
                    overrides: dict[str, Any] | None = None, disabled_too: bool = False) -> Prepared:
    """Read the release, route it (skip the channels that cannot carry it or whose sections leave
    it out), give it the article's link when the website is not in this run, and adapt it."""
    from .release import load_release
    from .routing import route

    release = load_release(file, cfg.timezone, overrides or None, cfg.media)
    chosen = cfg.channels(list(channels) or None, enabled_only=not disabled_too)
    left_out = {cfg.channel_name(part) for name in exclude for part in name.split(",") if part.strip()}
    chosen = [c for c in chosen if c.name not in left_out]
    if not chosen:
        raise InputError(_("no channel selected: enable one in channels.toml or pass --channel NAME"))
    applies, skipped = route(release, chosen, {c.name for c in chosen} if channels else ())
    if not applies:
        raise InputError(_("no chosen channel can carry this release: {why}").format(
            why="; ".join(s.line() for s in skipped)))
    release, adapted = _adapt_linked(cfg, release, applies)
    return Prepared(release, adapted, skipped)


def _adapt_linked(cfg: Config, release: Release, applies: list[Any]) -> tuple[Release, list[Adapted]]:
    """Adapt with the article's link known (crosspost.links), and warn about a ``link:`` on the
    office site that is not the article."""
    from dataclasses import replace

    from .adapt import adapt
    from .links import article_channels, article_url, link_warning
    from .overrides import adapt_overridden, unknown_names

    in_run = [c for c in applies if c.article]
    site = in_run[0] if in_run else next(iter(article_channels(cfg)), None)
    url = article_url(release, site, cfg.templates_dir) if site is not None and not in_run else None
    if url and not release.link:
        release = replace(release, link=url)
    adapted = adapt_overridden(release, applies, cfg.templates_dir, adapt)
    if in_run:
        url = next((a.variant.link for a in adapted if a.channel is site and a.variant), None)
    warnings = [w for w in [link_warning(release, site, url) if site is not None else None] if w]
    types = [str(t.get("type") or n) for n, t in cfg.tables.items()]
    unknown = unknown_names(release, list(cfg.tables), types)
    if unknown:
        warnings.append(_("channels: in the release names {names}, which channels.toml does not have: "
                          "nothing is changed for it").format(names=", ".join(unknown)))
    if warnings:
        release = replace(release, warnings=(*release.warnings, *warnings))
    return release, adapted


def schedule(at: str | None, release: Release, tz: str, now: float | None = None) -> datetime | None:
    """``--at``: a time ('2026-12-01 09:00', WIB unless it says otherwise) or 'release' (the
    release's own date). A time already past is refused: it would go out at once, unannounced."""
    if not at:
        return None
    from .timezones import parse_when

    when = release.date if at.strip().lower() == "release" else parse_when(at, tz)
    current = time.time() if now is None else now
    if when.timestamp() < current - PAST_TOLERANCE:
        raise InputError(_("--at {when} is already past; give a time in the future, or publish now "
                           "without --at").format(when=when.isoformat(timespec="minutes")))
    return when


# -- naming a release -----------------------------------------------------------------------------
def release_slug(cfg: Config, store: Store, handle: str) -> str:
    """The slug a person means by ``handle``: the slug itself, the release's number as `status`
    shows it (``12`` or ``#12``), a unique start of the slug, or the release file."""
    text = handle.strip()
    if not text:
        raise InputError(_("name a release: its slug, its number or its file (see `crosspost status`)"))
    if store.release_slugs(text, limit=1) == [text]:
        return text
    digits = text.removeprefix("#")
    if digits.isdigit():
        found = store.release_slugs(release_id=int(digits))
        if found:
            return found[0]
    path = Path(text)
    if path.suffix.lower() in (".md", ".markdown", ".docx", ".txt") and path.is_file():
        from .release import load_release

        return load_release(path, cfg.timezone, media=cfg.media).slug
    matches = store.release_slugs(text, limit=6)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(_("'{handle}' fits several releases: {slugs}; type more of the slug").format(
            handle=text, slugs=", ".join(matches[:5])))
    raise InputError(_("no release '{handle}' in the log (see `crosspost status`)").format(handle=text))


# -- sending ---------------------------------------------------------------------------------------
def send_due(cfg: Config, store: Store, rows: list[Delivery], clock: Clock | None = None,
             channels: dict[str, Any] | None = None, progress: ProgressFactory | None = None
             ) -> tuple[list[Delivery], dict[str, Any] | None]:
    """Send those of ``rows`` that are due now through the engine; returns the rows as they are
    afterwards and the office-wide pause that held them, if any.

    ``channels`` (name -> Channel) defaults to the enabled channels of channels.toml; a due
    delivery of a channel that is not among them stays queued for `crosspost run`. The claim
    enforces the embargo, so an embargoed release stays queued whoever calls this.
    """
    from .deliver import Engine

    clock = clock or SystemClock()
    now = clock.now()
    pause = store.active_pause(now)
    due = due_now(rows, now)
    if channels is None:
        enabled = set(cfg.channel_names(enabled_only=True))
        channels = {n: cfg.channel(n) for n in sorted({d.channel for d in due} & enabled)}
    due = [d for d in due if d.channel in channels]  # an embargoed one is refused by the claim
    if due and pause is None:
        engine = Engine(store, channels, clock, progress=progress)
        pause = engine.run_once(delivery_ids=[d.id for d in due]).paused
    return [store.delivery(d.id) or d for d in rows], pause


def queue_engine(cfg: Config, store: Store, clock: Clock | None = None, workers: int = 4) -> Engine:
    """The engine a cron round (`run --once`) or a watcher (`run --watch`) drives: every enabled
    channel. Its ``run_once()`` reaps stale leases, settles unknowns and sends what is due; the
    report carries its own exit code (4 when nothing was due)."""
    from .deliver import Engine

    channels = {c.name: c for c in cfg.channels(enabled_only=True)}
    return Engine(store, channels, clock or SystemClock(), workers=workers)


def expiry_warnings(cfg: Config, channels: list[Any], clock: Clock, *, scheduled_at: float | None = None,
                    once_per: float | None = None) -> list[str]:
    """One line per channel whose credentials expire soon (cached; never raises)."""
    from .credentials import expiry_warnings as check

    return check(channels, clock.now(), cfg.doctor.expiry_warning_days, scheduled_at=scheduled_at,
                 timezone=cfg.timezone, once_per=once_per)


# -- publish -------------------------------------------------------------------------------------
def check_publishable(adapted: list[Adapted]) -> None:
    """Refuse (exit 2, nothing queued) while any chosen channel has an error-level problem."""
    bad = [a.channel.name for a in adapted if not a.ok]
    if bad:
        raise InputError(_("nothing queued: {names} cannot publish this release as it is; fix the "
                           "problems above or leave the channel out with --exclude").format(
                               names=", ".join(bad)))


# -- queue and send ------------------------------------------------------------------------------
def publish(cfg: Config, release: Release, adapted: list[Adapted], not_before: float | None = None,
            clock: Clock | None = None, progress: ProgressFactory | None = None) -> Outcome:
    """Queue every adapted variant (all must be valid) and send what is due now.

    Channels that require approval are queued awaiting it; an edited release already approved
    goes back to awaiting approval; an embargo or the office-wide pause keeps it queued.
    """
    from .controls import approval_message, embargo_active, embargo_message, pause_message
    from .logbook import open_log
    from .timezones import zone

    check_publishable(adapted)
    clock = clock or SystemClock()
    channels = [a.channel for a in adapted]
    warnings = expiry_warnings(cfg, channels, clock, scheduled_at=not_before)
    store = open_log(cfg)
    variants = [a.variant for a in adapted if a.variant is not None]
    awaiting = [c.name for c in channels if getattr(c.settings, "require_approval", False)]
    # the release and its deliveries in one commit (never one without the other)
    release_id, queued = store.save_and_enqueue(release, variants, not_before, clock.now(), awaiting=awaiting)
    back, rejected = (store.recheck_approval(release_id, variants, awaiting, clock.now()) if awaiting
                      else ([], []))
    rows = [store.delivery(d.id) or d for d in queued]
    _rows, pause = send_due(cfg, store, rows, clock, {c.name: c for c in channels}, progress)
    wanted = {c.name for c in channels}
    final = [d for d in store.deliveries(release=release.slug)
             if d.channel in wanted and d.release_slug == release.slug]  # not its corrections
    now, tz = clock.now(), zone(cfg.timezone)
    notes = []
    if back:
        notes.append(_("the release changed since it was approved (or was never approved): {channels} need "
                       "approval again; nothing of it is sent.").format(
                           channels=", ".join(d.channel for d in back)))
    for d in rejected:
        notes.append(_("{channel}: {why}; edit the release and publish it again to ask for approval.").format(
            channel=d.channel, why=d.last_error or _("rejected")))
    waiting = [d.channel for d in final if d.status == "awaiting_approval"]
    if waiting:
        notes.append(approval_message(release.slug, waiting, cfg.approvers, release.content_hash))
    if embargo_active(release, now):
        notes.append(embargo_message(release, tz))
    if pause is not None:
        notes.append(pause_message(pause, tz))
    return Outcome(release, final, pause, notes, warnings)


# -- approve / reject ------------------------------------------------------------------------------
@dataclass
class Decision(Outcome):
    """An approval or rejection: the decision row as the store recorded it, and its deliveries."""

    decision: dict[str, Any] = field(default_factory=dict)


def approve(cfg: Config, store: Store, slug: str, actor: str, *, note: str | None = None,
            channels: Collection[str] | None = None, expect_hash: str | None = None,
            clock: Clock | None = None) -> Decision:
    """Record the approval of the release as stored, then send what it made due now."""
    from .controls import embargo_active, embargo_message, pause_message
    from .timezones import zone

    clock = clock or SystemClock()
    now = clock.now()
    decision, rows = store.approve(slug, actor, now, note=note, channels=list(channels or []) or None,
                                   expect_hash=expect_hash)
    rows, pause = send_due(cfg, store, rows, clock)
    stored = store.release_by_slug(slug)
    tz = zone(cfg.timezone)
    notes = []
    if stored is not None and embargo_active(stored, now):
        notes.append(embargo_message(stored, tz))
    if pause is not None:
        notes.append(pause_message(pause, tz))
    idle = [d.channel for d in rows if d.status == "queued" and d.channel not in cfg.channel_names()]
    if idle:
        notes.append(_("{channels} not enabled in channels.toml: enable it, then `crosspost run`.").format(
            channels=", ".join(idle)))
    return Decision(stored, rows, pause, notes, decision=decision)


def reject(store: Store, slug: str, actor: str, reason: str, *, channels: Collection[str] | None = None,
           clock: Clock | None = None) -> Decision:
    """Cancel everything of the release not yet sent and record why."""
    why = " ".join(reason.split())
    if not why:
        raise InputError(_("--reason needs a few words: the editors read it in the log"))
    decision, rows = store.reject(slug, actor, why, (clock or SystemClock()).now(),
                                  channels=list(channels or []) or None)
    return Decision(store.release_by_slug(slug), rows, None, [], decision=decision)


# -- correct ---------------------------------------------------------------------------------------
@dataclass
class Correction(Outcome):
    """A correction (ralat): the plan that was (or, dry run, would be) queued."""

    plan: CorrectionPlan | None = None


def plan_correction(cfg: Config, slug: str, ralat: Ralat, clock: Clock | None = None, *,
                    again: bool = False) -> tuple[Store, CorrectionPlan]:
    """The correction of release ``slug`` as it would be queued; refuses a release never published,
    and the same ralat text already made for it (its links are named) unless ``again``: running
    `crosspost correct` twice must not post two replies or add two notes."""
    from .correct import plan_correction as plan
    from .logbook import open_log

    if not cfg.database.is_file():
        raise InputError(_("no delivery log at {database}: release '{slug}' was never published from this "
                           "folder (see `crosspost status`)").format(database=cfg.database, slug=slug))
    store = open_log(cfg)
    slug = release_slug(cfg, store, slug)
    if not again:
        _refuse_same_correction(store, slug, ralat)
    return store, plan(store, cfg.channel, slug, ralat, (clock or SystemClock()).now(), cfg.timezone,
                       cfg.templates_dir)


def _same_note(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _refuse_same_correction(store: Store, slug: str, ralat: Ralat) -> None:
    """InputError (exit 2) naming the earlier correction of ``slug`` with this very text and where it
    went; `--again` sends a second one on purpose."""
    wanted = _same_note(ralat.note)
    earlier: dict[str, list[Delivery]] = {}
    for d, variant in store.corrections_of(slug):
        if _same_note(variant.extra.get("note", "")) == wanted:
            earlier.setdefault(d.release_slug, []).append(d)
    if not earlier:
        return
    name, rows = next(iter(earlier.items()))
    where = "; ".join(f"{d.channel} {d.status}" + (f" {d.url}" if d.url else f" (#{d.id})") for d in rows)
    raise InputError(_("this ralat was already made for '{slug}' as {correction}: {where}. Nothing new is "
                       "queued; `crosspost status {slug}` shows it (a failed one: `crosspost retry ID`). To "
                       "send a second correction with the same text on purpose, add --again").format(
                           slug=slug, correction=name, where=where))


def correct(cfg: Config, store: Store, plan: CorrectionPlan, clock: Clock | None = None) -> Correction:
    """Queue the planned correction as its own release and send what is due now."""
    clock = clock or SystemClock()
    if any(p.severity == "error" for p in plan.problems):
        raise InputError(_("nothing queued: the correction cannot be sent as it is; fix the ralat file"))
    awaiting = {n for n, ch in plan.channels.items() if getattr(ch.settings, "require_approval", False)}
    _id, queued = store.save_correction(plan.original.slug, plan.release, plan.variants, clock.now(),
                                        awaiting=awaiting)
    send_due(cfg, store, queued, clock, plan.channels)
    final = [d for d in store.deliveries(release=plan.release.slug) if d.release_slug == plan.release.slug]
    return Correction(plan.release, final, None, [], plan=plan)


__all__ = ["PROBLEM_STATUSES", "Correction", "Decision", "Outcome", "approve", "check_publishable", "correct",
           "due_now", "exit_code", "expiry_warnings", "plan_correction", "prepare", "publish", "queue_engine",
           "reject", "release_slug", "schedule", "send_due"]
