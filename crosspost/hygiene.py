"""Text bound for a terminal, a spreadsheet or a Markdown viewer, made harmless there.

Titles, alt texts and platform error messages come from people and servers we do not control: an
escape sequence in a title must not reach the operator's terminal, ``=HYPERLINK(...)`` must not be
a live formula in the audit CSV, and ``<img onerror=...>`` from an error page must not be HTML in
``report --format md``. Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re

# ESC-introduced sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks), DCS/PM/APC, and
# two-character escapes; C1 control codes; C0 controls other than tab and newline; DEL; and the
# bidirectional overrides that make text display in another order than it is read.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-~]?"
                      r"|\x9b[0-?]*[ -/]*[@-~]?|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def html_text(html: str) -> str:
    """Readable text of an HTML fragment (the website's article, for a terminal): block elements
    become paragraphs, tags go, entities are decoded."""
    import re
    from html import unescape

    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</(p|h[1-6]|li|tr|blockquote|figure|figcaption|div|table)>", "\n\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "• ", text)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def terminal_safe(text: object, newlines: bool = True) -> str:
    """``text`` without escape sequences and control characters (newlines kept unless told)."""
    s = _CONTROLS.sub("", _ESCAPES.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n"))
    return s if newlines else s.replace("\n", " ")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or tab/CR) gets a leading
    apostrophe (OWASP's advice). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def md_text(value: object) -> str:
    """Text for a Markdown document: HTML escaped, so a platform's error page stays text."""
    return html.escape(str(value), quote=False)
