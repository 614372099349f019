"""Release -> one checked Variant per channel: render the channel's template, let the
channel fit it to its limits, collect every Problem. Sends nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .channels.base import Channel
from .chapters import video_chapters
from .controls import accessibility_problems
from .models import Problem, Release, Variant
from .stat_once import looking_once
from .templating import plain, render, tanggal
from .text import plain_paragraphs


@dataclass(frozen=True)
class Adapted:
    """A channel's variant and what is wrong with it."""

    channel: Channel
    variant: Variant | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.variant is not None and not any(p.severity == "error" for p in self.problems)


def release_context(release: Release) -> dict[str, Any]:
    """The part of every template's context that is the release's alone, already template data
    (templating.plain): built once per release, not once per channel (bench/adapt_bench.py)."""
    paragraphs = plain_paragraphs(release.body)
    return {
        "release": plain(release),
        "title": release.title,
        "summary": release.summary,
        "paragraphs": paragraphs,
        "text": "\n\n".join(paragraphs),
        "hashtags": list(release.hashtags),
        "date": tanggal(release.date),
        "chapters": video_chapters(release.body),  # youtube.j2's chapter lines (crosspost/chapters.py)
    }


_CHANNEL_DATA: dict[int, tuple[Any, Any]] = {}  # id(settings or limits) -> (the object, its plain form)


def _plain_once(obj: Any) -> Any:
    """A channel's settings or limits as template data, computed once per object (both frozen)."""
    held = _CHANNEL_DATA.get(id(obj))
    if held is None or held[0] is not obj:
        if len(_CHANNEL_DATA) > 256:
            _CHANNEL_DATA.clear()
        held = _CHANNEL_DATA[id(obj)] = (obj, plain(obj))
    return held[1]


def template_context(release: Release, channel: Channel, shared: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
    """What every channel template can use; documented in the README. ``shared`` is
    release_context(release), when the caller has it already."""
    return {
        **(shared if shared is not None else release_context(release)),
        "link": channel.release_link(release) or "",
        "channel": channel.name,
        "settings": _plain_once(channel.settings),
        "limits": _plain_once(channel.limits),
    }


def adapt_one(release: Release, channel: Channel, templates_dir: Path | None = None,
              shared: dict[str, Any] | None = None) -> Adapted:
    template = getattr(channel.settings, "template", "") or f"{channel.platform}.j2"
    text = render(template, template_context(release, channel, shared), templates_dir, prepared=True)
    variant, problems = channel.build_variant(release, text)
    problems = [*problems, *accessibility_problems(release, channel)]  # the accessibility gate
    return Adapted(channel, variant, tuple(problems))


def adapt(release: Release, channels: list[Channel], templates_dir: Path | None = None) -> list[Adapted]:
    """Adapt for every channel, in the given order.

    The article goes first: when the release names no ``link``, the social posts point at
    the article the website channel (static site or WordPress) will publish.
    """
    with looking_once():  # each media file stat'ed once for all channels (crosspost/stat_once.py)
        return _adapt(release, channels, templates_dir)


def _adapt(release: Release, channels: list[Channel], templates_dir: Path | None) -> list[Adapted]:
    websites = [ch for ch in channels if ch.article]
    shared = release_context(release)
    done = {ch.name: adapt_one(release, ch, templates_dir, shared) for ch in websites}
    if not release.link:
        link = next((a.variant.link for a in done.values() if a.variant and a.variant.link), None)
        if link:
            release = replace(release, link=link)
            shared = {**shared, "release": {**shared["release"], "link": link}}  # all else is the same
    return [done.get(ch.name) or adapt_one(release, ch, templates_dir, shared) for ch in channels]
