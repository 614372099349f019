"""Sandboxed Jinja2 rendering of the per-channel templates, with the filters Humas needs.

Sandboxed because templates may come from an office's own folder; StrictUndefined so a
typo in a template fails loudly in preview instead of posting an empty string.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping, MutableMapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PosixPath, WindowsPath
from types import BuiltinMethodType
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from .errors import InputError
from .i18n import _
from .utm_links import utm as utm  # a filter; channels import it from utm_links

HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember"]


@lru_cache(maxsize=1)  # asked on every render; resolving the path cost more than the render
def builtin_templates_dir() -> Path:
    """The templates shipped with the package (or the repo's templates/ when run from source)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


@lru_cache(maxsize=1)
def _builtin_text() -> str:
    return str(builtin_templates_dir())


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result, ellipsis included, has at most ``limit`` chars."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-—") + ellipsis


def hashtag_list(tags: Iterable[str], limit: int | None = None) -> str:
    """'#A #B' from normalised hashtags, optionally only the first ``limit``."""
    tags = list(tags)
    if limit is not None:
        tags = tags[:limit]
    return " ".join("#" + t.lstrip("#") for t in tags)


def tanggal(value: datetime | str, with_day: bool = True, with_time: bool = False) -> str:
    """Indonesian date: 'Jumat, 20 November 2026' (optionally '09.00 WIB'); ISO text is accepted."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    s = f"{value.day} {BULAN[value.month - 1]} {value.year}"
    if with_day:
        s = f"{HARI[value.weekday()]}, {s}"
    if with_time:
        offset = value.utcoffset()
        zone = {7: "WIB", 8: "WITA", 9: "WIT"}.get(int(offset.total_seconds() // 3600) if offset else -1, "")
        s += f" pukul {value:%H.%M}" + (f" {zone}" if zone else "")
    return s


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def plain(value: Any, depth: int = 0) -> Any:
    """Template data: only strings, numbers, booleans, None, lists and dicts reach a template.

    Paths become strings (a ``Path`` in the context lets a template read, write and delete files),
    dates their ISO text, dataclasses (Release, Media, settings) dicts of their fields, anything
    else its text. A template sees what a release says, never an object that can act.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 20:
        return str(value)
    # the common exact types first, each where the checks below would send it: a Path skips the
    # Mapping ABC check, a tuple of tags the four before it; a string or number inside is kept
    # without a call (a release was ~40 calls, once a release; bench/adapt_bench.py)
    kind = type(value)
    if kind is tuple or kind is list:
        return [v if type(v) in _SCALARS else plain(v, depth + 1) for v in value]
    if kind is dict:
        return {str(k): v if type(v) in _SCALARS else plain(v, depth + 1) for k, v in value.items()}
    if kind in _PATHS:
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for name in _field_names(type(value)):
            v = getattr(value, name)
            out[name] = v if type(v) in _SCALARS else plain(v, depth + 1)
        return out
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v, depth + 1) for v in value]
    return str(value)


_PATHS = frozenset({PosixPath, WindowsPath})  # Path() gives one of these, never a dataclass or Mapping
_SCALARS = frozenset({str, int, float, bool, type(None)})  # what plain() returns as it is (exact types)


@lru_cache(maxsize=256)  # dataclasses.fields filters the class's fields on every call
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


MAX_RESULT = 1_000_000  # characters of one string or items of one list a template may build


