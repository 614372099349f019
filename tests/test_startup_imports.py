"""What a command imports: start-up is most of what a `preview` costs (bench/RESULTS.md), so a new
heavy import on the path of a command that does not need it fails here, with the module named.

Each case runs the real command in a child process and lists ``sys.modules`` at exit. The banned
lists name what each command must not load: pydantic (typer's option conversion; see
crosspost/cli/coercion.py), the platform SDKs (only ``publish``/``run`` talk to a platform),
Pillow (sizes come from the file headers; only a re-encode needs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_env

CHANNELS = """\
timezone = "Asia/Jakarta"
database = "log.db"

[channels.website]
type = "website"
site_dir = "site"
base_url = "https://www.kemensos.go.id"

[channels.twitter]
type = "twitter"

[channels.facebook]
type = "facebook"
page_id = "100000000000001"

[channels.instagram]
type = "instagram"
ig_user_id = "17841400000000001"

[channels.youtube]
type = "youtube"
"""

SDKS = ("tweepy", "facebook", "instagrapi", "googleapiclient", "google_auth_oauthlib", "httplib2",
        "requests", "google")
HEAVY = {
    "preview": ("pydantic", "pydantic_core", "PIL", "rich", "zipfile", "http.client", *SDKS),
    "status": ("pydantic", "pydantic_core", "PIL", "crosspost._vendor.twitter_text", "jinja2", "markdown_it",
               "nh3", *SDKS),
    # cron's command with nothing due: no template, Markdown, terminal tables or SDK
    "run": ("pydantic", "pydantic_core", "PIL", "crosspost._vendor.twitter_text", "jinja2", "markdown_it",
            "nh3", "rich", *SDKS),
    # the report as md (what cron mails): its figures come from SQL, no template engine (html only)
    "report": ("pydantic", "pydantic_core", "PIL", "crosspost._vendor.twitter_text", "jinja2", "markdown_it",
               "nh3", *SDKS),
    "help": ("pydantic", "pydantic_core", "PIL", "jinja2", "crosspost._vendor.twitter_text", "yaml",
             *SDKS),
}
# Each command's module is imported only when that command runs (crosspost/cli/lazy_group.py):
# `--help` lists them all from crosspost/cli/catalog.py, `preview` builds only its own.
COMMAND_MODULES = tuple(f"crosspost.cli.{m}" for m in (
    "publish", "status", "queue", "auth", "init", "controls", "report", "correct", "doctor", "db", "show",
    "inbox", "metrics"))
OWN = {"preview": "crosspost.cli.publish", "status": "crosspost.cli.status", "run": "crosspost.cli.queue"}
HEAVY["help"] += (*COMMAND_MODULES, "crosspost.credentials", "crosspost.config", "crosspost.channels")
for _case, _own in OWN.items():
    HEAVY[_case] += tuple(m for m in COMMAND_MODULES if m != _own)
# what the commands that read no credentials must not load (keyring, the credential files)
for _case in ("preview", "status"):
    HEAVY[_case] += ("crosspost.credentials", "keyring")
# platformdirs: only the built-in configuration's state folder needs it (this one has channels.toml)
for _case in ("status", "run", "help"):
    HEAVY[_case] += ("platformdirs",)

CHILD = """
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "crosspost"
from crosspost.cli import main
main()
"""


def modules(tmp_path: Path, *args: str) -> set[str]:
    work = tmp_path / "work"
    if not work.exists():
        work.mkdir()
        (work / "channels.toml").write_text(CHANNELS, "utf-8")
        example = REPO / "examples" / "siaran-pers-lumbung-sosial.md"
        (work / "release.md").write_text(example.read_text("utf-8"), "utf-8")
        shutil.copytree(example.parent / "img", work / "img")
    listing = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(listing), *args], cwd=work,
                          env=cli_env(tmp_path), capture_output=True, text=True, timeout=120)
    # the command's own exit code (run: 4 for "nothing was sent") is not what is tested here
    assert proc.returncode in (0, 1, 4) and "internal error" not in proc.stderr, proc.stderr
    return set(json.loads(listing.read_text("utf-8")))


def _loaded(mods: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(b for b in banned if any(m == b or m.startswith(b + ".") for m in mods))


@pytest.mark.parametrize(("case", "args"), [
    ("preview", ("preview", "release.md", "--json")),
    ("status", ("status", "--json")),
    ("run", ("run", "--once", "--json")),
    ("help", ("--help",)),
    ("report", ("report", "--from", "2026-07-01", "--to", "2026-09-30", "--format", "md")),
])
def test_command_imports_nothing_heavy_it_does_not_use(tmp_path: Path, case: str, args: tuple[str, ...]):
    mods = modules(tmp_path, *args)
    assert "crosspost.cli.main" in mods  # the command really ran
    assert _loaded(mods, HEAVY[case]) == []


def test_preview_really_adapts_for_all_five_channels(tmp_path: Path):
    """The preview case above is not vacuous: it builds every channel's variant."""
    mods = modules(tmp_path, "preview", "release.md", "--json")
    for module in ("crosspost.channels.twitter", "crosspost.channels.instagram", "crosspost.channels.youtube",
                   "crosspost.channels.facebook", "crosspost._vendor.twitter_text"):
        assert module in mods


def test_the_module_list_is_every_command_module():
    """COMMAND_MODULES above follows the app: a new command module is checked too."""
    from crosspost.cli.lazy_group import MODULES

    assert COMMAND_MODULES == tuple(f"crosspost.cli.{m}" for m in MODULES)


def test_the_check_sees_a_heavy_import(tmp_path: Path):
    """The check itself can fail: a command that does load pydantic is caught."""
    assert _loaded({"pydantic", "pydantic.main", "typer"}, HEAVY["preview"]) == ["pydantic"]
    assert _loaded({"pydantic_settings"}, HEAVY["preview"]) == []
