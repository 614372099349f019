"""Which of the chosen channels apply to a release, and why the others are skipped.

Humas picks the right medium for each message: an office with all five channels on publishes a
text-only release to the website, X and Facebook, and YouTube (no video) and Instagram (no image)
simply do not apply. Refusing the whole release instead would keep even the website from going
out. A channel is skipped when

- its ``sections = [...]`` in channels.toml does not list the release's section, or its
  ``requires = ["image"]`` (or ``"video"``) names what the release does not carry, or
- its platform cannot carry the release at all (``Channel.cannot_carry``).

A channel the operator named with ``--channel`` is never skipped for what the release lacks: it
was asked for, so its variant is built and its problem shown as an error.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .channels.base import Channel
from .i18n import _
from .models import Release


@dataclass(frozen=True)
class Skipped:
    """A channel left out of this release, with the one-line reason the summary shows."""

    channel: str
    platform: str
    reason: str

    def line(self) -> str:
        return _("{channel}: skipped, {reason}").format(channel=self.channel, reason=self.reason)


CARRIES = ("image", "video")


def section_reason(release: Release, channel: Channel) -> str | None:
    """The reason ``sections`` or ``requires`` routes the release past the channel, or None."""
    sections = tuple(getattr(channel.settings, "sections", ()) or ())
    if sections and release.section not in sections:
        return _("section {section} is not in its sections ({sections})").format(
            section=release.section, sections=", ".join(sections))
    for need in tuple(getattr(channel.settings, "requires", ()) or ()):
        if need not in CARRIES:
            from .errors import ConfigError

            raise ConfigError(_("[channels.{name}] requires may list {allowed}, not '{value}'").format(
                name=channel.name, allowed=", ".join(CARRIES), value=need))
        has = bool(release.images) if need == "image" else release.video is not None or bool(release.video_id)
        if not has:
            what = _("an image") if need == "image" else _("a video")
            return _("it requires {what} and this release has none").format(what=what)
    return None


def route(release: Release, channels: Sequence[Channel], named: Collection[str] = ()
          ) -> tuple[list[Channel], list[Skipped]]:
    """(channels that apply, channels skipped with why), in the given order. ``named``: the
    channels the operator chose by name, which are never skipped."""
    keep: list[Channel] = []
    skipped: list[Skipped] = []
    for ch in channels:
        reason = None if ch.name in named else section_reason(release, ch) or ch.cannot_carry(release)
        if reason:
            skipped.append(Skipped(ch.name, ch.platform, reason))
        else:
            keep.append(ch)
    return keep, skipped
