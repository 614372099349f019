"""twitter_thread._tokens gives the tokens of its former word-by-word loop (kept here verbatim as
the reference) on the corpus and on generated text with quotations, abbreviations and openers."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crosspost.channels import twitter_thread as tt
from crosspost.channels import x_sentences as xs
from tests.test_x_urls import CORPUS


def _reference(text: str) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    for pi, para in enumerate(paragraphs):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        for li, line in enumerate(lines):
            prev, quoted = "", False
            for wi, word in enumerate(line.split()):
                if wi == 0:
                    sep = "" if not out else (xs.PARAGRAPH if li == 0 and pi > 0 else xs.LINE)
                    start = True
                else:
                    sep = xs.SPACE
                    start = not quoted and bool(xs._SENTENCE_START.match(word)) and xs._ends_sentence(prev)
                out.append((word, sep, start))
                if '"' in word or "“" in word or "”" in word:
                    quoted = xs._quote_open(word, quoted)
                prev = word
    return out


def _same(text: str) -> None:
    assert [(t.word, t.sep, t.starts_sentence) for t in tt._tokens(text)] == _reference(text), repr(text)


def test_corpus() -> None:
    for path in sorted(CORPUS.glob("*.md")):
        _same(path.read_bytes().decode("utf-8", "replace"))


_WORDS = ["Menteri", "sosial", "daerah.", "Kab.", "a.n.", "No.", "12", "(Jakarta)", '"Kami', 'bantu."',
          "“Ini", "benar.”", "‘Ya", "[1]", "#Humas", "@kemensos", "Rp1.000.", "selesai!", "Apa?", "…",
          "x", "É"]

_SEPS = [" ", " ", "  ", "\n", "\n\n", "\n \n", "\t"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPS)), max_size=40))
def test_generated(pieces: list[tuple[str, str]]) -> None:
    _same("".join(w + s for w, s in pieces))


def _words(parts: list) -> list[list[tuple[str, str]]]:
    return [[(t.word, t.sep) for t in p] for p in parts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*_WORDS, "https://kemensos.go.id/a", "x" * 300, "日本語" * 40]),
                          st.sampled_from(_SEPS)), max_size=60),
       st.sampled_from([1, 5, 20, 60, 120, 260, 274, 280]))
def test_running_sum_packs_as_summing_every_candidate(pieces: list[tuple[str, str]], budget: int) -> None:
    tokens = tt._tokens("".join(w + s for w, s in pieces))
    summed = tt._pack_measured(tokens, budget, tt._Additive())
    assert _words(tt._pack_additive(tokens, budget)) == _words(summed)


def test_running_sum_on_the_corpus() -> None:
    for path in sorted(CORPUS.glob("*.md")):
        tokens = tt._tokens(path.read_bytes().decode("utf-8", "replace"))
        for budget in (40, 120, 267, 274):
            assert _words(tt._pack_additive(tokens, budget)) == \
                _words(tt._pack_measured(tokens, budget, tt._Additive()))
