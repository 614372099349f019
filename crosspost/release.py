"""Read a press release (Markdown + YAML front matter, or .docx) into a checked `Release`.

Every mistake a Humas editor can make becomes one InputError naming the file and, where there is
one, the line; nothing here touches the network or the queue, so a bad file stops before anything
is written.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from . import inputs
from .errors import InputError
from .hashtags import dedupe as _dedupe
from .hashtags import normalise_hashtags
from .i18n import N_, _
from .inputs import MB, MediaSettings
from .models import SECTIONS, Media, Release, title_key
from .timezones import to_aware, zone

KNOWN_KEYS = ("title", "date", "section", "number", "summary", "tags", "hashtags", "images", "video",
              "video_id", "link", "contact", "language", "slug", "embargo", "captions",
              "channels")
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}
OTHER_FORMATS = {
    ".doc": N_("this is the old Word format: open it in Word and save it as .docx (or as Markdown)"),
    ".odt": N_("open it in LibreOffice and save it as .docx (Word), or write it as Markdown"),
    ".rtf": N_("open it in Word and save it as .docx, or write it as Markdown"),
    ".pdf": N_("a PDF cannot be read: use the Word (.docx) or Markdown version of the release"),
}
SLUG_MAX = 80
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_UTF8_HINT = N_("save the file as UTF-8 (Notepad: File > Save As > Encoding: UTF-8; "
              "Word: Save As > Plain Text > Unicode (UTF-8))")


MAX_YAML_DEPTH = 32


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans: `language: no` must stay a string.

    Aliases (``*name``) are refused (a 444-byte alias bomb expands to gigabytes) and nesting is
    bounded (the composer recurses), so a hostile front matter fails fast with a clear error.
    """

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, _("aliases (*name) are not allowed in the front "
                                                            "matter: write the value out"), event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, _("the front matter is nested too deeply "
                                                                "(more than {n} levels)").format(
                    n=MAX_YAML_DEPTH), event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


@dataclass
class Meta:
    """Front-matter values plus where each came from, so errors can point at the right line."""

    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, tuple[Path | None, int | None]] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def update(self, other: Meta) -> None:
        self.values.update(other.values)
        self.where.update(other.where)
        for key in other.values:
            self.item_lines.pop(key, None)
        self.item_lines.update(other.item_lines)
        self.warnings.extend(other.warnings)

    def err(self, key: str, message: str, item: int | None = None) -> InputError:
        path, line = self.where.get(key, (None, None))
        lines = self.item_lines.get(key)
        if item is not None and lines and item < len(lines):
            line = lines[item]
        if path is None:
            message += " " + _("(given with --set)")
        return InputError(message, path, line)


# --------------------------------------------------------------------------- reading bytes


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes, or an InputError that says why it cannot be read (or that it is too big)."""
    try:
        with path.open("rb") as fh:
            if max_bytes is None:
                return fh.read()
            import os
            import stat

            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError(_("this is not a regular file"), path)
            inputs.check_size(st.st_size, max_bytes, _("the file"), path)
            data = fh.read(max_bytes + 1)
            inputs.check_size(len(data), max_bytes, _("the file"), path)
            return data
    except FileNotFoundError:
        raise InputError(_("file not found: check the name and folder"), path) from None
    except IsADirectoryError:
        raise InputError(_("this is a folder, not a release file"), path) from None
    except PermissionError:
        raise InputError(_("cannot read the file: permission denied"), path) from None
    except OSError as exc:
        raise InputError(_("cannot read the file: {error}").format(error=exc.strerror or exc), path) from None


def decode_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Decode what Windows editors produce into clean text (LF line ends) plus warnings.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are. Anything else is read
    as Windows-1252 only when that decoding is certain to be right: every byte defined, no
    control characters, and no runs of three or more non-ASCII characters (the signature of a
    multi-byte encoding such as UTF-8 gone wrong or GBK). Otherwise we refuse: a wrong guess would
    put mojibake into a government post.
    """
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(_(
                'the file claims to be UTF-16 but is damaged: {UTF8_HINT}').format(
                UTF8_HINT=_(_UTF8_HINT)), path) from None
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_cp1252(data, exc, path)
            warnings.append(_(
                'the file is not UTF-8; it was read as Windows-1252 (check quotes and dashes in the '
                'preview) and should be saved as UTF-8'))
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InputError(_(
            'the file contains NUL bytes, so it is not a text file: {UTF8_HINT}').format(
            UTF8_HINT=_(_UTF8_HINT)), path)
    return text, warnings


