"""Which replies are complaints (aduan), questions (pertanyaan) or anything else (lainnya).

Plain keyword rules the office can read and edit in channels.toml (``[inbox]``), not a model:
a Humas officer must be able to say why a reply was flagged, and add the words of the week
("bansos beras", "KIS nonaktif") without a developer. Matching folds case and accents and looks
at whole words only, so "kapan" does not fire inside "kapanpun" and "Tólong" is "tolong".
A complaint outranks a question: "kapan cair? saya belum menerima" is an aduan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KINDS = ("aduan", "pertanyaan", "lainnya")

# What people write under a ministry's post when aid is late, cut or asked for a fee, or when a
# service fails them. Phrases are matched as whole words, in order.
DEFAULT_ADUAN: tuple[str, ...] = (
    "belum menerima", "belum terima", "belum dapat", "belum dpt", "belum pernah dapat", "blm dapat",
    "blm terima", "blm menerima", "belum cair", "blm cair", "tidak cair", "gak cair", "ga cair",
    "nggak cair", "tdk cair", "tak kunjung cair", "tidak menerima", "tidak dapat bantuan",
    "tidak pernah dapat", "gak pernah dapat", "ga pernah dapat", "nggak dapat", "gak dapat",
    "pungli", "pungutan liar", "dipungut", "dipotong", "potongan", "sunat", "disunat", "calo",
    "dimintai uang", "diminta uang", "minta uang", "disuruh bayar", "harus bayar", "dipersulit",
    "mempersulit", "ribet",
    "tolong", "mohon bantuan", "mohon dibantu", "tolong dibantu", "kecewa", "mengecewakan",
    "tidak adil", "tidak tepat sasaran", "salah sasaran", "salah data", "dicoret", "terhapus",
    "dihapus dari", "nonaktif", "tidak terdaftar", "tidak bisa", "gak bisa", "ga bisa", "nggak bisa",
    "tdk bisa", "gagal", "error", "eror", "lambat", "lelet", "korupsi", "penipuan", "ditipu",
    "tipu", "hoaks", "bohong", "pembohong", "parah", "lapor", "melapor", "laporkan", "aduan",
    "mengadu", "keluhan", "komplain", "pilih kasih", "dipermainkan", "php",
)
# Questions a Humas answers: when, how, where, what is needed.
DEFAULT_PERTANYAAN: tuple[str, ...] = (
    "kapan", "bagaimana cara", "gimana cara", "bagaimana", "gimana", "gmn", "apakah", "apa saja",
    "apa syarat", "syaratnya apa", "apa syaratnya", "syarat", "persyaratan", "di mana", "dimana",
    "kemana", "ke mana", "berapa", "siapa", "mengapa", "kenapa", "knp", "bisakah", "bolehkah",
    "mau tanya", "boleh tanya", "izin bertanya", "ijin tanya", "numpang tanya", "mohon info",
    "mohon informasi", "minta info", "info dong", "infonya", "cara daftar", "cara cek",
    "cara mendaftar", "link pendaftaran", "linknya",
)


def fold(text: str) -> str:
    """Lower case, accents removed, every run of non-letters/digits one space: what is compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"(?<=[^\W\d_])2(?!\w)", "", plain)  # "cair2" is "cair-cair" (reduplication)
    return " ".join(re.findall(r"[^\W_]+", plain))


# A trailing question mark, after any emoji, punctuation or spaces that follow it ("kapan?? 🙏").
_TRAILING_QUESTION = re.compile(r"[?？]\W*$")


@dataclass(frozen=True)
class Rules:
    """The office's keyword lists, already folded; ``question_mark``: a reply ending in "?" is a
    question even without a question word."""

    aduan: tuple[str, ...] = DEFAULT_ADUAN
    pertanyaan: tuple[str, ...] = DEFAULT_PERTANYAAN
    question_mark: bool = True
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for kind, words in (("aduan", self.aduan), ("pertanyaan", self.pertanyaan)):
            self._patterns[kind] = _pattern(words)

    def classify(self, text: str) -> str:
        """``aduan``, ``pertanyaan`` or ``lainnya`` for one reply's text."""
        folded = fold(text)
        if self._patterns["aduan"].search(folded):
            return "aduan"
        if self._patterns["pertanyaan"].search(folded):
            return "pertanyaan"
        if self.question_mark and _TRAILING_QUESTION.search(text.strip()):
            return "pertanyaan"
        return "lainnya"

    def matched(self, text: str) -> list[str]:
        """The listed words a reply contains (for `crosspost inbox --json`: why it was flagged)."""
        folded = fold(text)
        out: list[str] = []
        for kind in ("aduan", "pertanyaan"):
            out.extend(m.group(0) for m in self._patterns[kind].finditer(folded))
        return out


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of the folded phrases on whole-word boundaries, longest first."""
    folded = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
    if not folded:
        return re.compile(r"(?!x)x")  # an empty list matches nothing
    alternatives = "|".join(re.escape(w) for w in folded)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def rules_from(aduan: Sequence[str] | None = None, pertanyaan: Sequence[str] | None = None,
               aduan_extra: Sequence[str] = (), pertanyaan_extra: Sequence[str] = (),
               question_mark: bool = True) -> Rules:
    """Rules from channels.toml: a list replaces the default one; ``*_extra`` adds to it."""
    return Rules(aduan=tuple(aduan if aduan is not None else DEFAULT_ADUAN) + tuple(aduan_extra),
                 pertanyaan=tuple(pertanyaan if pertanyaan is not None else DEFAULT_PERTANYAAN)
                 + tuple(pertanyaan_extra), question_mark=question_mark)
