"""The event-hash primitives: how one event row is hashed into the chain.

Below the store (which writes the hash inside the transaction that appends the event) and
below ``crosspost.audit`` (which verifies and exports the chain), so neither imports the other
through a back door: store -> chain, audit -> store + chain.

Every event row carries ``hash = sha256(previous_hash + "\\n" + canonical_json(event))`` where
the canonical JSON holds at, delivery_id, release_id, from_status, to_status, detail and actor
(sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import getpass
import hashlib
import json
from functools import lru_cache
from typing import Any

GENESIS = ""  # the "previous hash" of the first hashed event


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