def _decode_cp1252(data: bytes, exc: UnicodeDecodeError, path: Path) -> str:
    bad_line = data.count(b"\n", 0, exc.start) + 1
    refuse = InputError(_(
        'the file is not UTF-8 text (byte 0x{data:02X} cannot be read): {UTF8_HINT}').format(
        data=data[exc.start], UTF8_HINT=_(_UTF8_HINT)), path, bad_line)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise refuse from None
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text):
        raise refuse
    if re.search(r"[^\x00-\x7f]{3,}", text):
        raise refuse
    return text


# --------------------------------------------------------------------------- front matter


def split_front_matter(text: str, path: Path) -> tuple[str, str, int, int]:
    """(front matter, body, file line of the front matter's first line, file line of the body's first)."""
    lines = text.split("\n")
    start = next((i for i, ln in enumerate(lines) if ln.strip()), 0)  # tolerate blank lines on top
    if not lines or not _FENCE.match(lines[start]):
        raise InputError(_("the file does not start with front matter: put a line '---' first, then title:, "
                           "date: and the other keys, then another '---', then the text"), path, start + 1)
    for i in range(start + 1, len(lines)):
        if _CLOSE.match(lines[i]):
            return "\n".join(lines[start + 1:i]), "\n".join(lines[i + 1:]), start + 2, i + 2
    raise InputError(_("the front matter is never closed: add a line '---' after the last key"), path,
                     start + 1)


def load_yaml(text: str, path: Path | None, first_line: int, max_bytes: int | None = None) -> Meta:
    """Parse a YAML mapping; ``first_line`` is the file line of the text's first line."""
    limit = MAX_FRONT_MATTER if max_bytes is None else max_bytes
    inputs.check_size(len(text.encode("utf-8", "surrogatepass")), limit, _("the front matter"), path)
    loader = None
    try:
        loader = _Loader(text)  # the reader already refuses control characters
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path, first_line) from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:  # 5000 digits, 2026-13-45
        raise InputError(_("the front matter has a value that cannot be read ({error})").format(
            error=str(exc)[:200]), path, first_line) from None
    finally:
        if loader is not None:
            loader.dispose()
    bad = _surrogates(data)
    if bad is not None:
        raise InputError(_("the front matter contains an invalid character (a lone surrogate, \\u{code}): "
                           "write the text as plain UTF-8").format(code=f"{bad:04x}"), path, first_line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(_("the front matter must be 'key: value' lines (title:, date:, ...)"), path,
                         first_line)
    meta = Meta()
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    key_nodes = {k.value: (k, v) for k, v in pairs}
    counts: dict[str, int] = {}
    for k, _v in pairs:
        counts[k.value] = counts.get(k.value, 0) + 1
    for k in (k for k, n in counts.items() if n > 1):
        meta.warnings.append(_("key '{key}' appears {n} times in {file}; the last one is used").format(
            key=k, n=counts[k], file=path.name if path else _("the input")))
    for key, value in data.items():
        skey = str(key)
        meta.values[skey] = value
        pair = key_nodes.get(key) if isinstance(key, str) else None
        meta.where[skey] = (path, pair[0].start_mark.line + first_line if pair else None)
        if pair and isinstance(pair[1], yaml.SequenceNode):
            meta.item_lines[skey] = [n.start_mark.line + first_line for n in pair[1].value]
    return meta


MAX_FRONT_MATTER = 64 * 1024


def load_value(text: str) -> Any:
    """One --set value as YAML (so lists work), with the front matter's rules: no aliases, bounded
    nesting and size. Text that is not such YAML stays the text it is."""
    if len(text) > MAX_FRONT_MATTER:
        raise InputError(_("--set value is too big ({size}; the limit is {limit})").format(
            size=len(text), limit=MAX_FRONT_MATTER))
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        return loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError, OverflowError, TypeError, RecursionError):
        return text
    finally:
        if loader is not None:
            loader.dispose()


