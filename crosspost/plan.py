"""What `publish` would do, said before it does it: the warnings, the future date, the queue plan.

`publish` used to hide what `preview` shows (a .docx dated by its file time, a photo dropped) and
`--dry-run` said only "1 variant(s) valid". Here is, as data, what both print: every warning of
the release and its variants, and per channel what would be queued, when and where. And a
release dated ahead (18 days, say) is not published now without a word: publish asks whether to
send it at its date (``--at release``) or now (``--now``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from .errors import InputError
from .i18n import _
from .models import Release

if TYPE_CHECKING:
    from .adapt import Adapted
    from .routing import Skipped

FUTURE_TOLERANCE = 15 * 60.0  # seconds: a release dated "09:00" published at 08:50 is not "ahead"


def warnings(release: Release, adapted: Sequence[Adapted]) -> list[str]:
    """Every warning preview shows, one line each: the release's, then each channel's."""
    lines = list(release.warnings)
    for a in adapted:
        lines += [f"{a.channel.name}: {p.field}: {p.message}" for p in a.problems if p.severity == "warning"]
    return lines


def check_future(release: Release, at: str | None, now_flag: bool, now: float, tz: tzinfo) -> None:
    """Refuse (exit 2) a release dated ahead when neither ``--at`` nor ``--now`` says what to do."""
    if at and now_flag:
        raise InputError(_("give --at or --now, not both"))
    if at or now_flag or release.date.timestamp() <= now + FUTURE_TOLERANCE:
        return
    if release.embargo is not None:  # the embargo already says when it goes out
        return
    raise InputError(_("the release is dated {when}, in the future: publish it with --at release to send it "
                       "then (cron's `crosspost run` sends it), or with --now to send it now").format(
                           when=release.date.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")))


@dataclass(frozen=True)
class Step:
    """One delivery publish would queue: the channel, when it goes and where it lands."""

    channel: str
    platform: str
    when: str
    where: str

    def line(self) -> str:
        return _("would queue {channel} ({platform}): {when}; {where}").format(
            channel=self.channel, platform=self.platform, when=self.when, where=self.where)


def queue_plan(release: Release, adapted: Sequence[Adapted], not_before: float | None, now: float,
               tz: tzinfo) -> list[Step]:
    """Per channel, what `publish` would queue, when it would go out and where."""
    from .controls import embargo_active

    def at(ts: float) -> str:
        return datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M %Z")

    steps = []
    for a in adapted:
        if a.variant is None:
            continue
        if getattr(a.channel.settings, "require_approval", False):
            when = _("awaiting approval (`crosspost approve`)")
        elif embargo_active(release, now) and release.embargo is not None:
            when = _("after the embargo, {when}").format(when=at(release.embargo.timestamp()))
        elif not_before is not None and not_before > now:
            when = _("at {when} (cron's `crosspost run`)").format(when=at(not_before))
        else:
            when = _("now")
        link = a.variant.link or ""
        where = (_("the article {url}").format(url=link) if a.channel.article and link
                 else _("a post linking {url}").format(url=link) if link else _("a post without a link"))
        steps.append(Step(a.channel.name, a.channel.platform, when, where))
    return steps


def skipped_lines(skipped: Sequence[Skipped]) -> list[str]:
    return [s.line() for s in skipped]
