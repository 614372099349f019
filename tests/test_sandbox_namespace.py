"""The sandbox's short path for ``ns.name`` (crosspost/templating.py) returns plain data only:
a str.format kept in a namespace is still wrapped (and refused), a missing name still fails."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError
from jinja2.sandbox import SecurityError

from crosspost.templating import _builtin_text, _environment


def _render(source: str) -> str:
    return _environment((_builtin_text(),)).from_string(source).render()


def test_plain_values_read_through_the_short_path() -> None:
    for _ in range(3):  # the memo filled, then used
        source = '{% set ns = namespace(a=[1], n=2) %}{% set ns.a = ns.a + [ns.n] %}{{ ns.a }}'
        assert _render(source) == "[1, 2]"


def test_a_format_method_in_a_namespace_is_still_refused() -> None:
    source = '{% set ns = namespace(f="{0.__class__}".format, s="x") %}{{ ns.s }}{{ ns.f(1) }}'
    for _ in range(3):
        with pytest.raises(SecurityError):
            _render(source)
    with pytest.raises(SecurityError):  # the name "f" now holds a string elsewhere: still wrapped here
        _render('{% set ns = namespace(f="a") %}{{ ns.f }}'
                '{% set ns.f = "{0.__class__}".format %}{{ ns.f(1) }}')


def test_a_missing_name_still_fails() -> None:
    _render('{% set ns = namespace(a=1) %}{{ ns.a }}')
    with pytest.raises(UndefinedError):
        _render('{% set ns = namespace(a=1) %}{{ ns.a }}{{ ns.b }}')
