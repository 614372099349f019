"""The event-hash primitives: how one event row is hashed into the chain.

Below the store (which writes the hash inside the transaction that appends the event) and
below ``crosspost.audit`` (which verifies and exports the chain), so neither imports the other
through a back door: store -> chain, audit -> store + chain.

Every event row carries ``hash = sha256(previous_hash + "\\n" + canonical_json(event))`` where
the canonical JSON holds at, delivery_id, release_id, from_status, to_status, detail and actor
(sorted keys, no spaces, UTF-8), plus -- from schema 5 on, when the event has one -- its
``payload``: the sha256 digests of the rows the event is about, so what the chain covers is not
only the event log but also the approvals table (who approved what, with which texts), the
pauses table, and the exact text (variant JSON) of every delivery:

    {"approvals": {"<id>": sha256}, "pauses": {"<id>": sha256}, "variants": {"<delivery id>": sha256}}

The latest event naming a row holds the digest that row must still have.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import math
from functools import lru_cache
from json.encoder import encode_basestring  # json's own, for ensure_ascii=False
from typing import Any

GENESIS = ""  # the "previous hash" of the first hashed event


# One encoder for every hash: json.dumps with these options builds a new JSONEncoder per call (its
# own code, json/__init__.py), and the engine hashes two events per delivery. Same output.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(value: Any) -> str:
    return _CANONICAL.encode(value)


def canonical_event(*, at: float, delivery_id: int | None, release_id: int | None, from_status: str | None,
                    to_status: str | None, detail: str | None, actor: str | None,
                    payload: str | None = None) -> str:
    """The exact bytes hashed for one event (numbers normalised as SQLite gives them back). An
    event without a payload hashes exactly as before schema 5, so older hashes stay valid."""
    at = float(at)
    delivery = None if delivery_id is None else int(delivery_id)
    release = None if release_id is None else int(release_id)
    texts = (actor, detail, from_status, payload, to_status)
    if math.isfinite(at) and all(t is None or type(t) is str for t in texts):
        # _canonical(body) written out (the engine hashes two events a delivery): its keys in
        # sorted order, each value as json's C encoder writes it (repr for a finite float and an
        # int, encode_basestring -- json's own, for ensure_ascii=False -- for a string).
        # tests/test_chain_canonical.py compares the two on generated events.
        head = (f'{{"actor":{_json_text(actor)},"at":{at!r},"delivery_id":{_json_int(delivery)},'
                f'"detail":{_json_text(detail)},"from_status":{_json_text(from_status)}')
        tail = f'"release_id":{_json_int(release)},"to_status":{_json_text(to_status)}}}'
        if payload is None:
            return f"{head},{tail}"
        return f'{head},"payload":{encode_basestring(payload)},{tail}'
    body = {"at": at, "delivery_id": delivery, "release_id": release,
            "from_status": from_status, "to_status": to_status, "detail": detail, "actor": actor}
    if payload is not None:
        body["payload"] = payload
    return _canonical(body)


def _json_text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _json_int(value: int | None) -> str:
    return "null" if value is None else repr(value)


_HEX = frozenset("0123456789abcdef")


def payload_json(payload: dict[str, dict[str, str]] | None) -> str | None:
    """The stored (and hashed) form of an event's payload."""
    if not payload:
        return None
    if len(payload) == 1:  # the usual one: {"variants": {"<delivery id>": "<sha256>"}}, written out
        inner = payload.get("variants")
        if type(inner) is dict and len(inner) == 1:
            ((key, digest),) = inner.items()
            if (type(key) is str and key.isascii() and key.isdigit() and type(digest) is str
                    and _HEX.issuperset(digest)):
                return f'{{"variants":{{"{key}":"{digest}"}}}}'  # nothing json would escape
    return _canonical(payload)


def text_digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def approval_digest(row: Any) -> str:
    """Digest of an approvals row: decision, who, when, note, content hash and the exact texts."""
    return text_digest(_canonical({k: row[k] for k in ("id", "release_id", "content_hash", "decision",
                                                       "actor", "note", "at", "variants_json")}))


def pause_digest(row: Any) -> str:
    """Digest of a pauses row: reason, who, when, until, and who lifted it when."""
    return text_digest(_canonical({k: row[k] for k in ("id", "reason", "actor", "at", "until", "lifted_at",
                                                       "lifted_by")}))


def event_hash(prev: str | None, **event: Any) -> str:
    """sha256 over the previous event's hash and this event's canonical JSON."""
    payload = f"{prev or GENESIS}\n{canonical_event(**event)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def row_hash(prev: str | None, row: Any) -> str:
    """The hash an events row should carry, from its stored columns."""
    keys = row.keys()
    return event_hash(prev, at=row["at"], delivery_id=row["delivery_id"], release_id=row["release_id"],
                      from_status=row["from_status"], to_status=row["to_status"], detail=row["detail"],
                      actor=row["actor"], payload=row["payload"] if "payload" in keys else None)


_PERSON: list[str] = []  # who this process acts for, when a command said so (set_person)


def set_person(name: str | None) -> None:
    """Record every later event of this process as done by ``name`` (the CLI's --by, CROSSPOST_USER
    or [office] operator), instead of the OS account that cron or a shared login runs under."""
    _PERSON[:] = [name] if name else []


def os_user() -> str:
    """The default actor of an event: the person set for this process, else the OS account (which
    may be a service account)."""
    return _PERSON[0] if _PERSON else _login()


@lru_cache(maxsize=1)
def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"
