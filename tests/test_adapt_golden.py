"""Adaptation output pinned byte for byte: every variant and problem for the examples, the shared
corpus and the benchmark's releases, as main produced them before the adaptation speed work
(issue 18). A faster path (one Markdown parse, cached template data, fewer X measurements) must
give exactly these; a deliberate change of output regenerates the file and shows in its diff.

    CROSSPOST_REGEN_GOLDEN=1 pytest -q tests/test_adapt_golden.py   # rewrite tests/data/adapt_golden.json
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from crosspost.adapt import adapt
from crosspost.config import load_config
from crosspost.errors import InputError
from crosspost.release import load_release

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "releases"
GOLDEN = Path(__file__).parent / "data" / "adapt_golden.json"

CHANNELS = """\
timezone = "Asia/Jakarta"
database = "crosspost.db"

[channels.website]
type = "website"
site_dir = "site"
base_url = "https://www.kemensos.go.id"

[channels.twitter]
type = "twitter"

[channels.x_first]
type = "twitter"
link_part = "first"
numbering = false

[channels.x_single]
type = "twitter"
thread = false

[channels.facebook]
type = "facebook"
page_id = "100000000000001"

[channels.instagram]
type = "instagram"
ig_user_id = "17841400000000001"

[channels.youtube]
type = "youtube"
"""


def _sources() -> list[tuple[str, Path]]:
    found = [(f"examples/{p.name}", p) for p in sorted((REPO / "examples").iterdir())
             if p.suffix in (".md", ".docx")]
    if CORPUS.is_dir():
        found += [(f"corpus/{p.name}", p) for p in sorted(CORPUS.iterdir()) if p.suffix in (".md", ".docx")]
    return found


def _bench_releases(base, n: int) -> list:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from adapt_bench import releases
    finally:
        sys.path.remove(str(REPO / "bench"))
    return releases(base, n)


def _scrub(value, roots: list[tuple[str, str]]):
    """Paths made independent of where the test runs."""
    if isinstance(value, str):
        for old, new in roots:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {str(k): _scrub(v, roots) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, roots) for v in value]
    if isinstance(value, Path):
        return _scrub(str(value), roots)
    return value


def _record(adapted, roots) -> list[dict]:
    out = []
    for a in adapted:
        v = a.variant
        out.append(_scrub({
            "channel": a.channel.name,
            "variant": None if v is None else {
                "text": v.text, "title": v.title, "parts": list(v.parts), "link": v.link,
                "media": [[str(m.path), m.alt, m.kind, m.width, m.height] for m in v.media],
                "extra": v.extra, "counts": v.counts},
            "problems": [[p.field, p.message, p.limit, p.actual, p.severity] for p in a.problems],
        }, roots))
    return out


def produce(tmp: Path) -> dict[str, list[dict]]:
    work = tmp / "work"
    work.mkdir(parents=True)
    (work / "channels.toml").write_text(CHANNELS, "utf-8")
    cfg = load_config(work / "channels.toml")
    channels = cfg.channels()
    roots = [(str(REPO), "<repo>"), (str(CORPUS.parent.parent), "<shared>"), (str(tmp), "<tmp>"),
             (str(Path.home()), "<home>")]
    result: dict[str, list[dict]] = {}
    shutil.copytree(REPO / "examples", work / "src" / "examples")
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, work / "src" / "corpus")
    for name, _path in _sources():
        copy = work / "src" / name
        try:
            release = load_release(copy, cfg.timezone)
        except InputError as exc:
            result[name] = [{"refused": _scrub(str(exc), roots)}]
            continue
        result[name] = _record(adapt(release, channels, cfg.templates_dir), roots)
    example = load_release(work / "src" / "examples" / "siaran-pers-lumbung-sosial.md", cfg.timezone)
    for i, release in enumerate(_bench_releases(example, 40)):
        result[f"bench/{i}"] = _record(adapt(release, channels, cfg.templates_dir), roots)
    return result


def test_adaptation_is_byte_identical_to_the_pinned_output(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_CACHE_DIR", str(tmp_path / "cache"))
    got = produce(tmp_path)
    if os.environ.get("CROSSPOST_REGEN_GOLDEN"):
        assert CORPUS.is_dir(), "regenerate beside ../shared: the pinned file covers the corpus too"
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
        pytest.skip("golden file rewritten")
    want = json.loads(GOLDEN.read_text("utf-8"))
    if not CORPUS.is_dir():  # a checkout without ../shared (a user's machine): the rest still pinned
        want = {k: v for k, v in want.items() if not k.startswith("corpus/")}
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name


def test_the_pinned_output_covers_what_it_should():
    want = json.loads(GOLDEN.read_text("utf-8"))
    adapted = [k for k, v in want.items() if v and "refused" not in v[0]]
    assert len([k for k in adapted if k.startswith("bench/")]) == 40
    assert any(k.startswith("examples/") for k in adapted)
    if CORPUS.is_dir():
        assert len([k for k in adapted if k.startswith("corpus/")]) >= 7
    # threads of several parts, a website article, and refusals are all in there
    assert any(len(ch["variant"]["parts"]) > 2 for k in adapted for ch in want[k]
               if ch["channel"] == "twitter" and ch["variant"])
    assert any("<p>" in ch["variant"]["text"] for k in adapted for ch in want[k]
               if ch["channel"] == "website" and ch["variant"])
