"""What a release may bring in: media paths confined to known folders, file types checked by their
content, and a size limit on everything that is read (release files, front matter, Word parts,
images, videos, captions, bodies).

Every refusal is an InputError (exit 2) naming the field, so a hostile or broken file stops before
anything is queued. Nothing here touches the network or the store.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .i18n import _

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaSettings:
    """[media] in channels.toml: where release media may come from and how big inputs may be."""

    allowed_dirs: tuple[str, ...] = ()  # besides the release file's own folder (relative to channels.toml)
    max_release_mb: float = 5.0  # a .md release file (front matter + body)
    max_front_matter_kb: float = 64.0
    max_body_chars: int = 1_000_000
    max_docx_mb: float = 25.0  # the .docx file as stored
    max_docx_unpacked_mb: float = 100.0  # all its parts uncompressed
    max_docx_parts: int = 2000
    max_docx_xml_mb: float = 10.0  # the document's text and markup (word/*.xml), uncompressed
    max_image_mb: float = 50.0
    max_image_pixels: int = 100_000_000  # 100 megapixels
    max_video_mb: float = 8192.0
    max_captions_mb: float = 5.0

    def check(self) -> None:
        from .errors import ConfigError

        for name in ("max_release_mb", "max_front_matter_kb", "max_body_chars", "max_docx_mb",
                     "max_docx_unpacked_mb", "max_docx_parts", "max_docx_xml_mb", "max_image_mb",
                     "max_image_pixels",
                     "max_video_mb", "max_captions_mb"):
            if not getattr(self, name) > 0:
                raise ConfigError(_("[media] {key} must be greater than 0").format(key=name))
        if not all(isinstance(d, str) and d.strip() for d in self.allowed_dirs):
            raise ConfigError(_('[media] allowed_dirs must be a list of folders, e.g. ["/srv/foto"]'))


DEFAULT = MediaSettings()


# --------------------------------------------------------------------------- content sniffing


def _is_jpeg(h: bytes) -> bool:
    return h.startswith(b"\xff\xd8\xff")


def _is_png(h: bytes) -> bool:
    return h.startswith(b"\x89PNG\r\n\x1a\n")


def _is_gif(h: bytes) -> bool:
    return h.startswith((b"GIF87a", b"GIF89a"))


def _is_webp(h: bytes) -> bool:
    return h.startswith(b"RIFF") and h[8:12] == b"WEBP"


IMAGE_TYPES = {"JPEG": _is_jpeg, "PNG": _is_png, "GIF": _is_gif, "WebP": _is_webp}


def sniff_image(head: bytes) -> str | None:
    """'JPEG', 'PNG', 'GIF' or 'WebP' from the file's first bytes; None for anything else."""
    return next((name for name, test in IMAGE_TYPES.items() if test(head)), None)


def sniff_video(head: bytes) -> str | None:
    """The video container from the first bytes: MP4/MOV (ISO base media), WebM/MKV, AVI, MPEG."""
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip") and len(head) >= 8:
        brand = head[8:12]
        if head[4:8] == b"ftyp" and brand in (b"qt  ",):
            return "MOV"
        if head[4:8] == b"ftyp" and brand[:3] in (b"hei", b"mif", b"avi", b"hev"):  # HEIF/AVIF images
            return None
        return "MP4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "WebM" if b"webm" in head[:64] else "MKV"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "AVI"
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return "MPEG"
    if head[:1] == b"\x47" and len(head) > 188 and head[188:189] == b"\x47":
        return "MPEG-TS"
    if head.startswith(b"FLV"):
        return "FLV"
    return None


def sniff_captions(head: bytes) -> str | None:
    """'WebVTT' or 'SRT' when the start of the file is such a captions text; None otherwise."""
    text = head.lstrip(b"\xef\xbb\xbf")
    if b"\x00" in text:
        return None
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(text) - 4:  # only a character cut by the end of the sample is allowed
            return None
        decoded = text[: exc.start].decode("utf-8")
    if decoded.startswith("WEBVTT"):
        return "WebVTT"
    lines = decoded.lstrip().splitlines()
    if len(lines) >= 2 and lines[0].strip().isdigit() and "-->" in lines[1]:
        return "SRT"
    return None


# --------------------------------------------------------------------------- confinement


