"""X/Twitter counting against the official twitter-text conformance suite, and thread splitting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crosspost.channels.twitter_thread import split_thread, strip_numbering, weighted_length

SHARED = Path(__file__).resolve().parents[2] / "shared"
VALIDATE = SHARED / "conformance" / "twitter-text" / "validate.yml"
SUITE = "WeightedTweetsWithDiscountedEmojiCounterTest"
LINK = "https://www.kemensos.go.id/siaran-pers/kemensos-salurkan-bantuan-logistik-banjir-bekasi"


def _cases() -> list:
    if not VALIDATE.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/conformance is absent"))]
    data = yaml.safe_load(VALIDATE.read_text("utf-8"))
    cases = data["tests"][SUITE]
    return [pytest.param(c, id=f"{i}-{c['description'][:40]}") for i, c in enumerate(cases)]


@pytest.mark.parametrize("case", _cases())
def test_weighted_conformance(case):
    from crosspost._vendor.twitter_text import parse_tweet

    got = parse_tweet(case["text"])
    expected = case["expected"]
    assert got.weightedLength == expected["weightedLength"]
    assert got.valid == expected["valid"]
    assert got.permillage == expected["permillage"]
    assert (got.displayRangeStart, got.displayRangeEnd) == (
        expected["displayRangeStart"], expected["displayRangeEnd"])
    assert (got.validRangeStart, got.validRangeEnd) == (
        expected["validRangeStart"], expected["validRangeEnd"])
    assert weighted_length(case["text"]) == expected["weightedLength"]


def test_conformance_suite_is_not_empty():
    if not VALIDATE.is_file():
        pytest.skip("../shared/conformance is absent")
    assert len(yaml.safe_load(VALIDATE.read_text("utf-8"))["tests"][SUITE]) >= 20


SENTENCES = [
    "Kementerian Sosial menyalurkan bantuan logistik senilai Rp1,2 miliar bagi warga terdampak banjir.",
    "Banjir merendam permukiman di tujuh kecamatan dengan ketinggian air mencapai 1,5 meter.",
    "Bantuan meliputi 3.000 paket makanan siap saji, 1.500 paket sandang, dan 800 lembar selimut.",
    "Tagana juga menyiapkan layanan dukungan psikososial bagi anak-anak di pengungsian 🙏🏽.",
    "Informasi lengkap di https://www.kemensos.go.id/layanan dan Command Center 171.",
    "Wakil Menteri Sosial meninjau dapur umum di Kec. Babelan bersama Dr. Sutrisno.",
]


def long_text(n: int = 14) -> str:
    paras = []
    for i in range(n):
        paras.append(" ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)))
    return "\n\n".join(paras)


def _words_without(parts: list[str], link: str | None) -> list[str]:
    words: list[str] = []
    for p in parts:
        body = strip_numbering(p)
        if link and link in body:
            body = body.replace(link, "", 1).replace("Selengkapnya:", "", 1)
        words += body.split()
    return words


def test_short_text_is_one_post_with_link():
    parts = split_thread("Halo semua.", link=LINK)
    assert parts == [f"Halo semua.\n\n{LINK}"]
    assert split_thread("Halo semua.") == ["Halo semua."]


@pytest.mark.parametrize("link_part", ["first", "last"])
@pytest.mark.parametrize("n", [2, 5, 14, 40])
def test_thread_properties(link_part, n):
    text = long_text(n)
    parts = split_thread(text, link=LINK, link_part=link_part, link_prefix="Selengkapnya: ")
    assert len(parts) > 1
    for i, part in enumerate(parts, 1):
        assert weighted_length(part) <= 280, part
        assert part.endswith(f" ({i}/{len(parts)})")
    assert sum(p.count(LINK) for p in parts) == 1
    holder = parts[0] if link_part == "first" else parts[-1]
    assert LINK in holder
    assert _words_without(parts, LINK) == text.split()


def test_splits_at_sentence_boundaries_when_possible():
    text = long_text(6)
    parts = split_thread(text, numbering=False)
    for part in parts:
        assert re.search(r"[.!?]$", part), part  # every part ends a sentence
    # "Kec. Babelan" and "Dr. Sutrisno" are abbreviations, not sentence ends
    assert not any(p.endswith(("Kec.", "Dr.")) for p in parts)


def test_long_sentence_splits_between_words_never_inside_url():
    url = "https://example.go.id/" + "a" * 300
    words = [f"kata{i}" for i in range(120)]
    text = " ".join(words[:60] + [url] + words[60:])
    parts = split_thread(text, limit=140)
    assert all(weighted_length(p) <= 140 for p in parts)
    assert sum(strip_numbering(p).split().count(url) for p in parts) == 1
    assert _words_without(parts, None) == text.split()


def test_token_longer_than_a_post_is_cut():
    token = "x" * 700
    parts = split_thread(token)
    assert all(weighted_length(p) <= 280 for p in parts)
    assert "".join(strip_numbering(p) for p in parts) == token


def test_numbering_width_grows_past_nine_parts():
    text = long_text(40)
    parts = split_thread(text, link=LINK)
    assert len(parts) >= 10
    assert all(weighted_length(p) <= 280 for p in parts)
    assert parts[0].endswith(f" (1/{len(parts)})")


def test_weighted_counting_drives_the_split():
    # CJK counts 2: 200 CJK characters weigh 400 and cannot be one post.
    text = " ".join(["漢字漢字漢字漢字漢字"] * 20)
    assert len(text) < 280 and weighted_length(text) > 280
    parts = split_thread(text)
    assert len(parts) == 2 and all(weighted_length(p) <= 280 for p in parts)


def test_without_numbering_and_bad_link_part():
    parts = split_thread(long_text(4), numbering=False, link=LINK, link_part="first")
    assert not any(re.search(r"\(\d+/\d+\)$", p) for p in parts)
    assert LINK in parts[0]
    with pytest.raises(ValueError):
        split_thread("x", link_part="middle")  # type: ignore[arg-type]


def test_quotation_is_not_split_at_its_inner_full_stops():
    quote = ('"Negara harus hadir lebih dulu ketika warga kesulitan. Kami pastikan kebutuhan dasar '
             'pengungsi terpenuhi," ujar Direktur.')
    text = " ".join([SENTENCES[0], quote, SENTENCES[2]])
    parts = split_thread(text, limit=160, numbering=False)
    assert any(p.startswith('"Negara') and "terpenuhi,\" ujar Direktur." in p for p in parts), parts


def test_stored_emoji_starts_equal_the_vendored_table():
    """The precomputed set the fast path relies on is exactly the one the emoji table gives."""
    from crosspost.channels import emoji_starts

    assert emoji_starts.stored() == emoji_starts.computed()
    assert len(emoji_starts.stored()) > 1000
    assert all(not c.isascii() for c in emoji_starts.stored())  # _may_hold_emoji looks at non-ASCII only


def test_regex_code_cache_gives_the_same_pattern(tmp_path, monkeypatch):
    """The compiled form kept for extract_url is re.compile's own; a damaged entry is recompiled."""
    import re
    import sys

    from crosspost._vendor.twitter_text.regexp import _lazy
    from crosspost._vendor.twitter_text.regexp.extract_url import extract_url

    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    source, flags = extract_url.pattern, extract_url.flags
    expected = re.compile(source, flags)
    first = _lazy._cached_compile(source, flags)  # compiles and writes the entry
    entry = _lazy._cache_file(source, flags)
    assert entry is not None and entry.is_file() and str(entry).startswith(str(tmp_path))
    again = _lazy._cached_compile(source, flags)  # read back from the entry
    assert first == expected and again == expected
    assert again.findall("lihat kemensos.go.id/x dan https://t.co/abc") == expected.findall(
        "lihat kemensos.go.id/x dan https://t.co/abc")
    entry.write_bytes(b"\x00garbage")
    assert _lazy._cached_compile(source, flags) == expected
    assert _lazy._cached_compile(source, flags) == expected  # rewritten, readable again


