"""The site's own list of published articles (``site_dir/_articles.json``).

The static site is regenerated from this file, not from the delivery log: the website
channel knows nothing about the SQLite store, and a site folder copied elsewhere still
knows what it contains.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..i18n import _
from .files import atomic_write_text

MANIFEST = "_articles.json"
VERSION = 1


@dataclass
class Article:
    """One published article as the indexes, the feed and the sitemap need it."""

    section: str
    slug: str
    title: str
    date: str  # the release's date, ISO 8601 with offset
    summary: str = ""
    number: str = ""
    image: str = ""  # file name of the first image inside the article folder (thumbnail)
    image_alt: str = ""
    images: list[str] = dataclasses.field(default_factory=list)  # every image file, in order
    published: str = ""  # first written, ISO 8601 UTC
    updated: str = ""  # last written, ISO 8601 UTC
    # Corrections (ralat), oldest first: {"number", "at", "label", "note_html", "previous"}, where
    # "previous" is the file in the article folder keeping the page as it was before that ralat.
    corrections: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def path(self) -> str:
        """Folder of the article relative to the site root, e.g. 'siaran-pers/slug'."""
        return f"{self.section}/{self.slug}"

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.date)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def sort_key(a: Article) -> tuple[float, str]:
    return (a.when.timestamp(), a.updated)


def load(site_dir: Path) -> list[Article]:
    path = site_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        from ..errors import StoreError

        raise StoreError(_(
            '{path} cannot be read ({exc}); restore it from a backup or delete it and publish the releases '
            'again').format(path=path, exc=exc)) from None
    return [Article.from_dict(d) for d in data.get("articles", [])]


def _raw(site_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((site_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(site_dir: Path, articles: list[Article]) -> None:
    ordered = sorted(articles, key=sort_key, reverse=True)
    data: dict[str, Any] = {"version": VERSION, "articles": [dataclasses.asdict(a) for a in ordered]}
    database_id = _raw(site_dir).get("database_id")
    if database_id:  # the delivery log this site belongs to (crosspost.logbook) is kept
        data["database_id"] = database_id
    atomic_write_text(site_dir / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def database_id(site_dir: Path) -> str | None:
    """The id of the delivery log this site was published from, if it records one."""
    value = _raw(site_dir).get("database_id")
    return value if isinstance(value, str) and value else None


def record_database_id(site_dir: Path, value: str) -> None:
    """Note the delivery log's id in the manifest (only in an existing manifest: crosspost's own site)."""
    data = _raw(site_dir)
    if not data or data.get("database_id") == value:
        return
    data["database_id"] = value
    atomic_write_text(site_dir / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def find(articles: list[Article], slug: str) -> Article | None:
    return next((a for a in articles if a.slug == slug), None)