def _surrogates(value: object, depth: int = 0) -> int | None:
    """The code of the first lone surrogate in a loaded YAML value (strings, keys, lists), else None."""
    if isinstance(value, str):
        return next((ord(c) for c in value if 0xD800 <= ord(c) <= 0xDFFF), None)
    if depth > MAX_YAML_DEPTH + 2:
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return None
    return next((c for c in (_surrogates(x, depth + 1) for x in items) if c is not None), None)


def _yaml_error(exc: yaml.YAMLError, path: Path | None, first_line: int) -> InputError:
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    if context_mark is not None and "end of stream" in problem:
        mark = context_mark  # something opened there is never closed; point at the opening
    line = mark.line + first_line if mark is not None else None
    what = f"{context}: {problem}" if context else problem
    hint = ""
    if context and "quoted scalar" in context:
        hint = "; " + _("a quote opened here is never closed: add the closing \"")
    elif "flow sequence" in (context or "") or "flow sequence" in problem:
        hint = "; " + _("a list opened with '[' is never closed: add the closing ']'")
    elif "mapping values are not allowed" in problem:
        hint = "; " + _("a value containing ': ' must be put in double quotes")
    return InputError(_("the front matter is not valid YAML ({problem})").format(
        problem=what) + hint, path, line)


# --------------------------------------------------------------------------- public entry


def load_release(path: Path, tz: str = "Asia/Jakarta", overrides: dict | None = None,
                 media: MediaSettings | None = None) -> Release:
    """Read a .md or .docx release; ``overrides`` (front-matter keys, e.g. from --set) win.

    ``media`` ([media] in channels.toml) says which folders besides the release's own may hold its
    media, and bounds every input (see crosspost.inputs).
    """
    media = media or inputs.DEFAULT
    path = Path(path).expanduser().absolute()
    suffix = path.suffix.lower()
    if suffix in OTHER_FORMATS:
        raise InputError(_(OTHER_FORMATS[suffix]), path)
    overrides = dict(overrides or {})
    bad = _surrogates(overrides)
    if bad is not None:
        raise InputError(_("--set contains an invalid character (a lone surrogate, \\u{code})").format(
            code=f"{bad:04x}"))
    extra = Meta(values=overrides, where={k: (None, None) for k in overrides})
    if suffix == ".docx":
        meta, body, warnings, hashed, body_line = load_docx_parts(path, tz, media)
    else:
        data = read_bytes(path, int(media.max_release_mb * MB))
        text, warnings = decode_text(data, path)
        fm, body, fm_line, body_line = split_front_matter(text, path)
        meta = load_yaml(fm, path, fm_line, int(media.max_front_matter_kb * 1024))
        hashed = text.encode("utf-8")
    meta.update(extra)
    if suffix == ".docx":
        _docx_defaults(path, meta, warnings, tz)
    release = build_release(path, meta, body, body_line, tz, warnings, hashed, overrides, media)
    if suffix == ".docx":  # the photos pasted into the Word file (crosspost.docx_pictures)
        from .docx_pictures import with_pictures

        release = with_pictures(release, path, read_bytes(path, int(media.max_docx_mb * MB)),
                                bool(meta.values.get("images")), media.max_image_pixels)
    return release


def load_docx_parts(path: Path, tz: str, media: MediaSettings | None = None):
    """(Meta, body, warnings, bytes to hash, body line) of a .docx and its sidecar `<stem>.yml`."""
    from .docx_reader import read_docx, sidecar_for

    media = media or inputs.DEFAULT
    data = read_bytes(path, int(media.max_docx_mb * MB))
    inputs.check_docx(data, path, media)
    content = read_docx(data, path)
    warnings = list(content.warnings)
    meta = Meta()
    for key, value in (("title", content.title), ("number", content.number), ("date", content.date),
                       ("section", content.section), ("summary", content.summary),
                       ("contact", content.contact)):
        if value:
            meta.values[key] = value
            meta.where[key] = (path, None)
    hashed = data
    sidecars = sidecar_for(path)
    if len(sidecars) > 1:
        first, second = sidecars[0].name, sidecars[1].name
        warnings.append(_(
            'both {first} and {second} exist: only {first} is read').format(first=first, second=second))
    if sidecars:
        side = sidecars[0]
        raw = read_bytes(side, int(media.max_front_matter_kb * 1024))
        text, side_warnings = decode_text(raw, side)
        warnings += [f"{side.name}: {w}" for w in side_warnings]
        lines = text.split("\n")
        start = 1 if lines and lines[0].strip() == "---" else 0
        end = len(lines)
        for i in range(start, len(lines)):
            if i > 0 and lines[i].strip() in ("---", "..."):
                end = i
                break
        meta.update(load_yaml("\n".join(lines[start:end]), side, start + 1,
                              int(media.max_front_matter_kb * 1024)))
        hashed += b"\0sidecar\0" + text.encode("utf-8")
    return meta, content.body, warnings, hashed, None


