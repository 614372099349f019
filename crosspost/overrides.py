"""Per-release overrides of one channel's text, title, summary or hashtags, from the front matter.

Buffer, Hootsuite and Postiz let staff write the X text or the YouTube title for one post; the
office-wide template is the wrong lever for that. So the front matter may say, keyed by the
channel's name in channels.toml::

    channels:
      twitter: {text: "Teks khusus untuk X ... {link}"}
      youtube: {title: "Judul video yang lebih pendek"}
      instagram: {hashtags: [KemensosHadir, HariDisabilitas]}

``title``, ``summary`` and ``hashtags`` replace the release's own for that channel (its template
then renders as usual); ``text`` replaces the rendered template altogether (``{link}`` becomes
the release link; on X the channel places the link itself, so ``{link}`` is dropped there). An
overridden variant is checked against the platform's limits like any other, and a problem it
causes names the override, so the operator knows which line to fix. An overridden title is used
exactly as written: a channel that would shorten the release's title refuses an override that
does not fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .i18n import _
from .models import Problem, Release

if TYPE_CHECKING:
    from .adapt import Adapted
    from .channels.base import Channel

KEYS = ("text", "title", "summary", "hashtags")
# Which problem fields an override is to blame for.
FIELDS = {"text": ("text", "description", "caption", "parts"), "title": ("title",),
          "summary": ("text", "description", "caption", "parts"), "hashtags": ("hashtags", "text")}


def read_overrides(raw: Any, err: Callable[[str], Exception]) -> dict[str, dict[str, Any]]:
    """The front matter's ``channels:`` mapping, checked; ``err(message)`` makes the InputError
    that points at the front-matter line."""
    if raw in (None, "", {}):
        return {}
    example = "channels: {twitter: {text: \"...\"}, youtube: {title: \"...\"}}"
    if not isinstance(raw, dict):
        raise err(_("channels: must map a channel's name to what to change for it, e.g. {example}").format(
            example=example))
    out: dict[str, dict[str, Any]] = {}
    for name, table in raw.items():
        if not isinstance(table, dict) or not table:
            raise err(_("channels.{name} must be a mapping of {keys}, e.g. {example}").format(
                name=name, keys=", ".join(KEYS), example=example))
        unknown = sorted(str(k) for k in table if k not in KEYS)
        if unknown:
            raise err(_("channels.{name}: unknown key(s) {keys}; allowed: {allowed}").format(
                name=name, keys=", ".join(unknown), allowed=", ".join(KEYS)))
        clean: dict[str, Any] = {}
        for key, value in table.items():
            if key == "hashtags":
                items = [value] if isinstance(value, str) else value
                if not isinstance(items, list) or not all(isinstance(t, (str, int)) for t in items):
                    raise err(_("channels.{name}.hashtags must be a list, e.g. [KemensosHadir]").format(
                        name=name))
                clean[key] = [str(t) for t in items]
            elif not isinstance(value, str) or not value.strip():
                raise err(_("channels.{name}.{key} must be text").format(name=name, key=key))
            else:
                clean[key] = value.strip() if key != "text" else value.strip("\n")
        out[str(name)] = clean
    return out


def override_for(release: Release, channel: Channel) -> dict[str, Any]:
    """The overrides the release gives this channel: by its name, else by its platform's."""
    table = release.channel_overrides
    return table.get(channel.name) or table.get(channel.platform) or {}


def unknown_names(release: Release, configured: list[str], platforms: list[str]) -> list[str]:
    """Override keys that name no configured channel (a typo would silently change nothing)."""
    return [n for n in release.channel_overrides if n not in configured and n not in platforms]


def _with_fields(release: Release, override: dict[str, Any]) -> Release:
    from .hashtags import normalise_hashtags

    changes: dict[str, Any] = {k: override[k] for k in ("title", "summary") if k in override}
    if "hashtags" in override:
        changes["hashtags"] = normalise_hashtags(override["hashtags"])[0]
    return replace(release, **changes) if changes else release


def adapt_one_overridden(release: Release, channel: Channel, templates_dir: Path | None,
                         adapt_one: Callable[..., Adapted]) -> Adapted:
    """The channel's variant with its overrides applied and every problem they cause named."""
    from .adapt import Adapted
    from .controls import accessibility_problems

    override = override_for(release, channel)
    if not override:
        return adapt_one(release, channel, templates_dir)
    changed = _with_fields(release, override)
    if "text" in override:
        link = "" if getattr(channel, "places_link", False) else channel.release_link(changed) or ""
        text = override["text"].replace("{link}", link).strip()
        variant, problems = channel.build_variant(changed, text)
        problems = [*problems, *accessibility_problems(changed, channel)]
        done = Adapted(channel, variant, tuple(problems))
    else:
        done = adapt_one(changed, channel, templates_dir)
    extra: list[Problem] = []
    title = override.get("title")
    if title and done.variant is not None and done.variant.title not in (None, title):
        extra.append(channel.problem("title", _(
            "the title set in channels.{name}.title does not fit: shorten it there (an overridden "
            "title is used exactly as written)").format(name=channel.name),
            getattr(channel.limits, "title_chars", None), len(title)))
    named = [_named(p, override, channel.name) for p in done.problems
             if not (extra and p.field == "title" and p.severity == "warning")]
    return Adapted(channel, done.variant, (*named, *extra))


def _named(problem: Problem, override: dict[str, Any], name: str) -> Problem:
    keys = [k for k in override if problem.field in FIELDS[k]
            or (k in ("text", "summary") and problem.field.startswith("parts["))]
    if not keys:
        return problem
    where = ", ".join(f"channels.{name}.{k}" for k in keys)
    note = _("(set by {where} in the release)").format(where=where)
    return replace(problem, message=f"{problem.message} {note}")


def adapt_overridden(release: Release, channels: list[Channel], templates_dir: Path | None,
                     adapt: Callable[..., list[Adapted]]) -> list[Adapted]:
    """crosspost.adapt.adapt with the release's per-channel overrides (adapt itself when none):
    the article first, its link given to the rest."""
    from .adapt import adapt_one

    if not release.channel_overrides:
        return adapt(release, channels, templates_dir)
    def one(rel: Release, ch: Channel) -> Adapted:
        return adapt_one_overridden(rel, ch, templates_dir, adapt_one)

    done = {ch.name: one(release, ch) for ch in channels if ch.article}
    if not release.link:
        link = next((a.variant.link for a in done.values() if a.variant and a.variant.link), None)
        if link:
            release = replace(release, link=link)
    return [done.get(ch.name) or one(release, ch) for ch in channels]
