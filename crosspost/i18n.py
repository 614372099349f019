"""Bahasa Indonesia and English for every user-facing message, through gettext catalogues.

Source strings are English; ``crosspost/locale/id/LC_MESSAGES/crosspost.po`` translates them
(extracted and compiled with Babel: see the README's "Languages" section). The language is
chosen once, before the CLI's help texts are built: ``--lang`` on the command line, else
``CROSSPOST_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``). Anything that is
not Indonesian falls back to English.
"""

from __future__ import annotations

import gettext
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DOMAIN = "crosspost"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SUPPORTED = ("id", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def detect(argv: Sequence[str] | None = None, env: dict[str, str] | None = None) -> str:
    """The language asked for: --lang X / --lang=X, then CROSSPOST_LANG, then the locale."""
    argv = list(argv or [])
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalise(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise(arg.split("=", 1)[1])
    env = dict(os.environ) if env is None else env
    for key in ("CROSSPOST_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(key):
            return normalise(env[key])
    return "en"


def normalise(value: str) -> str:
    """'id_ID.UTF-8' -> 'id'; 'in' (old Java/Android code) -> 'id'; anything else -> 'en'."""
    code = value.split(".")[0].split("_")[0].split("-")[0].lower()
    return "id" if code in ("id", "in") else "en"


def setup(language: str) -> None:
    global _translation, _language
    _language = normalise(language)
    kind = None
    if _language != "en":  # English is the source text: no catalogue to read
        from .mo_cache import CachedTranslations  # the parsed catalogue, kept between processes

        kind = CachedTranslations
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True, class_=kind)


def language() -> str:
    return _language


def in_language(message: str, language: str) -> str:
    """``message`` (marked with N_) in ``language``, whatever the interface speaks: for text that
    goes out to the public as part of a release, in the release's language (an office whose
    terminal speaks English still publishes Indonesian articles)."""
    wanted = normalise(language)
    if wanted == _language:
        return _translation.gettext(message)
    if wanted == "en":
        return message
    from .mo_cache import CachedTranslations

    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[wanted], fallback=True,
                               class_=CachedTranslations).gettext(message)


def _(message: str) -> str:
    """Translate a message (the English source string is the key)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel looks for
    """Mark a string for extraction without translating it (it is translated where it is shown)."""
    return message


def number(n: float, decimals: int = 0) -> str:
    """A number as people of the chosen language write it: 12.345,5 in Indonesian, 12,345.5 in English."""
    text = f"{n:,.{decimals}f}"
    if _language == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


setup(detect(sys.argv[1:]))
