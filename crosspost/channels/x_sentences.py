"""Thread splitting by whole sentences, without a token object per word.

twitter_thread's _Additive split makes a _Token per word, fills each one's cost and regroups them
into sentences before it packs whole sentences (bench/adapt_bench.py: ~15% of adapting a
release). A release's sentences nearly always fit a post each, and then only a sentence's weight
matters: the sum of its tokens' costs (the separator before it, its words' token_weight, one for
each space between them; a sentence never spans lines, as every line starts one). This packs
such sentences exactly as _pack_additive would and gives up (None) where a sentence must be cut
between words, leaving that text to the token path. tests/test_x_sentences.py compares both.

Where sentences begin is decided here too (``line_words``): twitter_thread's tokens are made
from the same lines, so both paths agree on every sentence.
"""

from __future__ import annotations

import re
from typing import Literal

from .x_weight import token_weight, weighted_length

LinkPart = Literal["first", "last"]
PARAGRAPH, LINE, SPACE = "\n\n", "\n", " "
# Short words ending in '.' that do not end a sentence in Indonesian releases.
ABBREVIATIONS = frozenset(
    "no nomor kab kec kel kota prov jl jln dr drs ir prof h hj st sh se mm mt msi mpd "
    "dll dsb dkk tsb yth bpk ibu sdr a.n u.p pt cv tbk rp ttd ket tel telp hlm".split())
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_SENTENCE_START = re.compile(r"^[\"'“‘(\[]*[A-Z0-9#@]")
_STARTS = frozenset("\"'“‘([ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#@")  # what _SENTENCE_START can begin with
_ENDS = frozenset(".!?…\"'”’)]")  # what a word _SENTENCE_END matches can end with


def line_words(text: str) -> list[tuple[str, list[str], list[int]]]:
    """Each non-blank line of ``text``: the separator before it ("" for the first, else "\n\n"
    or "\n"), its words, and the indices of the words after the first that begin a sentence
    (the first word of a line always does). twitter_thread's tokens are made from them."""
    out: list[tuple[str, list[str], list[int]]] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    for pi, para in enumerate(paragraphs):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        for li, line in enumerate(lines):
            words = line.split()
            sep = "" if not out else (PARAGRAPH if li == 0 and pi > 0 else LINE)
            out.append((sep, words, _breaks(line, words)))
    return out


def _breaks(line: str, words: list[str]) -> list[int]:
    """The indices i >= 1 of the words of ``line`` that begin a sentence."""
    if '"' not in line and "“" not in line and "”" not in line:  # most lines quote nobody
        # a sentence starts at a word _SENTENCE_START matches (its first character is one of
        # _STARTS) after a word _ends_sentence accepts (its last character is one of _ENDS): both
        # characters are checked first, as most words neither end a sentence nor start in capitals
        return [i for i, (prev, word) in enumerate(zip(words, words[1:], strict=False), 1)
                if prev[-1] in _ENDS and word[0] in _STARTS and _SENTENCE_START.match(word) is not None
                and _ends_sentence(prev)]
    out: list[int] = []
    quoted = _quote_open(words[0], False) if len(words) > 1 else False
    for i in range(1, len(words)):
        word = words[i]
        # Inside a quotation a full stop does not end the quoted statement.
        if not quoted and _SENTENCE_START.match(word) and _ends_sentence(words[i - 1]):
            out.append(i)
        if '"' in word or "“" in word or "”" in word:  # most words hold no quotation mark
            quoted = _quote_open(word, quoted)
    return out


def _ends_sentence(word: str) -> bool:
    if not _SENTENCE_END.search(word):
        return False
    bare = word.rstrip("\"'”’)]").rstrip(".!?…").lower()
    if bare in ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
        return False
    return not re.fullmatch(r"[a-z]\.[a-z]", bare)  # e.g. "a.n."


def _quote_open(word: str, quoted: bool) -> bool:
    """Whether a double quotation is still open after ``word``."""
    for ch in word:
        if ch == "“":
            quoted = True
        elif ch == "”":
            quoted = False
        elif ch == '"':
            quoted = not quoted
    return quoted

# (separator before it, its words joined by spaces, its weight: the sum of its tokens' costs)
Sentence = tuple[str, str, int]


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in the order _sentences(_tokens(text)) gives them."""
    out: list[Sentence] = []
    for sep, words, breaks in line_words(text):
        weights = list(map(token_weight, words))
        start = 0
        for end in [*breaks, len(words)]:
            spaces = end - start - 1
            out.append((sep, " ".join(words[start:end]), len(sep) + sum(weights[start:end]) + spaces))
            sep = SPACE
            start = end
    return out


def pack(items: list[Sentence], budget: int) -> list[list[Sentence]] | None:
    """_pack_additive's parts when no sentence needs cutting between words, else None."""
    parts: list[list[Sentence]] = [[]]
    used = 0  # the weight of parts[-1]
    for item in items:
        current = parts[-1]
        weight = item[2]
        if used + weight - len((current[0] if current else item)[0]) <= budget:
            current.append(item)
            used += weight
        elif current and weight - len(item[0]) <= budget:
            parts.append([item])
            used = weight
        else:
            return None  # longer than a post: twitter_thread cuts it between words
    return [p for p in parts if p]


def split(text: str, limit: int, numbering: bool, link_text: str, link_part: LinkPart, link_cost: int
          ) -> list[str] | None:
    """The parts' texts twitter_thread._split(_tokens(text), ..., _Additive(), ...) packs, before
    the link and the numbering go on (twitter_thread._finish), when every part is whole sentences
    (None otherwise)."""
    items = sentences(text)
    n_guess = 2
    groups: list[list[Sentence]] = []
    for _ in range(6):  # the suffix width depends on the part count; converges in 1-2 rounds
        suffix_cost = weighted_length(f" ({n_guess}/{n_guess})") if numbering else 0
        budget = max(1, limit - suffix_cost)
        packed = pack(items, budget)
        if packed is None:
            return None
        groups = packed
        if link_text:
            index = 0 if link_part == "first" else len(groups) - 1
            part = groups[index]
            if sum(s[2] for s in part) - len(part[0][0]) > budget - link_cost:  # _Additive.fits
                # Repack that part with room for the link; it may become two parts.
                tight = pack(part, max(1, budget - link_cost))
                if tight is None:
                    return None
                groups[index:index + 1] = tight
        n = len(groups)
        if len(str(n)) <= len(str(n_guess)) or not numbering:
            break
        n_guess = n
    return [g[0][1] + "".join([s[0] + s[1] for s in g[1:]]) for g in groups]
