"""`crosspost correct RELEASE --file ralat.md`: publish a correction (ralat) everywhere the
original went. The rules live in crosspost.correct and crosspost.publishing; this module only
wires options, output and exit codes."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_OK
from ..i18n import N_, _
from .common import STATE, example_epilog
from .completion import release_handles
from .controls import SlugArg


def correct(
    release: str = typer.Argument(..., metavar="RELEASE", help=SlugArg, autocompletion=release_handles),
    file: Path = typer.Option(..., "--file", "-f", help=_("The correction: Markdown, optional front "
                                                          "matter with title:; the text is the correction "
                                                          "itself.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Show what would be sent; write and send "
                                                            "nothing.")),
    again: bool = typer.Option(False, "--again", help=_("Send this correction even though the same text "
                                                        "was already sent for this release (a second "
                                                        "reply, a second note).")),
) -> None:
    from .. import publishing
    from ..correct import load_ralat
    from . import render
    from .common import config, tz

    cfg = config()
    ralat = load_ralat(file)
    store, plan = publishing.plan_correction(cfg, release, ralat, again=again)
    err = render.console(stderr=True)
    notes = [f"{s.channel}: {s.reason}" for s in plan.skipped] + list(ralat.warnings)
    bad = [p for p in plan.problems if p.severity == "error"]
    for p in bad:
        err.print(f"{p.channel}: {p.message}" + (f" ({p.actual}/{p.limit})" if p.limit else ""), markup=False)
    if dry_run and not bad:
        if STATE.json:
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
    done = publishing.correct(cfg, store, plan)
    if STATE.json:
        render.print_json(_doc(plan, done.deliveries, notes))
    else:
        render.print_deliveries(render.console(), done.deliveries, tz(cfg),
                                title=f"{plan.release.title} ({plan.release.slug})")
        for n in notes:
            err.print(n, markup=False)
    raise typer.Exit(done.exit_code)


def _action(kind: str) -> str:
    """In English (it is also a JSON value); translate it with _() where people read it."""
    return {"website": N_("note on the article"), "facebook": N_("post edited"),
            "wordpress": N_("note on the article"),
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
    app.command("correct",
        epilog=example_epilog("correct"),
        help=_(
        "Publish a correction (ralat) to every channel the release reached.\n\nThe website article gets a "
        "dated note on top (its earlier version stays online as versi-N.html), Facebook posts and YouTube "
        "descriptions are edited, X gets a reply and Instagram a comment linking the article. Channels "
        "where the original was not sent are skipped with a note. Exit 0 when every correction is sent "
        "(or queued), 1 when some failed or are unknown, 2 when the release was never published, the "
        "ralat is invalid, or the same ralat was already made (its links are shown; --again sends it "
        "once more on purpose)."))(correct)
