"""The audit trail: a hash chain over the event log, its verification, and the audit export.

Every event row carries ``hash = sha256(previous_hash + "\\n" + canonical_json(event))`` where
the canonical JSON holds at, delivery_id, release_id, from_status, to_status, detail and actor
(sorted keys, no spaces, UTF-8). The store computes it inside the transaction that appends the
event, so the chain is one line across every process. Editing, inserting or deleting a row in
the middle breaks the chain at that row; rewriting the whole tail consistently is only caught
against a head hash written down elsewhere (``audit --verify --head HASH``), and so is cutting
off the newest events. A missing or NULL hash is tampering, and so is a gap in the ids from #1
on (the first deleted event is named). Events written before schema version 3 had no hash: the
upgrade to schema 5 hashed them (so they are covered only for edits made after it) and
recorded in the ``meta`` table where the chain written at the time starts again. From schema 5
on the chain also covers approvals, pauses and the exact text of every delivery: each event
carries the digests of the rows it is about (see ``crosspost.chain``), the upgrade's anchor
event those already in the log, and the check says from which event on that holds.

The export (JSON lines or CSV) answers records-retention and public-information requests: per
release, who drafted, approved, rejected, paused and corrected it, the exact text sent to each
platform, each platform's answer, and the hashes of the events behind every line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from .chain import GENESIS, canonical_event, event_hash, os_user, row_hash
from .i18n import _
from .store import Store

__all__ = ["GENESIS", "ChainCheck", "canonical_event", "event_hash", "os_user", "records", "row_hash",
           "verify", "verify_chain", "write"]


# -- the chain ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainCheck:
    """The outcome of recomputing the chain."""

    ok: bool
    events: int  # hashed events checked
    legacy: int  # events written before the chain existed, hashed only when the log was upgraded
    head: str | None  # hash of the newest event
    bad_event: int | None = None  # id of the first event that does not match
    problem: str = ""
    covers_from: int | None = None  # approvals, pauses and delivery texts are covered from this event on

    def message(self) -> str:
        if not self.ok:
            return _("TAMPERED: {problem}").format(problem=self.problem)
        text = _("ok, {n} events").format(n=self.events)
        if self.legacy:
            text += _(" ({n} older events from before the chain started were hashed only when the log was "
                      "upgraded: they are not covered for edits made before that)").format(n=self.legacy)
        if self.covers_from is not None:
            text += _("; approvals, pauses and the exact text of every delivery are covered from event "
                      "#{id} on").format(id=self.covers_from)
        if self.head:
            text += _("; head {head} (note it down: a later check with --head proves nothing was cut off or "
                      "rewritten since)").format(head=self.head)
        return text


def verify_chain(rows: Iterable[Any], expect_head: str | None = None, meta: dict[str, str] | None = None,
                 covered: Iterable[tuple[str, int, str]] = ()) -> ChainCheck:
    """Recompute the chain over events rows in id order; stop at the first mismatch. ``meta`` is
    the log's record of where the chain starts (schema 5); ``covered`` the approvals, pauses and
    delivery texts as they are now, each checked against the digest the latest event gave it."""
    meta = meta if meta is not None else {}
    restart = int(meta["chain_restart_at"]) if meta.get("chain_restart_at") else None
    legacy = int(meta.get("legacy_through") or 0)
    covers = int(meta["covers_from"]) if meta.get("covers_from") else None
    prev: str = GENESIS
    expected = 1  # ids start at 1: a gap anywhere, the start included, is a deletion
    checked = 0
    seen_head = expect_head is None
    digests: dict[str, dict[str, tuple[str, int]]] = {"approvals": {}, "pauses": {}, "variants": {}}

    def bad(rid: int | None, problem: str) -> ChainCheck:
        return ChainCheck(False, checked, legacy, prev or None, rid, problem, covers)

    if not meta:
        return bad(None, _("the log's record of where its chain starts (the meta table) is missing: it was "
                           "deleted outside crosspost"))
    for row in rows:
        rid = row["id"]
        if rid != expected:
            gap = f"#{expected}" if rid == expected + 1 else f"#{expected}..#{rid - 1}"
            return bad(rid, _("event(s) {gap} are missing before event #{id}: rows were deleted").format(
                gap=gap, id=rid))
        expected = rid + 1
        if row["hash"] is None:
            return bad(rid, _("event #{id} has no hash: it was written or altered outside crosspost").format(
                id=rid))
        if restart is not None and rid == restart:
            prev = GENESIS  # the chain written at the time starts here; the older events were hashed later
        if row_hash(prev, row) != row["hash"]:
            return bad(rid, _("event #{id} does not match its hash: it (or the one before it) was edited, or "
                              "rows were inserted or deleted before it").format(id=rid))
        payload = row["payload"] if "payload" in row.keys() else None
        if payload:
            try:
                for kind, items in json.loads(payload).items():
                    for key, digest in items.items():
                        digests.setdefault(kind, {})[key] = (digest, rid)
            except (ValueError, AttributeError):
                return bad(rid, _("event #{id} has an unreadable payload").format(id=rid))
        prev = row["hash"]
        checked += 1
        if not seen_head and prev == expect_head:
            seen_head = True
    if not seen_head:
        return bad(None, _("the head {head} you noted is not in the chain: events were cut off or the log "
                           "was rewritten since").format(head=expect_head))
    names = {"approvals": _("approval"), "pauses": _("pause"), "variants": _("the text of delivery")}
    seen: dict[str, set[str]] = {k: set() for k in digests}
    for kind, ident, digest in covered:
        key = str(ident)
        seen.setdefault(kind, set()).add(key)
        recorded = digests.get(kind, {}).get(key)
        if recorded is None:
            return bad(None, _("{what} #{id} is not in the chain: it was written outside crosspost").format(
                what=names.get(kind, kind), id=ident))
        if recorded[0] != digest:
            return bad(recorded[1], _("{what} #{id} was changed after event #{event} recorded it").format(
                what=names.get(kind, kind), id=ident, event=recorded[1]))
    for kind, items in digests.items():
        for key, (_digest, rid) in items.items():
            if key not in seen.get(kind, set()):
                return bad(rid, _("{what} #{id}, recorded by event #{event}, was deleted").format(
                    what=names.get(kind, kind), id=key, event=rid))
    return ChainCheck(True, checked, legacy, prev or None, covers_from=covers)


def verify(store: Store, expect_head: str | None = None) -> ChainCheck:
    """Recompute the whole chain in the database (streamed: fine on millions of events), then
    check the approvals, pauses and delivery texts against the digests the chain holds."""
    meta = store.meta()
    # closing() releases the store's lock on an early stop
    with closing(store.audit_chain_rows()) as rows, closing(store.audit_covered_rows()) as covered:
        return verify_chain(rows, expect_head, meta, covered)


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
            "payload": e.get("payload"),
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
    inbox = store.inbox_counts(ids)  # the public's replies as counts only: never who wrote them (UU 27/2022)
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
            "inbox": inbox.get(r["id"], {"replies": 0, "handled": 0}),
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
           "verify": _('crosspost audit --verify recomputes every hash in the database')}


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
    raise ValueError(_('unknown audit format {fmt}').format(fmt=fmt))
