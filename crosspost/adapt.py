"""Release -> one checked Variant per channel: render the channel's template, let the
channel fit it to its limits, collect every Problem. Sends nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .channels.base import Channel
from .controls import accessibility_problems
from .models import Problem, Release, Variant
from .templating import render, tanggal
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


def template_context(release: Release, channel: Channel) -> dict[str, Any]:
    """What every channel template can use; documented in the README."""
    settings = channel.settings
    paragraphs = plain_paragraphs(release.body)
    return {
        "release": release,
        "title": release.title,
        "summary": release.summary,
        "paragraphs": paragraphs,
        "text": "\n\n".join(paragraphs),
        "link": channel.release_link(release) or "",
        "hashtags": list(release.hashtags),
        "date": tanggal(release.date),
        "channel": channel.name,
        "settings": settings,
        "limits": channel.limits,
    }


def adapt_one(release: Release, channel: Channel, templates_dir: Path | None = None) -> Adapted:
    template = getattr(channel.settings, "template", "") or f"{channel.platform}.j2"
    text = render(template, template_context(release, channel), templates_dir)
    variant, problems = channel.build_variant(release, text)
    problems = [*problems, *accessibility_problems(release, channel)]  # the accessibility gate
    return Adapted(channel, variant, tuple(problems))


def adapt(release: Release, channels: list[Channel], templates_dir: Path | None = None) -> list[Adapted]:
    """Adapt for every channel, in the given order.

    The article goes first: when the release names no ``link``, the social posts point at
    the article the website channel (static site or WordPress) will publish.
    """
    websites = [ch for ch in channels if ch.article]
    done = {ch.name: adapt_one(release, ch, templates_dir) for ch in websites}
    if not release.link:
        link = next((a.variant.link for a in done.values() if a.variant and a.variant.link), None)
        if link:
            release = replace(release, link=link)
    return [done.get(ch.name) or adapt_one(release, ch, templates_dir) for ch in channels]
