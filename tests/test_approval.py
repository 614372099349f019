"""Approval through the real CLI on a real SQLite file, with fake channels that count their posts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from crosspost.channels.fake import read_posts

SLUG = "uji-persetujuan-rilis"


def setup(cli, approval: str = "[approval]\nrequired = true\napprovers = [\"Rina Kasubbag\"]\n",
          b_extra: str = "") -> None:
    (cli.cwd / "channels.toml").write_text(
        f'database = "log.db"\n{approval}'
        '[channels.a]\ntype = "fake"\n'
        f'[channels.b]\ntype = "fake"\n{b_extra}', encoding="utf-8")


def release(cli, body: str = "Isi rilis yang pertama.") -> Path:
    path = cli.cwd / "rilis.md"
    path.write_text(f'---\ntitle: "Uji Persetujuan Rilis"\ndate: 2026-11-20T09:00:00+07:00\n---\n{body}\n',
                    encoding="utf-8")
    return path


def posts(cli) -> list[dict]:
    return read_posts(cli.cwd / "fake-posts.jsonl")


def db(cli) -> sqlite3.Connection:
    conn = sqlite3.connect(cli.cwd / "log.db")
    conn.row_factory = sqlite3.Row
    return conn


def statuses(cli) -> dict[str, str]:
    return {r["channel"]: r["status"] for r in db(cli).execute("SELECT channel, status FROM deliveries")}


def test_publish_waits_for_approval_then_approve_sends_with_the_approver_logged(cli):
    setup(cli)
    path = release(cli)
    proc = cli("publish", str(path))
    assert proc.returncode == 0, proc.stderr
    assert statuses(cli) == {"a": "awaiting_approval", "b": "awaiting_approval"}
    assert posts(cli) == []
    assert "Rina Kasubbag" in proc.stdout  # who must approve
    assert f"crosspost approve {SLUG} --by NAME" in proc.stdout
    assert cli("run").returncode == 4 and posts(cli) == [], "run never sends what awaits approval"

    proc = cli("approve", SLUG, "--by", "rina kasubbag", "--note", "sudah dicek")
    assert proc.returncode == 0, proc.stderr
    assert "approved by Rina Kasubbag" in proc.stdout
    assert statuses(cli) == {"a": "sent", "b": "sent"}
    assert len(posts(cli)) == 2

    conn = db(cli)
    [row] = conn.execute("SELECT a.*, r.content_hash AS current FROM approvals a "
                         "JOIN releases r ON r.id = a.release_id").fetchall()
    assert (row["decision"], row["actor"], row["note"]) == ("approved", "Rina Kasubbag", "sudah dicek")
    assert row["content_hash"] == row["current"] and len(row["content_hash"]) == 64
    approved = json.loads(row["variants_json"])
    assert sorted(v["channel"] for v in approved) == ["a", "b"]
    assert all("Isi rilis yang pertama." in v["text"] for v in approved), "the exact text approved"
    code, events = cli.json("log", "--release", SLUG)
    approvals = [e for e in events if e["to_status"] == "queued" and e["from_status"] == "awaiting_approval"]
    assert len(approvals) == 2
    assert all(e["actor"] == "Rina Kasubbag" for e in approvals)
    assert all("approved by Rina Kasubbag" in e["detail"] for e in approvals)


def test_only_approvers_may_approve_and_a_stale_hash_is_refused(cli):
    setup(cli)
    cli("publish", str(release(cli)))
    proc = cli("approve", SLUG, "--by", "Budi")
    assert proc.returncode == 2 and "not an approver" in proc.stderr
    proc = cli("approve", SLUG, "--by", "Rina Kasubbag", "--hash", "0000000000")
    assert proc.returncode == 2 and "changed since you looked at it" in proc.stderr
    assert posts(cli) == [] and set(statuses(cli).values()) == {"awaiting_approval"}
    digest = db(cli).execute("SELECT content_hash FROM releases").fetchone()[0]
    assert cli("approve", SLUG, "--by", "Rina Kasubbag", "--hash", digest[:12]).returncode == 0
    assert len(posts(cli)) == 2
    proc = cli("approve", SLUG, "--by", "Rina Kasubbag")
    assert proc.returncode == 2 and "awaits approval" in proc.stderr


def test_per_channel_approval_holds_only_that_channel(cli):
    setup(cli, approval="", b_extra="require_approval = true\n")
    proc = cli("publish", str(release(cli)))
    assert proc.returncode == 0, proc.stderr
    assert statuses(cli) == {"a": "sent", "b": "awaiting_approval"}
    assert [p["marker"] for p in posts(cli)] == [f"{SLUG}@a"]
    assert "awaiting approval (b)" in proc.stdout


def test_reject_cancels_and_retry_cannot_bring_it_back(cli):
    setup(cli)
    path = release(cli)
    cli("publish", str(path))
    proc = cli("reject", SLUG, "--by", "Rina Kasubbag", "--reason", "angka penerima belum final")
    assert proc.returncode == 0, proc.stderr
    assert statuses(cli) == {"a": "cancelled", "b": "cancelled"}
    conn = db(cli)
    row = conn.execute("SELECT decision, actor, note FROM approvals").fetchone()
    assert tuple(row) == ("rejected", "Rina Kasubbag", "angka penerima belum final")
    delivery_id = conn.execute("SELECT id FROM deliveries WHERE channel = 'a'").fetchone()[0]
    proc = cli("retry", str(delivery_id))
    assert proc.returncode == 2 and "rejected" in proc.stderr
    assert cli("run").returncode == 4
    # publishing the same text again does not slip past the rejection
    proc = cli("publish", str(path))
    assert "angka penerima belum final" in proc.stdout and statuses(cli)["a"] == "cancelled"
    assert posts(cli) == []
    # an edited release asks for approval again
    cli("publish", str(release(cli, "Isi rilis dengan angka final.")))
    assert statuses(cli) == {"a": "awaiting_approval", "b": "awaiting_approval"}
    assert posts(cli) == []


def test_release_edited_after_approval_needs_approval_again(cli):
    setup(cli)
    path = release(cli)
    assert cli("publish", str(path), "--at", "2030-01-01 09:00").returncode == 0
    assert cli("approve", SLUG, "--by", "Rina Kasubbag").returncode == 0
    assert statuses(cli) == {"a": "queued", "b": "queued"}, "approved, waiting for its scheduled time"
    assert cli("publish", str(path), "--at", "2030-01-01 09:00").returncode == 0
    assert statuses(cli) == {"a": "queued", "b": "queued"}, "unchanged: the approval still holds"

    proc = cli("publish", str(release(cli, "Isi rilis yang sudah diubah.")), "--at", "2030-01-01 09:00")
    assert proc.returncode == 0, proc.stderr
    assert "need approval again" in proc.stdout
    assert statuses(cli) == {"a": "awaiting_approval", "b": "awaiting_approval"}
    texts = [json.loads(r[0])["text"] for r in db(cli).execute("SELECT variant_json FROM deliveries")]
    assert all("sudah diubah" in t for t in texts), "the new version is what awaits approval"
    assert cli("approve", SLUG, "--by", "Rina Kasubbag").returncode == 0
    hashes = [r[0] for r in db(cli).execute("SELECT content_hash FROM approvals ORDER BY id")]
    assert len(hashes) == 2 and hashes[0] != hashes[1]
    assert posts(cli) == []


def test_cancel_and_retry_cannot_skip_approval(cli):
    setup(cli)
    cli("publish", str(release(cli)))
    assert cli("cancel", "1").returncode == 0
    assert statuses(cli)["a"] == "cancelled"
    assert cli("retry", "1").returncode == 0
    assert statuses(cli) == {"a": "awaiting_approval", "b": "awaiting_approval"}
    assert cli("run").returncode == 4 and posts(cli) == []
