"""Dates as an Indonesian office writes them: "01/12/2026 14.30", "5 Desember 2026 pukul 09.00",
"Sabtu, 5 Des 2026 jam 9.00". Always day first (1/12 is 1 December), hours and minutes with a dot
or a colon. The zone word (WIB, WITA, WIT) is taken off before, by timezones.parse_when.
"""

from __future__ import annotations

import re
from datetime import datetime

from .errors import InputError
from .i18n import _

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8,
    "agt": 8, "agus": 8, "agst": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11, "desember": 12, "des": 12,
    # English names, for a release drafted in English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "oct": 10, "december": 12, "dec": 12, "aug": 8,
}
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad")
_TIME = r"(?:[ ,]+(?:pukul|pkl\.?|pk\.?|jam)?\s*(?P<hour>\d{1,2})[.:](?P<minute>\d{2}))?"
_NUMERIC = re.compile(r"^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})" + _TIME + "$", re.I)
_NAMED = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[a-z']+)\.?\s+(?P<year>\d{4})" + _TIME + "$", re.I)


def parse_indonesian(text: str) -> datetime | None:
    """A naive datetime from a day-first Indonesian date (None when ``text`` is not one, e.g. ISO).

    Raises InputError, naming what is wrong, for a date that has the shape but cannot exist.
    """
    raw = " ".join(text.replace(",", ", ").split())
    first = raw.split(" ", 1)[0].rstrip(",").lower()
    if first in DAYS:  # "Sabtu, 5 Desember 2026": the day name adds nothing
        raw = raw.split(" ", 1)[1] if " " in raw else ""
    raw = raw.strip(" ,")
    m = _NUMERIC.match(raw) or _NAMED.match(raw)
    if not m:
        return None
    month_text = m["month"]
    if month_text.isdigit():
        month = int(month_text)
    else:
        month = MONTHS.get(month_text.lower().rstrip("."), 0)
        if not month:
            raise InputError(_("'{text}': '{month}' is not a month; write it like 5 Desember 2026 or "
                               "05/12/2026").format(text=text.strip(), month=month_text))
    if not 1 <= month <= 12:
        raise InputError(_("'{text}': there is no month {month}; the day comes first (01/12/2026 is "
                           "1 December 2026)").format(text=text.strip(), month=month))
    hour, minute = int(m["hour"] or 0), int(m["minute"] or 0)
    if hour > 23 or minute > 59:
        raise InputError(_("'{text}': {hour:02d}.{minute:02d} is not a time of day (00.00 to 23.59)").format(
            text=text.strip(), hour=hour, minute=minute))
    try:
        return datetime(int(m["year"]), month, int(m["day"]), hour, minute)
    except ValueError:
        raise InputError(_("'{text}' is not a real date: that month has no day {day}").format(
            text=text.strip(), day=int(m["day"]))) from None
