import os
from datetime import datetime, timedelta, timezone

import pytest

from crosspost.errors import InputError
from crosspost.templating import hashtag_list, render, tanggal, truncate_words, utm
from crosspost.text import plain_paragraphs

WIB = timezone(timedelta(hours=7))


def test_truncate_words_cuts_at_a_word_boundary_within_the_limit():
    text = "Kementerian Sosial menyalurkan bantuan logistik senilai Rp1,2 miliar"
    out = truncate_words(text, 40)
    assert len(out) <= 40
    assert out.endswith("…")
    assert text.startswith(out[:-1])
    assert out[:-1].split()[-1] in text.split()
    assert truncate_words("pendek", 40) == "pendek"


def test_tanggal_formats_indonesian_day_and_month():
    assert tanggal(datetime(2026, 11, 20, 9, 0, tzinfo=WIB)) == "Jumat, 20 November 2026"
    assert tanggal(datetime(2026, 12, 1, 9, 0, tzinfo=WIB), with_time=True) == \
        "Selasa, 1 Desember 2026 pukul 09.00 WIB"


def test_hashtags_and_utm():
    assert hashtag_list(["KemensosHadir", "#Banjir"], 1) == "#KemensosHadir"
    assert hashtag_list(["A", "B"]) == "#A #B"
    link = utm("https://x.go.id/a?lang=id&utm_source=old", "twitter", "social", "rilis")
    assert link == "https://x.go.id/a?lang=id&utm_source=twitter&utm_medium=social&utm_campaign=rilis"
    assert utm("https://x.go.id/a", "") == "https://x.go.id/a"


def test_sandbox_and_strict_undefined(tmp_path):
    (tmp_path / "bad.j2").write_text("{{ nothing_here }}")
    with pytest.raises(InputError, match="nothing_here"):
        render("bad.j2", {}, tmp_path)
    (tmp_path / "evil.j2").write_text("{{ ''.__class__.__mro__ }}")
    with pytest.raises(InputError, match="__class__"):
        render("evil.j2", {}, tmp_path)


def test_user_template_overrides_builtin(tmp_path):
    (tmp_path / "website.j2").write_text("punya kantor: {{ title }}")
    assert render("website.j2", {"title": "X"}, tmp_path) == "punya kantor: X"


def test_plain_paragraphs_drop_markup_and_unsafe_links():
    md = ('Layanan <b>Command Center 171</b> **aktif**.\n\n<script>alert("x")</script>\n\n'
          '[Tautan](javascript:alert(1)) dan [resmi](https://cekbansos.kemensos.go.id).')
    out = plain_paragraphs(md)
    assert out[0] == "Layanan Command Center 171 aktif."
    assert all("script" not in p and "javascript" not in p for p in out)
    assert out[-1] == "Tautan dan resmi (https://cekbansos.kemensos.go.id)."


def test_count_rows_understands_every_channel_shape():
    from crosspost.counts import count_rows

    assert count_rows({"weighted": [270, 120], "limit": 280}) == [
        ("weighted 1/2", 270, 280, ""), ("weighted 2/2", 120, 280, "")]
    assert count_rows({"chars": 10, "chars_limit": 2200, "mentions": 0}) == [
        ("chars", 10, 2200, ""), ("mentions", 0, None, "")]
    shaped = {"title": {"actual": 84, "limit": 200, "unit": "chars"}}
    assert count_rows(shaped) == [("title", 84, 200, "chars")]


def test_a_user_template_edited_between_two_renders_is_picked_up(tmp_path):
    """Templates are held between renders (crosspost.templating._template); an edit still shows,
    as with Jinja's auto_reload: `run --watch` and a long preview session render again."""
    path = tmp_path / "website.j2"
    path.write_text("satu: {{ title }}")
    assert render("website.j2", {"title": "X"}, tmp_path) == "satu: X"
    path.write_text("dua: {{ title }}")
    os.utime(path, (path.stat().st_mtime + 5,) * 2)  # a later mtime, whatever the clock's grain
    assert render("website.j2", {"title": "X"}, tmp_path) == "dua: X"


def test_a_user_folder_made_after_a_render_is_used(tmp_path):
    folder = tmp_path / "templates"
    with pytest.raises(InputError):
        render("kantor.j2", {"title": "X"}, folder)
    folder.mkdir()
    (folder / "kantor.j2").write_text("kantor: {{ title }}")
    assert render("kantor.j2", {"title": "X"}, folder) == "kantor: X"
