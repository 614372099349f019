"""The command-line floor: typer commands, rich rendering, exit codes. See main.py."""

from .main import app, main

__all__ = ["app", "main"]
