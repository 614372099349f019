"""`--help` as people read it: FILE, NAME, N instead of Python types, and commands in four groups.

typer 0.29 shows each value's Python type (``<list[str]>``, ``<path>``, ``{file}``) unless a
metavar is given (typer/core.py ``display_type``, ``display_name_raw``); ``tidy`` gives every
parameter without one a metavar from its name, else its type. Without rich (``rich_markup_mode
= None``) typer lists every command under one "Commands" title and ignores ``rich_help_panel``
(typer/core.py ``TyperGroup.format_commands``); ``tidy`` groups them the way a Humas office works:
writing, sending, watching, setting up.
"""

from __future__ import annotations

from types import MethodType
from typing import Any

from ..i18n import N_, _

PANELS: dict[str, str] = {
    "preview": N_("Writing"), "show": N_("Writing"), "correct": N_("Writing"),
    "publish": N_("Sending"), "run": N_("Sending"), "retry": N_("Sending"), "cancel": N_("Sending"),
    "resolve": N_("Sending"), "approve": N_("Sending"), "reject": N_("Sending"), "pause": N_("Sending"),
    "resume": N_("Sending"),
    "status": N_("Watching"), "log": N_("Watching"), "queue": N_("Watching"), "report": N_("Watching"),
    "audit": N_("Watching"), "doctor": N_("Watching"), "inbox": N_("Watching"), "metrics": N_("Watching"),
    "init": N_("Setting up"), "auth": N_("Setting up"), "db": N_("Setting up"),
}
ORDER = (N_("Writing"), N_("Sending"), N_("Watching"), N_("Setting up"))

# A value's metavar by the parameter's name (what a person types there), else by its type.
BY_NAME = {
    "file": "FILE", "html": "FILE", "output": "FILE", "out": "FILE", "config": "FILE", "ralat": "FILE",
    "channel": "NAME", "exclude": "NAME", "by": "NAME", "name": "NAME", "approver": "NAME",
    "release": "RELEASE", "target": "RELEASE", "delivery_id": "ID", "delivery": "ID",
    "limit": "N", "workers": "N", "days": "N", "max": "N", "batch": "N",
    "at": "WHEN", "until": "WHEN", "start": "DATE", "end": "DATE", "period": "PERIOD",
    "sets": "KEY=VALUE", "reason": "TEXT", "note": "TEXT", "hash": "HASH", "expect_hash": "HASH",
    "sent": "URL", "timeout": "SECONDS", "lang": "id|en", "fmt": "FORMAT", "format": "FORMAT",
}
BY_TYPE = {"int": "N", "float": "N", "str": "TEXT", "path": "FILE"}


def metavar_for(param: Any) -> str | None:
    """FILE, NAME, N...: what to type, for a parameter typer would label with a Python type."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    name = (param.name or "").lower()
    if name in BY_NAME:
        return BY_NAME[name]
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and getattr(desc, "is_choice", False):
        return None  # typer lists the choices: keep them
    annotation = getattr(desc, "annotation", None)
    label = getattr(annotation, "__name__", "").lower()
    for arg in getattr(annotation, "__args__", ()) or ():  # list[str], Path | None
        label = label or getattr(arg, "__name__", "").lower()
    if "path" in label:
        return "FILE"
    return BY_TYPE.get(label, name.upper() if param.param_type_name == "argument" else None)


def _grouped_commands(self: Any, ctx: Any, formatter: Any) -> None:
    groups: dict[str, list[tuple[str, str]]] = {}
    listed = getattr(self, "listed_command", self.get_command)  # lazy_group: the catalogue's summary
    commands = [(n, listed(ctx, n)) for n in self.list_commands(ctx)]
    commands = [(n, c) for n, c in commands if c is not None and not c.hidden]
    if not commands:
        return
    limit = formatter.width - 6 - max(len(n) for n, _c in commands)
    for name, cmd in commands:
        groups.setdefault(PANELS.get(name, N_("Other")), []).append((name, cmd.get_short_help_str(limit)))
    for panel in [*ORDER, *(g for g in groups if g not in ORDER)]:
        if panel in groups:
            with formatter.section(_(panel)):
                formatter.write_dl(groups[panel])


def _argument_usage(self: Any) -> str:
    """FILE when required, [RELEASE] when not (typer writes {FILE}, which reads like a placeholder)."""
    name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
    return name + ("..." if self.nargs != 1 else "")


def _no_type(self: Any, ctx: Any) -> None:
    return None


def tidy(command: Any) -> Any:
    """Metavars on every parameter that has none, and grouped commands, through the whole tree."""
    from .click_i18n import install_completion

    for param in getattr(command, "params", []):
        if param.name == "install_completion":  # its two lines of output in our language
            param.callback = install_completion
        if param.metavar is None:
            label = metavar_for(param)
            if label:
                param.metavar = label
        if param.param_type_name == "argument":  # its name already says what to type: no <path> after it
            param._usage_display_name = MethodType(_argument_usage, param)
            param.display_type_rich = MethodType(_no_type, param)
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        command.format_commands = MethodType(_grouped_commands, command)
        if not getattr(subcommands, "tidies_on_load", False):  # lazy_group tidies each as it loads
            for sub in subcommands.values():
                tidy(sub)
    return command
