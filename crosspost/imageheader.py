"""Width, height, format and EXIF orientation of a JPEG, PNG, GIF or WebP from its header bytes.

Reading a size is all a preview needs of an image that is already fitted, and importing Pillow
for it cost ~15-50 ms of every start (bench/RESULTS.md). The answers are Pillow's own: the
size as stored (``Image.open(p).size``), Pillow's format name and ``getexif()[0x0112]``;
``tests/test_imageheader.py`` compares them with Pillow on real files of every kind. Whatever
this reader is not sure of (an MPO multi-picture JPEG, which Pillow names "MPO"; a header it
cannot follow) returns None, and the caller asks Pillow.

Formats (the specifications the offsets come from):
- PNG: IHDR is the first chunk, width and height big-endian at bytes 16-23; orientation from
  an ``eXIf`` chunk (PNG 1.2 extensions / PNG 3rd edition), which may come after IDAT.
- GIF: the logical screen's width and height, little-endian at bytes 6-9 (GIF89a spec).
- WebP: ``VP8 `` (key frame: 14-bit width and height at 26-29), ``VP8L`` (signature 0x2f, then
  14-bit width-1 and height-1) or ``VP8X`` (24-bit canvas width-1 and height-1 at 24-29), and
  an ``EXIF`` chunk (Google's WebP container specification).
- JPEG: the first SOFn marker's height and width (ITU T.81 B.2.2); orientation in the first
  APP1 ``Exif`` segment's IFD0, tag 0x0112 (Exif 2.3, TIFF 6.0).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ORIENTATION = 0x0112
_SOF = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF))
_MAX_SCAN = 64 * 1024 * 1024  # bytes of chunks or segments walked before giving up to Pillow


@dataclass(frozen=True)
class Header:
    width: int  # as stored, before EXIF orientation
    height: int
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP
    orientation: int = 1

    @property
    def displayed(self) -> tuple[int, int]:
        """(width, height) as shown: orientations 5-8 turn the picture a quarter."""
        return (self.height, self.width) if self.orientation in (5, 6, 7, 8) else (self.width, self.height)


def read_header(path: Path) -> Header | None:
    """The header of ``path``, or None when Pillow should be asked. OSError when unreadable."""
    with open(path, "rb") as f:
        head = f.read(32)
        try:
            if head.startswith(b"\x89PNG\r\n\x1a\n"):
                return _png(f, head)
            if head.startswith((b"GIF87a", b"GIF89a")) and len(head) >= 10:
                w, h = struct.unpack("<HH", head[6:10])
                return Header(w, h, "GIF") if w and h else None
            if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
                return _webp(f, head)
            if head.startswith(b"\xff\xd8\xff"):
                return _jpeg(f)
        except (struct.error, ValueError, IndexError):
            return None
    return None


def _orientation(exif: bytes) -> int | None:
    """Tag 0x0112 of IFD0 in a TIFF-structured EXIF block; None when absent."""
    while exif.startswith(b"Exif\x00\x00"):  # Pillow strips it once or twice
        exif = exif[6:]
    if exif[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    end = "<" if exif[:2] == b"II" else ">"
    (ifd,) = struct.unpack(end + "I", exif[4:8])
    (count,) = struct.unpack(end + "H", exif[ifd:ifd + 2])
    for i in range(count):
        entry = exif[ifd + 2 + 12 * i: ifd + 14 + 12 * i]
        if len(entry) < 12:
            break
        tag, kind, n = struct.unpack(end + "HHI", entry[:8])
        if tag == ORIENTATION and n >= 1:
            if kind == 3:  # SHORT
                return int(struct.unpack(end + "H", entry[8:10])[0])
            if kind == 4:  # LONG
                return int(struct.unpack(end + "I", entry[8:12])[0])
            raise ValueError("an orientation of another type: ask Pillow")
    return None


def _settle(exif: int | None, xmp: bool) -> int:
    """Pillow falls back to an XMP ``tiff:Orientation`` when EXIF has none: leave that to it."""
    if exif is None and xmp:
        raise ValueError("orientation only in XMP: ask Pillow")
    return 1 if exif is None else exif


def _png(f: BinaryIO, head: bytes) -> Header | None:
    if head[12:16] != b"IHDR":
        return None
    w, h = struct.unpack(">II", head[16:24])
    orientation: int | None = None
    f.seek(8)
    walked = 0
    while walked < _MAX_SCAN:
        chunk = f.read(8)
        if len(chunk) < 8:
            break
        length, kind = struct.unpack(">I4s", chunk)
        if kind == b"eXIf":
            orientation = _orientation(f.read(length))
            break
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keyword = f.read(min(length, 80)).split(b"\x00", 1)[0]
            if keyword in (b"Raw profile type exif", b"XML:com.adobe.xmp"):
                return None  # EXIF or XMP in a text chunk: Pillow reads those
            f.seek(length - min(length, 80) + 4, 1)
        elif kind == b"IEND":
            break
        else:
            f.seek(length + 4, 1)  # data and CRC
        walked += length + 12
    else:
        return None
    return Header(w, h, "PNG", _settle(orientation, False)) if w and h else None


def _webp(f: BinaryIO, head: bytes) -> Header | None:
    kind = head[12:16]
    if kind == b"VP8 ":
        if head[23:26] != b"\x9d\x01\x2a":  # key frame start code
            return None
        w, h = struct.unpack("<HH", head[26:30])
        return Header(w & 0x3FFF, h & 0x3FFF, "WEBP")
    if kind == b"VP8L":
        if head[20] != 0x2F:
            return None
        bits = int.from_bytes(head[21:25], "little")
        return Header((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "WEBP")
    if kind != b"VP8X":
        return None
    w = int.from_bytes(head[24:27], "little") + 1
    h = int.from_bytes(head[27:30], "little") + 1
    orientation: int | None = None
    xmp = False
    f.seek(12)
    walked = 0
    while walked < _MAX_SCAN:
        chunk = f.read(8)
        if len(chunk) < 8:
            break
        name, length = chunk[:4], int.from_bytes(chunk[4:8], "little")
        if name == b"EXIF" and orientation is None:
            data = f.read(length)
            orientation = _orientation(data)
            f.seek(length & 1, 1)
        else:
            xmp = xmp or name == b"XMP "
            f.seek(length + (length & 1), 1)  # chunks are padded to an even size
        walked += length + 8
    else:
        return None
    return Header(w, h, "WEBP", _settle(orientation, xmp))


def _jpeg(f: BinaryIO) -> Header | None:
    f.seek(2)
    orientation: int | None = None
    exif_seen = xmp = False
    walked = 0
    while walked < _MAX_SCAN:
        byte = f.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            return None  # not at a marker: a layout Pillow knows better
        marker = f.read(1)
        while marker == b"\xff":  # fill bytes
            marker = f.read(1)
        code = marker[0] if marker else 0
        if code in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            continue
        if code in (0xD9, 0xDA):  # end of image, start of scan before any SOF
            return None
        (length,) = struct.unpack(">H", f.read(2))
        if length < 2:
            return None
        data = f.read(length - 2)
        walked += length + 2
        if code == 0xE1 and data.startswith(b"Exif\x00\x00"):
            if exif_seen:
                return None  # Pillow joins several EXIF segments into one
            exif_seen = True
            orientation = _orientation(data)
        elif code == 0xE1 and data.startswith(b"http://ns.adobe.com/xap/1.0/\x00"):
            xmp = xmp or b"tiff:Orientation" in data
        elif code == 0xE2 and data.startswith(b"MPF\x00"):
            return None  # multi-picture (MPO): Pillow may name it "MPO"
        elif code in _SOF:
            h, w = struct.unpack(">HH", data[1:5])
            if not (w and h):
                return None
            if _more_segments_matter(f, walked):
                return None
            return Header(w, h, "JPEG", _settle(orientation, xmp))
    return None


def _more_segments_matter(f: BinaryIO, walked: int) -> bool:
    """Whether a segment between the SOF and the scan changes Pillow's answer: MPF (multi-picture),
    EXIF or XMP (Pillow reads every segment before the scan)."""
    while walked < _MAX_SCAN:
        if f.read(1) != b"\xff":
            return False
        marker = f.read(1)
        code = marker[0] if marker else 0
        if code == 0xDA or not marker or code in (0xD9, 0x01, *range(0xD0, 0xD8)):
            return False
        (length,) = struct.unpack(">H", f.read(2))
        data = f.read(length - 2)
        if code == 0xE2 and data.startswith(b"MPF\x00") or code == 0xE1:
            return True
        walked += length + 2
    return True


PILLOW_BOMB_PIXELS = 2 * 89_478_485  # Pillow refuses to open more (2 x Image.MAX_IMAGE_PIXELS)


class TooManyPixels(ValueError):
    """More pixels than Pillow would open (its DecompressionBombError)."""


def probe(path: Path) -> Header:
    """The header from the bytes, else from Pillow (imported only then). OSError when the file
    cannot be read, ValueError when it is no image either can read, TooManyPixels above
    Pillow's limit."""
    header = read_header(path)
    if header is None:
        header = _pillow(path)
    if header.width * header.height > PILLOW_BOMB_PIXELS:
        raise TooManyPixels(f"{header.width}x{header.height}")
    return header


def _pillow(path: Path) -> Header:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            w, h = img.size
            return Header(w, h, img.format or "", int(img.getexif().get(ORIENTATION, 1) or 1))
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(str(exc)) from None
    except (UnidentifiedImageError, SyntaxError) as exc:
        raise ValueError(str(exc)) from None
