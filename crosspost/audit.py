"""The audit trail: a hash chain over the event log, its verification, and the audit export.

Every event row carries ``hash = sha256(previous_hash + "\\n" + canonical_json(event))`` where
the canonical JSON holds at, delivery_id, release_id, from_status, to_status, detail and actor
(sorted keys, no spaces, UTF-8). The store computes it inside the transaction that appends the
event, so the chain is one line across every process. Editing, inserting or deleting a row in
the middle breaks the chain at that row; rewriting the whole tail consistently is only caught
against a head hash written down elsewhere (``audit --verify --head HASH``), and so is cutting
off the newest events. Events written before schema version 3 have no hash: the chain starts
at the first hashed event, and a missing hash after that point counts as tampering.

The export (JSON lines or CSV) answers records-retention and public-information requests: per
release, who drafted, approved, rejected, paused and corrected it, the exact text sent to each
platform, each platform's answer, and the hashes of the events behind every line.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Store

GENESIS = ""  # the "previous hash" of the first hashed event


# -- the chain ---------------------------------------------------------------------------------
def canonical_event(*, at: float, delivery_id: int | None, release_id: int | None, from_status: str | None,
                    to_status: str | None, detail: str | None, actor: str | None) -> str:
    """The exact bytes hashed for one event (numbers normalised as SQLite gives them back)."""
    return json.dumps({"at": float(at), "delivery_id": None if delivery_id is None else int(delivery_id),
                       "release_id": None if release_id is None else int(release_id),
                       "from_status": from_status, "to_status": to_status, "detail": detail,
                       "actor": actor}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev: str | None, **event: Any) -> str:
    """sha256 over the previous event's hash and this event's canonical JSON."""
    payload = f"{prev or GENESIS}\n{canonical_event(**event)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def row_hash(prev: str | None, row: Any) -> str:
    """The hash an events row should carry, from its stored columns."""
    return event_hash(prev, at=row["at"], delivery_id=row["delivery_id"], release_id=row["release_id"],
                      from_status=row["from_status"], to_status=row["to_status"], detail=row["detail"],
                      actor=row["actor"])


@lru_cache(maxsize=1)
def os_user() -> str:
    """The OS account of this process: the default actor of an event (may be a service account)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of recomputing the chain."""

    ok: bool
    events: int  # hashed events checked
    legacy: int  # events from before the chain started (no hash, schema < 3)
    head: str | None  # hash of the newest event
    bad_event: int | None = None  # id of the first event that does not match
    problem: str = ""

    def message(self) -> str:
        if not self.ok:
            return f"TAMPERED: {self.problem}"
        text = f"ok, {self.events} events"
        if self.legacy:
            text += f" ({self.legacy} older events from before the chain started are not covered)"
        if self.head:
            text += f"; head {self.head} (note it down: a later check with --head proves nothing was " \
                    "cut off or rewritten since)"
        return text


def verify_chain(rows: Iterable[Any], expect_head: str | None = None) -> ChainCheck:
    """Recompute the chain over events rows in id order; stop at the first mismatch."""
    prev: str | None = None  # None until the chain starts
    prev_id: int | None = None
    checked = legacy = 0
    seen_head = expect_head is None
    for row in rows:
        rid = row["id"]
        if prev is None and row["hash"] is None:
            legacy += 1
            prev_id = rid
            continue
        if row["hash"] is None:
            return ChainCheck(False, checked, legacy, prev, rid,
                              f"event #{rid} has no hash: it was written or altered outside crosspost")
        if prev_id is not None and rid != prev_id + 1 and prev is not None:
            gap = f"#{prev_id + 1}" if rid == prev_id + 2 else f"#{prev_id + 1}..#{rid - 1}"
            return ChainCheck(False, checked, legacy, prev, rid,
                              f"event(s) {gap} are missing before event #{rid}: rows were deleted")
        if row_hash(prev or GENESIS, row) != row["hash"]:
            return ChainCheck(False, checked, legacy, prev, rid,
                              f"event #{rid} does not match its hash: it (or the one before it) was edited, "
                              "or rows were inserted or deleted before it")
        prev, prev_id = row["hash"], rid
        checked += 1
        if not seen_head and prev == expect_head:
            seen_head = True
    if not seen_head:
        return ChainCheck(False, checked, legacy, prev, None,
                          f"the head {expect_head} you noted is not in the chain: events were cut off "
                          "or the log was rewritten since")
    return ChainCheck(True, checked, legacy, prev)


def verify(store: Store, expect_head: str | None = None) -> ChainCheck:
    """Recompute the whole chain in the database (streamed: fine on millions of events)."""
    with closing(store.audit_chain_rows()) as rows:  # releases the store's lock on an early stop
        return verify_chain(rows, expect_head)


# -- the export --------------------------------------------------------------------------------
def _iso(ts: float | None, tz: tzinfo) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")


def _loads(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _event_out(e: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    return {"id": e["id"], "at": _iso(e["at"], tz), "ts": e["at"], "channel": e.get("channel"),
            "delivery_id": e["delivery_id"], "release_id": e["release_id"], "from": e["from_status"],
            "to": e["to_status"], "detail": e["detail"], "actor": e["actor"], "hash": e["hash"],
            "prev_hash": e.get("prev_hash")}


def _overlaps(p: dict[str, Any], start: float, end: float) -> bool:
    stop = p["lifted_at"] if p["lifted_at"] is not None else p["until"]
    return p["at"] < end and (stop is None or stop >= start)


def _pause_out(p: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    return {"id": p["id"], "reason": p["reason"], "by": p["actor"], "at": _iso(p["at"], tz),
            "until": _iso(p["until"], tz), "lifted_at": _iso(p["lifted_at"], tz), "lifted_by": p["lifted_by"]}


def records(store: Store, start: float, end: float, tz: tzinfo) -> Iterator[dict[str, Any]]:
    """One record per release touched in [start, end), then office-wide pauses and events, then
    a closing ``chain`` record with the head hash. Plain dicts, ready for JSON."""
    releases = store.audit_releases(start, end)
    ids = [r["id"] for r in releases]
    deliveries = store.audit_deliveries(ids)
    events = store.audit_events(release_ids=ids)
    approvals = store.audit_approvals(ids)
    pauses = store.audit_pauses()
    slugs = store.audit_slugs([r["corrects"] for r in releases if r["corrects"]])
    corrected_by = store.audit_corrections(ids)
    by_release: dict[int, dict[str, list]] = {i: {"d": [], "e": [], "a": []} for i in ids}
    for d in deliveries:
        by_release[d["release_id"]]["d"].append(d)
    for e in events:
        by_release[e["release_id"]]["e"].append(e)
    for a in approvals:
        by_release[a["release_id"]]["a"].append(a)
    for r in releases:
        got = by_release[r["id"]]
        evs = got["e"]
        first = evs[0] if evs else None
        span = (evs[0]["at"], evs[-1]["at"]) if evs else (r["created_at"], r["updated_at"])
        yield {
            "type": "release", "release": r["slug"], "title": r["title"], "section": r["section"],
            "content_hash": r["content_hash"], "created_at": _iso(r["created_at"], tz),
            "updated_at": _iso(r["updated_at"], tz), "embargo": _iso(r["embargo"], tz),
            "drafted": {"source": r["source"] or None, "by": first["actor"] if first else None,
                        "at": _iso(first["at"], tz) if first else _iso(r["created_at"], tz)},
            "approvals": [{"decision": a["decision"], "by": a["actor"], "at": _iso(a["at"], tz),
                           "note": a["note"], "content_hash": a["content_hash"],
                           "variants": _loads(a["variants_json"])} for a in got["a"]],
            "paused": [_pause_out(p, tz) for p in pauses if _overlaps(p, *span)],
            "corrects": slugs.get(r["corrects"]) if r["corrects"] else None,
            "corrected_by": corrected_by.get(r["id"], []),
            "deliveries": [{
                "id": d["id"], "channel": d["channel"], "kind": d["kind"], "status": d["status"],
                "attempts": d["attempts"], "queued_at": _iso(d["queued_at"], tz),
                "scheduled_at": _iso(d["scheduled_at"], tz), "sent_at": _iso(d["sent_at"], tz),
                "sent": _loads(d["variant_json"]), "remote_id": d["remote_id"], "url": d["url"],
                "error_kind": d["error_kind"], "last_error": d["last_error"],
                "receipt": _loads(d["receipt_json"]),
                "event_hashes": [e["hash"] for e in evs if e["delivery_id"] == d["id"]],
            } for d in got["d"]],
            "events": [_event_out(e, tz) for e in evs],
            "event_hashes": [e["hash"] for e in evs],
        }
    for p in pauses:
        if _overlaps(p, start, end):
            yield {"type": "pause", **_pause_out(p, tz)}
    for e in store.audit_events(office_between=(start, end)):
        yield {"type": "office_event", **_event_out(e, tz)}
    yield {"type": "chain", "releases": len(releases), "head": store.audit_chain_head(),
           "from": _iso(start, tz), "to": _iso(end, tz),
           "verify": "crosspost audit --verify recomputes every hash in the database"}


CSV_COLUMNS = ["release", "title", "section", "source", "drafted_by", "drafted_at", "approved_by",
               "approved_at", "rejected_by", "paused", "corrects", "corrected_by", "channel", "status",
               "attempts", "queued_at", "sent_at", "text_sent", "variant_json", "remote_id", "url",
               "error_kind", "last_error", "receipt_json", "event_ids", "event_hashes"]


def _csv_rows(recs: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """One row per delivery (a release without deliveries still gets one row)."""
    for rec in recs:
        if rec["type"] != "release":
            continue
        approved = [a for a in rec["approvals"] if a["decision"] == "approved"]
        rejected = [a for a in rec["approvals"] if a["decision"] == "rejected"]
        head = [rec["release"], rec["title"], rec["section"], rec["drafted"]["source"], rec["drafted"]["by"],
                rec["drafted"]["at"], "; ".join(a["by"] for a in approved),
                "; ".join(a["at"] for a in approved), "; ".join(a["by"] for a in rejected),
                "; ".join(f"{p['at']} {p['by']}: {p['reason']}" for p in rec["paused"]),
                rec["corrects"] or "", "; ".join(rec["corrected_by"])]
        evs = rec["events"]
        for d in rec["deliveries"] or [None]:
            if d is None:
                mine = evs
                tail = [""] * 12
            else:
                mine = [e for e in evs if e["delivery_id"] == d["id"]]
                sent = d["sent"] if isinstance(d["sent"], dict) else {}
                tail = [d["channel"], d["status"], d["attempts"], d["queued_at"], d["sent_at"] or "",
                        sent.get("text", ""), json.dumps(d["sent"], ensure_ascii=False),
                        d["remote_id"] or "", d["url"] or "", d["error_kind"] or "", d["last_error"] or "",
                        json.dumps(d["receipt"], ensure_ascii=False) if d["receipt"] is not None else ""]
            yield head + tail + [" ".join(str(e["id"]) for e in mine),
                                 " ".join(e["hash"] or "" for e in mine)]


def write(recs: Iterable[dict[str, Any]], fmt: str, out: io.TextIOBase) -> int:
    """Write records as ``jsonl`` or ``csv``; returns how many releases were written."""
    count = 0
    if fmt == "jsonl":
        for rec in recs:
            count += rec["type"] == "release"
            out.write(json.dumps(rec, ensure_ascii=False, sort_keys=False) + "\n")
        return count
    if fmt == "csv":
        from .hygiene import csv_cell

        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        rows = list(recs)
        for row in _csv_rows(rows):
            writer.writerow([csv_cell(c) for c in row])  # no live formulas in a spreadsheet (issue 11)
        return sum(r["type"] == "release" for r in rows)
    raise ValueError(f"unknown audit format {fmt}")