def _docx_defaults(path: Path, meta: Meta, warnings: list[str], tz: str) -> None:
    """A Word file rarely carries a machine-readable date: fall back to its modification time, loudly."""
    if not _text(meta, "title"):
        raise InputError(_("no title found: give the title the 'Heading 1' or 'Title' style in Word, or add "
                           'title: "..." to {name}.yml beside it').format(name=path.stem), path)
    value = meta.values.get("date")
    if isinstance(value, date) and not isinstance(value, datetime) and meta.where.get("date") == (path, None):
        warnings.append(_(
            'the Word file gives only the day ({value:%Y-%m-%d}), so the release time is 00:00; add date: '
            'with a time to {stem}.yml if the time matters').format(value=value, stem=path.stem))
    if value in (None, ""):
        when = datetime.fromtimestamp(path.stat().st_mtime, tz=zone(tz)).replace(second=0, microsecond=0)
        meta.values["date"] = when
        meta.where["date"] = (path, None)
        warnings.append(_(
            'no date in the Word file: using its last-modified time {when:%Y-%m-%d %H:%M %z}; set it with '
            'date: in {stem}.yml or --set date=2026-11-20T09:00').format(when=when, stem=path.stem))


def build_release(path: Path, meta: Meta, body: str, body_line: int | None, tz: str,
                  warnings: list[str], hashed: bytes, overrides: dict,
                  bounds: MediaSettings | None = None) -> Release:
    """Validate the merged metadata and body into a Release (shared by the .md and .docx readers)."""
    bounds = bounds or inputs.DEFAULT
    v = meta.values
    warnings = list(warnings) + meta.warnings
    for key in v:
        if key not in KNOWN_KEYS:
            guess = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            origin, line = meta.where.get(key, (None, None))
            where = (" " + _("(from --set)") if origin is None
                     else " " + _("({file} line {line})").format(file=origin.name, line=line) if line else "")
            tip = (_("did you mean '{key}'?").format(key=guess[0]) if guess
                   else _("known keys: {keys}").format(keys=", ".join(KNOWN_KEYS)))
            warnings.append(_("unknown front-matter key '{key}'{where} is ignored; {tip}").format(
                key=key, where=where, tip=tip))

    title = _one_line(_text(meta, "title"))
    if not title:
        raise InputError(_('the release has no title: add a line like title: "Kemensos Salurkan Bantuan ..." '
                           "to the front matter"), path)
    if v.get("date") in (None, ""):
        raise InputError(_("the release has no date: add a line like date: 2026-11-20T09:00:00+07:00 "
                           "(or 2026-11-20 09:00 WIB)"), path)
    date = _when(meta, "date", tz)
    embargo = _when(meta, "embargo", tz) if v.get("embargo") not in (None, "") else None
    section = _section(meta)
    body = body.strip("\n")
    if len(body) > bounds.max_body_chars:
        raise InputError(_("the release text is too long ({n} characters; the limit is {limit})").format(
            n=f"{len(body):,}", limit=f"{bounds.max_body_chars:,}"), path, body_line)
    if not body.strip():
        if path.suffix.lower() == ".docx":
            raise InputError(_("the Word file has no text besides its title"), path)
        raise InputError(_("the release has no text after the front matter: write the release below the "
                           "closing '---'"), path, body_line)

    base = path.parent
    roots = inputs.allowed_roots(base, bounds.allowed_dirs)
    images = tuple(_images(meta, base, roots, bounds))
    video = _video(meta, base, roots, bounds)
    captions = _captions(meta, base, roots, bounds)
    if embargo is not None:
        warnings.append(_(
            'embargo: nothing of this release goes out on any channel before {embargo:%Y-%m-%d %H:%M %z} '
            '(the website page is not written before then either)').format(embargo=embargo))
    link = _text(meta, "link") or None
    if link and not re.match(r"^https?://[^\s/]+", link, re.I):
        raise meta.err("link", _("link '{link}' is not a web address: write it like "
                                 "https://www.kemensos.go.id/...").format(link=link))
    hashtags, tag_warnings = normalise_hashtags(_list(meta, "hashtags"))
    warnings += tag_warnings
    slug = release_slug(_text(meta, "slug"), title, date)

    digest = hashlib.sha256()
    digest.update(hashed)
    digest.update(repr(sorted((str(k), repr(x)) for k, x in overrides.items())).encode("utf-8"))
    digest.update(b"\0tz\0" + tz.encode("utf-8"))
    for media in (*images, *([video] if video else [])):
        digest.update(b"\0media\0" + str(media.path).encode("utf-8") + b"\0")
        _hash_file(digest, media.path)
    if captions is not None:
        digest.update(b"\0captions\0")
        _hash_file(digest, captions)

    return Release(
        slug=slug, title=title, body=body, date=date, section=section,
        summary=_one_line(_text(meta, "summary")),
        tags=tuple(_dedupe(t.strip() for t in _list(meta, "tags") if t.strip())),
        hashtags=hashtags, images=images, video=video,
        video_id=_text(meta, "video_id") or None, captions=captions, link=link,
        language=_text(meta, "language") or "id",
        number=_text(meta, "number") or None, contact=_text(meta, "contact") or None,
        embargo=embargo, source=path, content_hash=digest.hexdigest(), warnings=tuple(warnings),
        channel_overrides=read_overrides(v.get("channels"), lambda m: meta.err("channels", m)),
    )


