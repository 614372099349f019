"""End to end in a real browser: the generated static site and the approval preview page,
loaded in headless Chromium at phone width (375 px) from a loopback HTTP server.

Checked on every page: no console error or failed request, every image loads (naturalWidth > 0)
and has alt text, <html lang="id">, no horizontal scroll, internal links answer; the preview
page fetches nothing but itself. A full-page screenshot of each page is saved into
$CROSSPOST_ARTIFACTS (default: a pytest temporary folder) for a human to look at.

Chromium is Debian's ``chromium`` package, driven over the DevTools pipe (tests/cdp.py, no
extra Python dependency). Without it the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cdp import Browser, PageReport, find_chromium
from PIL import Image, ImageDraw

from crosspost.adapt import adapt, adapt_one
from crosspost.channels import channel_class
from crosspost.channels.base import Channel, PublishContext
from crosspost.preview_html import write_preview_html
from crosspost.release import load_release

WIB = timezone(timedelta(hours=7))
BASE = "https://www.kemensos.go.id"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
PHONE = 375

# Runs inside each HTML page: make lazy images load, wait for them (bounded), check internal links.
PAGE_CHECK = """
const imgs = [...document.images];
imgs.forEach(i => { i.loading = 'eager'; });
window.scrollTo(0, document.documentElement.scrollHeight);
await Promise.all(imgs.map(i => i.complete ? null : new Promise(done => {
  i.addEventListener('load', done, {once: true});
  i.addEventListener('error', done, {once: true});
  setTimeout(done, 8000);
})));
window.scrollTo(0, 0);
const internal = [...new Set([...document.querySelectorAll('a[href]')]
  .map(a => a.href.split('#')[0]).filter(h => h.startsWith(location.origin + '/')))];
const brokenLinks = [];
for (const href of internal) {
  try { const r = await fetch(href, {method: 'HEAD'}); if (!r.ok) brokenLinks.push(r.status + ' ' + href); }
  catch (e) { brokenLinks.push(String(e) + ' ' + href); }
}
return {
  lang: document.documentElement.getAttribute('lang'),
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  title: document.title,
  h1: (document.querySelector('h1') || {}).textContent || '',
  images: imgs.map(i => ({src: i.currentSrc.slice(-100), alt: i.getAttribute('alt'),
                          jpegData: i.currentSrc.startsWith('data:image/jpeg;base64,'),
                          naturalWidth: i.naturalWidth})),
  internalLinks: internal.length,
  brokenLinks,
};
"""

FEED_CHECK = """
// Chromium shows XML through its own viewer page, so parse the feed with the browser's XML parser.
const ns = 'http://www.w3.org/2005/Atom';
const doc = new DOMParser().parseFromString(await (await fetch(location.href)).text(), 'application/xml');
const root = doc.documentElement;
const entries = [];
for (const e of doc.getElementsByTagNameNS(ns, 'entry')) {
  const link = [...e.getElementsByTagNameNS(ns, 'link')].find(l => l.getAttribute('rel') === 'alternate');
  const href = link ? link.getAttribute('href') : '';
  let status = 0;
  try { status = (await fetch(new URL(href).pathname + 'index.html', {method: 'HEAD'})).status; }
  catch (err) { status = -1; }
  entries.push({href, status, title: e.getElementsByTagNameNS(ns, 'title')[0].textContent});
}
return {root: root.localName, ns: root.namespaceURI, lang: root.getAttribute('xml:lang'),
        parseErrors: doc.getElementsByTagName('parsererror').length, entries};
"""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        reason = "Chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; .ci/run must install it, the browser tests may not be skipped in CI")
        pytest.skip(reason)
    return exe


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(chromium, tmp_path_factory.mktemp("chromium-profile"), timeout=20)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("CROSSPOST_ARTIFACTS") or tmp_path_factory.mktemp("artefak"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("www")


@pytest.fixture(scope="module")
def server(www: Path, site: dict, preview: Path) -> Iterator[str]:
    """The site folder (with the preview page in it) on 127.0.0.1, a random port, in a thread."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _photo(path: Path, size: tuple[int, int], hue: int, mode: str = "RGB") -> None:
    """A picture with some structure (not one flat colour), so a broken decode would show."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new(mode, size, (hue, 120, 200 - hue // 2, 255)[: len(mode)])
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((w // 8, h // 3, w * 7 // 8, h * 5 // 6), fill=(240, 240, 240, 255)[: len(mode)])
    draw.ellipse((w // 3, h // 10, w * 2 // 3, h // 3), fill=(200, 30, 30, 255)[: len(mode)])
    img.save(path)


RELEASES = {
    "banjir.md": """---
