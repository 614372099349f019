"""Shared fixtures: the repo, the optional ../shared corpus, and a CLI runner in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Compiled-template caches (crosspost/jinja_cache.py) go to a scratch folder, not the user's
# ~/.cache, for this process and every crosspost process a test starts.
os.environ.setdefault("CROSSPOST_CACHE_DIR", tempfile.mkdtemp(prefix="crosspost-test-cache-"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "releases"


def _sqlite_store(tmp_path: Path):
    from crosspost.store import Store

    return Store.open(tmp_path / "nested" / "log.db")


# The store contract: each test taking the ``store`` fixture runs once per store here, so a second
# implementation of crosspost.store.DeliveryStore (PostgreSQL) is proven by adding one line.
def _postgres_store(tmp_path: Path):
    """A fresh schema in the test database per test (dropped with the store, see ``store``)."""
    from pg_helpers import pg_store

    return pg_store()


# A broken constraint, whichever store raised it.
try:
    import psycopg as _psycopg

    INTEGRITY: tuple[type[Exception], ...] = (sqlite3.IntegrityError, _psycopg.IntegrityError)
except ImportError:
    INTEGRITY = (sqlite3.IntegrityError,)

STORE_FACTORIES = {"sqlite": _sqlite_store, "postgres": _postgres_store}


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store(request, tmp_path: Path):
    made = STORE_FACTORIES[request.param](tmp_path)
    yield made
    made.close()
    schema = getattr(made, "schema", None)
    if schema and schema.startswith("t_"):
        from pg_helpers import drop_schema

        drop_schema(schema)


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    return CORPUS


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(PYTHONPATH=str(REPO), CROSSPOST_STATE_DIR=str(tmp_path / "state"),
               CROSSPOST_CACHE_DIR=os.environ["CROSSPOST_CACHE_DIR"],
               CROSSPOST_NO_KEYRING="1", NO_COLOR="1", COLUMNS="120")
    env.update(extra)
    return env


class Cli:
    """Runs `python -m crosspost` as a real process in a working folder."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.cwd, self.env = cwd, env

    def __call__(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crosspost", *args], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def json(self, *args: str):
        proc = self(*args, "--json")
        assert proc.stdout, proc.stderr
        return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A folder with its own channels.toml (website into ./site) and the repo's examples."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "channels.toml").write_text(
        'timezone = "Asia/Jakarta"\ndatabase = "log.db"\n'
        '[channels.website]\ntype = "website"\nsite_dir = "site"\n'
        'base_url = "https://www.kemensos.go.id"\n'
        '[channels.instagram]\ntype = "instagram"\nenabled = false\n', encoding="utf-8")
    return Cli(work, cli_env(tmp_path))
