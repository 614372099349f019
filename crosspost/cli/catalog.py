"""Every command by name: the module that registers it, the first paragraph of its help (what the
command list and shell completion show), hidden or not. Written by scripts/cli_catalog.py from the
modules (do not edit by hand); tests/test_cli_catalog.py checks it. See crosspost/cli/lazy_group.py."""

from __future__ import annotations

from ..i18n import N_

# (name, module under crosspost/cli/, hidden, summary), in the order the commands are listed
COMMANDS: tuple[tuple[str, str, bool, str], ...] = (
    ("preview", "publish", False,
     N_("Show every channel's variant, its length against the platform's limit, and every problem.")),
    ("publish", "publish", False,
     N_("Adapt, check, queue and deliver a release to every enabled channel, and log the result.")),
    ("status", "status", False,
     N_("What went out, where, when, with which link, and what failed and why.")),
    ("log", "status", False,
     N_("The append-only event log: every state change of every delivery, newest first.")),
    ("run", "queue", False,
     N_("Send every delivery that is due: reap stale leases, settle unknowns, retry what may be "
        "retried.")),
    ("queue", "queue", False,
     N_("What is waiting and when: queued (and when it is due), sending, unknown, awaiting approval.")),
    ("retry", "queue", False,
     N_("Queue a failed delivery again (after `crosspost auth`, or once the problem is fixed).")),
    ("cancel", "queue", False,
     N_("Stop a delivery (or every pending delivery of a release) from being sent.")),
    ("resolve", "queue", False,
     N_("Settle an `unknown` delivery after checking the platform by hand.")),
    ("auth", "auth", False,
     N_("Store a channel's credentials (hidden prompts; OS keyring or a 0600 file).")),
    ("init", "init", False,
     N_("Create channels.toml (commented), templates/ and an example release with images.")),
    ("approve", "controls", False,
     N_("Approve a release that awaits approval: it is sent now, or at its scheduled time.")),
    ("reject", "controls", False,
     N_("Withdraw a release: everything of it not yet sent is cancelled and marked rejected.")),
    ("pause", "controls", False,
     N_("Stop every delivery from every process (cron included) at once, until `crosspost resume`.")),
    ("resume", "controls", False,
     N_("Lift the office-wide pause; the next `crosspost run` (or cron) sends what is due.")),
    ("report", "report", False,
     N_("Evaluation report: per channel and section, success rate, waiting times, causes, weekly "
        "volume.")),
    ("audit", "report", False,
     N_("Audit export (who drafted, approved, paused, corrected; text sent; answers) or --verify the "
        "log.")),
    ("correct", "correct", False,
     N_("Publish a correction (ralat) to every channel the release reached.")),
    ("doctor", "doctor", False,
     N_("Check channels.toml, credentials (and that they still work), templates, the database, free "
        "disk space and the website's links. Exit 0 when nothing failed (warnings allowed), 1 "
        "otherwise.")),
    ("show", "show", False,
     N_("The release as the log holds it (what `approve` sends): each channel's variant, the content "
        "hash and the history.")),
    ("db", "db", False,
     N_("The delivery log itself: move it to PostgreSQL.")),
    ("inbox", "inbox", False,
     N_("The public's replies to the office's posts, newest first, complaints (aduan) flagged.")),
    ("metrics", "metrics", False,
     N_("Reach and interactions of the office's posts, as the platforms report them.")),
)
