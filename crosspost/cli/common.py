"""Shared CLI plumbing: the global options (declared once, on the app), config and store loading,
plain-line output. Holds no business rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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
    stores: list[Any] = field(default_factory=list)  # logs opened by setup(), closed at the end


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
    person(cfg)  # the log names the office's person, not only the OS account (see person())
    return cfg


def person(cfg: Config, by: str | None = None) -> str:
    """Who does this, for the log: --by, else $CROSSPOST_USER, else [office] operator, else the OS
    account. Every event this process records from now on carries that name."""
    import os

    from ..chain import os_user, set_person

    name = " ".join((by or os.environ.get("CROSSPOST_USER") or cfg.office.operator or "").split())
    set_person(name or None)
    return name or os_user()


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
    from ..logbook import open_log

    cfg = config()
    store = open_log(cfg)
    STATE.stores.append(store)  # closed when the command ends (close_stores)
    return cfg, store


def close_stores() -> None:
    """Close the logs this command opened, however it ended: ``Store.close`` runs PRAGMA optimize,
    so the planner's statistics follow the log as it grows (a command that exits without closing
    leaves them as they were: a log that only ever saw `run` never had any)."""
    while STATE.stores:
        STATE.stores.pop().close()


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
    """One 'warning: ...' line on stderr each (rich only loaded when there is one)."""
    lines = list(lines)
    if not lines:
        return
    from . import render

    err = render.console(stderr=True)
    for line in lines:
        err.print(_("warning: {text}").format(text=line), markup=False, highlight=False, soft_wrap=True)


# One example per command, printed at the end of its --help (commands are not translated).
EXAMPLES = {
    "preview": "crosspost preview rilis.docx --set section=siaran-pers --html pratinjau.html",
    "publish": "crosspost publish rilis.md -x instagram --at \"2026-12-01 09:00 WITA\"",
    "status": "crosspost status kemensos-salurkan",
    "show": "crosspost show '#12' --html persetujuan.html",
    "log": "crosspost log --release '#12' -n 20",
    "run": "* * * * * cd /srv/humas && .venv/bin/crosspost run --once --quiet",
    "queue": "crosspost queue --json",
    "retry": "crosspost auth twitter && crosspost retry 42",
    "cancel": "crosspost cancel '#12'",
    "resolve": "crosspost resolve 42 --sent https://x.com/KemensosRI/status/1234567890",
    "approve": "crosspost approve '#12' --by Rina --hash 1a2b3c4d5e6f",
    "reject": "crosspost reject '#12' --by Rina --reason \"angka penerima belum final\"",
    "pause": "crosspost pause --reason \"masa berkabung nasional\" --by Rina --until \"2026-12-02 06:00\"",
    "resume": "crosspost resume --by Rina",
    "correct": "crosspost correct '#12' --file ralat.md --dry-run",
    "report": "crosspost report --from 2026-07-01 --to 2026-09-30 -o laporan.html",
    "audit": "crosspost audit --verify",
    "doctor": "crosspost doctor --offline",
    "auth": "crosspost auth facebook --check",
    "init": "crosspost init kantor && cd kantor",
}


def epilog(example: str) -> str:
    """``Example:`` and the command, kept as one unwrapped line (click's \\b marker)."""
    label = _("Example:")
    return f"\b\n{label}\n  {example}"


def example_epilog(name: str) -> str | None:
    """The epilog of a command listed in EXAMPLES (None: it has none)."""
    example = EXAMPLES.get(name)
    return epilog(example) if example else None


def add_commands(app: typer.Typer, helps: Mapping[Callable[..., Any], str]) -> None:
    """Register command functions under their own names with their (translated) help and example."""
    for fn, text in helps.items():
        app.command(fn.__name__, help=text, epilog=example_epilog(fn.__name__))(fn)


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
