"""`crosspost auth NAME --from-env` / `--token -`: credentials stored without a prompt, for a
sysadmin's script; no posting error after an Instagram token; where each platform's keys are.
Real processes, both languages."""

from __future__ import annotations

import subprocess
import sys

SECRET = "EAAG-rahasia-token-1234567890"


def channels(cli, extra: str) -> None:
    toml = cli.cwd / "channels.toml"
    toml.write_text(toml.read_text("utf-8") + extra, "utf-8")


def run(cli, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crosspost", *args], cwd=cli.cwd, env={**cli.env, **env},
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_from_env_stores_every_key_and_check_finds_them_without_the_variables(cli):
    channels(cli, '[channels.twitter]\ntype = "twitter"\n')
    keys = {f"CROSSPOST_TWITTER_{k}": f"nilai-{k.lower()}-rahasia" for k in
            ("API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET")}
    proc = run(cli, "--lang", "id", "auth", "twitter", "--from-env", **keys)
    assert proc.returncode == 0, proc.stderr
    assert "kredensial untuk 'twitter' telah disimpan" in proc.stdout
    assert not any(v in proc.stdout + proc.stderr for v in keys.values())
    proc = run(cli, "--lang", "en", "auth", "twitter", "--check", "--offline")  # no variables now
    assert proc.returncode == 0, proc.stdout
    assert "api_key: present" in proc.stdout and "access_token_secret: present" in proc.stdout


def test_from_env_names_the_missing_variables_and_stores_nothing(cli):
    channels(cli, '[channels.twitter]\ntype = "twitter"\n')
    proc = run(cli, "--lang", "id", "auth", "twitter", "--from-env", CROSSPOST_TWITTER_API_KEY="x")
    assert proc.returncode == 2
    assert "belum diisi: CROSSPOST_TWITTER_API_SECRET, CROSSPOST_TWITTER_ACCESS_TOKEN" in proc.stderr
    proc = run(cli, "--lang", "en", "auth", "twitter", "--from-env")
    assert proc.returncode == 2 and "not set: CROSSPOST_TWITTER_API_KEY" in proc.stderr
    assert "api_key: missing" in run(cli, "--lang", "en", "auth", "twitter", "--check").stdout


def test_token_from_stdin_for_a_one_key_channel(cli):
    channels(cli, '[channels.facebook]\ntype = "facebook"\npage_id = "1234"\n')
    proc = run(cli, "--lang", "en", "auth", "facebook", "--token", "-", stdin=SECRET + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "credentials for 'facebook' stored" in proc.stdout and SECRET not in proc.stdout + proc.stderr
    assert "page_access_token: present" in run(cli, "auth", "facebook", "--check", "--offline").stdout


def test_token_on_the_command_line_or_for_a_several_key_channel_is_refused(cli):
    channels(cli, '[channels.facebook]\ntype = "facebook"\npage_id = "1234"\n'
                  '[channels.twitter]\ntype = "twitter"\n')
    proc = run(cli, "--lang", "id", "auth", "facebook", "--token", SECRET)
    assert proc.returncode == 2 and "--token hanya menerima '-'" in proc.stderr
    proc = run(cli, "--lang", "en", "auth", "facebook", "--token", SECRET)
    assert proc.returncode == 2 and "shell history" in proc.stderr
    proc = run(cli, "--lang", "en", "auth", "twitter", "--token", "-", stdin="x\n")
    assert proc.returncode == 2 and "use --from-env with CROSSPOST_TWITTER_API_KEY" in proc.stderr
    proc = run(cli, "--lang", "en", "auth", "facebook", "--token", "-", stdin="\n")
    assert proc.returncode == 2 and "no token on stdin" in proc.stderr


def test_storing_an_instagram_token_says_stored_not_a_posting_error(cli):
    """The Graph token is stored before ig_user_id is set, or without network: no request is made
    and nothing speaks of a post or `crosspost retry`."""
    channels(cli, '[channels.ig]\ntype = "instagram"\ngraph_base = "http://127.0.0.1:9"\n')
    for lang, stored in (("id", "kredensial untuk 'ig' telah disimpan"),
                         ("en", "credentials for 'ig' stored")):
        proc = run(cli, "--lang", lang, "auth", "ig", "--token", "-", stdin=SECRET + "\n")
        assert proc.returncode == 0, proc.stderr
        assert stored in proc.stdout
        out = (proc.stdout + proc.stderr).lower().replace("crosspost auth", "")
        for word in ("crosspost retry", "posting", " post", "unggah", "error", "galat", "refused", "menolak"):
            assert word not in out, out


def test_auth_help_says_where_each_platforms_keys_are(cli):
    proc = run(cli, "--lang", "id", "auth", "--help", COLUMNS="200")
    out = " ".join(proc.stdout.split())
    assert "Tempat kunci-kunci itu didapat:" in out
    for where in ("Keys and tokens", "pages_manage_posts", "Meta Business Suite", "Kata Sandi Aplikasi",
                  "OAuth client ID, Desktop app"):
        assert where in out
    proc = run(cli, "--lang", "en", "auth", "--help", COLUMNS="200")
    out = " ".join(proc.stdout.split())
    assert "Where the keys are found:" in out and "Application Passwords" in out
    assert "--from-env" in out and "--token -" in out
