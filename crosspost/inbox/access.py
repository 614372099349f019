"""What each channel's access level must include for the inbox and metrics: one `crosspost
doctor` line per channel, so an office learns before the first fetch that, say, X's Free tier
cannot read replies or that the website counts no views without an access log."""

from __future__ import annotations

from typing import Any


def engagement_line(channel: Any) -> tuple[str, str]:
    """Doctor's (name, detail) ok line: what the platform needs for replies and figures (plain
    data: doctor makes it a check, so this module needs nothing of doctor's)."""
    from ..i18n import _

    name = f"inbox {channel.name}"
    has_comments = getattr(channel, "has_comments", False)
    has_metrics = getattr(channel, "has_metrics", False)
    if not (has_comments or has_metrics):
        return (name, _("this channel gives no replies or figures"))
    if channel.platform == "website" and not getattr(channel.settings, "access_log", ""):
        # an option, not a fault: a healthy office may count its views elsewhere
        return (name, _("page views are not counted: set access_log in [channels.{name}] to the web "
                          "server's access log (combined format) to count them").format(name=channel.name))
    gives = _("replies and figures") if has_comments and has_metrics else (
        _("figures") if has_metrics else _("replies"))
    need = _(channel.engagement_access) if channel.engagement_access else _("nothing beyond publishing")
    return (name, _("{gives}: needs {need}").format(gives=gives, need=need))
