"""The event hash's canonical JSON, written out for speed (crosspost.chain), must be exactly
json.dumps(sort_keys, no spaces, ensure_ascii=False) of the same event: a single byte apart and
every hash of every existing log stops verifying."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from crosspost.chain import canonical_event, payload_json

texts = st.none() | st.text() | st.sampled_from(['"', "\\", "\n", "\u2028", "é", "\x00", "🙂", "\ud800"])
ids = st.none() | st.integers(-(2**63), 2**63) | st.booleans()


def reference(**event) -> str:
    body = {"at": float(event["at"]), "delivery_id": None if event["delivery_id"] is None
            else int(event["delivery_id"]), "release_id": None if event["release_id"] is None
            else int(event["release_id"]), "from_status": event["from_status"],
            "to_status": event["to_status"], "detail": event["detail"], "actor": event["actor"]}
    if event.get("payload") is not None:
        body["payload"] = event["payload"]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@given(at=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**12, 10**12),
       delivery_id=ids, release_id=ids, from_status=texts, to_status=texts, detail=texts, actor=texts,
       payload=texts)
def test_written_out_is_json_dumps(at, delivery_id, release_id, from_status, to_status, detail, actor,
                                   payload):
    event = dict(at=at, delivery_id=delivery_id, release_id=release_id, from_status=from_status,
                 to_status=to_status, detail=detail, actor=actor, payload=payload)
    assert canonical_event(**event) == reference(**event)


def test_the_usual_event_and_a_float_time():
    event = dict(at=1_800_000_000.123456, delivery_id=12, release_id=3, from_status="queued",
                 to_status="sending", detail="claimed (attempt 1, claim #1)", actor="humas",
                 payload='{"variants":{"12":"ab"}}')
    assert canonical_event(**event) == reference(**event)


keys = st.text() | st.integers(0, 10**9).map(str) | st.sampled_from(["0", "12", "١٢", "x"])
digests = st.text() | st.text(alphabet="0123456789abcdef", min_size=0, max_size=64) | st.sampled_from(
    ["ABCDEF", "a" * 64, 'a"'])


@given(st.dictionaries(st.sampled_from(["variants", "approvals", "pauses"]),
                       st.dictionaries(keys, digests, max_size=3), max_size=3))
def test_payload_written_out_is_json_dumps(payload):
    want = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False) if payload else None
    assert payload_json(payload) == want
