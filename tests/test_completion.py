"""Shell completion of release handles from the database's slugs, through typer's own completion
protocol (the environment variables its bash and zsh scripts set), in a real process."""

from __future__ import annotations

from conftest import REPO

EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"


def complete(cli, words: str, shell: str = "bash"):
    env = {**cli.env, "_CROSSPOST_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "crosspost"], cwd=cli.cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def test_release_handles_complete_from_the_log(cli):
    assert complete(cli, "crosspost status kem").stdout.strip() == ""  # no log yet: nothing, no error
    assert not (cli.cwd / "log.db").exists(), "completion must never create the database"
    assert cli("publish", str(EXAMPLE), "-c", "website").returncode == 0
    slug = cli.json("status")[1][0]["release"]
    for command in ("status", "show", "approve", "reject", "correct", "cancel"):
        proc = complete(cli, f"crosspost {command} kemensos-res")
        assert proc.returncode == 0 and proc.stdout.split() == [slug], (command, proc.stdout, proc.stderr)
    assert complete(cli, "crosspost log --release kem").stdout.split() == [slug]
    assert complete(cli, "crosspost status 1").stdout.split() == ["1"]
    assert complete(cli, "crosspost status zzz").stdout.strip() == ""
    zsh = complete(cli, "crosspost show kem", shell="zsh").stdout
    assert slug in zsh and "#1 Kemensos Resmikan" in zsh  # the title as the help of each item


def test_install_completion_speaks_the_chosen_language(cli, tmp_path):
    """typer prints its two lines in English (typer/completion.py install_callback): ours are
    translated. HOME is a temporary folder, so nothing of the machine's shell is touched."""
    import subprocess
    import sys

    for lang, installed in (("id", "pelengkapan otomatis bash dipasang di"),
                            ("en", "bash completion installed in")):
        home = tmp_path / f"home-{lang}"
        home.mkdir()
        env = {**cli.env, "HOME": str(home), "SHELL": "/bin/bash"}
        # typer finds the shell among the parent processes (shellingham): run it from a bash, which
        # stays the parent (`; true` keeps bash from exec'ing the command in its place)
        line = f"'{sys.executable}' -m crosspost --lang {lang} --install-completion; true"
        proc = subprocess.run(["bash", "-c", line], cwd=cli.cwd, env=env, capture_output=True, text=True,
                              timeout=60)
        assert installed in proc.stdout, proc.stdout + proc.stderr and str(home) in proc.stdout
        assert (home / ".bashrc").exists()
