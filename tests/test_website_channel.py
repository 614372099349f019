"""The website channel, static backend: pages, indexes, feed, sitemap, media, re-publishing,
embargo, lookup, and several processes publishing into one site folder at once."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import channel_helpers
import pytest
from conftest import REPO

from crosspost.adapt import adapt_one
from crosspost.channels.base import PublishContext
from crosspost.channels.website import Limits, Settings, WebsiteChannel
from crosspost.errors import Permanent, RetryLater
from crosspost.models import Media, Receipt, Release

WIB = timezone(timedelta(hours=7))
BASE = "https://www.kemensos.go.id"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC).timestamp()


make_image = partial(channel_helpers.make_image, size=(640, 480))


def channel(tmp_path: Path, limits: Limits | None = None, **settings) -> WebsiteChannel:
    s = Settings(type="website", base_url=BASE, **settings)
    return WebsiteChannel("website", s, limits or Limits(), base_dir=tmp_path, state_dir=tmp_path)


def release(tmp_path: Path, slug="bantuan-banjir", title="Kemensos Salurkan Bantuan Banjir",
            section="siaran-pers", images=1, body="Paragraf **pertama**.\n\nParagraf kedua.",
            **kw) -> Release:
    src = tmp_path / "rilis" / f"{slug}.md"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text("---\n---\n", encoding="utf-8")
    imgs = tuple(Media(make_image(tmp_path / "rilis" / "img" / f"{slug}-{i}.jpg"), alt=f"Foto {i} {slug}",
                       width=640, height=480) for i in range(1, images + 1))
    kw.setdefault("date", datetime(2026, 11, 20, 9, 0, tzinfo=WIB))
    return Release(slug=slug, title=title, body=body, section=section, images=imgs,
                   number="231/HUMAS/XI/2026", contact="Biro Hubungan Masyarakat", summary="Ringkasan.",
                   source=src, **kw)


def publish(ch: WebsiteChannel, rel: Release, now: float = NOW) -> Receipt:
    adapted = adapt_one(rel, ch)
    assert adapted.ok, adapted.problems
    return ch.publish(adapted.variant, PublishContext(release=rel, now=lambda: now))


class ImgCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs: list[dict[str, str | None]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))
        if tag == "html":
            self.lang = dict(attrs).get("lang")


def parse(path: Path) -> ImgCollector:
    p = ImgCollector()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_two_releases_in_two_sections(tmp_path):
    ch = channel(tmp_path)
    a = release(tmp_path, "bantuan-banjir", "Kemensos Salurkan Bantuan Banjir", "siaran-pers", images=2)
    b = release(tmp_path, "hari-disabilitas", "Peringatan Hari Disabilitas", "berita-foto", images=1,
                date=datetime(2026, 12, 3, 10, 30, tzinfo=WIB))
    ra, rb = publish(ch, a), publish(ch, b)
    site = tmp_path / "site"

    assert ra.remote_id == "siaran-pers/bantuan-banjir"
    assert ra.url == f"{BASE}/siaran-pers/bantuan-banjir/"
    assert ra.extra["image_urls"] == [f"{BASE}/siaran-pers/bantuan-banjir/bantuan-banjir-1.jpg",
                                      f"{BASE}/siaran-pers/bantuan-banjir/bantuan-banjir-2.jpg"]
    assert rb.url == f"{BASE}/berita-foto/hari-disabilitas/"

    # pages and copied media
    page_a = site / "siaran-pers" / "bantuan-banjir" / "index.html"
    html_a = page_a.read_text(encoding="utf-8")
    assert "<h1>Kemensos Salurkan Bantuan Banjir</h1>" in html_a
    assert "Jumat, 20 November 2026 pukul 09.00 WIB" in html_a
    assert "Nomor: 231/HUMAS/XI/2026" in html_a and "Biro Hubungan Masyarakat" in html_a
    assert "<strong>pertama</strong>" in html_a
    assert "<figcaption>Foto 1 bantuan-banjir</figcaption>" in html_a
    assert f'<link rel="canonical" href="{BASE}/siaran-pers/bantuan-banjir/">' in html_a
    for i in (1, 2):
        copied = site / "siaran-pers" / "bantuan-banjir" / f"bantuan-banjir-{i}.jpg"
        assert copied.read_bytes() == a.images[i - 1].path.read_bytes()
    assert (site / "berita-foto" / "hari-disabilitas" / "hari-disabilitas-1.jpg").is_file()

    # section indexes list only their own articles; the home page lists both, newest first
    idx_sp = (site / "siaran-pers" / "index.html").read_text(encoding="utf-8")
    idx_bf = (site / "berita-foto" / "index.html").read_text(encoding="utf-8")
    assert "bantuan-banjir/index.html" in idx_sp and "hari-disabilitas" not in idx_sp
    assert "hari-disabilitas/index.html" in idx_bf and "bantuan-banjir" not in idx_bf
    assert "Belum ada berita video" in (site / "berita-video" / "index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.index("Peringatan Hari Disabilitas") < home.index("Kemensos Salurkan Bantuan Banjir")

    # Atom feed
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [rb.url, ra.url]
    for e in entries:
        assert e.find(f"{ATOM}id").text == e.find(f"{ATOM}link").get("href")
        datetime.fromisoformat(e.find(f"{ATOM}updated").text)
        assert e.find(f"{ATOM}title").text
    assert entries[1].find(f"{ATOM}published").text == "2026-11-20T09:00:00+07:00"

    # sitemap: home, the four sections, both articles
    locs = [u.find(f"{SM}loc").text for u in ET.parse(site / "sitemap.xml").getroot()]
    assert set(locs) == {f"{BASE}/", f"{BASE}/siaran-pers/", f"{BASE}/berita-terkini/",
                         f"{BASE}/berita-foto/", f"{BASE}/berita-video/", ra.url, rb.url}

    # manifest, atomic writes leave no temporary files behind
    data = json.loads((site / "_articles.json").read_text(encoding="utf-8"))
    assert [x["slug"] for x in data["articles"]] == ["hari-disabilitas", "bantuan-banjir"]
    assert not [p for p in site.rglob("*.tmp")]


def test_every_page_is_indonesian_and_images_have_alt(tmp_path):
    ch = channel(tmp_path)
    publish(ch, release(tmp_path, "satu", images=3))
    publish(ch, release(tmp_path, "dua", section="berita-foto", images=2,
                        body="Teks ![Peta lokasi](img/dua-1.jpg)"))
    pages = sorted((tmp_path / "site").rglob("index.html"))
    assert len(pages) == 7  # home, 4 sections, 2 articles
    seen = 0
    for page in pages:
        p = parse(page)
        assert p.lang == "id", page
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.read_text("utf-8")
        for img in p.imgs:
            assert img.get("alt"), (page, img)
            seen += 1
    assert seen >= 5 + 2 + 1


def test_title_is_escaped_not_interpreted(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path, "hotline-171", 'Tarif <Gratis> & Layanan "Hotline 171" <script>x</script>',
                  section="berita-terkini", images=0)
    publish(ch, rel)
    for page in (tmp_path / "site").rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        assert "<Gratis>" not in html and "<script" not in html
    article = (tmp_path / "site" / "berita-terkini" / "hotline-171" / "index.html").read_text("utf-8")
    assert "Tarif &lt;Gratis&gt; &amp; Layanan" in article
    feed = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    assert feed.find(f"{ATOM}entry/{ATOM}title").text.startswith("Tarif <Gratis> & Layanan")


def test_hostile_corpus_release_published(tmp_path, corpus):
    text = (corpus / "05-edge-karakter-khusus.md").read_text(encoding="utf-8")
    body = text.split("---", 2)[2]
    title = 'Tarif <Gratis> & Layanan 24 Jam: "Hotline 171" Kini Bisa Diakses Lewat Aplikasi 📱'
    rel = Release(slug="hotline-171-aplikasi", title=title, body=body, section="berita-terkini",
                  date=datetime(2026, 11, 29, 13, 0, tzinfo=WIB),
                  source=corpus / "05-edge-karakter-khusus.md")
    ch = channel(tmp_path)
    adapted = adapt_one(rel, ch)
    assert adapted.ok  # only warnings: the broken <img src=x> is left out
    assert any(p.field == "body" and p.severity == "warning" for p in adapted.problems)
    ch.publish(adapted.variant, PublishContext(release=rel, now=lambda: NOW))
    html = (tmp_path / "site" / "berita-terkini" / "hotline-171-aplikasi" / "index.html").read_text("utf-8")
    for bad in ("<script", "onerror", "javascript:", "alert(", "<Gratis>"):
        assert bad not in html
    assert "Command Center 171" in html and "&lt;Gratis&gt;" in html


def test_republish_same_slug_updates(tmp_path):
    ch = channel(tmp_path)
    first = publish(ch, release(tmp_path, "bansos", "Judul Lama", images=2))
    second = publish(ch, release(tmp_path, "bansos", "Judul Baru Diperbaiki", images=1), now=NOW + 3600)
    assert first.url == second.url
    assert second.extra["image_urls"] == [f"{BASE}/siaran-pers/bansos/bansos-1.jpg"]
    site = tmp_path / "site"
    data = json.loads((site / "_articles.json").read_text(encoding="utf-8"))["articles"]
    assert len(data) == 1 and data[0]["title"] == "Judul Baru Diperbaiki"
    assert data[0]["published"] < data[0]["updated"]
    page = (site / "siaran-pers" / "bansos" / "index.html").read_text(encoding="utf-8")
    assert "Judul Baru Diperbaiki" in page and "Judul Lama" not in page and "Diperbarui" in page
    assert not (site / "siaran-pers" / "bansos" / "bansos-2.jpg").exists()  # dropped image pruned
    assert len(ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry")) == 1
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.count("bansos/index.html") >= 1 and "Judul Lama" not in home


def test_republish_into_another_section_moves_the_article(tmp_path):
    ch = channel(tmp_path)
    publish(ch, release(tmp_path, "pindah", section="siaran-pers"))
    r = publish(ch, release(tmp_path, "pindah", section="berita-terkini"))
    site = tmp_path / "site"
    assert r.url == f"{BASE}/berita-terkini/pindah/"
    assert not (site / "siaran-pers" / "pindah").exists()
    assert "pindah" not in (site / "siaran-pers" / "index.html").read_text(encoding="utf-8")
    assert len(json.loads((site / "_articles.json").read_text("utf-8"))["articles"]) == 1


def test_embargo_in_future_retries_later_and_writes_nothing(tmp_path):
    ch = channel(tmp_path)
    embargo = datetime.fromtimestamp(NOW, UTC) + timedelta(hours=2)
    rel = release(tmp_path, "embargo", embargo=embargo)
    adapted = adapt_one(rel, ch)
    with pytest.raises(RetryLater) as err:
        ch.publish(adapted.variant, PublishContext(release=rel, now=lambda: NOW))
    assert err.value.retry_after == pytest.approx(7200)
    assert "embargo" in str(err.value)
    assert not (tmp_path / "site").exists()
    assert ch.lookup(adapted.variant, PublishContext(release=rel)) is None
    # once the embargo has passed, it goes out
    receipt = ch.publish(adapted.variant, PublishContext(release=rel, now=lambda: NOW + 7201))
    assert (tmp_path / "site" / "siaran-pers" / "embargo" / "index.html").is_file()
    assert receipt.url.endswith("/siaran-pers/embargo/")


def test_lookup_finds_published_article(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path, "dicari", images=2)
    adapted = adapt_one(rel, ch)
    ctx = PublishContext(release=rel, now=lambda: NOW)
    assert ch.lookup(adapted.variant, ctx) is None
    receipt = ch.publish(adapted.variant, ctx)
    found = ch.lookup(adapted.variant, ctx)
    assert found == receipt and found.extra == receipt.extra


def test_variant_shape_and_problems(tmp_path):
    ch = channel(tmp_path, limits=Limits(max_title=20))
    rel = release(tmp_path, "x", "Judul yang terlalu panjang untuk batas ini", images=1)
    rel = Release(**{**rel.__dict__, "images": (Media(rel.images[0].path, alt=""),)})
    variant, problems = ch.build_variant(rel, rel.body)
    assert variant.kind == "website" and variant.link == f"{BASE}/siaran-pers/x/"
    assert variant.extra["path"] == "siaran-pers/x/index.html"
    assert variant.text.startswith("<p>Paragraf <strong>pertama</strong>.</p>")
    by_field = {p.field: p for p in problems}
    assert by_field["title"].severity == "error" and by_field["title"].limit == 20
    assert by_field["images[1]"].severity == "warning" and "alt" in by_field["images[1]"].message


def test_unknown_backend_is_a_problem_and_refused(tmp_path):
    ch = channel(tmp_path, backend="wordpress")
    rel = release(tmp_path, "wp")
    variant, problems = ch.build_variant(rel, rel.body)
    assert any(p.field == "backend" and p.severity == "error" and "static" in p.message for p in problems)
    with pytest.raises(Permanent):
        ch.publish(variant, PublishContext(release=rel, now=lambda: NOW))


def test_bad_slug_and_section_are_problems(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path, "ok", images=0)
    bad = Release(**{**rel.__dict__, "slug": "../../etc", "section": "opini"})
    _, problems = ch.build_variant(bad, bad.body)
    assert {"slug", "section"} <= {p.field for p in problems if p.severity == "error"}


def test_inline_body_images_copied_and_outside_files_refused(tmp_path):
    ch = channel(tmp_path)
    make_image(tmp_path / "rilis" / "img" / "peta lokasi.jpg")
    (tmp_path / "rahasia.jpg").write_bytes(b"not for the web")
    body = ("Lihat peta: ![Peta lokasi posko](img/peta%20lokasi.jpg)\n\n"
            "![bocor](../rahasia.jpg) ![web](https://cdn.kemensos.go.id/a.jpg)")
    rel = release(tmp_path, "peta", images=0, body=body)
    adapted = adapt_one(rel, ch)
    assert any("../rahasia.jpg" in p.message for p in adapted.problems)
    ch.publish(adapted.variant, PublishContext(release=rel, now=lambda: NOW))
    folder = tmp_path / "site" / "siaran-pers" / "peta"
    assert (folder / "isi-peta-lokasi.jpg").is_file()
    assert not list(folder.glob("*rahasia*"))
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert '<img src="isi-peta-lokasi.jpg" alt="Peta lokasi posko">' in html
    assert "https://cdn.kemensos.go.id/a.jpg" in html and "rahasia" not in html


def test_video_copied_and_shown(tmp_path):
    ch = channel(tmp_path)
    video = tmp_path / "rilis" / "video" / "liputan.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    rel = release(tmp_path, "liputan", section="berita-video", images=1)
    rel = Release(**{**rel.__dict__, "video": Media(video, kind="video")})
    publish(ch, rel)
    folder = tmp_path / "site" / "berita-video" / "liputan"
    assert (folder / "liputan.mp4").read_bytes() == video.read_bytes()
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert '<video controls preload="metadata" src="liputan.mp4" poster="liputan-1.jpg">' in html


CHILD = r"""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from crosspost.channels.base import PublishContext
from crosspost.channels.website import Limits, Settings, WebsiteChannel
from crosspost.models import Release

base, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ch = WebsiteChannel("website", Settings(type="website", base_url="https://www.kemensos.go.id"),
                    Limits(), base_dir=base)
for i in range(count):
    rel = Release(slug=f"{prefix}-{i}", title=f"Berita {prefix} {i}", body=f"Isi {i}.",
                  date=datetime(2026, 11, 1 + i, 9, tzinfo=timezone(timedelta(hours=7))),
                  section="siaran-pers" if prefix == "a" else "berita-terkini")
    variant, problems = ch.build_variant(rel, rel.body)
    assert not problems, problems
    ch.publish(variant, PublishContext(release=rel))
"""


def test_concurrent_publishing_from_two_processes(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    count = 6
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), prefix, str(count)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for prefix in "ab"]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    site = tmp_path / "site"
    slugs = {a["slug"] for a in json.loads((site / "_articles.json").read_text("utf-8"))["articles"]}
    assert slugs == {f"{p}-{i}" for p in "ab" for i in range(count)}
    entries = ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert len(entries) == 2 * count
    locs = [u.find(f"{SM}loc").text for u in ET.parse(site / "sitemap.xml").getroot()]
    assert len(locs) == 1 + 4 + 2 * count
    home = (site / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<h[23]><a href="[^"]+/index.html">Berita [ab] \d', home)) == 2 * count


def test_office_theme_overrides_builtin_templates(tmp_path):
    theme = tmp_path / "templates" / "site"
    theme.mkdir(parents=True)
    (theme / "article.j2").write_text(
        '{% extends "layout.j2" %}{% block content %}<h1 class="khusus">{{ article.title }}</h1>'
        "{{ article.body }}{% endblock %}", encoding="utf-8")
    ch = channel(tmp_path)
    publish(ch, release(tmp_path, "tema", "Judul <Tema>", images=0))
    html = (tmp_path / "site" / "siaran-pers" / "tema" / "index.html").read_text(encoding="utf-8")
    assert '<h1 class="khusus">Judul &lt;Tema&gt;</h1>' in html  # still autoescaped
    assert "<p>Paragraf <strong>pertama</strong>.</p>" in html
    assert "Berita Terbaru" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")  # built-in home


def test_release_without_summary_gets_an_excerpt_on_cards_only(tmp_path):
    ch = channel(tmp_path)
    rel = release(tmp_path, "tanpa-ringkasan", images=0,
                  body="Kalimat pembuka yang **cukup** jelas.\n\nLain.")
    publish(ch, Release(**{**rel.__dict__, "summary": ""}))
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<p>Kalimat pembuka yang cukup jelas.</p>" in home
    page = (tmp_path / "site" / "siaran-pers" / "tanpa-ringkasan" / "index.html").read_text(encoding="utf-8")
    assert 'class="ringkasan"' not in page
    assert '<meta name="description" content="Kalimat pembuka yang cukup jelas.">' in page
