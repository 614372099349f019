"""Option values through crosspost/cli/coercion.py (typer's conversion without pydantic): the same
values accepted and refused as typer's own conversion, the refusals as typer's usage errors."""

from __future__ import annotations

import datetime
import enum
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from crosspost.cli import coercion


class Colour(enum.StrEnum):
    red = "red"
    blue = "blue"


def _app() -> typer.Typer:
    assert coercion.install()
    app = typer.Typer()

    @app.command()
    def cmd(
        name: str = typer.Option("x", "--name"),
        count: int = typer.Option(3, "--count", min=1),
        ratio: float | None = typer.Option(None, "--ratio", min=0.5, max=2.0),
        capped: int = typer.Option(5, "--capped", min=0, max=10, clamp=True),
        path: Path | None = typer.Option(None, "--path"),
        must: Path | None = typer.Option(None, "--must", exists=True),
        colour: Colour | None = typer.Option(None, "--colour", case_sensitive=False),
        tags: list[str] = typer.Option([], "--tag"),
        flag: bool = typer.Option(False, "--flag", envvar="T_FLAG"),
    ) -> None:
        typer.echo(repr((name, count, ratio, capped, path, must, colour, tags, flag)))

    return app


def run(*args: str, **env: str):
    return CliRunner().invoke(_app(), list(args), env=env or None)


def test_values_converted_as_typer_did(tmp_path: Path):
    existing = tmp_path / "here.txt"
    existing.write_text("x")
    got = run("--name", "Bekasi", "--count", " 7 ", "--ratio", "1.5", "--capped", "99", "--path", "a/b",
              "--must", str(existing), "--colour", "RED", "--tag", "a", "--tag", "b")
    assert got.exit_code == 0, got.output
    assert got.output.strip() == repr(("Bekasi", 7, 1.5, 10, Path("a/b"), existing, Colour.red, ["a", "b"],
                                       False))


def test_defaults_untouched():
    got = run()
    assert got.exit_code == 0, got.output
    assert got.output.strip() == repr(("x", 3, None, 5, None, None, None, [], False))


@pytest.mark.parametrize(("args", "says"), [
    (("--count", "x"), "'x' is not a whole number"),
    (("--count", "1.5"), "'1.5' is not a whole number"),
    (("--count", "0"), "must be at least 1"),
    (("--ratio", "3"), "must be at most 2.0"),
    (("--ratio", "abc"), "'abc' is not a number"),
    (("--colour", "green"), "'green' is not one of"),
    (("--must", "/no/such/file"), "does not exist"),
])
def test_bad_values_are_usage_errors(args: tuple[str, ...], says: str):
    got = run(*args)
    assert got.exit_code == 2
    assert says in got.output


def test_bool_from_environment():
    assert run(T_FLAG="yes").output.strip().endswith("True)")
    assert run(T_FLAG="0").output.strip().endswith("False)")
    assert run(T_FLAG="maybe").exit_code == 2


def test_other_types_fall_through_to_typer():
    """A type the stdlib path does not know still works: typer's own (pydantic) conversion."""
    assert coercion.install()
    app = typer.Typer()

    @app.command()
    def cmd(when: datetime.datetime = typer.Option(..., "--when")) -> None:
        typer.echo(when.isoformat())

    got = CliRunner().invoke(app, ["--when", "2026-12-02T06:00:00"])
    assert got.exit_code == 0, got.output
    assert got.output.strip() == "2026-12-02T06:00:00"


def test_install_is_idempotent():
    import typer.core

    assert coercion.install()
    first = typer.core.build_runtime_param
    assert coercion.install()
    assert typer.core.build_runtime_param is first
