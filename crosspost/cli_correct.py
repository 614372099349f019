"""`crosspost correct RELEASE --file ralat.md`: publish a correction (ralat) everywhere the
original went. The rules live in crosspost.correct; this module only wires options, output
and exit codes."""

from __future__ import annotations

from pathlib import Path

import typer

from .errors import EXIT_FAILED, EXIT_OK, InputError
from .i18n import N_, _


def correct(
    release: str = typer.Argument(..., metavar="RELEASE", help=_("The slug of the published release "
                                                                 "(see `crosspost status`).")),
    file: Path = typer.Option(..., "--file", "-f", help=_("The correction: Markdown, optional front "
                                                          "matter with title:; the text is the correction "
                                                          "itself.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Show what would be sent; write and send "
                                                            "nothing.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print machine-readable JSON instead of tables.")),
) -> None:
    """Publish a correction (ralat) to every channel the release reached.

    The website article gets a dated note on top (its earlier version stays online as
    versi-N.html), Facebook posts and YouTube descriptions are edited, X gets a reply and
    Instagram a comment linking the article. Channels where the original was not sent are
    skipped with a note. Exit 0 when every correction is sent (or queued), 1 when some failed
    or are unknown, 2 when the release was never published or the ralat is invalid.
    """
    from . import render
    from .cli_common import config as load_cfg
    from .clock import SystemClock
    from .correct import load_ralat, plan_correction

    cfg = load_cfg()
    ralat = load_ralat(file)
    if not cfg.database.is_file():
        raise InputError(_("no delivery log at {database}: release '{slug}' was never published from this "
                           "folder (see `crosspost status`)").format(database=cfg.database, slug=release))
    from .logbook import open_log

    store = open_log(cfg)
    clock = SystemClock()
    plan = plan_correction(store, cfg.channel, release, ralat, clock.now(), cfg.timezone, cfg.templates_dir)
    err = render.console(stderr=True)
    notes = [f"{s.channel}: {s.reason}" for s in plan.skipped] + list(ralat.warnings)
    bad = [p for p in plan.problems if p.severity == "error"]
    if bad:
        for p in bad:
            err.print(f"{p.channel}: {p.message}" + (f" ({p.actual}/{p.limit})" if p.limit else ""),
                      markup=False)
        raise InputError(_("nothing queued: the correction cannot be sent as it is; fix the ralat file"))
    if dry_run:
        if as_json:
            render.print_json(_doc(plan, [], notes, dry_run=True))
        else:
            for v in plan.variants:
                render.console().print(f"--- {v.channel} ({_(_action(v.kind))})\n{_shown(v)}", markup=False)
            for n in notes:
                err.print(n, markup=False)
            render.console().print(_("dry run: {n} correction(s) as {slug}; nothing written, nothing "
                                     "sent.").format(n=len(plan.variants), slug=plan.release.slug),
                                   markup=False)
        raise typer.Exit(EXIT_OK)
    from .deliver import Engine

    awaiting = {n for n, ch in plan.channels.items() if getattr(ch.settings, "require_approval", False)}
    _id, deliveries = store.save_correction(release, plan.release, plan.variants, clock.now(),
                                            awaiting=awaiting)
    due = [d.id for d in deliveries if d.status == "queued" and (d.not_before or 0) <= clock.now()]
    if due:
        Engine(store, plan.channels, clock).run_once(delivery_ids=due)
    final = [d for d in store.deliveries(release=plan.release.slug) if d.release_slug == plan.release.slug]
    if as_json:
        render.print_json(_doc(plan, final, notes))
    else:
        from .timezones import zone

        render.console().print(render.deliveries_table(final, zone(cfg.timezone),
                                                       title=f"{plan.release.title} ({plan.release.slug})"))
        for n in notes:
            err.print(n, markup=False)
    ok = all(d.status in ("sent", "queued", "awaiting_approval") for d in final)
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


def _action(kind: str) -> str:
    """In English (it is also a JSON value); translate it with _() where people read it."""
    return {"website": N_("note on the article"), "facebook": N_("post edited"),
            "youtube": N_("description edited"), "twitter": N_("reply"),
            "instagram": N_("comment")}.get(kind, N_("new post"))


def _shown(v) -> str:
    if v.kind == "website":
        return f"Ralat, {v.extra.get('label')}: {v.extra.get('note')}"
    return v.text


def _doc(plan, deliveries, notes, dry_run: bool = False) -> dict:
    from . import render

    doc = {"original": plan.original.slug, "correction": plan.release.slug, "title": plan.release.title,
           "dry_run": dry_run, "skipped": [{"channel": s.channel, "reason": s.reason} for s in plan.skipped],
           "notes": notes,
           "variants": [{"channel": v.channel, "kind": v.kind, "action": _action(v.kind), "text": _shown(v)}
                        for v in plan.variants]}
    if not dry_run:
        doc["deliveries"] = [render.delivery_json(d) for d in deliveries]
    return doc


def register(app: typer.Typer) -> None:
    app.command("correct", help=_(
        "Publish a correction (ralat) to every channel the release reached.\n\nThe website article gets a "
        "dated note on top (its earlier version stays online as versi-N.html), Facebook posts and YouTube "
        "descriptions are edited, X gets a reply and Instagram a comment linking the article. Channels "
        "where the original was not sent are skipped with a note. Exit 0 when every correction is sent "
        "(or queued), 1 when some failed or are unknown, 2 when the release was never published or the "
        "ralat is invalid."))(correct)
