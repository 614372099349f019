"""Release / Variant / Receipt <-> JSON, so a delivery can be sent by another process later.

The store keeps what was validated at publish time: a cron run must send exactly the variant
the operator previewed, not a re-rendering of a file that may have changed since.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from .models import Media, Receipt, Release, Variant


def _default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_default)  # one, not one a call


def dumps(data: Any) -> str:
    return _ENCODER.encode(data)


def media_to_dict(m: Media) -> dict[str, Any]:
    return {"path": str(m.path), "alt": m.alt, "kind": m.kind, "width": m.width, "height": m.height}


def media_from_dict(d: dict[str, Any]) -> Media:
    return Media(Path(d["path"]), d.get("alt", ""), d.get("kind", "image"), d.get("width"), d.get("height"))


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def release_to_json(r: Release) -> str:
    return dumps({
        "slug": r.slug, "title": r.title, "body": r.body, "date": r.date.isoformat(),
        "section": r.section, "summary": r.summary, "tags": list(r.tags), "hashtags": list(r.hashtags),
        "images": [media_to_dict(m) for m in r.images],
        "video": media_to_dict(r.video) if r.video else None, "video_id": r.video_id,
        "link": r.link, "language": r.language, "number": r.number, "contact": r.contact,
        "embargo": r.embargo.isoformat() if r.embargo else None,
        "captions": str(r.captions) if r.captions else None,
        "source": str(r.source) if r.source else None, "content_hash": r.content_hash,
        "warnings": list(r.warnings), "channel_overrides": r.channel_overrides,
    })


def release_from_json(text: str) -> Release:
    d = json.loads(text)
    return Release(
        slug=d["slug"], title=d["title"], body=d["body"], date=datetime.fromisoformat(d["date"]),
        section=d.get("section", "siaran-pers"), summary=d.get("summary", ""),
        tags=tuple(d.get("tags", ())), hashtags=tuple(d.get("hashtags", ())),
        images=tuple(media_from_dict(m) for m in d.get("images", ())),
        video=media_from_dict(d["video"]) if d.get("video") else None, video_id=d.get("video_id"),
        link=d.get("link"), language=d.get("language", "id"), number=d.get("number"),
        contact=d.get("contact"), embargo=_dt(d.get("embargo")),
        captions=Path(d["captions"]) if d.get("captions") else None,
        source=Path(d["source"]) if d.get("source") else None,
        content_hash=d.get("content_hash", ""), warnings=tuple(d.get("warnings", ())),
        channel_overrides=d.get("channel_overrides") or {},
    )


def variant_to_json(v: Variant) -> str:
    return dumps({
        "channel": v.channel, "kind": v.kind, "text": v.text, "title": v.title, "parts": list(v.parts),
        "media": [media_to_dict(m) for m in v.media], "link": v.link, "extra": v.extra, "counts": v.counts,
    })


def variant_from_json(text: str) -> Variant:
    d = json.loads(text)
    return Variant(
        channel=d["channel"], kind=d["kind"], text=d["text"], title=d.get("title"),
        parts=tuple(d.get("parts", ())), media=tuple(media_from_dict(m) for m in d.get("media", ())),
        link=d.get("link"), extra=dict(d.get("extra") or {}), counts=dict(d.get("counts") or {}),
    )


def receipt_to_json(r: Receipt) -> str:
    return dumps({"remote_id": r.remote_id, "url": r.url, "extra": r.extra})


def receipt_from_json(text: str) -> Receipt:
    d = json.loads(text)
    return Receipt(str(d["remote_id"]), d.get("url"), dict(d.get("extra") or {}))
