"""The reusable nh3.Cleaner (crosspost/site/sanitize.py) cleans exactly as nh3.clean with the same
options, on the corpus' and examples' article HTML and on hostile markup."""

from __future__ import annotations

import nh3
import pytest

from crosspost.markdown_once import website_html
from crosspost.site import sanitize
from tests.conftest import REPO

HOSTILE = [
    '<a href="javascript:alert(1)">x</a>', '<img src=x onerror=alert(1)>', "<script>alert(1)</script>t",
    '<a href="jav&#x09;ascript:alert(1)">x</a>', "<svg><script>alert(1)</script></svg>", "<!-- c --><p>k</p>",
    '<p style="x" class="y" id="z">s</p>', '<a href="https://contoh.go.id" rel="x" target="_blank">l</a>',
    '<iframe src="https://evil"></iframe>f', '<td colspan="2" onclick="x">c</td>',
    '<ol start="3"><li>i</li></ol>',
]


def test_cleaner_equals_clean() -> None:
    if sanitize._cleaner() is None:
        pytest.skip("nh3 without Cleaner: nh3.clean is used")
    folders = (REPO / "examples", REPO.parent / "shared" / "corpus" / "releases")
    bodies = [p.read_bytes().decode("utf-8", "replace") for folder in folders if folder.is_dir()
              for p in sorted(folder.glob("*.md"))]
    assert bodies
    for html in [website_html(b) for b in bodies] + HOSTILE:
        assert sanitize._clean(html) == nh3.clean(html, **sanitize._options()), html[:80]
