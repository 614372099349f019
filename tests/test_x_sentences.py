"""x_sentences packs whole sentences exactly as twitter_thread's token path (_tokens, _sentences,
_pack_additive, _split with _Additive) does, and gives up only where a sentence must be cut."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crosspost.channels import twitter_thread as tt
from crosspost.channels import x_sentences as xs
from crosspost.channels import x_weight
from tests.test_x_tokens import _SEPS, _WORDS
from tests.test_x_urls import CORPUS

LINKS = [None, "https://www.kemensos.go.id/siaran-pers/lumbung-sosial-ntt/"]


def _by_tokens(text: str, limit: int, numbering: bool, link: str | None, link_part: tt.LinkPart,
               prefix: str = "Selengkapnya: ") -> tuple[list[str], list[str] | None]:
    """(the token path's _Additive split, x_sentences.split) of the same text."""
    text = text.strip()
    link_text = f"{prefix}{link}" if link else ""
    with_link = tt.link_adder(link_text)

    cost = tt.weighted_length(with_link("x")) - 1 if link_text else 0
    tokens = tt._tokens(text)
    reference = tt._split(tokens, limit, numbering, link_text, link_part, cost, tt._Additive(), with_link)
    bodies = xs.split(text, limit, numbering, link_text, link_part, cost)
    if bodies is None:
        return reference, None
    return reference, tt._finish(bodies, numbering, link_text, link_part, with_link)


def _same(text: str, limit: int = 280) -> bool:
    """Whether x_sentences gave an answer (it must then be the token path's)."""
    if not text.strip():
        return False
    answered = False
    for link in LINKS:
        for link_part in ("first", "last"):
            for numbering in (True, False):
                reference, fast = _by_tokens(text, limit, numbering, link, link_part)
                if fast is not None:
                    assert fast == reference, (repr(text), limit, numbering, link, link_part)
                    answered = True
    return answered


def test_sentence_weights_are_the_sums_of_their_tokens():
    text = "Menteri meresmikan. Kab. Kupang “Kami hadir.” Ya!\n\nDua  kata\ndan https://kemensos.go.id/a."
    tokens = tt._tokens(text)
    groups = tt._sentences(tokens)
    assert xs.sentences(text) == [
        (g[0].sep, tt._join(g), sum(x_weight.token_weight(t.word) + len(t.sep) for t in g)) for g in groups]


def test_corpus():
    answered = 0
    for path in sorted(CORPUS.glob("*.md")):
        text = path.read_bytes().decode("utf-8", "replace")
        for limit in (120, 280, 500):
            answered += _same(text, limit)
    assert answered or not CORPUS.is_dir()


def test_a_sentence_longer_than_a_post_goes_to_the_token_path():
    assert xs.split("Awal. " + "kata " * 100 + "akhir.", 280, True, "", "last", 0) is None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*_WORDS, "https://kemensos.go.id/a", "kemensos.go.id", "日本語",
                                           "🙏🏽", "x" * 40]), st.sampled_from(_SEPS)), max_size=120),
       st.sampled_from([40, 120, 280]))
def test_generated(pieces: list[tuple[str, str]], limit: int) -> None:
    _same("".join(w + s for w, s in pieces), limit)


def _old_split_thread(text: str, limit: int, numbering: bool, link: str | None, link_part: tt.LinkPart,
                      prefix: str) -> list[str]:
    """split_thread before x_sentences: the token path alone."""
    link_text = f"{prefix}{link}" if link else ""
    with_link = tt.link_adder(link_text)

    text = text.strip()
    if not text:
        return [link_text] if link_text else []
    if tt.weighted_length(with_link(text)) <= limit:
        return [with_link(text)]
    tokens = tt._tokens(text)
    cost = tt.weighted_length(with_link("x")) - 1 if link_text else 0
    for gauge in (tt._Additive(), tt._Exact()):
        parts = tt._split(tokens, limit, numbering, link_text, link_part, cost, gauge, with_link)
        if all(tt.weighted_length(p) <= limit for p in parts) or isinstance(gauge, tt._Exact):
            return parts
    raise AssertionError("unreachable")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*_WORDS, "https://kemensos.go.id/a", "🙏🏽", "x" * 300]),
                          st.sampled_from(_SEPS)), max_size=150),
       st.sampled_from([60, 280]), st.sampled_from(LINKS), st.sampled_from(["first", "last"]), st.booleans())
def test_split_thread_is_the_token_paths(pieces: list[tuple[str, str]], limit: int, link: str | None,
                                        link_part: tt.LinkPart, numbering: bool) -> None:
    """The public function: the same posts as before x_sentences (the token path alone)."""
    text = "".join(w + s for w, s in pieces)
    assert tt.split_thread(text, limit, numbering, link, link_part, "Lihat: ") == \
        _old_split_thread(text, limit, numbering, link, link_part, "Lihat: ")


def test_split_thread_on_the_corpus_is_the_token_paths():
    for path in sorted(CORPUS.glob("*.md")):
        text = path.read_bytes().decode("utf-8", "replace").split("---", 2)[-1]
        for link in LINKS:
            assert tt.split_thread(text, 280, True, link, "last", "Lihat: ") == \
                _old_split_thread(text, 280, True, link, "last", "Lihat: ")
