"""Shared CLI plumbing: global options, config loading, output mode. Holds no business rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .i18n import _

if TYPE_CHECKING:  # config pulls in the channel registry, tomllib, platformdirs: not needed for --help
    from .config import Config


@dataclass
class State:
    debug: bool = False
    config_path: Path | None = None


STATE = State()

ConfigOption = typer.Option(None, "--config", envvar="CROSSPOST_CONFIG",
                            help=_("channels.toml to use (default: ./channels.toml, else the built-in one)."))
JsonOption = typer.Option(False, "--json", help=_("Print machine-readable JSON instead of tables."))


def config(path: Path | None = None) -> Config:
    from .config import load_config

    return load_config(path or STATE.config_path)
