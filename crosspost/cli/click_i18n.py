"""typer's own lines ("Usage:", "Try ... for help.", "Error: ...", its option help) in our language.

typer 0.29 vendors click (``typer._click``) with these texts as plain English f-strings, not
through gettext (typer/_click/exceptions.py ``ClickException.show``, ``UsageError.show``,
``NoSuchOption``; typer/_click/formatting.py ``HelpFormatter.write_usage``; typer/completion.py
and typer/_click/decorators.py for the option help). A Humas staffer who mistypes an option must
still read Indonesian, so ``install`` replaces the two ``show`` methods and the usage prefix, and
translates click's finished messages by the patterns below (an unknown message passes as it is).
"""

from __future__ import annotations

import re
from typing import IO, Any

from ..i18n import N_, _

# click's message (a regex over the English text) -> our msgid with the same named fields. Kept as
# text: ``re`` compiles (and caches) a pattern when an error is first shown, not at every start.
MESSAGES: tuple[tuple[str, str], ...] = (
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (r"Missing argument '(?P<name>[^']+)'\.", N_("Missing argument '{name}'.")),
    (r"Missing option '(?P<name>.+)'\.", N_("Missing option '{name}'.")),
    (r"Missing parameter: (?P<name>.+)", N_("Missing parameter: {name}")),
    (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", N_("Got unexpected extra argument(s) ({args})")),
    (r"Option '(?P<name>[^']+)' requires an argument\.", N_("Option '{name}' requires a value.")),
    (r"Option '(?P<name>[^']+)' requires (?P<n>\d+) arguments\.", N_("Option '{name}' requires {n} values.")),
    (r"Option '(?P<name>[^']+)' does not take a value\.", N_("Option '{name}' does not take a value.")),
    (r"Invalid value for (?P<name>.+?): (?P<detail>.+)", N_("Invalid value for {name}: {detail}")),
    (r"Invalid value: (?P<detail>.+)", N_("Invalid value: {detail}")),
    (r"Input should be a valid integer.*", N_("write a whole number, e.g. 20")),
    (r"Input should be a valid number.*", N_("write a number, e.g. 2.5")),
    (r"Value (?P<value>.+) is not a valid (?P<type>\w+)\.", N_("{value} is not a valid {type}.")),
    (r"'(?P<value>.*)' is not one of (?P<choices>.+)\.", N_("'{value}' is not one of {choices}.")),
    (r"(?:File|Path|Directory) '(?P<path>.+)' does not exist\.", N_("'{path}' does not exist.")),
    (r"(?:File|Path|Directory) '(?P<path>.+)' is a directory\.", N_("'{path}' is a folder, not a file.")),
    (r"(?:File|Path|Directory) '(?P<path>.+)' is a file\.", N_("'{path}' is a file, not a folder.")),
)
POSSIBLE = r"^(?P<message>.*) \(Possible options: (?P<names>.+)\)$"

# typer's own option help (typer/completion.py, typer/_click/decorators.py), shown by --help.
HELP_TEXTS = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Install completion for the specified shell."),
    N_("Show completion for the specified shell, to copy it or customize the installation."),
)


def translate(message: str) -> str:
    """click's finished English message in the chosen language (unknown ones unchanged)."""
    found = re.match(POSSIBLE, message, re.S)
    if found:
        return _("{message} (did you mean: {names}?)").format(
            message=translate(found["message"]), names=found["names"])
    for pattern, msgid in MESSAGES:
        match = re.fullmatch(pattern, message.strip())
        if match:
            fields = match.groupdict()
            if "detail" in fields:
                fields["detail"] = translate(fields["detail"])
            return _(msgid).format(**fields)
    return message


def install() -> None:
    """Point typer's vendored click at ``translate`` and at our catalogue (idempotent)."""
    from typer._click import exceptions, formatting
    from typer._click.utils import echo

    if getattr(exceptions.ClickException.show, "_crosspost", False):
        return

    def click_show(self: Any, file: IO[Any] | None = None) -> None:
        echo(_("Error: {message}").format(message=translate(self.format_message())),
             file=file, err=file is None, color=getattr(self, "show_color", None))

    def usage_show(self: Any, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        color = ctx.color if ctx is not None else None
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
            echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
        echo(_("Error: {message}").format(message=translate(self.format_message())),
             file=file, err=file is None, color=color)

    original_usage = formatting.HelpFormatter.write_usage
    original_dl = formatting.HelpFormatter.write_dl

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    def write_dl(self: Any, rows: Any, *args: Any, **kwargs: Any) -> None:
        known = set(HELP_TEXTS)
        rows = [(first, _(second) if second in known else second) for first, second in rows]
        original_dl(self, rows, *args, **kwargs)

    click_show._crosspost = True  # type: ignore[attr-defined]
    exceptions.ClickException.show = click_show  # type: ignore[method-assign]
    exceptions.UsageError.show = usage_show  # type: ignore[method-assign]
    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
    formatting.HelpFormatter.write_dl = write_dl  # type: ignore[method-assign]


def install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """typer/completion.py ``install_callback`` with its two lines in our language (help_layout.tidy
    puts it on the --install-completion option; typer binds its own when the module loads)."""
    import sys

    import typer.completion as completion
    from typer._click.utils import echo

    if not value or ctx.resilient_parsing:
        return value
    shell, path = completion.install(shell=value) if isinstance(value, str) else completion.install()
    echo(_("{shell} completion installed in {path}").format(shell=shell, path=path))
    echo(_("Completion will take effect once you restart the terminal"))
    sys.exit(0)
