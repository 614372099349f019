"""Option values converted without pydantic, for the plain types crosspost's options use.

typer 0.29 converts the value of every non-boolean option and argument (even an absent one,
even with ``parser=``) through a pydantic ``TypeAdapter`` (``typer/_coercion.py``:
``build_runtime_param`` -> ``typer._adapters.try_build_adapter``): importing pydantic and
building the adapters costs ~100 ms of every command's start (bench/RESULTS.md, preview start).
No annotation avoids it except ``bool`` flags and typer's file types, so options cannot simply be
"typed around" it. Instead typer's own hook gets a stdlib conversion for ``str``, ``int``,
``float`` (with ``min``/``max``), ``bool``, ``Path``, an ``Enum`` and ``list[str]``: the same checks typer
applies (its path and choice checks are called as they are), messages in our catalogue. Anything
else falls through to typer's own conversion, so a new option type still works (with pydantic).
Older typer (no ``typer._coercion``, click types, no pydantic) is left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from ..i18n import _

Convert = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> value


def install() -> bool:
    """Point typer's runtime conversion at :func:`_build`; False when this typer has none."""
    try:
        import typer.core as typer_core
        from typer import _coercion
        from typer._click.exceptions import BadParameter
        from typer._param_types import coerce_cli_choice, coerce_cli_path
    except ImportError:  # typer < 0.2x: click's own types, nothing to replace
        return False
    if not hasattr(typer_core, "build_runtime_param"):
        return False
    original = typer_core.build_runtime_param
    if getattr(original, "_crosspost", False):
        return True

    @dataclass(frozen=True)
    class StdlibParam(_coercion.RuntimeParam):
        """One parameter's conversion in plain Python (typer calls ``_coerce_value``)."""

        convert: Convert

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, param, ctx)
            except (ValueError, TypeError) as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None

    def leaf(annotation: Any, info: Any) -> Convert | None:
        if info.parser is not None:
            return None
        if annotation is str:
            return lambda v, p, c: _text(v)
        if annotation is bool:
            return lambda v, p, c: _flag(v)
        if annotation in (int, float):
            return _number(annotation, info.min, info.max, bool(info.clamp))
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            choices, case = list(annotation), info.case_sensitive
            return lambda v, p, c: coerce_cli_choice(v, choices=choices, case_sensitive=case, ctx=c)
        if isinstance(annotation, type) and issubclass(annotation, Path) and info.path_type is None:
            kind = annotation

            def path(v: Any, p: Any, c: Any) -> Any:
                value = v if isinstance(v, kind) else kind(_text(v))
                return coerce_cli_path(value, info, path_type=kind, param=p, ctx=c)
            return path
        return None

    def build(descriptor: Any) -> Any:
        annotation, info = descriptor.annotation, descriptor.parameter_info
        if descriptor.file_annotation is None:
            if get_origin(annotation) is list and len(get_args(annotation)) == 1:
                item = leaf(get_args(annotation)[0], info)
                if item is not None:
                    one = item
                    convert: Convert | None = lambda v, p, c: [  # noqa: E731
                        one(x, p, c) for x in (v if isinstance(v, (list, tuple)) else [v])]
                else:
                    convert = None
            else:
                convert = leaf(annotation, info)
            if convert is not None:
                return StdlibParam(annotation=annotation, parameter_info=info, convert=convert)
        return original(descriptor)

    build._crosspost = True  # type: ignore[attr-defined]
    typer_core.build_runtime_param = build
    return True


def _text(value: Any) -> str:
    """typer's ``_parse_cli_str``: bytes from argv decoded as the OS gave them."""
    if value is None:
        raise ValueError(_("a value is missing"))
    if isinstance(value, bytes):
        return value.decode(sys.getfilesystemencoding(), "replace")
    return str(value)


_TRUE = frozenset(("1", "on", "t", "true", "y", "yes"))
_FALSE = frozenset(("", "0", "off", "f", "false", "n", "no"))


def _flag(value: Any) -> bool:
    """The words pydantic's bool accepts (typer's conversion), e.g. from an environment variable."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(_("{value!r} is not yes or no").format(value=value))


def _number(kind: type, low: float | None, high: float | None, clamp: bool) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        wrong = _("{value!r} is not a whole number") if kind is int else _("{value!r} is not a number")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(wrong.format(value=value))
        try:
            number = kind(value.strip()) if isinstance(value, str) else kind(value)
        except ValueError:
            raise ValueError(wrong.format(value=value)) from None
        if kind is int and isinstance(value, float) and value != number:
            raise ValueError(wrong.format(value=value))
        if low is not None and number < low:
            if not clamp:
                raise ValueError(_("must be at least {low}").format(low=low))
            number = kind(low)
        if high is not None and number > high:
            if not clamp:
                raise ValueError(_("must be at most {high}").format(high=high))
            number = kind(high)
        return number
    return convert
