"""The website must never carry script, event handlers or javascript:/data: URLs."""

from __future__ import annotations

import re

import pytest

from crosspost.site.sanitize import images_in, markdown_to_html, render_body, sanitize_html

FORBIDDEN = ("<script", "onerror", "onload", "onclick", "javascript:", "alert(", "<iframe", "<svg",
             "style=", "data:", "<style", "<object", "<embed")


def assert_clean(html: str) -> None:
    low = html.lower()
    for bad in FORBIDDEN:
        assert bad not in low, f"{bad!r} survived in {html!r}"


def test_hostile_corpus_release(corpus):
    text = (corpus / "05-edge-karakter-khusus.md").read_text(encoding="utf-8")
    body = text.split("---", 2)[2]
    html = render_body(body, "www.kemensos.go.id")
    for bad in ("<script", "onerror", "javascript:", "alert("):
        assert bad not in html
    assert "<b>Command Center 171</b>" in html  # harmless inline HTML survives
    assert "<strong>Hubungi Kami</strong>" in html
    assert "Tautan berbahaya" in html  # the label of the unsafe link stays, as text
    assert '<a href="https://cekbansos.kemensos.go.id" rel="noopener noreferrer">' in html
    assert "&lt; Rp1.000" in html and "&gt; 2 menit" in html  # bare < and > are text
    assert "👨\u200d👩\u200d👧\u200d👦" in html  # ZWJ emoji sequence intact


ATTACKS = [
    '<img src="x.jpg" onerror="alert(1)" alt="a">',
    '<a href="javascript:alert(1)">klik</a>',
    '<a href="JaVaScRiPt:alert(1)">klik</a>',
    '<a href="javascript&#58;alert(1)">klik</a>',
    '<a href="&#106;avascript:alert(1)">klik</a>',
    '<a href="java\tscript:alert(1)">klik</a>',
    '<a href=" javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](<javascript:alert(1)>)",
    "![foto](javascript:alert(1))",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))">teks</p>',
    '<div onclick="alert(1)">teks</div>',
    '<img src="data:image/svg+xml;base64,PHN2Zy8+" alt="x">',
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<style>body{display:none}</style>teks",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<math><mi><style><img src=x onerror=alert(1)></style></mi></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<form action="https://evil.example"><input name="q"><button>kirim</button></form>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<!-- <script>alert(1)</script> -->",
    '<scr<script>ipt>alert(1)</script>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_crafted_attacks_are_neutralised(attack):
    html = render_body(f"Paragraf aman.\n\n{attack}\n\nPenutup.")
    assert_clean(html)
    assert "Paragraf aman." in html and "Penutup." in html
    assert "<form" not in html and "<input" not in html


def test_entity_encoded_scheme_in_markdown_link():
    html = render_body("[satu](javascript&#58;alert(1)) [dua](&#x6A;avascript:alert(2))")
    assert "javascript" not in html.lower() and "alert" not in html
    assert html == "<p>satu dua</p>"  # the labels stay as plain text, no dead <a>


def test_allowed_markup_survives():
    md = ("## Sub\n\n*miring* **tebal** <i>i</i> <b>b</b>\n\n- satu\n- dua\n\n1. a\n\n> kutipan\n\n"
          "`kode`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
          '<figure><img src="https://cdn.example.go.id/f.jpg" alt="Foto" width="640" height="480">'
          "<figcaption>Keterangan</figcaption></figure>")
    html = render_body(md)
    for tag in ("<h2>", "<em>", "<strong>", "<i>", "<b>", "<ul>", "<ol>", "<li>", "<blockquote>",
                "<code>", "<table>", "<th>", "<td>", "<figure>", "<figcaption>"):
        assert tag in html, tag
    assert images_in(html) == [{"src": "https://cdn.example.go.id/f.jpg", "alt": "Foto",
                                "width": "640", "height": "480"}]


def test_external_links_get_rel_internal_do_not():
    html = render_body("[luar](https://evil.example/x) [dalam](https://www.kemensos.go.id/a) [rel](/b) "
                       "[surel](mailto:humas@kemensos.go.id)", "www.kemensos.go.id")
    assert '<a href="https://evil.example/x" rel="noopener noreferrer">luar</a>' in html
    assert '<a href="https://www.kemensos.go.id/a">dalam</a>' in html
    assert '<a href="/b">rel</a>' in html
    assert '<a href="mailto:humas@kemensos.go.id">surel</a>' in html


def test_link_title_with_quotes_keeps_rel_and_escaping():
    html = render_body('[x](https://evil.example/?a=1&b=2 "judul \\"kutip\\" >")')
    assert 'rel="noopener noreferrer"' in html
    assert "&amp;b=2" in html and "&gt;" in html


def test_headings_demoted_below_page_title():
    html = render_body("# Satu\n\n##### Lima")
    assert "<h1" not in html and "<h5" not in html
    assert "<h2>Satu</h2>" in html and "<h4>Lima</h4>" in html


def test_image_without_src_removed():
    assert "<img" not in sanitize_html('<img alt="tanpa sumber"><img src="data:image/gif;base64,R0lG">')


def test_markdown_step_alone_is_not_safe():
    """Guard against someone dropping the sanitiser: markdown-it passes raw HTML through."""
    assert "<script>" in markdown_to_html("<script>alert(1)</script>")
    assert not re.search(r"<script", render_body("<script>alert(1)</script>"))
