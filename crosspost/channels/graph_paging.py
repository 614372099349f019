"""Reading Meta Graph API answers, shared by the Facebook and Instagram inbox reads: cursor
paging of an edge, and Graph's times.

Graph pages an edge as ``{"data": [...], "paging": {"cursors": {"after": ...}, "next": ...}}``;
"If ``next`` is not included, you have reached the end of the list" (developers.facebook.com/
docs/graph-api/results, "Cursor-based Pagination"): the next page is asked for with ``after``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any


def read_pages(get: Callable[[dict[str, Any]], dict], args: dict[str, Any],
               max_pages: int) -> tuple[list[dict], bool]:
    """Up to ``max_pages`` answers of one edge, and whether the edge was read to its end."""
    bodies: list[dict] = []
    for _page in range(max_pages):
        body = get(args)
        bodies.append(body)
        paging = body.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not paging.get("next") or not after:
            return bodies, True
        args = {**args, "after": after}
    return bodies, False


def graph_time(text: Any) -> float | None:
    """Graph's "2026-11-20T09:00:00+0000" (Facebook's ``created_time``, Instagram's ``timestamp``)
    as Unix time; None for anything else."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return None
