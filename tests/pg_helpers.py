"""The real PostgreSQL the tests use: the connection that .ci/postgres.sh wrote to
/tmp/crosspost-pg.env (or $CROSSPOST_PG_ENV). Without it (or without psycopg) the PostgreSQL
tests skip, saying why; under CI=true they fail instead, so CI never passes without them."""

from __future__ import annotations

import functools
import os
import shlex
import uuid
from pathlib import Path
from typing import Any

import pytest

PG_ENV = Path(os.environ.get("CROSSPOST_PG_ENV", "/tmp/crosspost-pg.env"))


def pg_settings() -> tuple[str, str] | None:
    """(url, password) from the env file, or None when there is no PostgreSQL to test against."""
    try:
        text = PG_ENV.read_text("utf-8")
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, eq, value = line.partition("=")
        if eq:
            values[key.strip()] = shlex.split(value)[0] if value.strip() else ""
    if not values.get("CROSSPOST_PG_URL"):
        return None
    return values["CROSSPOST_PG_URL"], values.get("CROSSPOST_PG_PASSWORD", "")


def require_pg() -> tuple[str, str]:
    """The settings, or skip (fail under CI=true) with the reason."""
    reason = None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "psycopg is not installed (pip install -e '.[test]')"
    found = pg_settings()
    if reason is None and found is None:
        reason = f"no PostgreSQL for the tests: run `bash .ci/postgres.sh` (writes {PG_ENV})"
    if reason is None and found is not None:
        reason = _unreachable(*found)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    assert found is not None
    return found


@functools.lru_cache(maxsize=4)
def _unreachable(url: str, password: str) -> str | None:
    """Why the server in the env file does not answer (None when it does); asked once per run."""
    import psycopg

    try:
        psycopg.connect(url, password=password, connect_timeout=5).close()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"the PostgreSQL in {PG_ENV} does not answer ({first}): run `bash .ci/postgres.sh`"
    return None


def fresh_schema() -> str:
    return "t_" + uuid.uuid4().hex[:16]


def drop_schema(schema: str) -> None:
    import psycopg
    from psycopg import sql

    url, password = require_pg()
    with psycopg.connect(url, password=password, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def pg_store(schema: str | None = None, clock: str = "caller", **kw: Any):
    from crosspost.store_postgres import PostgresStore

    url, password = require_pg()
    return PostgresStore.open(url, password=password, schema=schema or fresh_schema(), clock=clock, **kw)
