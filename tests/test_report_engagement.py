"""The report's reach and engagement figures on a log filled here with known posts, snapshots and
replies: exact numbers, "tidak tersedia" where a platform gave nothing, every format; on every
store of conftest.STORE_FACTORIES (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from crosspost import report as rep
from crosspost.models import Receipt, Release, Variant
from crosspost.store import Store

TZ = "Asia/Jakarta"
HOUR = 3600.0


def at(text: str) -> float:
    return datetime.fromisoformat(text + "+07:00").timestamp()


def post(store: Store, slug: str, section: str, channel: str, sent: str, title: str | None = None) -> int:
    rid = store.save_release(
        Release(
            slug=slug,
            title=title or f"Rilis {slug}",
            body="Isi.",
            section=section,
            date=datetime.fromisoformat("2026-07-01T09:00+07:00"),
        ),
        now=at(sent),
    )
    (d,) = store.enqueue(
        rid, [Variant(channel=channel, kind="fake", text=f"{slug} di {channel}")], None, at(sent)
    )
    store.resolve(d.id, at(sent), Receipt(f"{channel}-{d.id}", f"https://{channel}.example/{slug}"))
    return d.id


def replies(store: Store, delivery: int, kinds: list[str], created: float) -> list[int]:
    store.save_replies(
        delivery,
        "fake",
        [
            {
                "platform_id": f"{delivery}-{i}",
                "author": "Warga",
                "text": "teks",
                "created_at": created + i,
                "kind": k,
            }
            for i, k in enumerate(kinds)
        ],
        created + 60,
    )
    return [r["id"] for r in store.replies() if r["delivery_id"] == delivery]


@pytest.fixture
def report(store: Store) -> dict:
    """The report over the posts below, on each store of conftest.STORE_FACTORIES."""
    old = post(store, "r0", "siaran-pers", "facebook", "2026-06-20T10:00")
    store.save_metrics([(old, {"reach": 99999.0, "views": 99999.0})], at("2026-06-27T10:00"))
    tw = post(store, "r1", "siaran-pers", "twitter", "2026-07-01T08:00", "Bansos Tahap III Cair")
    fb = post(store, "r1", "siaran-pers", "facebook", "2026-07-01T08:00", "Bansos Tahap III Cair")
    ig = post(store, "r2", "berita-foto", "instagram", "2026-07-09T10:00")
    web = post(store, "r2", "berita-foto", "website", "2026-07-09T10:00")
    fb3 = post(store, "r3", "siaran-pers", "facebook", "2026-07-20T10:00")
    store.save_metrics([(tw, {"views": 900.0, "likes": 1.0})], at("2026-07-02T08:00"))  # older: superseded
    store.save_metrics(
        [
            (
                tw,
                {
                    "views": 1000.0,
                    "likes": 50.0,
                    "comments": 10.0,
                    "shares": 20.0,
                    "quotes": 5.0,
                    "bookmarks": 15.0,
                },
            ),
            (fb, {"reactions": 200.0, "comments": 30.0, "shares": 20.0, "views": 5000.0, "reach": 4000.0}),
        ],
        at("2026-07-08T08:00"),
    )
    store.save_metrics(
        [
            (
                ig,
                {
                    "views": 3000.0,
                    "reach": 2000.0,
                    "likes": 100.0,
                    "comments": 20.0,
                    "shares": 5.0,
                    "saves": 25.0,
                    "interactions": 150.0,
                },
            ),
            (web, {"views": 800.0}),
        ],
        at("2026-07-16T10:00"),
    )
    t = at("2026-07-01T09:00")
    a1, a2, _q = replies(store, tw, ["aduan", "aduan", "pertanyaan"], t)[::-1]
    store.mark_reply_done(a1, "Rina", t + HOUR)
    store.mark_reply_done(a2, "Budi", t + 1 + 3 * HOUR)
    replies(store, fb, ["lainnya"], t)
    replies(store, ig, ["aduan"], at("2026-07-09T11:00"))
    store.save_replies(fb3, "fake", [], at("2026-07-21T10:00"))  # read, nobody replied
    start, end = rep.period("2026-07-01", "2026-07-31", TZ)
    return rep.build(store, start, end, TZ)


def test_totals(report: dict) -> None:
    t = report["engagement"]["totals"]
    assert (t["posts"], t["views"], t["views_posts"], t["reach"], t["reach_posts"]) == (5, 9800, 4, 6000, 2)
    assert (t["interactions"], t["interactions_posts"]) == (500, 3)
    assert t["engagement_rate"] == pytest.approx(500 / 7000)
    assert (t["replies"], t["aduan"], t["pertanyaan"], t["aduan_handled"]) == (5, 3, 1, 2)
    assert t["median_handling_seconds"] == pytest.approx(2 * HOUR)  # 1 h and 3 h


def test_per_channel_and_what_was_not_given(report: dict) -> None:
    rows = {r["channel"]: r for r in report["engagement"]["by_channel"]}
    web, tw, fb, ig = rows["website"], rows["twitter"], rows["facebook"], rows["instagram"]
    assert (web["views"], web["reach"], web["interactions"], web["engagement_rate"], web["replies"]) == (
        800,
        None,
        None,
        None,
        None,
    )
    assert (tw["views"], tw["reach"], tw["interactions"], tw["engagement_rate"]) == (1000, None, 100, 0.1)
    assert (tw["replies"], tw["aduan"], tw["median_handling_seconds"]) == (3, 2, pytest.approx(7200.0))
    assert (
        fb["posts"],
        fb["reach"],
        fb["interactions"],
        fb["engagement_rate"],
        fb["replies"],
        fb["aduan"],
    ) == (2, 4000, 250, 0.0625, 1, 0)
    assert (ig["reach"], ig["engagement_rate"], ig["aduan"], ig["median_handling_seconds"]) == (
        2000,
        0.075,
        1,
        None,
    )
    sections = {r["section"]: r for r in report["engagement"]["by_section"]}
    assert (sections["siaran-pers"]["reach"], sections["berita-foto"]["views"]) == (4000, 3800)


def test_top_releases_and_weekly_reach(report: dict) -> None:
    e = report["engagement"]
    assert [(r["release"], r["reach"], r["views"]) for r in e["top_releases"]] == [
        ("r1", 4000, 6000),
        ("r2", 2000, 3800),
    ]
    assert {x["url"] for x in e["top_releases"][0]["links"]} == {
        "https://twitter.example/r1",
        "https://facebook.example/r1",
    }
    w = e["weekly_reach"]
    assert w["weeks"][:2] == ["2026-06-29", "2026-07-06"]
    assert w["measure"] == {"facebook": "reach", "instagram": "reach", "twitter": "views", "website": "views"}
    assert w["series"]["facebook"][:4] == [4000, 0, 0, 0] and w["series"]["instagram"][1] == 2000
    assert w["series"]["twitter"][0] == 1000 and w["series"]["website"][1] == 800


def test_the_summary_says_it_first_in_indonesian(report: dict) -> None:
    s = report["summary"]
    assert s.startswith(
        "Sebanyak 5 unggahan pada periode ini menjangkau 6.000 akun dan ditayangkan 9.800 kali"
    )
    assert "500 interaksi (tingkat keterlibatan 7,1%)" in s
    assert "Masuk 5 balasan publik, 3 di antaranya aduan; 2 aduan sudah ditangani" in s
    assert "\u201cBansos Tahap III Cair\u201d (jangkauan 4.000)" in s
    assert "tingkat keberhasilan" in s  # the delivery summary follows


def test_formats_show_tidak_tersedia_never_zero(report: dict) -> None:
    html = rep.render(report, "html")
    assert 'id="chart-jangkauan-t"' in html and "<script" not in html
    section = html[html.index('id="jangkauan"') :]
    row = section[section.index('<th scope="row">website</th>') :]
    row = row[: row.index("</tr>")]
    assert row.count("tidak tersedia") == 5 and "<td>0</td>" not in row
    assert html.index('id="jangkauan"') < html.index("</main>")
    assert "diukur 7 hari setelah terbit" in html  # r1's figures were taken a week after it went out
    md = rep.render(report, "md")
    assert "## Jangkauan dan keterlibatan" in md and "| website | 1 | 800 | tidak tersedia |" in md
    rows = [
        r
        for r in csv.DictReader(io.StringIO(rep.render(report, "csv").split("\n\n")[-1]))
        if r.get("table") == "engagement_channel"
    ]
    web = next(r for r in rows if r["channel"] == "website")
    assert web["views"] == "800.0"
    assert web["reach"] == "" and web["replies"] == ""
    assert report["engagement"]["by_channel"][0]["channel"] == "facebook"


def test_a_period_without_figures_says_what_to_run(store: Store) -> None:
    post(store, "r1", "siaran-pers", "twitter", "2026-07-01T08:00")
    start, end = rep.period("2026-07-01", "2026-07-31", TZ)
    got = rep.build(store, start, end, TZ)
    assert got["engagement"]["summary"].startswith("Belum ada data jangkauan atau balasan publik")
    assert got["summary"].startswith("Pada periode")  # the delivery summary is left as it was
    assert got["engagement"]["totals"]["views"] is None
