"""The approval preview page (crosspost preview --html): complete, escaped, self-contained."""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from crosspost.adapt import Adapted, adapt
from crosspost.channels import channel_class
from crosspost.channels.base import Channel
from crosspost.models import Media, Problem, Variant
from crosspost.preview_html import THUMB_WIDTH, render_preview_html, write_preview_html
from crosspost.release import load_release

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=WIB)


class Page(HTMLParser):
    """Collects what the assertions need from the generated page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.imgs: list[dict[str, str | None]] = []
        self.resources: list[str] = []  # every URL the browser would load by itself
        self.scripts = 0
        self.handlers: list[str] = []
        self.sections: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.handlers += [k for k in a if k.startswith("on")]
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "img":
            self.imgs.append(a)
        if tag == "script":
            self.scripts += 1
        if tag == "section":
            self.sections.append(a)
        if tag in ("img", "script", "iframe", "video", "audio", "source", "embed") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"])
        if tag == "object" and a.get("data"):
            self.resources.append(a["data"])


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


def jpeg_size(data_uri: str) -> tuple[int, int]:
    assert data_uri.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))) as im:
        assert im.format == "JPEG"
        return im.size


def photo(path: Path, size: tuple[int, int], mode: str = "RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, (30, 90, 160, 255)[: len(mode)]).save(path)
    return path


RELEASE = """---
title: "Kemensos & Mitra <Salurkan> Bantuan \\"Banjir\\" <script>alert(1)</script>"
date: 2026-11-20 09:00 WIB
section: siaran-pers
number: 231/HUMAS/XI/2026
summary: Ringkasan <b>tebal</b> yang harus tampil sebagai teks.
hashtags: [KemensosHadir, BanjirBekasi]
images:
  - path: img/besar.jpg
    alt: Petugas <Tagana> & relawan menurunkan logistik
  - path: img/lebar.jpg
    alt: Panorama posko pengungsian
  - path: img/tanpa-alt.png
---
Paragraf **pertama** dengan <img src=x onerror="alert(2)"> dan <script>alert(3)</script>.

![Peta lokasi posko](img/peta.png)

