"""Thread splitting by whole sentences, without a token object per word.

twitter_thread's _Additive split makes a _Token per word, fills each one's cost and regroups them
into sentences before it packs whole sentences (bench/adapt_bench.py: ~15% of adapting a
release). A release's sentences nearly always fit a post each, and then only a sentence's weight
matters: the sum of its tokens' costs (the separator before it, its words' _token_weight, one for
each space between them; a sentence never spans lines, as every line starts one). This packs
such sentences exactly as _pack_additive would and gives up (None) where a sentence must be cut
between words, leaving that text to the token path. tests/test_x_sentences.py compares both.
"""

from __future__ import annotations

from collections.abc import Callable

from .twitter_thread import SPACE, LinkPart, _finish, _lines, _token_weight, weighted_length

# (separator before it, its words joined by spaces, its weight: the sum of its tokens' costs)
Sentence = tuple[str, str, int]


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in the order _sentences(_tokens(text)) gives them."""
    out: list[Sentence] = []
    for sep, words, breaks in _lines(text):
        weights = list(map(_token_weight, words))
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


def split(text: str, limit: int, numbering: bool, link_text: str, link_part: LinkPart, link_cost: int,
          with_link: Callable[[str], str]) -> list[str] | None:
    """twitter_thread._split(_tokens(text), ..., _Additive(), ...) when every part is whole
    sentences (None otherwise)."""
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
    bodies = [g[0][1] + "".join([s[0] + s[1] for s in g[1:]]) for g in groups]
    return _finish(bodies, numbering, link_text, link_part, with_link)
