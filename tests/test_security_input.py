"""Issue 11, the input side: media confined to the release's folder and checked by content, bounded
inputs (alias bombs, zip bombs, huge images and bodies), release identities that cannot collide.

Every case here was a reproduction that passed (exit 0) or crashed (exit 3) before the fix."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image

from crosspost.errors import ConfigError, InputError
from crosspost.inputs import MediaSettings, sniff_captions, sniff_image, sniff_video
from crosspost.models import Release
from crosspost.release import load_release

MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 64
FRONT = '---\ntitle: "Bantuan untuk Korban Banjir"\ndate: 2026-11-20T09:00:00+07:00\n{extra}---\nIsi rilis.\n'


def release_in(folder: Path, extra: str = "", body: str = "Isi rilis.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rilis.md"
    path.write_text(FRONT.format(extra=extra).replace("Isi rilis.\n", body), encoding="utf-8")
    return path


def jpeg(path: Path, size=(64, 48)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path, "JPEG")
    return path


# --------------------------------------------------------------------------- 1. media paths confined

@pytest.mark.parametrize("extra", [
    "video: /proc/self/environ\n",
    "video: /etc/passwd\n",
    "video: ../.crosspost/secrets/x.json\n",
    "captions: /etc/passwd.vtt\n",
    "images:\n  - path: /etc/passwd\n    alt: rahasia\n",
    "images: [../secret.jpg]\n",
])
def test_paths_outside_the_release_folder_are_refused(tmp_path, extra):
    (tmp_path / ".crosspost" / "secrets").mkdir(parents=True)
    (tmp_path / ".crosspost" / "secrets" / "x.json").write_text('{"token": "RAHASIA"}')
    jpeg(tmp_path / "secret.jpg")
    path = release_in(tmp_path / "rilis", extra)
    field = extra.split(":")[0]
    with pytest.raises(InputError, match=f"{field}: .* outside the release's folder") as exc:
        load_release(path)
    assert exc.value.line in (4, 5)  # the line of the key (or the list item) in the front matter


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(MP4)
    folder = tmp_path / "rilis"
    folder.mkdir()
    (folder / "liputan.mp4").symlink_to(outside)
    (folder / "img").symlink_to(tmp_path, target_is_directory=True)
    jpeg(tmp_path / "foto.jpg")
    with pytest.raises(InputError, match="video: liputan.mp4 is outside"):
        load_release(release_in(folder, "video: liputan.mp4\n"))
    with pytest.raises(InputError, match="images: img/foto.jpg is outside"):
        load_release(release_in(folder, "images: [img/foto.jpg]\n"))


def test_allowed_dirs_let_an_office_keep_media_elsewhere(tmp_path):
    archive = tmp_path / "arsip"
    (archive / "v").mkdir(parents=True)
    (archive / "v" / "liputan.mp4").write_bytes(MP4)
    path = release_in(tmp_path / "rilis", f"video: {archive}/v/liputan.mp4\n")
    with pytest.raises(InputError, match="outside"):
        load_release(path)
    r = load_release(path, media=MediaSettings(allowed_dirs=(str(archive),)))
    assert r.video is not None and r.video.path == (archive / "v" / "liputan.mp4").resolve()


def test_media_types_are_checked_by_content_not_by_name(tmp_path):
    folder = tmp_path / "rilis"
    folder.mkdir()
    (folder / "liputan.mp4").write_text("PATH=/usr/bin\nCROSSPOST_TOKEN=rahasia\n")
    (folder / "foto.jpg").write_text("not an image")
    (folder / "sub.vtt").write_bytes(MP4)
    (folder / "dir.mp4").mkdir()
    with pytest.raises(InputError, match="video: liputan.mp4 is not a video file"):
        load_release(release_in(folder, "video: liputan.mp4\n"))
    with pytest.raises(InputError, match="images: foto.jpg is not a JPEG"):
        load_release(release_in(folder, "images: [foto.jpg]\n"))
    with pytest.raises(InputError, match="captions: sub.vtt is not WebVTT"):
        load_release(release_in(folder, "captions: sub.vtt\n"))
    with pytest.raises(InputError, match="video: dir.mp4 is not a regular file"):
        load_release(release_in(folder, "video: dir.mp4\n"))


def test_media_size_limits(tmp_path):
    folder = tmp_path / "rilis"
    folder.mkdir()
    (folder / "liputan.mp4").write_bytes(MP4 + b"\0" * 2_000_000)
    with pytest.raises(InputError, match="video: liputan.mp4 is too big"):
        load_release(release_in(folder, "video: liputan.mp4\n"), media=MediaSettings(max_video_mb=1))


def test_sniffers():
    assert sniff_image(b"\xff\xd8\xff\xe0") == "JPEG" and sniff_image(b"\x89PNG\r\n\x1a\n") == "PNG"
    assert sniff_image(b"GIF89a") == "GIF" and sniff_image(b"RIFF\0\0\0\0WEBPVP8 ") == "WebP"
    assert sniff_image(b"<svg") is None and sniff_image(b"") is None
    assert sniff_video(b"\0\0\0\x14ftypqt  ") == "MOV" and sniff_video(MP4) == "MP4"
    assert sniff_video(b"\x1a\x45\xdf\xa3\x01\0\0\0\0\0\0\x1f\x42\x86\x81\x01webm") == "WebM"
    assert sniff_video(b"root:x:0:0:root:/root:/bin/bash\n") is None
    assert sniff_video(b"\0\0\0\x1cftypavif") is None  # an AVIF picture is not a video
    assert sniff_captions(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHalo") == "WebVTT"
    assert sniff_captions(b"1\n00:00:00,000 --> 00:00:01,000\nHalo\n") == "SRT"
    assert sniff_captions(b"root:x:0:0") is None


def test_preview_and_publish_refuse_the_environ_file(cli):
    path = release_in(cli.cwd, "video: /proc/self/environ\n")
    for command in ("preview", "publish"):
        proc = cli(command, str(path))
        assert proc.returncode == 2, proc.stderr
        assert "video: /proc/self/environ is outside the release's folder" in proc.stderr
    assert not (cli.cwd / "site").exists() or not any((cli.cwd / "site").rglob("environ*"))


def test_a_docx_sidecar_path_is_confined_too(tmp_path):
    folder = tmp_path / "rilis"
    folder.mkdir()
    document = docx.Document()
    document.add_heading("Judul Rilis dari Word", level=1)
    document.add_paragraph("Isi rilis.")
    document.save(folder / "rilis.docx")
    (folder / "rilis.yml").write_text("date: 2026-11-20T09:00:00+07:00\nvideo: /etc/passwd\n")
    with pytest.raises(InputError, match="video: /etc/passwd is outside"):
        load_release(folder / "rilis.docx")
    (folder / "rilis.yml").write_text("date: 2026-11-20T09:00:00+07:00\n")
    with pytest.raises(InputError, match="video: /etc/passwd is outside.*given with --set"):
        load_release(folder / "rilis.docx", overrides={"video": "/etc/passwd"})


# --------------------------------------------------------------------------- 3. identity

LONG = ("Kemensos Salurkan Bantuan Logistik dan Permakanan untuk Korban Banjir dan Tanah Longsor di "
        "Kabupaten {place}")


def test_long_titles_with_a_common_prefix_get_different_identities(tmp_path):
    a = load_release(release_in(tmp_path / "a", ""), overrides={"title": LONG.format(place="Bekasi")})
    b = load_release(release_in(tmp_path / "b", ""), overrides={"title": LONG.format(place="Bogor")})
    assert a.slug != b.slug and len(a.slug) <= 80 and len(b.slug) <= 80
    again = load_release(release_in(tmp_path / "a", ""), overrides={"title": LONG.format(place="Bekasi")})
    assert again.slug == a.slug  # the same file is the same release


def test_the_second_of_two_colliding_releases_is_refused_not_swallowed(cli):
    """Two releases under one slug: before, the second went unposted with exit 0 and overwrote the
    first one's title in the log."""
    first = release_in(cli.cwd / "a", 'slug: banjir\n')
    second = release_in(cli.cwd / "b", 'slug: banjir\n')
    second.write_text(second.read_text("utf-8").replace("Bantuan untuk Korban Banjir", "Rilis yang Lain"),
                      encoding="utf-8")
    assert cli("publish", str(first), "-c", "website").returncode == 0
    proc = cli("publish", str(second), "-c", "website")
    assert proc.returncode == 2 and "another release as 'banjir'" in proc.stderr, proc.stderr
    code, doc = cli.json("status", "banjir")
    assert code == 0
    again = cli("publish", str(first), "-c", "website")  # republishing the same file is recognised
    assert again.returncode == 0, again.stderr
    from crosspost.store import Store

    store = Store.open(cli.cwd / "log.db")
    try:
        assert store.release_by_slug("banjir").title == "Bantuan untuk Korban Banjir"
    finally:
        store.close()


