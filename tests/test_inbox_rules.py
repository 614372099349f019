"""The aduan / pertanyaan / lainnya rules on realistic replies (tests/data/inbox_replies.tsv) and
on the matching details the office relies on (case, accents, whole words, the office's lists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.errors import ConfigError
from crosspost.inbox.rules import Rules, fold, rules_from
from crosspost.inbox.settings import inbox_settings

FIXTURE = Path(__file__).parent / "data" / "inbox_replies.tsv"


def load() -> list[tuple[str, str, bool]]:
    """(expected kind, text, hard) per line of the fixture."""
    out = []
    for line in FIXTURE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        hard = parts[0] == "hard"
        kind, text = parts[1:3] if hard else parts[:2]
        out.append((kind, text, hard))
    return out


def test_the_fixture_is_big_enough_and_half_of_it_needs_an_answer() -> None:
    rows = load()
    assert len(rows) >= 60
    flagged = sum(1 for kind, _t, _h in rows if kind != "lainnya")
    assert flagged * 2 >= len(rows)


@pytest.mark.parametrize(("kind", "text"), [(k, t) for k, t, hard in load() if not hard])
def test_each_reply_gets_its_kind(kind: str, text: str) -> None:
    assert Rules().classify(text) == kind


def test_the_hard_cases_are_still_wrong_so_the_list_stays_honest() -> None:
    """If a rule change fixes a hard case, move it out of the hard list (the bench counts them)."""
    rules = Rules()
    assert all(rules.classify(t) != k for k, t, hard in load() if hard)


def test_case_accents_and_whole_words() -> None:
    rules = Rules()
    assert rules.classify("TIDAK CAIR") == "aduan"
    assert rules.classify("Tólóng") == "aduan"
    assert rules.classify("kapanpun siap") == "lainnya"  # "kapan" only as a whole word
    assert rules.classify("kapan, ya") == "pertanyaan"
    assert rules.classify("belum\n menerima") == "aduan"  # spaces and line breaks fold to one
    assert rules.classify("ini benar?? 🙏") == "pertanyaan"  # a trailing "?" after emoji
    assert rules.classify("kapan cair? saya belum menerima") == "aduan"  # aduan outranks a question
    assert fold("Pelayanan—LAMBAT!!") == "pelayanan lambat"


def test_the_office_can_replace_extend_and_switch_off() -> None:
    rules = rules_from(aduan=["banjir"], pertanyaan=[], question_mark=False)
    assert rules.classify("banjir lagi") == "aduan"
    assert rules.classify("belum menerima") == "lainnya"
    assert rules.classify("ini benar?") == "lainnya"
    extended = rules_from(aduan_extra=["Bansos Beras Basi"])
    assert extended.classify("bansos beras basi di RT 3") == "aduan"
    assert extended.classify("belum menerima") == "aduan"
    assert Rules().matched("Kapan cair? belum menerima") == ["belum menerima", "kapan"]


def test_inbox_settings_are_checked() -> None:
    s = inbox_settings({"window_days": 7, "aduan_extra": ["beras basi"]})
    assert s.window_days == 7 and s.keep_days == 365
    assert s.rules().classify("beras basi") == "aduan"
    with pytest.raises(ConfigError):
        inbox_settings({"window_day": 7})
    with pytest.raises(ConfigError):
        inbox_settings({"keep_days": 0})
    with pytest.raises(ConfigError):
        inbox_settings({"aduan": [""]})
