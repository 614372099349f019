"""Time zones as Humas writes them (WIB/WITA/WIT, IANA names, +07:00) and the dates they type.

A date without an offset means the office's configured zone, never the machine's: a cron job on a
UTC server must schedule "09:00" as 09:00 WIB.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InputError
from .i18n import N_, _

# Indonesia's three official zones, by the names everyone uses.
ALIASES: dict[str, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.I)
_HINT = N_("use an IANA name like Asia/Jakarta, WIB, WITA or WIT, or an offset like +07:00")
_WHEN_HINT = N_("write it like 01/12/2026 14.30 WITA, 5 Desember 2026 pukul 09.00 WIB, 2026-12-01 09:00 or "
                "2026-12-01T09:00:00+07:00 (day first; WIB unless it says WITA, WIT or an offset)")


def zone(name: str) -> tzinfo:
    """The tzinfo for an IANA name, WIB/WITA/WIT, UTC/Z, or a fixed offset such as +07:00 or UTC+8."""
    raw = (name or "").strip()
    if not raw:
        raise InputError(_('no time zone given: {HINT}').format(HINT=_(_HINT)))
    upper = raw.upper()
    if upper in ALIASES:
        return ZoneInfo(ALIASES[upper])
    if upper in ("Z", "UTC", "GMT"):
        return UTC
    m = _OFFSET.match(raw)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise InputError(_(
                "time zone offset '{raw}' is out of range: {HINT}").format(raw=raw, HINT=_(_HINT)))
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    if ".." in raw or raw.startswith("/"):
        raise InputError(_("unknown time zone '{raw}': {HINT}").format(raw=raw, HINT=_(_HINT)))
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(_("unknown time zone '{raw}': {HINT}").format(raw=raw, HINT=_(_HINT))) from None


def _is_zone_token(token: str) -> bool:
    return token.upper() in ALIASES or token.upper() in ("Z", "UTC", "GMT") or "/" in token \
        or bool(_OFFSET.match(token))


def parse_when(text: str, tz: str) -> datetime:
    """An aware datetime from ISO 8601 (with or without offset), optionally followed by a zone name.

    Accepted: "2026-12-01T09:00:00+07:00", "2026-12-01 09:00", "2026-12-01 09.00 WITA",
    "2026-12-01 09:00 Asia/Jayapura", "2026-12-01" (midnight), and the Indonesian day-first forms
    of crosspost.id_dates ("01/12/2026 14.30 WITA", "5 Desember 2026 pukul 09.00 WIB"). Naive
    values are in ``tz``.
    """
    raw = (text or "").strip()
    if not raw:
        raise InputError(_('no date or time given: {WHEN_HINT}').format(WHEN_HINT=_(_WHEN_HINT)))
    explicit: tzinfo | None = None
    head, _sep, last = raw.rpartition(" ")
    if head and _is_zone_token(last):
        explicit = zone(last)
        raw = head.strip()
    from .id_dates import parse_indonesian

    indonesian = parse_indonesian(raw)  # "01/12/2026 14.30", "5 Desember 2026 pukul 09.00"
    if indonesian is not None:
        return indonesian.replace(tzinfo=explicit or zone(tz))
    # Indonesian writing uses a dot between hours and minutes ("09.00").
    raw = re.sub(r"([ T]\d{1,2})\.(\d{2})(?=$|[.:]|\s)", r"\1:\2", raw)
    raw = re.sub(r"([ T])(\d):", r"\g<1>0\2:", raw)  # "9:00" -> "09:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(_(
            "'{text}' is not a date and time I can read: {WHEN_HINT}").format(
            text=text.strip(), WHEN_HINT=_(_WHEN_HINT))) from None
    if value.tzinfo is not None:
        if explicit is not None and value.utcoffset() != value.replace(tzinfo=explicit).utcoffset():
            raise InputError(_("'{text}' names two different time zones: keep one").format(text=text.strip()))
        return value
    return value.replace(tzinfo=explicit or zone(tz))


def to_aware(value: object, tz: str, what: str = "date") -> datetime:
    """Coerce what YAML hands us (datetime, date or string) into an aware datetime in ``tz``."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone(tz))
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=zone(tz))
    if isinstance(value, str):
        return parse_when(value, tz)
    raise InputError(_('{what} must be a date and time: {WHEN_HINT}').format(
        what=what, WHEN_HINT=_(_WHEN_HINT)))
