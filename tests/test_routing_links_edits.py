"""Issue 17: routing (a channel that cannot carry a release is skipped, not an error), the article
link on every social post, publish showing what preview shows, edits of a sent release
(`publish`, then `publish --update`, checked at the HTTP boundary), per-release overrides and
long texts cut at a paragraph.

The office has all five channels on (tests/test_publish_all_channels.py's world: the real CLI
in-process, tweepy and facebook-sdk answered by `responses`, YouTube by HttpMockSequence).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import responses

from crosspost.adapt import adapt
from crosspost.channels.twitter import TwitterChannel
from crosspost.channels.youtube import YouTubeChannel
from crosspost.fitting import fit_paragraphs, shorten_words, utf8_bytes
from crosspost.overrides import adapt_overridden
from crosspost.release import load_release
from tests import test_publish_all_channels as allfive
from tests.channel_helpers import make_channel, make_image
from tests.test_publish_all_channels import GRAPH, PAGE, World

world = allfive.world  # the office with all five channels on (a fixture)

ARTICLE = "https://www.kemensos.go.id/siaran-pers/{slug}/"


def _release(work: Path, name: str = "rilis.md", *, extra: str = "", body: str = "",
             date: str = "2026-11-20 09:00 WIB") -> Path:
    path = work / name
    path.write_text(f"---\ntitle: Kemensos Salurkan Bantuan Banjir Bekasi\ndate: {date}\n{extra}---\n"
                    + (body or "Kementerian Sosial menyalurkan bantuan.\n\nParagraf kedua rilis.\n"),
                    encoding="utf-8")
    return path


def _text_sent(world: World) -> list[str]:
    return [t["text"] for t in world.platforms.tweets]


# ---- routing ------------------------------------------------------------------------------
def test_text_only_release_goes_to_what_can_carry_it_and_names_what_was_skipped(world, capsys):
    path = _release(world.work)
    code, out = world.json("publish", str(path), capsys=capsys)
    assert code == 0, out
    assert {d["channel"]: d["status"] for d in out["deliveries"]} == {
        "website": "sent", "twitter": "sent", "facebook": "sent"}
    assert {s["channel"]: s["reason"] for s in out["skipped"]} == {
        "instagram": "no image in this release (images:)",
        "youtube": "no video in this release (video: or video_id:)"}
    assert any("instagram: skipped" in n for n in out["notes"])
    assert world.youtube.mocks == [] and world.platforms.ig_published == []


def test_a_release_with_media_goes_to_all_five(world, capsys):
    make_image(world.work / "foto.jpg", (800, 600))
    path = _release(world.work, extra="images:\n  - path: foto.jpg\n    alt: Petugas membagikan paket\n"
                    "video_id: vid12345678\n")
    world.youtube.expect_update("vid12345678")
    code, out = world.json("publish", str(path), capsys=capsys)
    assert code == 0, out
    assert sorted(d["channel"] for d in out["deliveries"] if d["status"] == "sent") == [
        "facebook", "instagram", "twitter", "website", "youtube"]
    assert out["skipped"] == []


def test_sections_route_a_channel(world, capsys):
    toml = world.work / "channels.toml"
    toml.write_text(toml.read_text("utf-8").replace('privacy = "public"', 'privacy = "public"\n'
                                                    'sections = ["berita-video"]'), "utf-8")
    path = _release(world.work, extra="video_id: vid12345678\n")
    code, out = world.json("preview", str(path), capsys=capsys)
    assert code == 0
    [skip] = [s for s in out["skipped"] if s["channel"] == "youtube"]
    assert skip["reason"] == "section siaran-pers is not in its sections (berita-video)"
    assert "youtube" not in {v["channel"] for v in out["variants"]}
    facebook_photos_only = toml.read_text("utf-8").replace('page_id = "', 'requires = ["image"]\npage_id = "')
    toml.write_text(facebook_photos_only, "utf-8")
    code, out = world.json("preview", str(path), capsys=capsys)
    assert {s["channel"]: s["reason"] for s in out["skipped"]}["facebook"] == (
        "it requires an image and this release has none")


def test_a_channel_named_on_the_command_line_is_not_skipped(world, capsys):
    path = _release(world.work)
    code, out = world.json("preview", str(path), "-c", "youtube", capsys=capsys)
    assert code == 1 and out["skipped"] == []
    assert any(p["field"] == "media" for p in out["variants"][0]["problems"])


# ---- links --------------------------------------------------------------------------------
def test_a_post_without_the_website_in_the_run_links_the_article(world, capsys):
    path = _release(world.work)
    code, out = world.json("publish", str(path), "-c", "twitter", capsys=capsys)
    assert code == 0, out
    url = ARTICLE.format(slug=out["release"]["slug"])
    [tweet] = _text_sent(world)
    assert url in tweet
    assert not (world.work / "site").exists()  # the website was not part of this run


def test_a_link_under_the_site_that_is_not_the_article_is_a_warning_at_preview_and_publish(world, capsys):
    path = _release(world.work, extra="link: https://www.kemensos.go.id/siaran-pers/halaman-lain\n")
    code, out = world.json("preview", str(path), capsys=capsys)
    assert code == 0
    [warning] = out["release"]["warnings"]
    assert "halaman-lain" in warning and "is not this release's article" in warning
    code, text, _err = world.run("publish", str(path), "-c", "website", capsys=capsys)
    assert code == 0 and "! link: https://www.kemensos.go.id/siaran-pers/halaman-lain" in text
    right = _release(world.work, "benar.md", extra="link: https://kemensos.go.id/siaran-pers/kemensos-"
                     "salurkan-bantuan-banjir-bekasi\nslug: kemensos-salurkan-bantuan-banjir-bekasi\n")
    code, out = world.json("preview", str(right), capsys=capsys)
    assert out["release"]["warnings"] == []  # the article itself, written without www. and the slash


@pytest.mark.parametrize("name", ["siaran-pers-lumbung-sosial.md", "berita-foto-hksn-2026.md",
                                  "siaran-pers-sekolah-rakyat.docx"])
def test_shipped_examples_link_the_article_the_site_makes(world, capsys, name):
    example = Path(__file__).resolve().parents[1] / "examples" / name
    code, out = world.json("preview", str(example), capsys=capsys)
    assert out["release"]["warnings"] == []
    article = next(v for v in out["variants"] if v["channel"] == "website")["link"]
    assert all(v["link"] == article for v in out["variants"] if v["channel"] in ("facebook", "instagram"))


# ---- publish says what preview says --------------------------------------------------------
def test_dry_run_prints_the_preview_and_what_would_be_queued(world, capsys):
    path = _release(world.work)
    _code, preview, _e = world.run("preview", str(path), capsys=capsys)
    code, dry, _e = world.run("publish", str(path), "--dry-run", capsys=capsys)
    assert code == 0
    for line in ("Kemensos Salurkan Bantuan Banjir Bekasi", "3/3 ready", "instagram: skipped"):
        assert line in preview and line in dry
    assert "would queue website (website): now; the article https://www.kemensos.go.id/siaran-pers/" in dry
    assert "would queue twitter (twitter): now; a post linking https://www.kemensos.go.id/" in dry
    assert world.http_calls == 0 and not (world.work / "log.db").exists()


def test_a_release_dated_ahead_asks_for_at_release_or_now(world, capsys):
    path = _release(world.work, date="2099-01-05 09:00 WIB")
    code, _out, err = world.run("publish", str(path), "-c", "website", capsys=capsys)
    assert code == 2 and "--at release" in err and "--now" in err
    assert not (world.work / "log.db").exists()
    # a dry run shows what it would queue, then says what publish refuses (exit 2, nothing written)
    code, dry, err = world.run("publish", str(path), "-c", "website", "--dry-run", capsys=capsys)
    assert code == 2 and "would queue website (website)" in dry and "--at release" in err
    code, out = world.json("publish", str(path), "-c", "website", "--dry-run", capsys=capsys)
    assert code == 2 and out["plan"][0]["channel"] == "website" and "--at release" in out["refused"]
    assert not (world.work / "log.db").exists()
    code, out = world.json("publish", str(path), "-c", "website", "--at", "release", capsys=capsys)
    assert code == 0 and [d["status"] for d in out["deliveries"]] == ["queued"]
    path2 = _release(world.work, "dua.md", date="2099-01-06 09:00 WIB", extra="slug: rilis-kedua\n")
    code, out = world.json("publish", str(path2), "-c", "website", "--now", capsys=capsys)
    assert code == 0 and [d["status"] for d in out["deliveries"]] == ["sent"]


# ---- edits -----------------------------------------------------------------------------------
def test_an_edited_release_is_refused_then_updated_in_place(world, capsys):
    """The Graph API edits a Page post with POST /{page-post-id} and a new `message`, answering
    {"success": true} (https://developers.facebook.com/docs/graph-api/reference/page-post/#updating)."""
    path = _release(world.work)
    code, out = world.json("publish", str(path), "-c", "website", "-c", "facebook", capsys=capsys)
    assert code == 0, out
    post_id = next(d["remote_id"] for d in out["deliveries"] if d["channel"] == "facebook")
    slug = out["release"]["slug"]
    page = world.work / "site" / "siaran-pers" / slug / "index.html"
    assert "Paragraf kedua rilis." in page.read_text("utf-8")

    edits: list[dict] = []

    def edit(request):
        edits.append({k: v[0] for k, v in parse_qs(request.body if isinstance(request.body, str)
                                                    else request.body.decode()).items()})
        return 200, {"content-type": "application/json"}, json.dumps({"success": True})

    world.rsps.add_callback(responses.POST, f"{GRAPH}/{post_id}", callback=edit)
    path.write_text(path.read_text("utf-8").replace("Paragraf kedua rilis.", "Paragraf kedua yang benar."),
                    "utf-8")
    before = world.http_calls
    code, out = world.json("publish", str(path), "-c", "website", "-c", "facebook", capsys=capsys)
    assert code == 1 and out["queued"] is False
    assert {c["channel"]: c["what"] for c in out["changed"]} == {"website": ["text"], "facebook": ["text"]}
    assert world.http_calls == before and "Paragraf kedua rilis." in page.read_text("utf-8")

    code, out = world.json("publish", str(path), "-c", "website", "-c", "facebook", "--update", capsys=capsys)
    assert code == 0, out
    html = page.read_text("utf-8")
    assert "Paragraf kedua yang benar." in html and "Paragraf kedua rilis." not in html
    assert "Paragraf kedua rilis." in (page.parent / "versi-1.html").read_text("utf-8")  # kept
    # the note on the page is in the release's language, whatever the terminal speaks
    assert "Artikel ini diperbarui pada" in html and "This article was updated" not in html
    [sent] = edits
    assert "Paragraf kedua yang benar." in sent["message"] and sent["access_token"] == "CANARY-fb-page-token"
    updates = [d for d in out["deliveries"] if d["release"].endswith("--pembaruan-1")]
    assert sorted((d["channel"], d["status"]) for d in updates) == [("facebook", "sent"), ("website", "sent")]

    before = world.http_calls  # the same file again: nothing changed since the update
    code, out = world.json("publish", str(path), "-c", "website", "-c", "facebook", capsys=capsys)
    assert code == 0 and world.http_calls == before


def test_an_update_brings_the_new_title_and_a_new_picture_to_the_site(world, capsys):
    """The article list shows the updated title, a picture added to the release is copied into
    the article folder, and the kept version still has the first one."""
    make_image(world.work / "foto.jpg", (800, 600))
    path = _release(world.work, extra="slug: bantuan-banjir-bekasi\nnumber: 412/HUMAS/XI/2026\n"
                    "images:\n  - path: foto.jpg\n    alt: Petugas membagikan paket\n")
    code, out = world.json("publish", str(path), "-c", "website", capsys=capsys)
    assert code == 0, out
    slug = out["release"]["slug"]
    folder = world.work / "site" / "siaran-pers" / slug
    make_image(world.work / "foto-2.jpg", (640, 480), color=(20, 120, 30))
    path.write_text(path.read_text("utf-8").replace(
        "title: Kemensos Salurkan Bantuan", "title: Kemensos Salurkan 5 Ton Bantuan")
        .replace("    alt: Petugas membagikan paket\n",
                 "    alt: Petugas membagikan paket\n  - path: foto-2.jpg\n    alt: Warga menerima beras\n"),
        "utf-8")
    code, out = world.json("publish", str(path), "-c", "website", "--update", capsys=capsys)
    assert code == 0, out
    assert {d["channel"]: d["status"] for d in out["deliveries"] if "--pembaruan-" in d["release"]} == {
        "website": "sent"}
    shown = sorted(p.name for p in folder.iterdir() if p.suffix == ".jpg")
    assert len(shown) == 2, shown
    html = (folder / "index.html").read_text("utf-8")
    assert all(name in html for name in shown) and "Warga menerima beras" in html
    listing = (world.work / "site" / "siaran-pers" / "index.html").read_text("utf-8")
    assert "5 Ton Bantuan" in listing and "Kemensos Salurkan Bantuan Banjir Bekasi" not in listing
    kept = (folder / "versi-1.html").read_text("utf-8")
    assert "Warga menerima beras" not in kept and "Petugas membagikan paket" in kept


def test_an_edit_says_x_cannot_be_edited(world, capsys):
    path = _release(world.work)
    code, _out = world.json("publish", str(path), "-c", "twitter", capsys=capsys)
    assert code == 0
    path.write_text(path.read_text("utf-8").replace("menyalurkan", "telah menyalurkan"), "utf-8")
    code, out = world.json("publish", str(path), "-c", "twitter", "--update", capsys=capsys)
    assert code == 0
    assert any("cannot be edited" in n and "crosspost correct" in n for n in out["notes"])
    assert len(world.platforms.tweets) == 1  # no second post


def test_an_update_edits_the_youtube_description_and_names_x_and_instagram(world, capsys):
    """videos.update replaces the whole snippet, so the channel reads it (videos.list) and writes
    it back with the new description (https://developers.google.com/youtube/v3/docs/videos/update)."""
    import re

    make_image(world.work / "foto.jpg", (800, 600))
    path = _release(world.work, extra="images:\n  - path: foto.jpg\n    alt: Petugas membagikan paket\n"
                    "video_id: vid12345678\n")
    world.youtube.expect_update("vid12345678")
    code, out = world.json("publish", str(path), capsys=capsys)
    assert code == 0, out
    world.rsps.add(responses.POST, re.compile(rf"{re.escape(GRAPH)}/{PAGE}_\d+"), json={"success": True})
    path.write_text(path.read_text("utf-8").replace("Paragraf kedua rilis.", "Paragraf kedua yang benar."),
                    "utf-8")
    world.youtube.expect_update("vid12345678")
    tweets = len(world.platforms.tweets)
    code, out = world.json("publish", str(path), "--update", capsys=capsys)
    assert code == 0, out
    updates = {d["channel"]: d["status"] for d in out["deliveries"] if "--pembaruan-" in d["release"]}
    assert updates == {"website": "sent", "facebook": "sent", "youtube": "sent"}
    [(_uri, method, body, _h)] = [r for r in world.youtube.mocks[-1].request_sequence if r[1] == "PUT"]
    assert method == "PUT" and "Paragraf kedua yang benar." in json.loads(body)["snippet"]["description"]
    notes = " ".join(out["notes"])
    assert "twitter: X posts cannot be edited" in notes and "instagram: Instagram posts cannot be" in notes
    assert len(world.platforms.tweets) == tweets and len(world.platforms.ig_published) == 1


# ---- overrides and fitting ---------------------------------------------------------------------
def _overridden(tmp_path: Path, channels: str, title: str = "Judul Rilis") -> list:
    path = tmp_path / "r.md"
    path.write_text(f"---\ntitle: {title}\ndate: 2026-11-20 09:00 WIB\nvideo_id: vid12345678\n"
                    f"hashtags: [Umum]\nlink: https://www.kemensos.go.id/a/\nchannels:\n{channels}---\nIsi.\n",
                    encoding="utf-8")
    release = load_release(path)
    chans = [make_channel(TwitterChannel, tmp_path), make_channel(YouTubeChannel, tmp_path)]
    return adapt_overridden(release, chans, None, adapt)


def test_overrides_set_one_channels_text_and_title(tmp_path):
    x, yt = _overridden(tmp_path, '  twitter: {text: "Teks khusus X {link}"}\n'
                        '  youtube: {title: "Judul video pendek", hashtags: [KemensosHadir]}\n')
    assert x.variant.text.startswith("Teks khusus X")
    assert x.variant.text.count("https://www.kemensos.go.id/a/") == 1  # X places the link itself, once
    assert yt.variant.title == "Judul video pendek" and "#KemensosHadir" in yt.variant.text
    assert "#Umum" not in yt.variant.text


def test_an_override_problem_names_the_override(tmp_path):
    _x, yt = _overridden(tmp_path, '  youtube: {title: "Tarif <gratis>"}\n')
    [p] = [p for p in yt.problems if p.field == "title"]
    assert p.severity == "error" and "channels.youtube.title" in p.message
    _x, yt = _overridden(tmp_path, "  youtube: {title: " + "kata " * 30 + "}\n")
    [p] = [p for p in yt.problems if p.field == "title"]
    assert p.severity == "error" and "channels.youtube.title" in p.message


def test_a_long_title_is_cut_at_a_word_and_a_long_description_at_a_paragraph(tmp_path):
    assert shorten_words("Kemensos Salurkan Bantuan", 18) == "Kemensos Salurkan…"
    link = "https://www.kemensos.go.id/siaran-pers/x/"
    paragraphs = [f"Paragraf {i} " + "é" * 900 for i in range(12)]
    text = "\n\n".join([*paragraphs, f"Selengkapnya: {link}", "#KemensosHadir"])
    fitted, kept, total = fit_paragraphs(text, 5000, link, utf8_bytes)
    assert utf8_bytes(fitted) <= 5000 and total == 12 and 0 < kept < 12
    assert fitted.endswith(f"Selengkapnya: {link}\n\n#KemensosHadir")
    assert fitted.split("\n\n")[:kept] == paragraphs[:kept]
    fitted, _k, _t = fit_paragraphs("\n\n".join(paragraphs), 5000, link, utf8_bytes)
    assert fitted.endswith(f"Selengkapnya: {link}")


def test_a_long_release_fits_youtube(tmp_path):
    body = "\n\n".join(f"Paragraf {i}: " + "kata " * 200 for i in range(12))  # about 12 kB
    path = tmp_path / "r.md"
    path.write_text(f"---\ntitle: Rilis Panjang\ndate: 2026-11-20 09:00 WIB\nvideo_id: vid12345678\n"
                    f"link: https://www.kemensos.go.id/a/\n---\n{body}\n", encoding="utf-8")
    [yt] = adapt(load_release(path), [make_channel(YouTubeChannel, tmp_path)])
    assert yt.ok, yt.problems
    assert utf8_bytes(yt.variant.text) <= 5000
    assert "Selengkapnya: https://www.kemensos.go.id/a/" in yt.variant.text
    assert any(p.field == "description" and p.severity == "warning" for p in yt.problems)


def test_an_override_for_a_channel_the_office_does_not_have_is_a_warning(world, capsys):
    path = _release(world.work, extra='channels:\n  tiktok: {text: "Teks"}\n')
    code, out = world.json("preview", str(path), capsys=capsys)
    assert code == 0 and any("tiktok" in w for w in out["release"]["warnings"])


def test_an_embargoed_release_dated_ahead_needs_no_now(world, capsys):
    path = _release(world.work, date="2099-01-05 09:00 WIB", extra="embargo: 2099-01-05 09:00 WIB\n")
    code, out = world.json("publish", str(path), "-c", "website", capsys=capsys)
    assert code == 0 and [d["status"] for d in out["deliveries"]] == ["queued"]  # the embargo holds it