class _Sandbox(ImmutableSandboxedEnvironment):
    """No method that changes a list or dict, and no arithmetic that builds gigabytes or hangs
    (``'a' * 10**9``, ``9 ** 9 ** 9``)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 100 or \
                    isinstance(left, (int, float)) and abs(left) > 1e6 and abs(right) > 10:
                raise SecurityError("the exponent is too large")
            return left ** right
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and not isinstance(n, bool):
                if len(seq) * max(n, 0) > MAX_RESULT:
                    raise SecurityError("the result would be too large")
        return left * right

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A template's globals as a plain dict, not Jinja's ChainMap over the environment's: every
        # render copies them into its context (runtime.new_context, Context.__init__) and a ChainMap
        # is iterated in Python (~20% of a render, bench/adapt_bench.py). Lookups and writes stay
        # the same (the template's own first; a write changes this template alone); the
        # environment's globals are never changed once it is built (_environment), as Jinja's
        # make_globals asks ("avoid modifying any globals after a template is loaded").
        return {**self.globals, **(d or {})}

    # Attribute checks, memoised (bench/adapt_bench.py: ~40% of a render was the sandbox's getattr).
    # For these exact types, whether an attribute is safe depends on the type and the name alone
    # (SandboxedEnvironment.is_safe_attribute, is_internal_attribute, modifies_known_mutable read
    # isinstance and the name, never the value); format/format_map still go through Jinja's wrapper.
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        kind = type(obj)
        if kind not in _MEMO_TYPES:
            return super().is_safe_attribute(obj, attr, value)
        safe = _SAFE_ATTRIBUTES.get((kind, attr))
        if safe is None:
            if len(_SAFE_ATTRIBUTES) > 4096:
                _SAFE_ATTRIBUTES.clear()
            safe = _SAFE_ATTRIBUTES[kind, attr] = super().is_safe_attribute(obj, attr, value)
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``settings.thread`` on a dict: Jinja tries getattr first and lands on the item after an
        # AttributeError; a dict instance has no attribute its type lacks, so go to the item.
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except LookupError:
                return self.undefined(obj=obj, name=attribute)
        if type(obj) is Namespace and _SAFE_ATTRIBUTES.get((Namespace, attribute)):
            # ``ns.parts`` in a loop: a name found safe before (the memo above), holding plain data,
            # is what SandboxedEnvironment.getattr returns; anything else (a method, whose
            # str.format it wraps; a missing name) takes its full path
            value = getattr(obj, attribute, _MISSING)  # Namespace.__getattribute__: its dict's item
            if type(value) in _PLAIN_VALUES:
                return value
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        # A method of a str, list or dict (``line.split(" ")``): Jinja's is_safe_callable and
        # Context.call look for unsafe_callable, alters_data, jinja_pass_arg, which a built-in
        # method cannot carry, so call it as Context.call would. Which methods a template may
        # reach at all is decided by getattr above, unchanged.
        if type(__obj) is BuiltinMethodType and type(__obj.__self__) in _PLAIN_SELF:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __context.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__context, __obj, *args, **kwargs)


_PLAIN_SELF = frozenset({str, list, dict, tuple, int, float})
_PLAIN_VALUES = frozenset({str, list, dict, tuple, int, float, bool, type(None)})
_MISSING = object()
_MEMO_TYPES = frozenset({str, list, dict, tuple, int, float, bool, type(None), Namespace})
_SAFE_ATTRIBUTES: dict[tuple[type, str], bool] = {}
_DICT_NAMES = frozenset(dir(dict))


_OPTIONS: dict[str, Any] = {
    "autoescape": False,  # social text is plain; the website template escapes explicitly
    "keep_trailing_newline": False,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


@lru_cache(maxsize=8)  # one environment per folder pair and process: it keeps the compiled templates
def _environment(dirs: tuple[str, ...]) -> ImmutableSandboxedEnvironment:
    from .jinja_cache import bytecode_cache

    env = _Sandbox(
        loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
        undefined=StrictUndefined,
        # compiled code kept between processes, in the sandbox's own folder (crosspost/jinja_cache.py)
        bytecode_cache=bytecode_cache("channel-sandbox", _Sandbox, _OPTIONS),
        **_OPTIONS,
    )
    env.filters.update(truncate_words=truncate_words, hashtags=hashtag_list, tanggal=tanggal,
                       utm=utm.__wrapped__, one_line=one_line)  # a template may pass anything
    return env


def render(template_name: str, context: dict[str, Any], user_dir: Path | None = None,
           prepared: bool = False) -> str:
    """Render a channel template; the user's templates dir wins over the built-in one.
    ``prepared``: every value of ``context`` is template data already (``plain``)."""
    data = context if prepared else {str(k): plain(v) for k, v in context.items()}
    try:
        return _template(_dirs(user_dir), template_name).render(**data).strip()
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        raise InputError(_(
            'template error: {message}').format(message=exc.message), getattr(exc, "filename", None)
                         or template_name, lineno) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError,
            MemoryError) as exc:  # 1/0, a wrong filter argument: the template's fault, not ours
        raise InputError(_("template error: {error}").format(error=f"{type(exc).__name__}: {exc}"[:300]),
                         template_name) from None


def _dirs(user_dir: Path | None) -> tuple[str, ...]:
    """The template folders to look in, the user's first. The user's folder is looked at on every
    render (it may be created while ``run --watch`` runs); the package's own once a process."""
    # os.path.isdir on the text: the same check as Path.is_dir without building two Paths a render
    user = str(user_dir) if user_dir else ""
    return (user, *_builtin_dirs()) if user and os.path.isdir(user) else _builtin_dirs()


@lru_cache(maxsize=1)
def _builtin_dirs() -> tuple[str, ...]:
    builtin = _builtin_text()
    return (builtin,) if os.path.isdir(builtin) else ()


_TEMPLATES: dict[tuple[tuple[str, ...], str], tuple[ImmutableSandboxedEnvironment, Template]] = {}


def _template(dirs: tuple[str, ...], name: str) -> Template:
    """The compiled template, as ``_environment(dirs).get_template(name)`` gives it, without its
    per-call cache key and locked LRU lookup. ``is_up_to_date`` is the check Jinja's auto_reload
    makes on every get_template (the file's mtime): an edited template is compiled again."""
    env = _environment(dirs)
    held = _TEMPLATES.get((dirs, name))
    if held is not None and held[0] is env and held[1].is_up_to_date:
        return held[1]
    if len(_TEMPLATES) > 256:
        _TEMPLATES.clear()
    template = env.get_template(name)
    _TEMPLATES[dirs, name] = (env, template)
    return template