# --------------------------------------------------------------------------- fields


def read_overrides(raw: Any, err: Any) -> dict[str, dict[str, Any]]:
    from .overrides import read_overrides as read

    return read(raw, err)


def _text(meta: Meta, key: str) -> str:
    value = meta.values.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise meta.err(key, _('{key} must be plain text, not a list or a block of keys').format(key=key))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _list(meta: Meta, key: str) -> list[str]:
    value = meta.values.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        if key == "hashtags" and value.count("#") > 1:
            return value.split("#")
        return value.split(",")
    if isinstance(value, list):
        if any(isinstance(x, (dict, list)) for x in value):
            raise meta.err(key, _(
                '{key} must be a list of words, like {key}: [KemensosHadir, Bansos]').format(key=key))
        return [str(x) for x in value if x is not None]
    return [str(value)]


def _when(meta: Meta, key: str, tz: str) -> datetime:
    try:
        return to_aware(meta.values.get(key), tz, key)
    except InputError as exc:
        raise meta.err(key, f"{key}: {exc}") from None


def _section(meta: Meta) -> str:
    raw = _text(meta, "section") or "siaran-pers"
    key = re.sub(r"[\s_]+", "-", raw.strip().lower())
    by_label = {label.lower().replace(" ", "-"): name for name, label in SECTIONS.items()}
    key = by_label.get(key, key)
    if key not in SECTIONS:
        raise meta.err("section", _("unknown section '{section}': use one of {sections}").format(
            section=raw, sections=", ".join(SECTIONS)))
    return key


def _images(meta: Meta, base: Path, roots: list[Path], bounds: MediaSettings) -> list[Media]:
    value = meta.values.get("images")
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else [value]
    out: list[Media] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            raw, alt = item, ""
        elif isinstance(item, dict):
            raw = item.get("path") or item.get("file") or ""
            alt = item.get("alt") or ""
            if not isinstance(raw, str) or not raw.strip():
                raise meta.err("images", _("image {n} has no path: write - path: img/foto.jpg").format(
                    n=i + 1), i)
            if not isinstance(alt, str):
                alt = str(alt)
        else:
            raise meta.err("images", _("image {n} must be a path or 'path:' and 'alt:' lines").format(
                n=i + 1), i)
        raw = raw.strip()

        def err(message: str, i: int = i) -> InputError:
            return meta.err("images", message, i)

        p = inputs.confine(raw, base, roots, "images", err)
        inputs.regular_file(p, raw, "images", err, int(bounds.max_image_mb * MB))
        kind = inputs.sniff_image(inputs.head(p, 16))
        if kind is None:
            raise err(_("images: {file} is not a JPEG, PNG, GIF or WebP image (checked by its content, not "
                        "its name)").format(file=raw))
        width, height = _image_size(p, meta, i, raw, bounds.max_image_pixels)
        out.append(Media(path=p, alt=_one_line(alt), kind="image", width=width, height=height))
    return out