title: "Kemensos Salurkan Bantuan Rp1,2 Miliar untuk Korban Banjir Bekasi"
date: 2026-11-20 09:00 WIB
section: siaran-pers
number: 231/HUMAS/XI/2026
summary: Bantuan logistik & santunan untuk 4.500 jiwa terdampak <banjir> di tiga kecamatan.
contact: Biro Hubungan Masyarakat, Kementerian Sosial RI
tags: [banjir, Bekasi]
hashtags: [KemensosHadir, BanjirBekasi]
images:
  - path: img/banjir-posko.jpg
    alt: Petugas Tagana menurunkan paket logistik dari truk di posko pengungsian Bekasi
  - path: img/banjir-dapur.jpg
    alt: Relawan memasak di dapur umum lapangan untuk warga terdampak banjir
---
**BEKASI** — Kementerian Sosial menyalurkan bantuan senilai Rp1,2 miliar bagi warga terdampak banjir.

![Peta lokasi tiga posko pengungsian di Kabupaten Bekasi](img/peta-posko.png)

Bantuan meliputi:

- makanan siap saji dan lauk pauk,
- selimut, tenda keluarga, dan matras,
- perlengkapan bayi.

> "Kami memastikan kebutuhan dasar warga terpenuhi," ujar Menteri Sosial.