def test_different_numbers_under_one_slug_are_refused(tmp_path):
    from crosspost.store import Store

    base = dict(slug="rilis", body="Isi.", date=__import__("datetime").datetime(2026, 11, 20, 9))
    store = Store.open(tmp_path / "log.db")
    store.save_release(Release(title="Judul", number="231/HUMAS/XI/2026", **base))
    store.save_release(Release(title="Judul (diperbaiki)", number="231/HUMAS/XI/2026", **base))
    with pytest.raises(InputError, match="number 231/HUMAS/XI/2026"):
        store.save_release(Release(title="Judul (diperbaiki)", number="232/HUMAS/XI/2026", **base))
    store.close()


# --------------------------------------------------------------------------- 4. bounded input

def _fast(fn, *args, **kw):
    start = time.monotonic()
    with pytest.raises(InputError) as exc:
        fn(*args, **kw)
    assert time.monotonic() - start < 1.0
    return exc.value


BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
        'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n'
        'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n'
        'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n')


def test_a_yaml_alias_bomb_fails_fast(tmp_path):
    assert len(BOMB) <= 444
    err = _fast(load_release, release_in(tmp_path, "images:\n  - path: x.jpg\n    alt: x\n" + BOMB))
    assert "aliases" in str(err)


@pytest.mark.parametrize("extra, match", [
    ("tags: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("number: " + "9" * 6000 + "\n", "cannot be read"),
    ('title: "\\ud800"\n', "lone surrogate"),
    ("date: 2026-13-45\n", "cannot be read|date"),
    ("summary: " + "x" * 70_000 + "\n", "front matter is too big"),
])
def test_hostile_front_matter_is_an_input_error(tmp_path, extra, match):
    err = _fast(load_release, release_in(tmp_path, extra))
    assert err.exit_code == 2
    assert __import__("re").search(match, str(err)), str(err)


def test_a_huge_body_is_refused_without_reading_it(tmp_path):
    path = release_in(tmp_path, "")
    with path.open("a") as fh:
        fh.truncate(100 * 1024 * 1024)  # a 100 MB (sparse) body
    assert "too big" in str(_fast(load_release, path))
    small = release_in(tmp_path / "b", "", body="kata " * 300_000)
    assert "too long" in str(_fast(load_release, small, media=MediaSettings(max_body_chars=1_000_000)))


def test_a_docx_zip_bomb_is_refused_before_python_docx_opens_it(tmp_path):
    good = io.BytesIO()
    document = docx.Document()
    document.add_heading("Judul", level=1)
    document.add_paragraph("Isi.")
    document.save(good)
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as src, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        out.writestr("word/media/padding.bin", b"\0" * (150 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1_000_000
    (tmp_path / "bom.docx").write_bytes(bomb.getvalue())
    assert "zip bomb" in str(_fast(load_release, tmp_path / "bom.docx"))
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as out:
        for i in range(2100):
            out.writestr(f"p/{i}.xml", b"")
    (tmp_path / "banyak.docx").write_bytes(many.getvalue())
    assert "too many parts" in str(_fast(load_release, tmp_path / "banyak.docx"))


def _docx_with_paragraphs(n: int) -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    document.add_heading("Judul", level=1)
    document.add_paragraph("Jakarta, 20 November 2026")
    document.save(buf)
    para = "<w:p><w:r><w:t>Isi rilis yang diulang-ulang.</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = body.replace(b"</w:body>", para.encode() * n + b"</w:body>")
            dst.writestr(item.filename, body)
    return out.getvalue()


def test_a_small_docx_with_a_huge_body_fails_fast(tmp_path):
    """A 1.1 MB .docx ran past 300 s: python-docx looked every paragraph's style up again."""
    (tmp_path / "panjang.docx").write_bytes(_docx_with_paragraphs(20_000))
    assert len((tmp_path / "panjang.docx").read_bytes()) < 200_000
    assert "paragraphs and tables" in str(_fast(load_release, tmp_path / "panjang.docx"))
    (tmp_path / "besar.docx").write_bytes(_docx_with_paragraphs(300_000))
    assert "text and markup" in str(_fast(load_release, tmp_path / "besar.docx"))
    (tmp_path / "biasa.docx").write_bytes(_docx_with_paragraphs(2000))
    start = time.monotonic()
    assert load_release(tmp_path / "biasa.docx").body.count("diulang") == 2000
    assert time.monotonic() - start < 2.0


def test_a_400_megapixel_image_is_refused_from_its_header(tmp_path):
    folder = tmp_path / "rilis"
    folder.mkdir()
    # a PNG header claiming 20000 x 20000 pixels, with no pixel data behind it
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    (folder / "besar.png").write_bytes(png + b"\0\0\0\0IEND\xaeB`\x82")
    err = _fast(load_release, release_in(folder, "images:\n  - path: besar.png\n    alt: besar\n"))
    assert "megapixels" in str(err) and err.exit_code == 2, str(err)


def test_non_utf8_channels_toml_is_exit_2_naming_the_file(cli):
    (cli.cwd / "channels.toml").write_bytes('timezone = "Asia/Jakarta"\n# caf\xe9\n'.encode("latin-1"))
    proc = cli("status")
    assert proc.returncode == 2, proc.stderr
    assert "channels.toml" in proc.stderr and "UTF-8" in proc.stderr


@pytest.mark.parametrize("line, match", [
    ("max_attempts = -1", "max_attempts must be at least 1"),
    ("max_attempts = 0", "max_attempts must be at least 1"),
    ("deadline_hours = 0", "deadline_hours must be greater than 0"),
    ("backoff_base = -5", "backoff_base must be at least 0"),
    ("min_interval = -1.5", "min_interval must be at least 0"),
    ("deadline_hours = nan", "deadline_hours must be greater than 0"),
])
def test_config_ranges(tmp_path, line, match):
    from crosspost.config import load_config

    cfg = tmp_path / "channels.toml"
    cfg.write_text(f'[channels.a]\ntype = "fake"\n{line}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_config(cfg).channels()


def test_media_section_in_channels_toml(tmp_path):
    from crosspost.config import load_config

    cfg = tmp_path / "channels.toml"
    cfg.write_text('[media]\nallowed_dirs = ["arsip"]\nmax_video_mb = 100\n[channels.a]\ntype = "fake"\n')
    media = load_config(cfg).media
    assert media.allowed_dirs == (str((tmp_path / "arsip").resolve()),) and media.max_video_mb == 100
    cfg.write_text('[media]\nmax_image_pixels = 0\n')
    with pytest.raises(ConfigError, match="max_image_pixels must be"):
        load_config(cfg)


def test_docx_reader_and_release_share_load_docx_parts_without_a_circle():
    """Issue 10: the release reader owns load_docx_parts; docx_reader imports nothing from release."""
    import crosspost.docx_reader as docx_reader
    import crosspost.release as release

    assert callable(release.load_docx_parts) and not hasattr(docx_reader, "load_docx_parts")
    source = Path(docx_reader.__file__).read_text("utf-8")
    assert "from .release" not in source and "import release" not in source
    assert os.path.basename(release.__file__) == "release.py"


def test_set_values_follow_the_front_matter_rules(cli):
    """--set was read with yaml.safe_load: the same alias bomb came in through the command line."""
    path = release_in(cli.cwd, "")
    start = time.monotonic()
    proc = cli("preview", str(path), "-c", "website", "--set", "summary=" + BOMB.replace("\n", ", ")
               .replace("a: &a", "{a: &a").rstrip(", ") + "}")
    assert time.monotonic() - start < 10 and proc.returncode in (0, 1, 2), proc.stderr
    from crosspost.cli.publish import _parse_sets

    assert _parse_sets(["hashtags=[A, B]", "x=*a", "language=no"]) == {
        "hashtags": ["A", "B"], "x": "*a", "language": "no"}