def test_building_blocks_are_not_compiled_at_import():
    """Only the patterns that are matched get compiled (the gTLD list is pasted, never matched)."""
    from crosspost._vendor.twitter_text.regexp import _lazy
    from crosspost._vendor.twitter_text.regexp.valid_gtld import valid_gtld

    assert isinstance(valid_gtld, _lazy.LazyPattern)
    assert valid_gtld._compiled is None


def test_emoji_table_is_not_built_at_import():
    """The table (emoji-test.txt, 50-80 ms) waits for a text that can hold an emoji."""
    import subprocess
    import sys

    code = ("import crosspost._vendor.twitter_text as t, crosspost._vendor.twitter_text.regexp.emoji as e\n"
            "from crosspost.channels.twitter_thread import weighted_length\n"
            "weighted_length('Tanpa emoji https://www.kemensos.go.id')\n"
            "print(e._tables.cache_info().currsize)\n"
            "weighted_length('Dengan emoji 🙏')\n"
            "print(e._tables.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["0", "1"], out.stderr


def _split_both(text: str, link: str | None, link_part: str, numbering: bool):
    from crosspost.channels import twitter_thread as tt

    tokens = tt._tokens(text.strip())
    link_text = f"Selengkapnya: {link}" if link else ""
    with_link = tt.link_adder(link_text)

    cost = tt.weighted_length(with_link("x")) - 1 if link_text else 0
    return [tt._split(tokens, 280, numbering, link_text, link_part, cost, gauge, with_link)
            for gauge in (tt._Additive(), tt._Exact())]


def _texts() -> list[str]:
    import random

    rng = random.Random(18)
    words = ["Kementerian", "Sosial", "bantuan", "Rp1,2", "miliar", "kemensos.go.id", "https://t.co/abc123",
             "warga.", "Bekasi,", "“Kami", "hadir.”", "日本語", "🙏🏽", "👨\u200d👩\u200d👧", "Dr.", "No.",
             "a.n.",
             "https://www.kemensos.go.id/siaran-pers/bantuan?utm_source=x", "(BNPB).", "x" * 300, "provinsi"]
    out = [" ".join(SENTENCES * 3)]
    if CORPUS.is_dir():
        out += [p.read_text("utf-8", "replace").split("---", 2)[-1] for p in sorted(CORPUS.glob("*.md"))]
    for _ in range(150):
        paras = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 60)))
                 for _ in range(rng.randint(1, 6))]
        out.append("\n\n".join(paras))
    return out


CORPUS = SHARED / "corpus" / "releases"


def test_incremental_splitter_gives_the_exact_splitters_threads():
    """Measuring each token once gives the same parts as measuring every candidate part."""
    compared = 0
    for text in _texts():
        for link, part, numbering in ((LINK, "last", True), (LINK, "first", True), (None, "last", False)):
            additive, exact = _split_both(text, link, part, numbering)
            assert additive == exact, text[:80]
            compared += 1
    assert compared > 400


def test_split_thread_checks_every_final_part_exactly(monkeypatch):
    """Should the per-token sum ever be wrong, the exact measure decides (the final check)."""
    from crosspost.channels import twitter_thread as tt

    text = " ".join(SENTENCES * 4)
    expected = split_thread(text, link=LINK, link_prefix="Selengkapnya: ")
    monkeypatch.setattr(tt._Additive, "fits", lambda self, candidate, budget: True)  # a wildly wrong sum
    tt.weighted_length.cache_clear()
    got = split_thread(text, link=LINK, link_prefix="Selengkapnya: ")
    assert got == expected
    assert all(weighted_length(p) <= 280 for p in got)
