"""UTM parameters on a release link: a module of its own, so that a channel's ``release_link``
(asked ~9 times a release, bench/adapt_bench.py) imports it once at load instead of importing
crosspost.templating (Jinja) inside the call, which ``status`` and ``run`` must not load."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@lru_cache(maxsize=256)  # asked for by every channel of a release, for the same link
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
