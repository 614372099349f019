"""fit_image: derived JPEGs inside Instagram's ratio/width/size limits; originals untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from crosspost.errors import InputError
from crosspost.imagefit import fit_image, image_size
from crosspost.models import Media


def make(path: Path, size: tuple[int, int], fmt: str = "JPEG", mode: str = "RGB",
         color=(200, 30, 30), exif_orientation: int | None = None) -> Media:
    img = Image.new(mode, size, color)
    kwargs = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    img.save(path, fmt, **kwargs)
    return Media(path, alt=f"alt {path.name}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ratio(m: Media) -> float:
    return m.width / m.height


def test_panorama_is_padded_to_191(tmp_path):
    src = make(tmp_path / "pano.jpg", (3000, 600))
    before = digest(src.path)
    out = fit_image(src, tmp_path / "derived")
    assert out.path != src.path and out.path.parent == tmp_path / "derived"
    assert out.alt == "alt pano.jpg"
    assert image_size(out.path) == (out.width, out.height)
    assert out.width == 1440 and ratio(out) <= 1.91 and ratio(out) > 1.88
    with Image.open(out.path) as im:
        assert im.format == "JPEG"
        # letterbox: the top row is the white padding, the middle is the red picture
        assert im.getpixel((720, 2))[0] > 240 and im.getpixel((720, 2))[1] > 240
        assert im.getpixel((720, out.height // 2))[1] < 80
    assert digest(src.path) == before


def test_panorama_crop_keeps_full_height(tmp_path):
    src = make(tmp_path / "pano.jpg", (3000, 600))
    out = fit_image(src, tmp_path / "d", mode="crop")
    assert 1.88 < ratio(out) <= 1.91
    with Image.open(out.path) as im:  # no white band in crop mode
        assert im.getpixel((out.width // 2, 1))[1] < 80


def test_tall_image_becomes_4_5(tmp_path):
    src = make(tmp_path / "tall.jpg", (400, 1200))
    out = fit_image(src, tmp_path / "d")
    assert ratio(out) >= 0.8 - 1e-9 and ratio(out) < 0.81
    assert 320 <= out.width <= 1440


def test_narrow_image_is_upscaled_to_320(tmp_path):
    src = make(tmp_path / "small.jpg", (200, 200))
    out = fit_image(src, tmp_path / "d")
    assert (out.width, out.height) == (320, 320)
    assert image_size(out.path) == (320, 320)


def test_png_becomes_jpeg_with_transparency_on_background(tmp_path):
    src = make(tmp_path / "logo.png", (800, 800), fmt="PNG", mode="RGBA", color=(0, 0, 0, 0))
    out = fit_image(src, tmp_path / "d", background="#00ff00")
    assert out.path.suffix == ".jpg"
    with Image.open(out.path) as im:
        assert im.format == "JPEG" and im.size == (800, 800)
        r, g, b = im.getpixel((10, 10))
        assert g > 200 and r < 50


def test_fitting_image_returned_unchanged(tmp_path):
    src = make(tmp_path / "ok.jpg", (1080, 1350))
    out = fit_image(src, tmp_path / "d")
    assert out.path == src.path and (out.width, out.height) == (1080, 1350)
    assert not (tmp_path / "d").exists()


def test_too_wide_within_ratio_is_downscaled(tmp_path):
    src = make(tmp_path / "wide.jpg", (1920, 1080))
    out = fit_image(src, tmp_path / "d")
    assert out.width == 1440 and out.height == 810


def test_derived_file_is_reused_and_depends_on_parameters(tmp_path):
    src = make(tmp_path / "pano.jpg", (3000, 600))
    first = fit_image(src, tmp_path / "d")
    mtime = first.path.stat().st_mtime_ns
    again = fit_image(src, tmp_path / "d")
    assert again.path == first.path and again.path.stat().st_mtime_ns == mtime
    cropped = fit_image(src, tmp_path / "d", mode="crop")
    assert cropped.path != first.path
    assert len(list((tmp_path / "d").iterdir())) == 2


def test_exif_orientation_is_respected(tmp_path):
    # stored 1200x400 landscape, but EXIF says "rotate 90": displayed 400x1200 portrait
    src = make(tmp_path / "rot.jpg", (1200, 400), exif_orientation=6)
    out = fit_image(src, tmp_path / "d")
    assert out.path != src.path
    assert out.height > out.width and abs(ratio(out) - 0.8) < 0.01


def test_over_byte_limit_is_reencoded(tmp_path):
    src = make(tmp_path / "big.jpg", (1000, 1000))
    out = fit_image(src, tmp_path / "d", max_bytes=src.path.stat().st_size - 1)
    assert out.path != src.path and out.path.stat().st_size < src.path.stat().st_size


def test_video_is_left_alone(tmp_path):
    video = Media(tmp_path / "v.mp4", kind="video")
    assert fit_image(video, tmp_path / "d") is video


def test_unreadable_image_is_a_clear_input_error(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(InputError, match="cannot read the image"):
        fit_image(Media(bad), tmp_path / "d")
