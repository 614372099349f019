"""A variant's counts against its limits, as rows every view (terminal, HTML page) shows alike."""

from __future__ import annotations

from typing import Any


def count_rows(counts: dict[str, Any]) -> list[tuple[str, int, int | None, str]]:
    """Normalise a variant's counts into (label, actual, limit, unit) rows.

    Channels may give ``{"chars": {"actual": n, "limit": m, "unit": "chars"}}``, or a plain
    number with ``"chars_limit"`` beside it, or numbers/lists sharing one ``"limit"``.
    """
    shared = counts.get("limit")
    rows: list[tuple[str, int, int | None, str]] = []
    for name, value in counts.items():
        if name == "limit" or name.endswith("_limit"):
            continue
        limit = counts.get(f"{name}_limit", shared)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items, 1):
            label = f"{name} {i}/{len(items)}" if len(items) > 1 else name
            if isinstance(item, dict) and "actual" in item:
                rows.append((label, int(item["actual"]), item.get("limit"), item.get("unit", "")))
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                rows.append((label, int(item), limit if isinstance(limit, int) else None, ""))
    return rows
