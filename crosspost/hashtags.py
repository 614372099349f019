"""Hashtags and tags as the office typed them, cleaned once: read by the release reader (front
matter) and by a channel's per-release override alike, so both spell a tag the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .i18n import _


def dedupe(items: Iterable[str]) -> list[str]:
    """First spelling kept for case-insensitive duplicates."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def normalise_hashtags(raw: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Hashtags without '#', spaces or punctuation, first spelling kept for case-insensitive duplicates."""
    warnings: list[str] = []
    cleaned: list[str] = []
    for item in raw:
        tag = re.sub(r"\s+", "", item).lstrip("#＃")
        if not tag:
            continue
        word = re.sub(r"[^\w]", "", tag)
        if word != tag:
            warnings.append(_(
                "hashtag '#{tag}' can only hold letters, digits and '_': using '#{word}'").format(
                tag=tag, word=word))
        if word:
            cleaned.append(word)
    return tuple(dedupe(cleaned)), warnings
