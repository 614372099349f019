"""Shared CLI plumbing: the global options (declared once, on the app), config and store loading,
plain-line output. Holds no business rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..i18n import _

if TYPE_CHECKING:  # config pulls in the channel registry, tomllib, platformdirs: not needed for --help
    from ..config import Config
    from ..store import Store


@dataclass
class State:
    """The global options of this invocation (set by the app's callback)."""

    debug: bool = False
    config_path: Path | None = None
    json: bool = False


STATE = State()

# Options every command accepts, before or after its name (crosspost.cli.main moves them forward).
GLOBAL_FLAGS = ("--json", "--debug")
GLOBAL_VALUED = ("--config", "--lang")


def config(path: Path | None = None, near: Path | None = None) -> Config:
    """channels.toml for this command (``near``: the release file, searched after the current folder).

    When it is not the current folder's own, stderr says which config and database are used, so
    nobody publishes from the wrong office folder without noticing.
    """
    import os

    from ..config import load_config

    explicit = path or STATE.config_path
    cfg = load_config(explicit, near)
    if explicit is None and not os.environ.get("CROSSPOST_CONFIG"):
        _say_where(cfg)
    return cfg


def _say_where(cfg: Config) -> None:
    if cfg.embedded:
        text = _("no channels.toml in this folder or above it: using the built-in one (website only); "
                 "the site and the log are in {folder}. Create your own with `crosspost init FOLDER`.")
        line = text.format(folder=cfg.state_dir)
    elif cfg.path.resolve().parent != Path.cwd().resolve():
        line = _("using {config} (log: {database})").format(config=cfg.path, database=cfg.database)
    else:
        return
    from . import render

    render.console(stderr=True).print(line, markup=False, highlight=False, soft_wrap=True)


def setup() -> tuple[Config, Store]:
    """The configuration and its delivery log."""
    from ..store import Store

    cfg = config()
    return cfg, Store.open(cfg.database)


def now() -> float:
    from ..clock import SystemClock

    return SystemClock().now()


def tz(cfg: Any) -> Any:
    from ..timezones import zone

    return zone(cfg.timezone)


def say(lines: Iterable[str], err: bool = False) -> None:
    """Plain lines (no rich markup) to stdout or stderr."""
    from . import render

    out = render.console(stderr=err)
    for line in lines:
        out.print(line, markup=False)


def warn(lines: Iterable[str]) -> None:
    """One 'warning: ...' line on stderr each."""
    from . import render

    err = render.console(stderr=True)
    for line in lines:
        err.print(_("warning: {text}").format(text=line), markup=False, highlight=False, soft_wrap=True)


def add_commands(app: typer.Typer, helps: dict[Callable[..., Any], str]) -> None:
    """Register command functions under their own names with their (translated) help."""
    for fn, text in helps.items():
        app.command(fn.__name__, help=text)(fn)


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move the global options to the front, so `crosspost run --config X` and
    `crosspost --config X run` mean the same (typer reads them only before the command)."""
    head: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS:
            head.append(arg)
        elif name in GLOBAL_VALUED and "=" in arg:
            head.append(arg)
        elif arg in GLOBAL_VALUED and i + 1 < len(argv):
            head.extend(argv[i:i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return head + rest