def allowed_roots(release_dir: Path, extra: Iterable[Path | str] = ()) -> list[Path]:
    """The release file's folder plus the configured [media] allowed_dirs, symlinks resolved."""
    roots = [release_dir.resolve()]
    for d in extra:
        roots.append(Path(d).expanduser().resolve())
    return roots


def confine(raw: str, base: Path, roots: list[Path], field: str, err) -> Path:
    """The real file ``raw`` names (relative to ``base``), refused when it lies outside ``roots``.

    ``err(message)`` builds the InputError for ``field`` (it knows the file and the line).
    """
    if "\x00" in raw:
        raise err(_("{field}: the path contains a NUL character").format(field=field))
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute():
        candidate = base / candidate
    if not os.path.lexists(candidate) and "\\" in raw:  # written on Windows: img\foto.jpg
        candidate = base / Path(raw.replace("\\", "/"))
    try:
        real = candidate.resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        raise err(_("{field}: {file} cannot be resolved (a symbolic link loop?)").format(
            field=field, file=raw)) from None
    if not any(real == root or root in real.parents for root in roots):
        raise err(_("{field}: {file} is outside the release's folder; media must be in the folder of "
                    "the release file (or a folder listed in [media] allowed_dirs in channels.toml)").format(
            field=field, file=raw))
    return real


def regular_file(real: Path, raw: str, field: str, err, max_bytes: int) -> int:
    """The size of ``real``, refused unless it is a regular file of at most ``max_bytes``."""
    try:
        st = real.stat()
    except FileNotFoundError:
        raise err(_("{field} file not found: {file} (looked for {path}; paths are relative to the "
                    "release file)").format(field=field, file=raw, path=real)) from None
    except OSError as exc:
        raise err(_("{field}: cannot read {file}: {error}").format(
            field=field, file=raw, error=exc.strerror or exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise err(_("{field}: {file} is not a regular file").format(field=field, file=raw))
    if st.st_size > max_bytes:
        raise err(_("{field}: {file} is too big ({size} MB; the limit is {limit} MB)").format(
            field=field, file=raw, size=_mb(st.st_size), limit=_mb(max_bytes)))
    return st.st_size


def head(real: Path, n: int = 512) -> bytes:
    try:
        with real.open("rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def _mb(n: float) -> str:
    return f"{n / MB:.1f}".rstrip("0").rstrip(".")


def check_size(data_len: int, limit: int, what: str, path: Path | None) -> None:
    """Refuse an input of ``data_len`` bytes/characters above ``limit``."""
    if data_len > limit:
        raise InputError(_("{what} is too big ({size}; the limit is {limit})").format(
            what=what, size=_amount(data_len), limit=_amount(limit)), path)


def _amount(n: int) -> str:
    return f"{_mb(n)} MB" if n >= MB else f"{n:,} bytes" if n >= 10_000 else f"{n} bytes"


# --------------------------------------------------------------------------- Word files


def check_docx(data: bytes, path: Path, settings: MediaSettings = DEFAULT) -> None:
    """Refuse a .docx whose zip directory promises too many parts or too many unpacked bytes
    (a zip bomb) before python-docx opens it. Reads the central directory only."""
    import io
    import zipfile  # here: a Markdown release never needs it

    check_size(len(data), int(settings.max_docx_mb * MB), _("the Word file"), path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # NotImplementedError: a zip version or compression method zipfile does not read
        raise InputError(_("cannot read this Word file (it is not a .docx package): open it in Word and "
                           "save it again as .docx"), path) from None
    if len(infos) > settings.max_docx_parts:
        raise InputError(_("the Word file has too many parts ({n}; the limit is {limit})").format(
            n=len(infos), limit=settings.max_docx_parts), path)
    xml = sum(max(0, i.file_size) for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    if xml > settings.max_docx_xml_mb * MB:
        raise InputError(_("the Word file holds {size} MB of text and markup (the limit is {limit} MB): it "
                           "is not a press release, or it is damaged").format(
            size=_mb(xml), limit=_mb(settings.max_docx_xml_mb * MB)), path)
    total = sum(max(0, i.file_size) for i in infos)
    if total > settings.max_docx_unpacked_mb * MB:
        raise InputError(_("the Word file unpacks to {size} MB (the limit is {limit} MB): it may be a zip "
                           "bomb, or it holds very large pictures; save it again without them").format(
            size=_mb(total), limit=_mb(settings.max_docx_unpacked_mb * MB)), path)
