"""Corrections (ralat): one correction text sent to every channel the original release reached.

A published government statement is a public record, so a mistake is corrected in the open,
never silently rewritten: the website page gets a dated note on top (its earlier version kept
beside it), Facebook posts and YouTube descriptions are edited (the note goes first), and
X / Instagram get a reply / comment that links the corrected article.

A correction is stored as its own release row (slug ``<original>--ralat-<n>``,
``releases.corrects`` = the original) whose deliveries are ordinary deliveries, so the engine's
claim / lease / retry / unknown rules apply unchanged (a reply is a post: never retried
blindly). Each variant carries ``extra["action"] == "correct"`` and what the channel needs to
find the original (``extra["original"]``); the engine hands such a variant to the channel's
``correct()`` (and, to settle an unknown outcome, ``lookup_correction()``) instead of
``publish()``. Whether a post is edited or answered is the channel's ``editable``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .channels import channel_class
from .channels.base import Channel
from .errors import ConfigError, InputError
from .i18n import _
from .models import Problem, Receipt, Release, Variant
from .templating import one_line, render, tanggal, utm
from .text import plain_paragraphs

TEMPLATE = "ralat.j2"
ALLOWED_KEYS = ("title",)


def correction_slug(slug: str, number: int) -> str:
    return f"{slug}--ralat-{number}"


# -- the ralat file -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ralat:
    """The correction as Humas wrote it: Markdown text and an optional title."""

    note: str  # Markdown
    title: str = ""
    path: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def plain(self) -> str:
        """The correction as one line of plain text, for the social channels."""
        return one_line(" ".join(plain_paragraphs(self.note)))


def load_ralat(path: Path) -> Ralat:
    """Read a ralat file: Markdown, optional front matter (title:), any encoding Windows editors
    produce (BOM, CRLF, UTF-16, cp1252), with errors naming the file and line."""
    from .release import decode_text, load_yaml, read_bytes, split_front_matter

    path = Path(path)
    text, warnings = decode_text(read_bytes(path), path)
    title, body, body_line = "", text, 1
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    if first.strip() == "---":
        front, body, front_line, body_line = split_front_matter(text, path)
        meta = load_yaml(front, path, front_line)
        warnings += meta.warnings
        unknown = sorted(set(meta.values) - set(ALLOWED_KEYS))
        if unknown:
            raise meta.err(unknown[0], _(
                "unknown key '{unknown}' in a ralat file: only title: is allowed; the correction itself is "
                'the text below the front matter').format(unknown=unknown[0]))
        raw = meta.values.get("title")
        if raw is not None and not isinstance(raw, str):
            raise meta.err("title", _('title: must be text'))
        title = one_line(raw or "")
    note = body.strip()
    if not plain_paragraphs(note):
        raise InputError(_(
            "the ralat is empty: write the correction below the front matter, e.g. 'Tertulis 1.200 "
            "penerima; yang benar 12.000 penerima.'"), path, body_line)
    return Ralat(note, title, path, tuple(warnings))


# -- planning ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Skipped:
    channel: str
    reason: str


@dataclass
class CorrectionPlan:
    """What `crosspost correct` will queue: the correction release, one variant per channel the
    original reached, what cannot be sent as it is, and the channels left out (and why)."""

    original: Release
    release: Release
    variants: list[Variant]
    channels: dict[str, Channel]
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.variants) and not any(p.severity == "error" for p in self.problems)


def plan_correction(store: Any, get_channel: Callable[[str], Channel], slug: str, ralat: Ralat,
                    now: float, tz: str, templates_dir: Path | None = None) -> CorrectionPlan:
    """Build the correction of release ``slug`` without writing anything.

    Only deliveries with status ``sent`` are corrected; the others are listed in ``skipped``.
    InputError when the release does not exist or was never sent anywhere.
    """
    from .timezones import zone

    _original_id, original, sources = store.correction_sources(slug)
    sent = [(d, v, r) for d, v, r in sources if d.status == "sent"]
    skipped = [Skipped(d.channel, _(
        'not corrected: the original is {status} there, so nothing was published to correct').format(
        status=d.status)) for d, _v, _r in sources if d.status != "sent"]
    if not sent:
        states = ", ".join(f"{d.channel} {d.status}" for d, _v, _r in sources) or _('no deliveries')
        raise InputError(_(
            "'{slug}' was never published on any channel ({states}): there is nothing to correct; fix the "
            'release file and publish it instead').format(slug=slug, states=states))
    number = store.correction_count(slug) + 1
    when = datetime.fromtimestamp(now, zone(tz))
    label = tanggal(when)
    site_url = next((r.url for _d, v, r in sent if v.kind in ("website", "wordpress") and r and r.url), None)
    link = site_url or original.link
    release = Release(
        slug=correction_slug(slug, number), title=ralat.title or f"Ralat: {original.title}",
        body=ralat.note, date=when, section=original.section, summary=ralat.plain[:300],
        tags=original.tags, link=link, language=original.language, number=original.number,
        contact=original.contact, source=ralat.path,
        content_hash=hashlib.sha256(ralat.note.encode("utf-8")).hexdigest(), warnings=ralat.warnings)
    earlier = _latest_sent_texts(store.corrections_of(slug))
    receipts = {d.channel: r for d, _v, r in sent if r is not None}
    plan = CorrectionPlan(original, release, [], {}, [], skipped)
    for d, variant, receipt in sent:
        try:
            channel = get_channel(d.channel)
        except ConfigError as exc:
            plan.skipped.append(Skipped(d.channel, _(
                'not corrected: the channel is no longer usable in channels.toml ({exc}); correct it by '
                'hand').format(exc=exc)))
            continue
        if not getattr(channel.settings, "enabled", True):
            plan.skipped.append(Skipped(d.channel, _(
                'not corrected: the channel is disabled in channels.toml; correct the post there by hand')))
            continue
        if receipt is None:
            plan.skipped.append(Skipped(d.channel, _(
                'not corrected: the log has no id of the original post; correct it by hand')))
            continue
        base = {"action": "correct", "note": ralat.note, "number": number, "label": label,
                "original": {"release": slug, "delivery_id": d.id, "remote_id": receipt.remote_id,
                             "url": receipt.url, "extra": dict(receipt.extra)}}
        if variant.kind == "website":
            new = _website_variant(variant, original, base, receipts)
        else:
            short = render(TEMPLATE, {
                "note": ralat.plain, "title": original.title, "date": label, "number": number,
                "channel": channel.name, "kind": channel.platform, "settings": channel.settings,
                "limits": channel.limits,
                "link": utm(link, getattr(channel.settings, "utm_source", ""),
                            getattr(channel.settings, "utm_medium", "social"), release.slug),
            }, templates_dir)
            if channel.editable:  # the ralat goes first, the post's earlier text stays below it
                text = f"{short}\n\n{earlier.get(d.channel, variant.text)}"
                base["ralat_text"] = short
            else:
                text = short
            # No link on the variant: a lookup must match the ralat's own text, not the original's link.
            new = Variant(channel=d.channel, kind=variant.kind, text=text, title=variant.title,
                          extra={**base, **_original_fields(variant)}, counts={"chars": len(text)})
        plan.variants.append(new)
        plan.channels[d.channel] = channel
        plan.problems.extend(channel.correction_problems(new))
    return plan


def _latest_sent_texts(corrections: list[tuple[Any, Variant]]) -> dict[str, str]:
    """Per channel, the text the last sent correction put on an edited post (oldest first in)."""
    out: dict[str, str] = {}
    for d, v in corrections:
        if d.status == "sent" and _editable(v.kind):
            out[d.channel] = v.text
    return out


def _editable(kind: str) -> bool:
    try:
        return channel_class(kind).editable
    except KeyError:  # a platform this crosspost no longer has
        return False


def _original_fields(variant: Variant) -> dict[str, Any]:
    """What an edit must keep of the original variant (YouTube rewrites the whole snippet)."""
    keep = ("video_id", "category_id", "tags", "privacy")
    return {k: variant.extra[k] for k in keep if k in variant.extra}


def _website_variant(variant: Variant, original: Release, base: dict[str, Any],
                     receipts: dict[str, Receipt]) -> Variant:
    """The original article (as published) plus the ralat: the page is re-rendered from it."""
    from .channels.base import PublishContext
    from .channels.website import WebsiteChannel, excerpt

    ctx = PublishContext(release=original, sibling_receipts=receipts)
    page = {"date": original.date.isoformat(), "summary": original.summary,
            "description": excerpt(original.body), "number": original.number or "",
            "contact": original.contact or "", "tags": list(original.tags),
            "video_url": WebsiteChannel._video_url(ctx)}
    return Variant(channel=variant.channel, kind=variant.kind, text=variant.text, title=variant.title,
                   media=variant.media, link=variant.link,
                   extra={**variant.extra, **base, "page": page}, counts={})
