"""Real transport faults on 127.0.0.1, for the channels' fault-matrix tests.

Each mode is what a client really meets on the wire, so the SDK and its transport raise their
own exceptions (nothing is invented by the test):

- ``refused``: a port nobody listens on (connect fails: ECONNREFUSED).
- ``empty``: the request is read, then the connection is closed without a byte of answer.
- ``reset``: the request is read, then the connection is reset (SO_LINGER 0 -> RST).
- ``hang``: the request is read and never answered (the client's read timeout fires).
- ``garbage``: the request is read, and the answer is not HTTP at all.
- ``notls``: plain bytes where the client expects a TLS handshake (use an https:// URL).

``requests`` counts the requests that arrived (read completely up to the headers' end).
"""

from __future__ import annotations

import socket
import struct
import threading


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FaultServer:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        if mode == "refused":
            self.port = closed_port()
            self._sock = None
            return
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/"

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self.mode == "notls":
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\nthis is not TLS\r\n")
                conn.close()
                return
            data = b""
            conn.settimeout(5)
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    conn.close()
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(body) < length:  # read it all: unread bytes would turn a close into a reset
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            self.requests += 1
            if self.mode == "empty":
                conn.close()
            elif self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif self.mode == "garbage":  # not HTTP: http.client's BadStatusLine
                conn.sendall(b"garbage\r\n\r\n")
                conn.close()
            elif self.mode == "hang":
                self._held.append(conn)
        except OSError:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        for conn in self._held:
            conn.close()
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
