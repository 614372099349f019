"""The log's own event texts in the reader's language, when they are shown.

The event log keeps its details as written (English, hashed into the audit chain: crosspost.chain),
so `log`, `show` and the status table translate the store's fixed phrases when they print them.
A detail that matches none of them (a platform's answer, an operator's note) is shown unchanged.
"""

from __future__ import annotations

import re

from .i18n import N_, _

PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p + "$"), m) for p, m in (
    (r"queued", N_("queued")),
    (r"queued, awaiting approval", N_("queued, awaiting approval")),
    (r"queued not before (?P<at>\d+)", N_("queued, not before {at}")),
    (r"queued, awaiting approval not before (?P<at>\d+)", N_("queued, awaiting approval, not before {at}")),
    (r"claimed \(attempt (?P<n>\d+), claim #(?P<claim>\d+)\)", N_("claimed (attempt {n}, claim #{claim})")),
    (r"accepted: (?P<where>.*)", N_("accepted: {where}")),
    (r"accepted after this worker lost its lease: (?P<where>.*)",
     N_("accepted after this worker lost its lease: {where}")),
    (r"approved by (?P<actor>[^:]+)(?:: (?P<note>.*))?", N_("approved by {actor}{note}")),
    (r"rejected by (?P<actor>[^:]+): (?P<reason>.*)", N_("rejected by {actor}: {reason}")),
    (r"queued again by the operator", N_("queued again by the operator")),
    (r"cancelled by the operator", N_("cancelled by the operator")),
    (r"operator says it was not sent; queued again", N_("operator says it was not sent; queued again")),
    (r"office-wide pause: (?P<reason>.*?)(?: \(until (?P<at>\d+)\))?",
     N_("office-wide pause: {reason}{until}")),
    (r"office-wide pause lifted \(paused by (?P<actor>[^:]+): (?P<reason>.*)\)",
     N_("office-wide pause lifted (paused by {actor}: {reason})")),
))


def event_text(detail: str | None, when: object = None) -> str:
    """``detail`` in the chosen language when it is one of the store's phrases; ``when(ts)`` formats
    the timestamps some phrases carry (default: as stored)."""
    text = detail or ""
    for pattern, msgid in PHRASES:
        m = pattern.match(text)
        if m is None:
            continue
        fields = {k: v or "" for k, v in m.groupdict().items()}
        fmt = when if callable(when) else (lambda ts: ts)
        if fields.get("at"):
            fields["at"] = fmt(float(fields["at"]))
        if "note" in fields:
            fields["note"] = f": {fields['note']}" if fields["note"] else ""
        if "until" in msgid:
            fields["until"] = " (" + _("until {at}").format(at=fields["at"]) + ")" if fields.get("at") else ""
            fields.pop("at", None)
        return _(msgid).format(**fields)
    return text
