"""Image sizes from headers (crosspost/imageheader.py) give Pillow's answers on real files of each
kind: JPEG (baseline, progressive, CMYK, grey, every EXIF orientation, XMP, multi-picture), PNG
(eXIf before and after IDAT, text chunks), GIF, WebP (lossy, lossless, extended with EXIF)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from crosspost import imagefit
from crosspost.imageheader import Header, TooManyPixels, probe, read_header


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Kamera Humas"  # a second tag so the orientation is not alone in IFD0
    return exif.tobytes()


def _pillow(path: Path) -> Header:
    with Image.open(path) as img:
        return Header(img.size[0], img.size[1], img.format or "", int(img.getexif().get(0x0112, 1)))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_exif_after_idat(path: Path, orientation: int) -> None:
    Image.new("RGB", (33, 21), "red").save(path)
    data = path.read_bytes()
    iend = data.rindex(b"IEND") - 4
    path.write_bytes(data[:iend] + _png_chunk(b"eXIf", _exif(orientation)[6:]) + data[iend:])


def _make(folder: Path) -> dict[str, Path]:
    rgb = Image.new("RGB", (640, 427), (200, 30, 30))
    files: dict[str, Path] = {}

    def save(name: str, img: Image.Image, fmt: str, **kw) -> None:
        files[name] = folder / name
        img.save(files[name], fmt, **kw)

    save("baseline.jpg", rgb, "JPEG", quality=80)
    save("progressive.jpg", rgb, "JPEG", progressive=True)
    save("cmyk.jpg", rgb.convert("CMYK"), "JPEG")
    save("grey.jpg", rgb.convert("L"), "JPEG")
    for o in range(1, 9):
        save(f"orient{o}.jpg", rgb, "JPEG", exif=_exif(o))
    save("xmp.jpg", rgb, "JPEG", xmp=b'<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>')
    save("plain.png", rgb, "PNG")
    save("rgba.png", rgb.convert("RGBA"), "PNG")
    save("exif.png", rgb, "PNG", exif=_exif(6))
    files["exif-after-idat.png"] = folder / "exif-after-idat.png"
    _png_exif_after_idat(files["exif-after-idat.png"], 8)
    save("photo.gif", rgb.convert("P"), "GIF")
    save("lossy.webp", rgb, "WEBP", quality=70)
    save("lossless.webp", rgb, "WEBP", lossless=True)
    save("alpha.webp", rgb.convert("RGBA"), "WEBP")
    save("exif.webp", rgb, "WEBP", exif=_exif(6))
    files["mpo.jpg"] = folder / "mpo.jpg"
    rgb.save(files["mpo.jpg"], "MPO", save_all=True, append_images=[Image.new("RGB", (640, 427), "blue")])
    return files


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _make(tmp_path_factory.mktemp("images"))


def test_every_kind_gives_pillows_answer(images: dict[str, Path]):
    for name, path in images.items():
        assert probe(path) == _pillow(path), name


def test_the_header_answers_without_pillow_for_ordinary_files(images: dict[str, Path]):
    """Not vacuous: the reader itself answers for everything but the files Pillow must judge."""
    left_to_pillow = {name for name, path in images.items() if read_header(path) is None}
    assert left_to_pillow == {"mpo.jpg", "xmp.jpg"}
    assert read_header(images["orient6.jpg"]) == Header(640, 427, "JPEG", 6)
    assert read_header(images["exif-after-idat.png"]) == Header(33, 21, "PNG", 8)
    assert read_header(images["exif.webp"]) == Header(640, 427, "WEBP", 6)


def test_imagefit_turns_the_size_for_exif_orientation(images: dict[str, Path]):
    assert imagefit.image_info(images["orient6.jpg"]) == (427, 640, "JPEG")
    assert imagefit.image_info(images["orient3.jpg"]) == (640, 427, "JPEG")
    assert imagefit.image_info(images["orient8.jpg"]) == (427, 640, "JPEG")


def test_not_an_image(tmp_path: Path):
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff" + b"\x00" * 40)
    with pytest.raises(ValueError):
        probe(junk)
    text = tmp_path / "note.png"
    text.write_text("bukan gambar")
    with pytest.raises(ValueError):
        probe(text)


def test_too_many_pixels_is_refused_from_the_header(tmp_path: Path):
    huge = tmp_path / "huge.gif"
    huge.write_bytes(b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00" * 20)
    with pytest.raises(TooManyPixels):
        probe(huge)


def test_truncated_header_goes_to_pillow(tmp_path: Path, images: dict[str, Path]):
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(images["baseline.jpg"].read_bytes()[:30])
    assert read_header(cut) is None
    with pytest.raises((ValueError, OSError)):
        probe(cut)