def _image_size(p: Path, meta: Meta, i: int, raw: str, max_pixels: int) -> tuple[int, int]:
    """Width and height from the image header; refused above ``max_pixels`` before any decoding.
    The header is read without Pillow (crosspost.imageheader): preview need not import it."""
    from .imageheader import TooManyPixels, probe

    try:
        header = probe(p)
        width, height = header.width, header.height
    except TooManyPixels:  # Pillow's own limit, twice its MAX_IMAGE_PIXELS
        raise meta.err("images", _("images: {file} has more pixels than the limit of {limit} megapixels: "
                                   "make it smaller").format(file=raw, limit=round(max_pixels / 1e6)),
                       i) from None
    except (OSError, ValueError):
        raise meta.err("images", _("{file} is not an image that can be read (use JPEG or PNG)").format(
            file=raw), i) from None
    if width * height > max_pixels:
        raise meta.err("images", _("images: {file} has {n} megapixels (the limit is {limit}): make it "
                                   "smaller").format(file=raw, n=round(width * height / 1e6),
                                                     limit=round(max_pixels / 1e6)), i)
    return width, height


def _video(meta: Meta, base: Path, roots: list[Path], bounds: MediaSettings) -> Media | None:
    value = meta.values.get("video")
    if value in (None, ""):
        return None
    raw = value.get("path") if isinstance(value, dict) else value
    if not isinstance(raw, str) or not raw.strip():
        raise meta.err("video", _("video must be a file path, like video: video/liputan.mp4"))
    raw = raw.strip()

    def err(message: str) -> InputError:
        return meta.err("video", message)

    p = inputs.confine(raw, base, roots, "video", err)
    inputs.regular_file(p, raw, "video", err, int(bounds.max_video_mb * MB))
    if inputs.sniff_video(inputs.head(p, 512)) is None:
        raise err(_("video: {file} is not a video file (MP4, MOV, WebM, MKV, AVI or MPEG; checked by its "
                    "content, not its name)").format(file=raw))
    return Media(path=p, kind="video")


def _captions(meta: Meta, base: Path, roots: list[Path], bounds: MediaSettings) -> Path | None:
    """captions: subtitles/liputan.id.vtt -- the video's captions file, relative to the release."""
    raw = _text(meta, "captions")
    if not raw:
        return None

    def err(message: str) -> InputError:
        return meta.err("captions", message)

    p = inputs.confine(raw, base, roots, "captions", err)
    if p.suffix.lower() not in (".vtt", ".srt"):
        raise err(_("captions must be a .vtt or .srt file, got {file}").format(file=raw))
    inputs.regular_file(p, raw, "captions", err, int(bounds.max_captions_mb * MB))
    if inputs.sniff_captions(inputs.head(p, 4096)) is None:
        raise err(_("captions: {file} is not WebVTT or SRT text (a .vtt starts with WEBVTT; an .srt with "
                    "a number and a time line)").format(file=raw))
    return p


def _hash_file(digest, p: Path) -> None:
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)


# --------------------------------------------------------------------------- normalisation


def release_slug(written: str, title: str, when: datetime) -> str:
    """The release's identity in the log (and its web address).

    What the office wrote (``slug:``) wins. Otherwise the slug of the whole title; a title too long
    for SLUG_MAX characters is cut at a word and gets a short hash of the whole title, so two titles
    sharing their first 80 characters never share an identity. A title without Latin letters becomes
    ``rilis-YYYYMMDD-<hash of the title>``. The same file always gives the same slug; the store
    refuses a slug already logged for a release with another title or number
    (`Store.save_release`).
    """
    source = written or title
    full = slugify(source, max_len=10_000)
    if full and len(full) <= SLUG_MAX:
        return full
    tag = hashlib.sha256(title_key(source).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not full:
        return f"rilis-{when:%Y%m%d}-{tag}"
    return f"{slugify(full, SLUG_MAX - len(tag) - 1)}-{tag}"


def slugify(text: str, max_len: int = SLUG_MAX) -> str:
    """ASCII, lowercase, hyphen-separated; cut at a word boundary to at most ``max_len`` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[: max_len + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_len]
        slug = slug.strip("-")
    return slug
