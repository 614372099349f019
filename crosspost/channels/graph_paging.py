"""Cursor paging of a Meta Graph API edge, shared by the Facebook and Instagram inbox reads.

Graph pages an edge as ``{"data": [...], "paging": {"cursors": {"after": ...}, "next": ...}}``;
"If ``next`` is not included, you have reached the end of the list" (developers.facebook.com/
docs/graph-api/results, "Cursor-based Pagination"): the next page is asked for with ``after``.
"""

from __future__ import annotations

from collections.abc import Callable
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
