"""Sandboxed Jinja2 rendering of the per-channel templates, with the filters Humas needs.

Sandboxed because templates may come from an office's own folder; StrictUndefined so a
typo in a template fails loudly in preview instead of posting an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import InputError

HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember"]


@lru_cache(maxsize=1)  # asked on every render; resolving the path cost more than the render
def builtin_templates_dir() -> Path:
    """The templates shipped with the package (or the repo's templates/ when run from source)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result, ellipsis included, has at most ``limit`` chars."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-—") + ellipsis


def hashtag_list(tags: Iterable[str], limit: int | None = None) -> str:
    """'#A #B' from normalised hashtags, optionally only the first ``limit``."""
    tags = list(tags)
    if limit is not None:
        tags = tags[:limit]
    return " ".join("#" + t.lstrip("#") for t in tags)


def tanggal(value: datetime, with_day: bool = True, with_time: bool = False) -> str:
    """Indonesian date: 'Jumat, 20 November 2026' (optionally '09.00 WIB')."""
    s = f"{value.day} {BULAN[value.month - 1]} {value.year}"
    if with_day:
        s = f"{HARI[value.weekday()]}, {s}"
    if with_time:
        zone = {7: "WIB", 8: "WITA", 9: "WIT"}.get(
            int(value.utcoffset().total_seconds() // 3600) if value.utcoffset() else -1, "")
        s += f" pukul {value:%H.%M}" + (f" {zone}" if zone else "")
    return s


def utm(link: str | None, source: str = "", medium: str = "social", campaign: str = "") -> str:
    """Add UTM parameters to a link (kept as-is when no source is given)."""
    if not link:
        return ""
    if not source:
        return link
    parts = urlsplit(link)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    query += [("utm_source", source), ("utm_medium", medium)]
    if campaign:
        query.append(("utm_campaign", campaign))
    return urlunsplit(parts._replace(query=urlencode(query)))


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


@lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
        undefined=StrictUndefined,
        autoescape=False,  # social text is plain; the website template escapes explicitly
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(truncate_words=truncate_words, hashtags=hashtag_list, tanggal=tanggal,
                       utm=utm, one_line=one_line)
    return env


def render(template_name: str, context: dict[str, Any], user_dir: Path | None = None) -> str:
    """Render a channel template; the user's templates dir wins over the built-in one."""
    dirs = tuple(str(d) for d in (user_dir, builtin_templates_dir()) if d and Path(d).is_dir())
    env = _environment(dirs)
    try:
        return env.get_template(template_name).render(**context).strip()
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        raise InputError(f"template error: {exc.message}", getattr(exc, "filename", None)
                         or template_name, lineno) from None
