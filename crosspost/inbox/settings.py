"""[inbox] in channels.toml: the classification lists, how far back replies are fetched and how
long they are kept (replies are personal data under UU 27/2022 on Pelindungan Data Pribadi)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .rules import DEFAULT_ADUAN, DEFAULT_PERTANYAAN, Rules, rules_from


@dataclass(frozen=True)
class InboxSettings:
    window_days: int = 14  # replies and figures are fetched only for posts younger than this
    keep_days: int = 365  # `crosspost inbox purge` deletes replies older than this
    aduan: tuple[str, ...] = DEFAULT_ADUAN  # a list here replaces the built-in complaint words
    pertanyaan: tuple[str, ...] = DEFAULT_PERTANYAAN  # ... and the built-in question words
    aduan_extra: tuple[str, ...] = ()  # words added to the list above (the usual way to tune it)
    pertanyaan_extra: tuple[str, ...] = ()
    question_mark: bool = True  # a reply ending in "?" is a question even without a question word
    max_pages: int = 20  # at most this many pages of replies per post and fetch (quota, paid reads)

    def rules(self) -> Rules:
        return rules_from(self.aduan, self.pertanyaan, self.aduan_extra, self.pertanyaan_extra,
                          self.question_mark)


def inbox_settings(table: Any, where: str = "inbox") -> InboxSettings:
    """Validate the [inbox] table (unknown keys and wrong types refused, like every table)."""
    from ..channels.base import dataclass_from_mapping
    from ..errors import ConfigError
    from ..i18n import _

    if not isinstance(table, dict):
        raise ConfigError(_("[inbox] must be a table, e.g. [inbox] window_days = 14"))
    settings = dataclass_from_mapping(InboxSettings, table, where)
    for key in ("window_days", "keep_days", "max_pages"):
        if getattr(settings, key) < 1:
            raise ConfigError(_("[inbox] {key} must be at least 1").format(key=key))
    for key in ("aduan", "pertanyaan", "aduan_extra", "pertanyaan_extra"):
        if not all(isinstance(w, str) and w.strip() for w in getattr(settings, key)):
            raise ConfigError(_("[inbox] {key} must be a list of words, e.g. [\"belum cair\"]").format(
                key=key))
    return settings
