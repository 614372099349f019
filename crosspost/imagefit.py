"""Fit an image into a platform's aspect-ratio, width and size limits (Pillow re-encodes).

Platforms either refuse images outside their limits (Instagram's Graph API) or silently
crop them (instagrapi), so crosspost fits them itself, visibly in the preview. The result
is a derived JPEG whose name carries a hash of the source bytes and the parameters: it is
reused on the next run and the original file is never touched.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Literal

from . import stat_once
from .errors import InputError
from .header_cache import probe_once  # read once per file version (crosspost/header_cache.py)
from .i18n import _
from .imageheader import TooManyPixels
from .models import Media

RATIO_TOLERANCE = 0.005  # 1080x1350 is 4:5 exactly; rounding must not push it out of range
JPEG_QUALITIES = (90, 85, 80, 70, 60, 50)


def _open(path: Path):
    """The decoded image with EXIF orientation applied, plus its file format."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        img: Image.Image = Image.open(path)
        fmt = img.format
        orientation = img.getexif().get(0x0112, 1)
        img = ImageOps.exif_transpose(img)
    except FileNotFoundError:
        raise InputError(_('image file not found'), path) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(_(
            'cannot read the image ({name}): save it as JPEG or PNG and try again').format(
            name=exc.__class__.__name__), path) from None
    return img, fmt, orientation


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) as displayed, i.e. after EXIF orientation."""
    return image_info(path)[:2]


def image_info(path: Path) -> tuple[int, int, str]:
    """(width, height, Pillow format name) as displayed."""
    w, h, fmt, _ = _header(path)
    return w, h, fmt


def _header(path: Path) -> tuple[int, int, str, int]:
    """(width, height, format, EXIF orientation) as displayed, from the file header alone: no
    pixel is decoded and Pillow is not imported (crosspost.imageheader), so a preview of a release
    whose photos were fitted before stays fast. Pillow only when a picture is re-encoded."""
    try:
        header = probe_once(path)
    except FileNotFoundError:
        raise InputError(_('image file not found'), path) from None
    except (TooManyPixels, ValueError, OSError) as exc:
        raise InputError(_(
            'cannot read the image ({name}): save it as JPEG or PNG and try again').format(
            name=exc.__class__.__name__), path) from None
    return (*header.displayed, header.format, header.orientation)


def target_ratio(ratio: float, min_ratio: float, max_ratio: float) -> float:
    """The nearest allowed width/height ratio."""
    return min(max(ratio, min_ratio), max_ratio)


def _in_range(value: float, low: float, high: float, tol: float = 0.0) -> bool:
    return low - tol <= value <= high + tol


def _final_size(w: int, h: int, ratio: float, min_width: int, max_width: int,
                min_ratio: float, max_ratio: float) -> tuple[int, int]:
    """Width clamped into range, height from the ratio, nudged so rounding keeps the ratio legal."""
    width = min(max(w, min_width), max_width)
    height = max(1, round(width / ratio))
    while width / height > max_ratio + 1e-9:
        height += 1
    while width / height < min_ratio - 1e-9 and height > 1:
        height -= 1
    return width, height


def _flatten(img, background: str):
    """RGB for JPEG: transparency composited onto the background colour."""
    from PIL import Image

    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, background)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return img.convert("RGB")


def _reshape(img, ratio: float, mode: str, background: str):
    """Pad (letterbox) or centre-crop the image to exactly ``ratio``."""
    from PIL import Image

    w, h = img.size
    if abs(w / h - ratio) < 1e-9:
        return img
    if mode == "crop":
        if w / h > ratio:  # too wide: keep the full height
            new_w = max(1, round(h * ratio))
            left = (w - new_w) // 2
            return img.crop((left, 0, left + new_w, h))
        new_h = max(1, round(w / ratio))
        top = (h - new_h) // 2
        return img.crop((0, top, w, top + new_h))
    if w / h > ratio:  # too wide: add bands above and below
        size = (w, max(h, round(w / ratio)))
    else:
        size = (max(w, round(h * ratio)), h)
    canvas = Image.new("RGB", size, background)
    canvas.paste(img, ((size[0] - w) // 2, (size[1] - h) // 2))
    return canvas


def _encode(img, max_bytes: int) -> bytes:
    for quality in JPEG_QUALITIES:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
        if buf.tell() <= max_bytes:
            return buf.getvalue()
    raise InputError(_('image cannot be compressed under {max_bytes} bytes').format(max_bytes=max_bytes))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fit-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fit_image(media: Media, out_dir: Path, min_ratio: float = 4 / 5, max_ratio: float = 1.91,
              min_width: int = 320, max_width: int = 1440, mode: Literal["pad", "crop"] = "pad",
              background: str = "#ffffff", max_bytes: int = 8 * 1024 * 1024) -> Media:
    """``media`` itself when it already fits (a JPEG within every limit), else a derived JPEG.

    The derived file lives in ``out_dir`` and is named ``<stem>-<hash>.jpg``; an existing one
    is reused. Alt text is kept; width and height are always filled in.
    """
    if media.kind != "image":
        return media
    if mode not in ("pad", "crop"):
        raise InputError(_("unknown fit mode '{mode}': use 'pad' or 'crop'").format(mode=mode))
    path = Path(media.path)
    w, h, fmt, orientation = _header(path)
    size_bytes = stat_once.stat(path).st_size
    fits = (fmt == "JPEG" and orientation == 1 and size_bytes <= max_bytes
            and _in_range(w / h, min_ratio, max_ratio, RATIO_TOLERANCE)
            and min_width <= w <= max_width)
    if fits:
        return media if (media.width, media.height) == (w, h) else replace(media, width=w, height=h)

    params = f"{min_ratio:.6f}|{max_ratio:.6f}|{min_width}|{max_width}|{mode}|{background}|{max_bytes}"
    digest = hashlib.sha256(path.read_bytes() + b"\0" + params.encode()).hexdigest()[:16]
    out = Path(out_dir) / f"{path.stem}-{digest}.jpg"
    if out.is_file():
        ow, oh = image_size(out)
        return replace(media, path=out, width=ow, height=oh, kind="image")

    img, _fmt, _orientation = _open(path)
    w, h = img.size
    ratio = w / h
    if not _in_range(ratio, min_ratio, max_ratio, RATIO_TOLERANCE):
        ratio = target_ratio(ratio, min_ratio, max_ratio)
    shaped = _reshape(_flatten(img, background), ratio, mode, background)
    shaped_w, shaped_h = shaped.size
    size = _final_size(shaped_w, shaped_h, ratio, min_width, max_width, min_ratio, max_ratio)
    if size != shaped.size:
        from PIL import Image

        shaped = shaped.resize(size, Image.Resampling.LANCZOS)
    _write_atomic(out, _encode(shaped, max_bytes))
    return replace(media, path=out, width=size[0], height=size[1], kind="image")