![Foto dari web](https://example.com/luar.jpg)

Paragraf kedua yang cukup panjang untuk X. """ + "Kalimat tambahan tentang bantuan sosial. " * 12 + "\n"


def channels(tmp: Path) -> list[Channel]:
    out = []
    site = {"base_url": "https://www.kemensos.go.id", "site_dir": str(tmp / "site")}
    for type_, extra in (("website", site), ("twitter", {}), ("instagram", {"ig_user_id": "1784"}),
                         ("facebook", {"page_id": "1040"}), ("youtube", {})):
        try:
            cls = channel_class(type_)
        except (ImportError, AttributeError):  # YouTube is being written
            continue
        fields = cls.Settings.__dataclass_fields__
        settings = cls.Settings(type=type_, **{k: v for k, v in extra.items() if k in fields})
        out.append(cls(type_, settings, cls.Limits(), base_dir=tmp, state_dir=tmp))
    return out


@pytest.fixture
def release(tmp_path: Path):
    photo(tmp_path / "img" / "besar.jpg", (3000, 2000))
    photo(tmp_path / "img" / "lebar.jpg", (2400, 800))  # too wide for Instagram: fitted
    photo(tmp_path / "img" / "tanpa-alt.png", (600, 600), "RGBA")
    photo(tmp_path / "img" / "peta.png", (500, 500))
    src = tmp_path / "rilis.md"
    src.write_text(RELEASE, encoding="utf-8")
    return load_release(src, "Asia/Jakarta")


@pytest.fixture
def html(release, tmp_path: Path) -> str:
    adapted = adapt(release, channels(tmp_path / "state"))
    out = write_preview_html(release, adapted, tmp_path / "keluar" / "pratinjau.html", NOW)
    assert out == tmp_path / "keluar" / "pratinjau.html"
    return out.read_text(encoding="utf-8")


def test_header_identifies_the_release_for_the_approver(html: str, release) -> None:
    page = parse(html)
    assert page.lang == "id"
    assert release.content_hash[:12] in html
    assert release.content_hash not in html  # only the short form, the full one is in the log
    assert "231/HUMAS/XI/2026" in html
    assert "Siaran Pers" in html
    assert "Jumat, 20 November 2026 pukul 09.00 WIB" in html  # the release date
    assert "Selasa, 1 Desember 2026 pukul 09.30 WIB" in html  # generated at
    assert "2026-12-01 09:30 +0700" in html
    assert "rilis.md" in html


def test_user_text_is_escaped_and_there_is_no_script(html: str) -> None:
    page = parse(html)
    assert page.scripts == 0
    assert page.handlers == []  # no onerror= survived from the body
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, shown as text
    assert "&lt;Tagana&gt; &amp; relawan" in html  # alt text escaped in attributes and text
    assert "Ringkasan &lt;b&gt;tebal&lt;/b&gt;" in html


def test_page_is_self_contained(html: str, release, tmp_path: Path) -> None:
    page = parse(html)
    assert page.imgs, "expected embedded images"
    outside = [r for r in page.resources if not r.startswith("data:")]
    assert outside == []
    website = adapt(release, channels(tmp_path / "again"))[0].variant
    assert 'src="https://example.com/luar.jpg"' in website.text  # the site keeps the web image...
    assert "example.com/luar.jpg" not in html  # ...the emailed preview must not fetch it
    assert not re.search(r"url\((?!data:)", html)  # no CSS url() fetching anything
    assert "@import" not in html


def test_images_are_small_jpeg_thumbnails_with_alt(html: str) -> None:
    page = parse(html)
    for img in page.imgs:
        width, _ = jpeg_size(img["src"])
        assert width <= THUMB_WIDTH
        assert (img.get("alt") or "").strip()
    assert "Gambar tanpa teks alternatif: tanpa-alt.png" in html
    assert "✗ Tidak ada teks alternatif" in html
    assert any(img["alt"] == "Peta lokasi posko" for img in page.imgs)  # image from the body, embedded


def test_a_card_per_channel_with_platform_look(html: str, tmp_path: Path) -> None:
    page = parse(html)
    kinds = [s["class"].split()[1] for s in page.sections]
    expected = [c.platform for c in channels(tmp_path / "x")]
    assert kinds == [f"kanal-{k}" for k in expected]
    for label in ("Situs web", "X (Twitter)", "Instagram", "Facebook"):
        assert f">{label}<small>" in html
    assert "Bagian 1 dari " in html and "Bagian 2 dari " in html  # the X thread, numbered
    assert "disesuaikan untuk Instagram dari 2400×800 (lebar.jpg)" in html
    assert "3000×2000 px" in html
    assert "Panjang X (berbobot) 1/" in html


def _fake(name: str, type_: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, platform=type_)


def test_counts_are_green_or_red_and_problems_listed(release, tmp_path: Path) -> None:
    over = Variant(channel="x", kind="twitter", text="t" * 300, counts={"weighted": [300], "limit": 280})
    fine = Variant(channel="fb", kind="facebook", text="halo", counts={"chars": 4, "limit": 63206})
    adapted = [
        Adapted(_fake("x", "twitter"), over, (Problem("x", "parts[1]", "this post is over the X limit",
                                                      280, 300),)),
        Adapted(_fake("fb", "facebook"), fine, (Problem("fb", "media", "foto <besar>",
                                                        severity="warning"),)),
        Adapted(_fake("yt", "youtube"), None, (Problem("yt", "video", "no video to upload"),)),
    ]
    html = render_preview_html(release, adapted, NOW)
    row = re.search(r'<tr class="lewat">\s*<th scope="row">Panjang X \(berbobot\)</th>\s*<td>([^<]*)</td>',
                    html)
    assert row and "✗ 300 / 280" in row.group(1) and "lebih 20" in row.group(1)
    assert re.search(r'<tr class="ok">\s*<th scope="row">Karakter</th>\s*<td>✓ 4 / 63206', html)
    assert "<strong>Galat</strong> · parts[1]: this post is over the X limit (300 / 280)" in html
    assert "<strong>Peringatan</strong> · media: foto &lt;besar&gt;" in html
    assert "Varian untuk kanal ini tidak dapat dibuat" in html
    assert "1 dari 3 kanal siap terbit" in html
    assert html.count("✗ Belum bisa terbit") == 2 and html.count("✓ Siap terbit") == 1


def test_youtube_card_shows_title_description_and_video(release, tmp_path: Path) -> None:
    video = tmp_path / "liputan.mp4"
    video.write_bytes(b"\0" * 2048)
    v = Variant(channel="yt", kind="youtube", text="Deskripsi\nbaris dua", title="Judul Video",
                media=(Media(video, kind="video"),),
                extra={"privacy": "public", "tags": ["Kemensos", "HKSN"]},
                counts={"title": {"actual": 11, "limit": 100, "unit": "chars"}})
    html = render_preview_html(release, [Adapted(_fake("yt", "youtube"), v, ())], NOW)
    assert '<p class="yt-judul">Judul Video</p>' in html
    assert "▶ liputan.mp4" in html and "Deskripsi\nbaris dua" in html
    assert "Tag: Kemensos, HKSN" in html and "Visibilitas: public" in html
    assert "✓ 11 / 100 karakter" in html
    assert parse(html).imgs == []


def test_unreadable_or_missing_image_gives_a_placeholder(release, tmp_path: Path) -> None:
    bad = tmp_path / "rusak.jpg"
    bad.write_bytes(b"not a jpeg")
    v = Variant(channel="fb", kind="facebook", text="teks", media=(
        Media(bad, alt="rusak"), Media(tmp_path / "hilang.jpg", alt="hilang")))
    html = render_preview_html(release, [Adapted(_fake("fb", "facebook"), v, ())], NOW)
    assert parse(html).imgs == []
    assert "rusak.jpg (tidak dapat ditampilkan)" in html
    assert "berkas tidak ditemukan" in html


def test_write_creates_folders_and_leaves_no_temp_file(release, tmp_path: Path) -> None:
    out = write_preview_html(release, [], tmp_path / "a" / "b" / "p.html", NOW)
    assert out.is_file() and [p.name for p in out.parent.iterdir()] == ["p.html"]
    assert "0 dari 0 kanal siap terbit" in out.read_text(encoding="utf-8")


def test_website_body_is_sanitised_again_and_images_embedded(tmp_path: Path) -> None:
    from crosspost.preview_html import website_body

    peta = photo(tmp_path / "peta.png", (900, 300))
    raw = ('<p onclick="x()">Teks <script>alert(1)</script><a href="javascript:alert(2)">a</a></p>'
           '<img src="isi-peta.png" alt="Peta"><img src="https://example.com/luar.jpg" alt="luar">'
           '<img src="data:image/png;base64,AAAA" alt="sisipan"><iframe src="https://example.com"></iframe>')
    body = str(website_body(raw, {"isi-peta.png": str(peta)}))
    page = parse(body)
    assert page.scripts == 0 and page.handlers == [] and "javascript:" not in body and "iframe" not in body
    assert [i["alt"] for i in page.imgs] == ["Peta"]
    assert jpeg_size(page.imgs[0]["src"]) == (THUMB_WIDTH, 160)


def test_channels_the_release_does_not_go_to_are_listed_with_why(release, tmp_path: Path) -> None:
    """The approver sees that YouTube is left out and why, not only the channels that send."""
    from crosspost.routing import Skipped

    fine = Variant(channel="fb", kind="facebook", text="halo", counts={"chars": 4, "limit": 63206})
    skipped = [Skipped("yt", "youtube", "rilis <tanpa> video")]
    out = write_preview_html(release, [Adapted(_fake("fb", "facebook"), fine, ())], tmp_path / "p.html", NOW,
                             skipped)
    html = out.read_text(encoding="utf-8")
    assert '<li class="dilewati">– yt: tidak diterbitkan (rilis &lt;tanpa&gt; video)</li>' in html
    assert "1 dari 1 kanal siap terbit" in html