Informasi: [kemensos.go.id](https://www.kemensos.go.id/) atau Command Center **171**.
""",
    "hksn.md": """---
title: Semarak Hari Kesetiakawanan Sosial Nasional 2026 di Yogyakarta
date: 2026-12-20 09:00 WIB
section: berita-foto
summary: Ribuan relawan memperingati HKSN 2026 dengan upacara dan aksi berbagi.
images:
  - path: img/hksn-upacara.jpg
    alt: Barisan peserta upacara HKSN 2026 di lapangan dengan bendera Merah Putih
  - path: img/hksn-posko.jpg
    alt: Empat relawan berdiri di depan posko yang penuh paket sembako
  - path: img/hksn-panorama.jpg
    alt: Panorama alun-alun Yogyakarta yang dipenuhi relawan berseragam
hashtags: [HKSN2026, KemensosHadir]
---
Peringatan HKSN 2026 dipusatkan di Yogyakarta dan diikuti lebih dari 3.000 relawan sosial.

Usai upacara, relawan membagikan 5.000 paket sembako kepada lansia dan penyandang disabilitas.
""",
    "terkini.md": """---
title: Layanan Command Center 171 Tetap Buka Selama Libur Akhir Tahun
date: 2026-11-25 14:30 WIB
section: berita-terkini
---
Masyarakat tetap dapat melapor melalui Command Center 171 selama libur akhir tahun. Formulir daring:
https://www.kemensos.go.id/layanan/pengaduan/formulir-pengaduan-masyarakat-selama-libur-akhir-tahun-2026-dan-tahun-baru-2027

Kode tiket: TIKET-20261225-KEMENSOS-COMMANDCENTER-171-LAYANAN-PENGADUAN-MASYARAKAT-NASIONAL.
""",
}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("rilis")
    img = folder / "img"
    _photo(img / "banjir-posko.jpg", (1200, 800), 40)
    _photo(img / "banjir-dapur.jpg", (1080, 1350), 90)
    _photo(img / "peta-posko.png", (800, 800), 150, mode="RGBA")
    _photo(img / "hksn-upacara.jpg", (1200, 800), 10)
    _photo(img / "hksn-posko.jpg", (1080, 1350), 60)
    _photo(img / "hksn-panorama.jpg", (2400, 800), 120)  # wider than 1.91:1: Instagram must fit it
    out = {}
    for name, text in RELEASES.items():
        (folder / name).write_text(text, encoding="utf-8")
        out[name] = load_release(folder / name, "Asia/Jakarta")
    return out


def _website(www: Path, tmp: Path) -> Channel:
    cls = channel_class("website")
    settings = cls.Settings(type="website", base_url=BASE, site_dir=str(www))
    return cls("website", settings, cls.Limits(), base_dir=tmp, state_dir=tmp)


@pytest.fixture(scope="module")
def site(www: Path, releases: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Publish the three releases with the website channel, as `crosspost publish` would."""
    channel = _website(www, tmp_path_factory.mktemp("website-state"))
    urls = {}
    for i, (name, rel) in enumerate(releases.items()):
        adapted = adapt_one(rel, channel)
        assert adapted.ok, adapted.problems
        when = (NOW + timedelta(minutes=i)).timestamp()
        receipt = channel.publish(adapted.variant, PublishContext(release=rel, now=lambda w=when: w))
        urls[name] = receipt.url
    return urls


def _all_channels(tmp: Path) -> list[Channel]:
    """One channel of every platform, configured enough to build variants (nothing is sent)."""
    out: list[Channel] = [_website(tmp / "site", tmp)]
    for type_, extra in (("twitter", {}), ("instagram", {"ig_user_id": "17841400000000000"}),
                         ("facebook", {"page_id": "104000000000000"}), ("youtube", {})):
        try:
            cls = channel_class(type_)
        except (ImportError, AttributeError):  # the YouTube channel may not exist yet
            continue
        settings = cls.Settings(type=type_, **{k: v for k, v in extra.items()
                                               if k in cls.Settings.__dataclass_fields__})
        out.append(cls(type_, settings, cls.Limits(), base_dir=tmp, state_dir=tmp))
    return out


@pytest.fixture(scope="module")
def preview(www: Path, releases: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("preview-state")
    rel = releases["hksn.md"]
    adapted = adapt(rel, _all_channels(tmp))
    assert {a.channel.platform for a in adapted} >= {"website", "twitter", "instagram", "facebook"}
    return write_preview_html(rel, adapted, www / "pratinjau" / "index.html",
                              datetime(2026, 12, 1, 9, 30, tzinfo=WIB))


# --------------------------------------------------------------------------- checks


def _open(browser: Browser, url: str, shot: Path, script: str = PAGE_CHECK) -> PageReport:
    return browser.open(url, width=PHONE, check_script=script, screenshot=shot, timeout=20)


def _favicon(message: str) -> bool:
    """The browser asks every site for /favicon.ico by itself; the generated site ships none
    (the ministry's web server has one), so that 404 is not an error of the page."""
    return message.endswith("/favicon.ico")


def _assert_page(report: PageReport, min_images: int, allow_favicon_404: bool = True) -> None:
    f = report.facts
    errors = [e for e in report.errors if not (allow_favicon_404 and _favicon(e))]
    failed = [e for e in report.failed if not (allow_favicon_404 and _favicon(e))]
    assert errors == [], f"console errors on {report.url}: {errors}"
    assert failed == [], f"failed requests on {report.url}: {failed}"
    assert f["lang"] == "id", f"{report.url}: <html lang> is {f['lang']!r}"
    assert f["innerWidth"] == PHONE
    assert f["scrollWidth"] <= PHONE, f"{report.url} scrolls sideways at {PHONE}px: {f['scrollWidth']}px wide"
    images = f["images"]
    assert len(images) >= min_images, f"{report.url}: expected at least {min_images} images, got {images}"
    not_loaded = [i["src"] for i in images if i["naturalWidth"] <= 0]
    assert not_loaded == [], f"{report.url}: images that did not load: {not_loaded}"
    no_alt = [i["src"] for i in images if not (i["alt"] or "").strip()]
    assert no_alt == [], f"{report.url}: images without alt text: {no_alt}"
    assert f["brokenLinks"] == [], f"{report.url}: broken internal links: {f['brokenLinks']}"
    assert report.screenshot is not None and report.screenshot.stat().st_size > 1000
    with Image.open(report.screenshot) as shot:
        assert shot.width == PHONE


def _path(url: str) -> str:
    return url.removeprefix(BASE)


def test_home_page(browser: Browser, server: str, artifacts: Path, releases: dict) -> None:
    report = _open(browser, f"{server}/index.html", artifacts / "situs-beranda.png")
    _assert_page(report, min_images=2)  # the two releases with photos show a card image
    assert report.facts["internalLinks"] >= 3 + 4  # three articles and the section menu


def test_section_index(browser: Browser, server: str, artifacts: Path) -> None:
    report = _open(browser, f"{server}/berita-foto/index.html", artifacts / "situs-rubrik-berita-foto.png")
    _assert_page(report, min_images=1)
    assert "Berita Foto" in report.facts["title"]


def test_article_with_images(browser: Browser, server: str, artifacts: Path, site: dict) -> None:
    url = f"{server}{_path(site['banjir.md'])}index.html"
    report = _open(browser, url, artifacts / "situs-artikel-banjir.png")
    _assert_page(report, min_images=3)  # two photos and the map written into the text
    assert report.facts["h1"].startswith("Kemensos Salurkan Bantuan")
    assert any("peta-posko" in i["src"] for i in report.facts["images"])


def test_photo_article(browser: Browser, server: str, artifacts: Path, site: dict) -> None:
    url = f"{server}{_path(site['hksn.md'])}index.html"
    report = _open(browser, url, artifacts / "situs-artikel-foto.png")
    _assert_page(report, min_images=3)


def test_text_only_article_long_words_fit(browser: Browser, server: str, artifacts: Path, site: dict) -> None:
    """A long URL and a long ticket code must wrap, not widen the page."""
    report = _open(browser, f"{server}{_path(site['terkini.md'])}index.html",
                   artifacts / "situs-artikel-terkini.png")
    _assert_page(report, min_images=0)


def test_feed(browser: Browser, server: str, artifacts: Path, releases: dict) -> None:
    report = _open(browser, f"{server}/feed.xml", artifacts / "situs-feed.png", FEED_CHECK)
    errors = [e for e in report.errors + report.failed if not _favicon(e)]
    assert errors == [], errors
    f = report.facts
    assert (f["root"], f["ns"], f["parseErrors"]) == ("feed", "http://www.w3.org/2005/Atom", 0)
    assert f["lang"] == "id"
    assert sorted(e["title"] for e in f["entries"]) == sorted(r.title for r in releases.values())
    assert all(e["href"].startswith(BASE + "/") for e in f["entries"]), f["entries"]
    assert [e for e in f["entries"] if e["status"] != 200] == [], "feed entries that do not resolve"


def test_preview_page(browser: Browser, server: str, artifacts: Path, preview: Path, releases: dict) -> None:
    url = f"{server}/pratinjau/index.html"
    report = _open(browser, url, artifacts / "pratinjau-persetujuan.png")
    # website: 3 photos; X: 3 on the first post; Instagram: big first image + 3 in the carousel;
    # Facebook: 3 photos
    _assert_page(report, min_images=3 + 3 + 4 + 3, allow_favicon_404=False)
    assert report.facts["title"] == f"Pratinjau: {releases['hksn.md'].title}"
    outside = [u for u in report.requests if u != url and not u.startswith("data:")]
    assert outside == [], f"the preview must be self-contained but fetched {outside}"
    assert all(i["jpegData"] for i in report.facts["images"]), "preview images must be embedded JPEGs"


BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>rusak</title></head>
<body>
<img src="tidak-ada.jpg" alt="berkas hilang">
<img src="ada.png">
<div style="width:900px">terlalu lebar untuk ponsel</div>
<a href="../tidak-ada/index.html">tautan rusak</a>
<script>console.error("sengaja rusak");</script>
<script>throw new Error("galat tak tertangkap");</script>
</body></html>
"""


def test_the_checks_catch_a_broken_page(browser: Browser, server: str, www: Path, artifacts: Path) -> None:
    """Negative control: every check above must be able to fail."""
    folder = www / "_uji-rusak"
    folder.mkdir(exist_ok=True)
    (folder / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    _photo(folder / "ada.png", (40, 40), 10)
    report = _open(browser, f"{server}/_uji-rusak/index.html", artifacts / "kontrol-rusak.png")
    f = report.facts
    assert any("sengaja rusak" in e for e in report.errors), report.errors
    assert any("galat tak tertangkap" in e for e in report.errors), report.errors
    assert any("tidak-ada.jpg" in e for e in report.errors + report.failed), (report.errors, report.failed)
    assert f["lang"] == "en"
    assert f["scrollWidth"] > PHONE
    by_src = {i["src"].rsplit("/", 1)[-1]: i for i in f["images"]}
    assert by_src["tidak-ada.jpg"]["naturalWidth"] == 0
    assert by_src["ada.png"]["naturalWidth"] == 40 and by_src["ada.png"]["alt"] is None
    assert len(f["brokenLinks"]) == 1 and "404" in f["brokenLinks"][0]
    with pytest.raises(AssertionError):
        _assert_page(report, min_images=0)
