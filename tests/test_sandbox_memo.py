"""The sandbox's memoised attribute checks (crosspost.templating._Sandbox) refuse what Jinja's
own sandbox refuses, on the first render and on every one after it (when the memo answers)."""

from __future__ import annotations

import pytest

from crosspost.errors import InputError
from crosspost.templating import render

REFUSED = [
    '{{ "".__class__ }}',
    '{{ x.__class__.__mro__ }}',
    '{{ items.append(1) }}{{ items }}',
    '{{ data.update({"a": 1}) }}{{ data }}',
    '{{ data.clear() }}{{ data }}',
    '{{ data.pop("k") }}',
    '{{ "{0.__class__}".format(x) }}',
    '{{ "{a.__class__}".format_map({"a": x}) }}',
    '{% set ns = namespace(a=1) %}{{ ns.__init__ }}',
    '{{ data.missing }}',
    '{{ data.__len__() }}',
]
ALLOWED = [
    ('{{ x.upper() }}|{{ x.split("b") }}|{{ "{0}-{1}".format(x, 2) }}', "ABC|['a', 'c']|abc-2"),
    ('{{ data.k }} {{ data.items() | list }} {{ data.get("k") }}', "v [('k', 'v')] v"),
    ('{{ items.index(2) }} {{ items.count(1) }}', "1 1"),
    ('{% set ns = namespace(a=1) %}{% set ns.a = ns.a + 1 %}{{ ns.a }}', "2"),
    # method calls inside a loop and a set block, where Jinja passes _loop_vars/_block_vars
    ('{% for i in items %}{% set y = x.upper() %}{{ y.split("B") | join("-") }};{% endfor %}', "A-C;A-C;"),
    ('{% set b %}{{ x.replace("a", "z") }}{% endset %}{{ b }}', "zbc"),
]


def _render(tmp_path, source: str) -> str:
    (tmp_path / "t.j2").write_text(source, "utf-8")
    return render("t.j2", {"x": "abc", "items": [1, 2], "data": {"k": "v"}}, tmp_path)


@pytest.mark.parametrize("source", REFUSED)
def test_refused_every_time(tmp_path, source):
    for _ in range(3):  # the memo is filled by the first render, read by the next ones
        with pytest.raises(InputError):
            _render(tmp_path, source)


@pytest.mark.parametrize(("source", "want"), ALLOWED)
def test_allowed_every_time(tmp_path, source, want):
    for _ in range(3):
        assert _render(tmp_path, source) == want
