"""Government controls that decide whether anything may go out: approval, embargo, the
office-wide pause and the accessibility gate.

Where each rule is enforced, and why there:

- **Embargo** and **pause** live in ``Store.claim`` (one IMMEDIATE transaction), because every
  way of sending (publish, run, retry, approve, cron, several processes at once) goes through a
  claim: nothing can get around a rule that the claim itself applies. The engine also checks the
  pause just before ``publish()`` so a pause issued after a claim still holds that delivery.
- **Approval** is a delivery status (``awaiting_approval``) that the claim never takes; the
  approval row records the content hash and the exact variants approved, and a republish of an
  edited release sends approved-but-unsent deliveries back for approval.
- **Accessibility** is checked while adapting (this module's ``accessibility_problems``): an
  image without alt text is an error Problem, so ``publish`` refuses to queue anything.

No I/O here besides ``Path.is_file``; the store and the CLI do the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from .i18n import _
from .models import Problem, Release

CAPTION_SUFFIXES = (".vtt", ".srt")


@dataclass(frozen=True)
class AccessibilitySettings:
    """[accessibility] in channels.toml (a channel may override both keys in its own table)."""

    require_alt: bool = True  # refuse to queue a release with an image that has no alt text
    require_captions: bool = False  # refuse to queue a video without a captions file (captions:)


def channel_accessibility(base: AccessibilitySettings, table: Mapping[str, Any]) -> AccessibilitySettings:
    """The office's settings with a channel's own ``require_alt`` / ``require_captions`` applied."""
    return replace(base, **{k: table[k] for k in ("require_alt", "require_captions") if k in table})


def accessibility_problems(release: Release, channel: Any) -> list[Problem]:
    """Error Problems for what a reader with a screen reader (or without sound) would miss.

    ``channel.accessibility`` is set by the config; a channel built without one (tests, tools)
    gets the defaults: alt text required, captions not.
    """
    settings = getattr(channel, "accessibility", None) or AccessibilitySettings()
    out: list[Problem] = []
    if settings.require_alt:
        for i, image in enumerate(release.images, 1):
            if not image.alt.strip():
                out.append(Problem(
                    channel.name, "alt",
                    _("image {n} ({file}) has no alt text, which blind readers need; add alt: under images: "
                      "in the front matter, e.g. `- path: {file}` followed by "
                      "`  alt: \"Mensos menyerahkan bantuan ...\"`").format(n=i, file=image.path.name)))
    if settings.require_captions and release.video is not None and not release.video_id:
        captions = getattr(release, "captions", None)
        if captions is None:
            out.append(Problem(
                channel.name, "captions",
                _("the video {file} has no captions file, which {channel} requires; add captions: "
                  "subtitles/liputan.id.vtt (a .vtt or .srt file beside the release) to the front matter, "
                  "or set require_captions = false for this channel in channels.toml").format(
                      file=release.video.path.name, channel=channel.name)))
        elif not captions.is_file():
            out.append(Problem(channel.name, "captions",
                               _("captions file not found: {file}").format(file=captions)))
    return out


# -- messages the CLI prints ------------------------------------------------------------------------
def when_text(ts: float | datetime | None, tz: tzinfo) -> str:
    if ts is None:
        return ""
    value = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, tz)
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z").strip()


def pause_message(pause: Mapping[str, Any], tz: tzinfo) -> str:
    text = (_("office-wide pause since {at} until {until}, by {actor}: {reason}.") if pause.get("until")
            else _("office-wide pause since {at}, by {actor}: {reason}."))
    return (text.format(at=when_text(pause["at"], tz), until=when_text(pause.get("until"), tz),
                        actor=pause["actor"], reason=pause["reason"]) + " "
            + _("Nothing is sent; queued deliveries keep their place. `crosspost resume --by NAME` lifts "
                "it."))


def embargo_active(release: Release, now: float) -> bool:
    return release.embargo is not None and release.embargo.timestamp() > now


def embargo_message(release: Release, tz: tzinfo) -> str:
    return _("embargoed until {when}: nothing of this release goes out on any channel before then (the "
             "website page is not written either); the deliveries stay queued and `crosspost run` sends "
             "them after the embargo.").format(when=when_text(release.embargo, tz))


def approval_message(slug: str, channels: list[str], approvers: tuple[str, ...], content_hash: str) -> str:
    who = (" " + _("or") + " ").join(approvers) if approvers else _("the person who approves publications")
    return _("awaiting approval ({channels}): nothing is sent until {who} approves.\n"
             "  approve: crosspost approve {slug} --by NAME --hash {hash}\n"
             "  reject:  crosspost reject {slug} --by NAME --reason \"...\"\n"
             "  (the page for the approver: `crosspost show {slug} --html FILE`)").format(
                 channels=", ".join(channels), who=who, slug=slug, hash=content_hash[:12])


__all__ = ["AccessibilitySettings", "accessibility_problems", "approval_message", "channel_accessibility",
           "embargo_active", "embargo_message", "pause_message", "when_text"]
