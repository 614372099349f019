"""The command catalogue (crosspost/cli/catalog.py) says what the modules register: the CLI lists,
completes and resolves commands from it without importing them (crosspost/cli/lazy_group.py), so
a command it missed would be gone from the CLI. Out of date: run `python scripts/cli_catalog.py`."""

from __future__ import annotations

import pytest

from crosspost import i18n
from crosspost.cli import lazy_group
from crosspost.cli.catalog import COMMANDS


def test_the_catalogue_matches_the_modules():
    assert list(COMMANDS) == lazy_group.registered("en"), "run python scripts/cli_catalog.py"


def test_each_summary_reads_as_the_help_does_in_indonesian():
    """The summary's translation is the first paragraph of the help's translation."""
    before = i18n.language()
    i18n.setup("id")
    try:
        shown = [(name, module, hidden, i18n._(summary)) for name, module, hidden, summary in COMMANDS]
    finally:
        i18n.setup(before)
    assert shown == lazy_group.registered("id")


def test_every_catalogued_command_builds_alone():
    commands = lazy_group.LazyCommands({}, None)
    for name, _module, _hidden, _summary in COMMANDS:
        assert commands[name].name == name
    assert list(commands) == [name for name, *_rest in COMMANDS]


def test_a_stale_entry_fails_loudly():
    """A command renamed in its module but not in the catalogue: an error naming the script."""
    with pytest.raises(LookupError, match="cli_catalog.py"):
        lazy_group.build("publish", "no-such-command", None)
    with pytest.raises(KeyError):
        lazy_group.LazyCommands({}, None)["no-such-command"]
