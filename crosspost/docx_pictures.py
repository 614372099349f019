"""Photos embedded in a Word release: extracted as they are, with the alt text Word stores.

A Humas staffer pastes the photo into the Word file; dropping it meant Instagram refused the
release ("needs at least one image") although the file had one. Each picture of the document
body is taken with its original bytes (never re-encoded: the platforms get the photographer's
file) and the alt text Word keeps in the drawing's ``wp:docPr/@descr`` (Word: right-click >
View Alt Text; LibreOffice: Properties > Options > Description, written to the same attribute;
ECMA-376 Part 1, 20.4.2.5 docPr). A picture without one gets no invented alt text: the
accessibility gate then refuses it with its usual message, and a warning says where to add it
in Word. A picture marked decorative in Word (``adec:decorative``) is left out.

The extracted files live in the state folder (``docx-media/<hash>.<ext>``, content-addressed, so
reading the file again writes nothing new), because the queue sends later from these paths.
When the sidecar or ``--set`` lists ``images:``, those win and the embedded ones are left out
with a warning (they are usually the same photos).
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .i18n import _
from .models import Media, Release

DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


@dataclass(frozen=True)
class Picture:
    data: bytes
    alt: str
    ext: str  # ".jpeg", ".png", ... from the part's name in the package


def pictures(data: bytes) -> list[Picture]:
    """The pictures of the document body in reading order (decorative ones left out)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    out: list[Picture] = []
    for drawing in document.element.body.iter(qn("w:drawing")):
        if any(el.tag == DECORATIVE and el.get("val", "1") in ("1", "true") for el in drawing.iter()):
            continue
        blip = next(iter(drawing.iter(qn("a:blip"))), None)
        rid = blip.get(qn("r:embed")) if blip is not None else None
        part = document.part.related_parts.get(rid) if rid else None
        if part is None:  # a linked (not embedded) picture: nothing to extract
            continue
        docpr = next(iter(drawing.iter(qn("wp:docPr"))), None)
        alt = " ".join(str(docpr.get("descr") or "").split()) if docpr is not None else ""
        out.append(Picture(part.blob, alt, Path(str(part.partname)).suffix.lower()))
    return out


def media_dir() -> Path:
    """Where extracted pictures are kept: the state folder (CROSSPOST_STATE_DIR or the user's)."""
    env = os.environ.get("CROSSPOST_STATE_DIR")
    if env:
        return Path(env) / "docx-media"
    from platformdirs import user_state_path

    return user_state_path("crosspost") / "docx-media"


def _store(picture: Picture, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (hashlib.sha256(picture.data).hexdigest()[:24] + picture.ext)
    if not target.is_file():
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(picture.data)
        os.replace(tmp, target)
    return target


def with_pictures(release: Release, path: Path, data: bytes, images_given: bool,
                  max_pixels: int | None = None) -> Release:
    """``release`` with the Word file's embedded photos as its images (unless ``images:`` was
    given), and a warning for each picture that cannot be used as it is."""
    found = pictures(data)
    if not found:
        return release
    warnings = list(release.warnings)
    if images_given:
        warnings.append(_("{n} picture(s) inside the Word file are left out: images: in {name}.yml (or "
                          "--set) lists the photos").format(n=len(found), name=path.stem))
        return replace(release, warnings=tuple(warnings))
    from PIL import Image

    images: list[Media] = []
    for i, pic in enumerate(found, 1):
        if pic.ext not in PHOTO_TYPES:
            warnings.append(_("picture {i} in the Word file is {ext}, not a photo: it is left out").format(
                i=i, ext=pic.ext.lstrip(".").upper()))
            continue
        try:
            with Image.open(io.BytesIO(pic.data)) as im:
                width, height = im.size
        except Exception:  # noqa: BLE001 - a broken picture is named, not fatal
            warnings.append(_("picture {i} in the Word file cannot be read as an image: it is left "
                              "out").format(i=i))
            continue
        if max_pixels and width * height > max_pixels:
            warnings.append(_("picture {i} in the Word file is too large ({w}×{h}): it is left out").format(
                i=i, w=width, h=height))
            continue
        if not pic.alt:
            warnings.append(_("picture {i} in the Word file has no alt text: in Word right-click it > View "
                              "Alt Text (LibreOffice: Properties > Options > Description) and describe "
                              "it").format(i=i))
        images.append(Media(_store(pic, media_dir()), pic.alt, "image", width, height))
    return replace(release, images=tuple(images), warnings=tuple(warnings))
