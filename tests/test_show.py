"""`crosspost show RELEASE`: the stored release (what `approve` sends), its variants, hash and history;
`publish` with approval on writes the approval page itself. Real processes, both languages."""

from __future__ import annotations

import sqlite3

from conftest import REPO

EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"


def approval_on(cli) -> None:
    text = (cli.cwd / "channels.toml").read_text(encoding="utf-8")
    (cli.cwd / "channels.toml").write_text(text.replace('database = "log.db"\n', 'database = "log.db"\n'
                                                        '[approval]\nrequired = true\n'), encoding="utf-8")


def english(cli) -> None:
    cli.env.update(LANG="C.UTF-8")


def test_publish_with_approval_writes_the_page_and_show_prints_what_approve_sends(cli):
    approval_on(cli)
    release = cli.cwd / "rilis.md"
    release.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    import shutil

    shutil.copytree(REPO / "examples" / "img", cli.cwd / "img")
    proc = cli("--lang", "id", "publish", "rilis.md")
    assert proc.returncode == 0, proc.stderr
    page = cli.cwd / "rilis-persetujuan.html"
    assert f"halaman persetujuan (kirimkan kepada pemberi persetujuan): {page}" in proc.stdout
    assert "Lumbung Sosial" in page.read_text(encoding="utf-8")

    # the file changes after publish: show still prints what was stored, which approve sends
    edited = release.read_text(encoding="utf-8").replace("25 lumbung", "99 lumbung")
    release.write_text(edited, encoding="utf-8")
    proc = cli("--lang", "id", "show", "1")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    db = sqlite3.connect(cli.cwd / "log.db")
    stored_hash = db.execute("SELECT content_hash FROM releases").fetchone()[0]
    assert f"hash isi: {stored_hash}" in out
    assert "25 lumbung sosial baru" in out and "99 lumbung" not in out
    assert "── website (website) · menunggu persetujuan" in out
    assert "Riwayat" in out and "∅ → menunggu persetujuan" in out
    assert "History" not in out and "content hash" not in out

    code, doc = cli.json("show", "1")
    assert code == 0 and doc["release"]["content_hash"] == stored_hash
    assert [v["channel"] for v in doc["variants"]] == ["website"]
    assert "25 lumbung" in doc["variants"][0]["text"]
    assert doc["events"][0]["to_status"] == "awaiting_approval"

    english(cli)
    proc = cli("show", "kemensos-resmikan", "--html", "lihat.html")
    assert proc.returncode == 0, proc.stderr
    assert f"content hash: {stored_hash} (approve with --hash {stored_hash[:12]})" in proc.stdout
    assert "History" in proc.stdout and "awaiting approval" in proc.stdout
    assert "approval page:" in proc.stderr and (cli.cwd / "lihat.html").exists()

    assert cli("approve", "1", "--by", "Rina", "--hash", stored_hash[:12]).returncode == 0
    proc = cli("show", "1")
    assert "approved by Rina" in proc.stdout and "sent: https://www.kemensos.go.id/" in proc.stdout


def test_show_of_an_unknown_release_in_both_languages(cli):
    proc = cli("--lang", "id", "show", "tidak-ada")
    assert proc.returncode == 2 and "tidak-ada" in proc.stderr and "rilis" in proc.stderr
    english(cli)
    proc = cli("show", "tidak-ada")
    assert proc.returncode == 2 and "release" in proc.stderr
