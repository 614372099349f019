"""Adaptation throughput: adapt + validate every variant of N releases in-process.

All five channel types are built from channels.toml with default settings (only the ids a
channel cannot validate without) and no credentials. The releases are the example with a
different title, body and slug each, so nothing is a cache hit except what is truly shared
(compiled templates, Instagram's fitted image: the same photo in every release, as in real
life where one photo is fitted once).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from benchlib import Row

TARGET = 5000.0


def releases(base, n: int) -> list:
    """n releases derived from ``base`` with varied titles, bodies and slugs."""
    paragraphs = base.body.split("\n\n")
    out = []
    for i in range(n):
        k = i % len(paragraphs)
        body = "\n\n".join(paragraphs[k:] + paragraphs[:k])
        body += f"\n\nPembaruan ke-{i}: data dihimpun dari {i % 38 + 1} provinsi dan {i * 7 % 514} kabupaten."
        title = f"{base.title[:70]} (Pembaruan {i})"
        out.append(replace(base, slug=f"{base.slug}-{i}", title=title, body=body,
                           summary=f"{base.summary[:150]} Pembaruan {i}."))
    return out


def run(work: Path, quick: bool) -> list[Row]:
    from crosspost.adapt import adapt
    from crosspost.config import load_config
    from crosspost.release import load_release

    n = 20 if quick else 1000
    cfg = load_config(work / "channels.toml")
    channels = cfg.channels()
    base = load_release(work / "release.md", cfg.timezone)
    adapt(base, channels, cfg.templates_dir)  # compile templates, fit the photo once
    batch = releases(base, n)
    variants = 0
    refused: Counter = Counter()
    start = time.perf_counter()
    for release in batch:
        for a in adapt(release, channels, cfg.templates_dir):
            variants += 1
            if not a.ok:
                refused[a.channel.name] += 1
    took = time.perf_counter() - start
    rate = variants / took
    note = ("validation refused " + ", ".join(f"{v} {k}" for k, v in refused.items())
            + f" of {variants} variants (the longest bodies need a 7-post X thread)") if refused else ""
    return [Row.floor("adaptation throughput",
                      f"adapt + validate {n} releases x {len(channels)} channel types, in-process",
                      rate, TARGET, "{:,.0f} variants/s", ">= 5,000/s", note)]
