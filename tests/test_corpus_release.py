"""Every release in ../shared/corpus/releases is either read with the right fields or refused clearly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crosspost.errors import EXIT_INPUT, InputError
from crosspost.release import load_release

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "releases"
WIB = timezone(timedelta(hours=7))

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")

# file -> (section, number, images, has video, hashtag count, date)
EXPECTED = {
    "01-siaran-pers-banjir-bekasi.md": ("siaran-pers", "231/HUMAS/XI/2026", 1, False, 3,
                                        datetime(2026, 11, 20, 9)),
    "02-berita-foto-hari-disabilitas.md": ("berita-foto", None, 3, False, 3, datetime(2026, 12, 3, 10, 30)),
    "03-berita-video-atensi.md": ("berita-video", None, 1, True, 2, datetime(2026, 11, 25, 15)),
    "04-berita-terkini-singkat.md": ("berita-terkini", None, 0, False, 1, datetime(2026, 11, 28, 8)),
    "05-edge-karakter-khusus.md": ("berita-terkini", None, 0, False, 2, datetime(2026, 11, 29, 13)),
    "06-edge-banyak-tagar.md": ("siaran-pers", None, 1, False, 35, datetime(2026, 11, 30, 7)),
    "07-edge-judul-panjang.md": ("siaran-pers", None, 0, True, 0, datetime(2026, 12, 1, 11)),
}


def test_every_corpus_file_is_covered():
    names = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert names == set(EXPECTED) | {"08-edge-yaml-rusak.md", "09-edge-tanpa-judul.md",
                                     "10-siaran-pers-sentra-timur.docx", "11-edge-cp1252.md"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_normal_releases_load(name):
    section, number, n_images, has_video, n_tags, when = EXPECTED[name]
    r = load_release(CORPUS / name)
    assert r.title and r.body and r.slug
    assert r.section == section and r.number == number
    assert len(r.images) == n_images and (r.video is not None) == has_video
    assert len(r.hashtags) == n_tags and not any(h.startswith("#") for h in r.hashtags)
    assert r.date == when.replace(tzinfo=WIB)
    assert r.link and r.link.startswith("https://www.kemensos.go.id/")
    for media in (*r.images, *([r.video] if r.video else [])):
        assert media.path.is_absolute() and media.path.is_file()
    for image in r.images:
        assert image.alt and image.width and image.height
    assert r.warnings == ()


def test_image_sizes_are_read():
    r = load_release(CORPUS / "02-berita-foto-hari-disabilitas.md")
    assert [(m.width, m.height) for m in r.images] == [(1080, 1350), (1080, 1080), (1920, 1080)]
    assert load_release(CORPUS / "06-edge-banyak-tagar.md").images[0].width == 3000


def test_special_characters_survive():
    r = load_release(CORPUS / "05-edge-karakter-khusus.md")
    assert r.title.startswith('Tarif <Gratis> & Layanan 24 Jam: "Hotline 171"')
    assert "📱" in r.title and "<script>" in r.body  # read faithfully; the website layer sanitises


def test_long_title_is_kept_whole_but_slug_is_short():
    r = load_release(CORPUS / "07-edge-judul-panjang.md")
    assert len(r.title) > 100 and len(r.slug) <= 80


def test_broken_yaml_names_file_and_line():
    path = CORPUS / "08-edge-yaml-rusak.md"
    with pytest.raises(InputError) as info:
        load_release(path)
    err = info.value
    assert err.exit_code == EXIT_INPUT
    assert err.path == path and err.line == 2  # the unclosed quote opens on line 2
    assert str(path) in str(err) and "YAML" in str(err)


def test_missing_title_names_file():
    path = CORPUS / "09-edge-tanpa-judul.md"
    with pytest.raises(InputError, match="title") as info:
        load_release(path)
    assert info.value.path == path and str(path) in str(info.value)


def test_docx_release():
    r = load_release(CORPUS / "10-siaran-pers-sentra-timur.docx")
    assert r.title == "Kemensos Perkuat Layanan Sentra Terpadu di Wilayah Timur Indonesia"
    assert r.number == "240/HUMAS/XII/2026"
    assert r.section == "siaran-pers"
    assert r.body.startswith("JAYAPURA — Kementerian Sosial meresmikan dua sentra")
    assert "Nomor" not in r.body and "SIARAN PERS" not in r.body and r.title not in r.body
    assert "“Kami ingin layanan negara" in r.body
    assert r.date.tzinfo is not None
    assert any("no date" in w for w in r.warnings)


def test_docx_release_with_overrides():
    r = load_release(CORPUS / "10-siaran-pers-sentra-timur.docx", tz="WIT",
                     overrides={"date": "2026-12-02 10:00", "hashtags": ["KemensosHadir"]})
    assert r.date == datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=9)))
    assert r.hashtags == ("KemensosHadir",) and r.warnings == ()


def test_cp1252_is_decoded_not_mojibake():
    r = load_release(CORPUS / "11-edge-cp1252.md")
    assert r.title == "Sosialisasi Program di Kabupaten Garut – Tahap II"  # 0x96 -> en dash
    assert r.body == "Kegiatan “sosialisasi” dihadiri 300 peserta."  # 0x93/0x94 -> curly quotes
    assert "Ã" not in r.title + r.body and "\x96" not in r.title
    assert any("Windows-1252" in w for w in r.warnings)
