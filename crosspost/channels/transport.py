"""Which network failure ``requests`` raised, read from the urllib3 error it wraps.

requests/adapters.py ``HTTPAdapter.send`` (2.32) turns urllib3's errors into its own: a
``MaxRetryError`` whose ``reason`` is a ``ConnectTimeoutError`` (not a ``NewConnectionError``)
-> ``ConnectTimeout``, an ``SSLError`` -> ``SSLError``, a proxy error -> ``ProxyError``, anything
else (``NewConnectionError``, ``NameResolutionError``) -> ``ConnectionError(e)``; a
``ProtocolError`` or ``OSError`` while the request or answer travelled -> ``ConnectionError(err)``;
``ReadTimeoutError`` -> ``ReadTimeout``. Types, not message words, decide: a refused or
unresolvable connection never sent a byte (safe to retry), anything else may have reached the
platform.
Shared by Facebook, Instagram's Graph backend and X.
"""

from __future__ import annotations


def transport_failure(exc: BaseException) -> str:
    """The OUTCOMES key of an exception requests raised (adapters.py), or "unexpected"."""
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return connection_failure(exc)
    if isinstance(exc, requests.exceptions.Timeout):
        return "read_timeout"
    return "unexpected"


def connection_failure(exc: BaseException) -> str:
    """Which ConnectionError requests raised, from the urllib3 error it wraps (args[0])."""
    from http.client import RemoteDisconnected

    from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

    inner = exc.args[0] if exc.args else None
    if isinstance(inner, MaxRetryError):
        inner = inner.reason
    if isinstance(inner, NameResolutionError):
        return "dns"
    if isinstance(inner, NewConnectionError):
        return "connect_refused"
    if isinstance(inner, ProtocolError):
        cause = inner.args[1] if len(inner.args) > 1 else None
        if isinstance(cause, RemoteDisconnected):  # a subclass of ConnectionResetError: first
            return "empty_reply"
        if isinstance(cause, (ConnectionResetError, BrokenPipeError)):
            return "reset"
    return "connection_broken"


# The failures that prove no byte of the request reached the platform: no address, no TCP
# connection, no connection within the connect timeout, or a TLS handshake that failed (requests
# sends the request only after the handshake; Facebook's table documents the same reading).
NEVER_SENT = frozenset({"dns", "connect_refused", "connect_timeout", "tls"})


def never_sent(exc: BaseException) -> bool:
    """True when requests' exception proves nothing was sent; anything else may have arrived."""
    return transport_failure(exc) in NEVER_SENT
