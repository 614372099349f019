"""x_weight.surely_over never says "over" for a text that fits: url_free_length is at most
the weighted length (exact twitter-text, parse_tweet) of every text without emoji; and windows
whose dots all end them are matched by neither (x_urls)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost._vendor.twitter_text import parse_tweet
from crosspost._vendor.twitter_text.extract_urls import extract_urls_with_indices
from crosspost.channels.x_urls import url_free_length, urls_with_indices
from crosspost.channels.x_weight import _may_hold_emoji, surely_over
from tests.test_x_urls import CORPUS, PIECES, VALIDATE, _texts_of

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXTRA = ["example.com.", "kemensos.go.id..", "daerah.", "...", "Rp1.", "x.y.", "“Kemensos.”", "\r\n", "\r"]


def _check(text: str) -> None:
    assert urls_with_indices(text) == extract_urls_with_indices(text), repr(text)
    weight = parse_tweet(text).weightedLength
    for limit in (0, weight - 1, weight, weight + 1, 280):
        if surely_over(text, limit):
            assert weight > limit, (repr(text), limit)
    if not _may_hold_emoji(text):
        normal = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        assert url_free_length(normal) <= weight, repr(text)


def test_conformance_and_corpus_texts() -> None:
    """The conformance texts and the corpus when ../shared is beside the checkout; the shipped
    examples always (a user's machine has no ../shared)."""
    texts = _texts_of(VALIDATE) if VALIDATE.is_file() else []
    if CORPUS.is_dir():
        texts += [p.read_bytes().decode("utf-8", "replace") for p in CORPUS.glob("*.md")]
    texts += [p.read_text("utf-8") for p in sorted(EXAMPLES.glob("*.md"))]
    assert len(texts) >= 2
    for text in texts:
        _check(text)
        for line in text.splitlines():
            _check(line)


def test_a_long_plain_text_is_known_over_without_measuring() -> None:
    text = "Kementerian Sosial menyalurkan bantuan ke daerah. " * 8 + "https://kemensos.go.id/a"
    assert surely_over(text, 280) and not surely_over(text, 10**6)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES + EXTRA), max_size=25).map("".join))
def test_generated_texts(text: str) -> None:
    _check(text)
