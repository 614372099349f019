"""The machine reasons of a YouTube Data API HttpError, read by the channel (to classify a
publish) and by its inbox/metrics reads alike: one reader, so the two never disagree."""

from __future__ import annotations

from typing import Any


def http_reasons(exc: Any) -> set[str]:
    """Every machine reason of an HttpError: error.errors[].reason and error.details[].reason
    (google.rpc.ErrorInfo, e.g. ACCESS_TOKEN_SCOPE_INSUFFICIENT), from the body and error_details."""
    import json

    found: set[str] = set()
    items: list[Any] = list(getattr(exc, "error_details", None) or []) if isinstance(
        getattr(exc, "error_details", None), list) else []
    try:
        error_doc = json.loads(exc.content.decode("utf-8")).get("error") or {}
    except (ValueError, AttributeError, UnicodeDecodeError):
        error_doc = {}
    if isinstance(error_doc, dict):
        for key in ("errors", "details"):
            items += list(error_doc.get(key) or [])
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("reason"), str):
            found.add(item["reason"])
    return found
