"""Core value types. Frozen and free of I/O so every layer can pass them around safely."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

SECTIONS: dict[str, str] = {
    "siaran-pers": "Siaran Pers",
    "berita-terkini": "Berita Terkini",
    "berita-foto": "Berita Foto",
    "berita-video": "Berita Video",
}


def title_key(title: str) -> str:
    """What makes two titles the same release title: letters and digits, case and accents folded."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    return "".join(c for c in folded if c.isalnum()) or " ".join(folded.split())  # emoji-only: as written


@dataclass(frozen=True)
class Media:
    """An image or video attached to a release; paths are absolute once read."""

    path: Path
    alt: str = ""
    kind: Literal["image", "video"] = "image"
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Release:
    """One press release as written by Humas, independent of any platform."""

    slug: str
    title: str
    body: str  # Markdown
    date: datetime  # timezone-aware
    section: str = "siaran-pers"
    summary: str = ""
    tags: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()  # normalised, without '#'
    images: tuple[Media, ...] = ()
    video: Media | None = None
    video_id: str | None = None  # an existing YouTube video to update instead of uploading
    captions: Path | None = None  # the video's captions (.vtt or .srt), checked by the accessibility gate
    link: str | None = None
    language: str = "id"
    number: str | None = None
    contact: str | None = None
    embargo: datetime | None = None
    source: Path | None = None
    content_hash: str = ""
    warnings: tuple[str, ...] = ()
    # Per-release overrides from the front matter's ``channels:`` (crosspost.overrides): channel
    # name -> {text, title, summary, hashtags}.
    channel_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Problem:
    """Why a variant cannot go out as it is (severity 'error') or should be looked at ('warning')."""

    channel: str
    field: str
    message: str
    limit: int | None = None
    actual: int | None = None
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class Variant:
    """What one channel will publish for one release."""

    channel: str  # the channel's name in channels.toml
    kind: str  # the platform type, e.g. "twitter"
    text: str
    title: str | None = None
    parts: tuple[str, ...] = ()  # thread parts (X/Twitter); empty means a single post
    media: tuple[Media, ...] = ()
    link: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    counts: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Receipt:
    """Proof that a platform accepted a post."""

    remote_id: str
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Delivery:
    """One release on one channel, as the store tracks it."""

    id: int
    release_id: int
    release_slug: str
    channel: str
    status: str
    attempts: int = 0
    not_before: float | None = None
    remote_id: str | None = None
    url: str | None = None
    last_error: str | None = None
    error_kind: str | None = None
    updated_at: float | None = None
    progress: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
