"""The crosspost command line: the typer app, its global options and the one error boundary.

A command parses its options, calls one office action (crosspost.publishing and the store),
renders the result and exits; the exit codes are the README's table.
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path

import typer

from .. import __version__
from ..errors import EXIT_ERROR, CrosspostError
from ..i18n import N_, _  # first: sets the language before any help text below is built
from .coercion import install as install_coercion
from .common import STATE, close_stores, hoist_global_options
from .lazy_group import LazyGroup

# typer's own texts that go through gettext (section titles, [default]/[env var]/[required], a few
# errors). typer calls the stdlib's gettext.gettext, i.e. the global "messages" domain and the
# locale, not our --lang: these copies put them in our catalogue and typer's ``_`` is pointed at
# ours. ("Usage:", "Error:" and "Try ... for help." are hard-coded English: see click_i18n.py.)
TYPER_MESSAGES = (
    N_("Options"), N_("Commands"), N_("Arguments"), N_("env var: {var}"), N_("default: {default}"),
    N_("required"), N_("(dynamic)"), N_("Missing command."), N_("No such command {name!r}."), N_("Aborted!"),
)


def _localise_typer() -> None:
    """Make typer's help section titles and its few translatable errors follow the chosen language."""
    import gettext as stdlib

    import typer.core

    if getattr(typer.core, "_", None) in (stdlib.gettext, _):
        typer.core._ = _
    from .click_i18n import install

    install()  # "Usage:", "Try ... for help.", "Error: ..." (hard-coded English in typer's click)


_localise_typer()
install_coercion()  # typer's option conversion without pydantic (~100 ms of every start)

app = typer.Typer(
    name="crosspost",
    help=_("One press release (siaran pers) to the website, Instagram, Facebook, X and YouTube: "
           "adapted, checked against each platform's limits, delivered once, and logged.\n\n"
           "Start with `crosspost preview RILIS.md`, then `crosspost publish RILIS.md`."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=LazyGroup,  # each command lives in its own module, imported when it runs (see lazy_group.py)
)


class Lang(StrEnum):
    """--lang: applied before typer parses anything (crosspost.i18n reads sys.argv); declared for --help."""

    id = "id"
    en = "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crosspost {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help=_("Show tracebacks (secrets stay masked).")),
    config: Path | None = typer.Option(
        None, "--config", envvar="CROSSPOST_CONFIG",
        help=_("channels.toml to use (default: ./channels.toml, else the built-in one).")),
    as_json: bool = typer.Option(False, "--json", help=_("Print machine-readable JSON instead of tables "
                                                         "(one JSON object per line for `run`).")),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help=_("Print the version and exit.")),
    lang: Lang | None = typer.Option(None, "--lang", case_sensitive=False,
                                    help=_("Language of messages: id (Bahasa Indonesia) or en (English); "
                                           "default: from CROSSPOST_LANG or the locale (LANG).")),
) -> None:
    STATE.debug = debug
    STATE.config_path = config
    STATE.json = as_json
    ctx.call_on_close(close_stores)  # every log setup() opened is closed (PRAGMA optimize) at the end


def _say(text: str) -> None:
    """Write to stderr with every secret from the environment masked."""
    from ..secrets import mask
    from .render import safe

    secrets = [v for k, v in os.environ.items() if k.startswith("CROSSPOST_") and k not in
               ("CROSSPOST_CONFIG", "CROSSPOST_DB", "CROSSPOST_STATE_DIR", "CROSSPOST_FAILPOINT",
                "CROSSPOST_CACHE_DIR")]
    sys.stderr.write(safe(mask(text, secrets)))


def main() -> None:
    """Entry point: runs the app and turns CrosspostError into a message and an exit code."""
    try:
        from .help_layout import tidy

        tidy(typer.main.get_command(app))(args=hoist_global_options(sys.argv[1:]), prog_name="crosspost")
    except CrosspostError as exc:
        if STATE.debug:
            _say(traceback.format_exc())
        _say(f"crosspost: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _say("crosspost: " + _("interrupted") + "\n")
        sys.exit(130)
    except Exception as exc:  # an internal error: short message, traceback only with --debug
        if STATE.debug:
            _say(traceback.format_exc())
        _say("crosspost: " + _("internal error: {kind}: {error}\n(run with --debug for details)").format(
            kind=type(exc).__name__, error=exc) + "\n")
        sys.exit(EXIT_ERROR)
