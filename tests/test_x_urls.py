"""crosspost.channels.x_urls gives exactly the vendored twitter-text URL extraction."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost._vendor.twitter_text.extract_urls import extract_urls_with_indices
from crosspost.channels.x_urls import urls_with_indices

VALIDATE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "twitter-text" / "validate.yml"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "releases"

# Pieces that make URLs, near-URLs and the characters around them that the pattern cares about.
PIECES = [
    "kemensos.go.id", "www.kemensos.go.id/siaran-pers/a-b", "https://", "http://", "t.co/abc123",
    "https://t.co/" + "a" * 45, "example.com", "x.y", ".", "..", "/", "?q=1&r=2", "#", "@", "$", "-", "_",
    "(", ")", "[", "]", ":", "8080", "co", "id", "com", "onion", "xn--wgv71a119e.jp", "日本語.jp",
    "ドメイン.テスト",
    "é", "ß", "ſ", "K", "\u202a", "\u200e", "\ufeff", " ", "\n", "\t", "\xa0", "\u3000", "\x1c", "\x85",
    "Kemensos.", "Rp1.000.000", "No.12/2026", "a.n.", "e-mail:humas@kemensos.go.id", "😀", "ab", "1",
]


def _same(text: str) -> None:
    assert urls_with_indices(text) == extract_urls_with_indices(text), repr(text)


def _texts_of(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text("utf-8"))
    out = []
    for cases in data["tests"].values():
        out += [c["text"] for c in cases if isinstance(c.get("text"), str)]
    return out


@pytest.mark.skipif(not VALIDATE.is_file(), reason="../shared/conformance is absent")
def test_conformance_texts():
    texts = _texts_of(VALIDATE)
    assert len(texts) > 80
    for text in texts:
        _same(text)
        for cut in range(0, len(text), 7):  # every prefix and suffix at a stride: windows at the edges
            _same(text[:cut])
            _same(text[cut:])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_corpus_texts():
    for path in CORPUS.glob("*.md"):
        text = path.read_bytes().decode("utf-8", "replace")
        _same(text)
        for line in text.splitlines():
            _same(line)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=30))
def test_generated_texts(pieces):
    _same("".join(pieces))


def test_it_finds_what_twitter_text_finds():
    text = "Lihat kemensos.go.id dan https://t.co/abc serta (www.example.com/a_(b)) . x.y"
    got = urls_with_indices(text)
    assert [u["url"] for u in got] == ["kemensos.go.id", "https://t.co/abc", "www.example.com/a_(b)"]
    assert got == extract_urls_with_indices(text)
    for text in ("kemensos.go.id di awal", " kemensos.go.id", "(a.id)", ".id x.id", "a.id"):  # the first run
        assert urls_with_indices(text) == extract_urls_with_indices(text) != [], text
