"""The root command group, with every command known by name and imported only when it runs.

Building all 23 commands (their modules, what those import, and typer's reading of each
function's signature) was most of every start: `preview` paid for `auth` (keyring), `report`,
`inbox`... and `--help` for all of them (bench/RESULTS.md, start-up). crosspost/cli/catalog.py
names each command, the module that registers it and the first paragraph of its help (what the
command list and shell completion show); that module is imported, and only that command built,
when the command is looked up to run (or for its own --help). ``scripts/cli_catalog.py`` writes
the catalogue; tests/test_cli_catalog.py fails when it no longer matches the modules.

typer 0.29 resolves commands, lists them and suggests near names ("Did you mean") all through
``TyperGroup.commands`` (typer/core.py ``get_command``, ``list_commands``, ``resolve_command``), so
that mapping is the one thing replaced: its keys come from the catalogue, its values are built on
first access.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from ..i18n import _
from .catalog import COMMANDS

# The modules that register commands, in the order their commands are listed (a new command module
# goes here, then `python scripts/cli_catalog.py`).
MODULES = ("publish", "status", "queue", "auth", "init", "controls", "report", "correct", "doctor", "db",
           "show", "inbox", "metrics")

# typer's default (typer.Typer(pretty_exceptions_short=True)); the app disables pretty exceptions.
PRETTY_EXCEPTIONS_SHORT = True


def build(module: str, name: str, markup: Any) -> Any:
    """The click command ``name`` as ``crosspost.cli.<module>.register`` declares it, built alone."""
    sub = typer.Typer()
    importlib.import_module(f"{__package__}.{module}").register(sub)
    for info in sub.registered_commands:
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:  # type: ignore[union-attr]
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT, rich_markup_mode=markup)
    for group in sub.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group, pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT, rich_markup_mode=markup,
                suggest_commands=True)
    raise LookupError(f"crosspost.cli.{module} registers no command {name!r}: run scripts/cli_catalog.py")


class LazyCommands(MutableMapping[str, Any]):
    """name -> click command; a catalogued command is imported and built on first access."""

    tidies_on_load = True  # help_layout.tidy: do not walk these (each is tidied as it loads)

    def __init__(self, eager: MutableMapping[str, Any], markup: Any) -> None:
        self._markup = markup
        self._modules = {name: module for name, module, _hidden, _summary in COMMANDS}
        self._entries = {name: (summary, hidden) for name, _module, hidden, summary in COMMANDS}
        self._built: dict[str, Any] = dict(eager)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in self._modules:
                raise KeyError(name)
            from .help_layout import tidy

            self._built[name] = tidy(build(self._modules[name], name, self._markup))
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._built.pop(name, None)
        self._modules.pop(name, None)
        self._entries.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._modules  # the catalogue's order is the order the commands were registered in
        yield from (name for name in self._built if name not in self._modules)

    def __len__(self) -> int:
        return len(self._modules.keys() | self._built.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self._built

    def listed(self, name: str) -> Any:
        """What the command list shows of ``name`` (its help's first paragraph, hidden or not),
        without importing its module."""
        if name in self._built or name not in self._entries:
            return self._built.get(name)
        summary, hidden = self._entries[name]
        return TyperCommand(name=name, help=_(summary), hidden=hidden)


class LazyGroup(TyperGroup):
    """The app's group (``typer.Typer(cls=LazyGroup)``): commands from crosspost/cli/catalog.py."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands, self.rich_markup_mode)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # typer's reads .items(), i.e. would build every command

    def listed_command(self, ctx: Any, name: str) -> Any:
        """help_layout's command list: the catalogue's summary, no import."""
        commands = self.commands
        return commands.listed(name) if isinstance(commands, LazyCommands) else self.get_command(ctx, name)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """TAB after `crosspost `: names and summaries from the catalogue (typer's own would import
        every module to read each command's help); options as typer completes them."""
        from typer._click.shell_completion import CompletionItem

        results = []
        for name in self.list_commands(ctx):
            if name.startswith(incomplete):
                command = self.listed_command(ctx, name)
                if command is not None and not command.hidden:
                    results.append(CompletionItem(name, help=command.get_short_help_str()))
        results.extend(super(TyperGroup, self).shell_complete(ctx, incomplete))
        return results


def registered(language: str) -> list[tuple[str, str, bool, str]]:
    """(name, module, hidden, first paragraph of its help) of every command, in ``language``, from
    the modules themselves, in the order the command list shows them (typer lists a group's own
    commands before its sub-groups): what crosspost/cli/catalog.py must say (its test, its script)."""
    import inspect

    from .. import i18n

    before = i18n.language()
    i18n.setup(language)
    try:
        app = typer.Typer()
        owner: dict[int, str] = {}
        for module in MODULES:
            importlib.import_module(f"{__package__}.{module}").register(app)
            for info in [*app.registered_commands, *app.registered_groups]:
                owner.setdefault(id(info), module)
        rows = []
        for info in app.registered_commands:
            command = typer.main.get_command_from_info(
                info, pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT, rich_markup_mode=None)
            rows.append((command, owner[id(info)]))
        for group in app.registered_groups:
            command = typer.main.get_group_from_info(
                group, pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT, rich_markup_mode=None,
                suggest_commands=True)
            rows.append((command, owner[id(group)]))
        out = []
        for command, module in rows:
            if command.short_help or command.deprecated:
                raise ValueError(f"{command.name}: the catalogue has no short_help or deprecated")
            text = inspect.cleandoc(command.help or "")
            summary = " ".join(text.split("\n\n", 1)[0].split())  # all the command list reads of it
            out.append((command.name or "", module, bool(command.hidden), summary))
        return out
    finally:
        i18n.setup(before)
