"""A loopback YouTube-like resumable upload endpoint (http.server on 127.0.0.1).

POST .../upload/youtube/v3/videos?uploadType=resumable starts a session: 200 with a Location
header. Each PUT carries ``Content-Range: bytes A-B/TOTAL``: the body is read in 1 MiB pieces
and thrown away (the server must not be what uses memory), answered 308 with ``Range:
bytes=0-B`` until the last byte, then 200 with a video resource. ``/raw/...`` PUTs get the same
answers, so the raw baseline and the channel pay the same server costs.

Run as `python bench/ytserver.py PORTFILE`: it writes its port to PORTFILE and serves until killed.
"""

from __future__ import annotations

import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PIECE = 1024 * 1024
RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends

    def log_message(self, *args) -> None:  # quiet
        pass

    def _drain(self) -> int:
        left = int(self.headers.get("Content-Length") or 0)
        got = 0
        while left > 0:
            data = self.rfile.read(min(PIECE, left))
            if not data:
                break
            left -= len(data)
            got += len(data)
        return got

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._drain()
        if "uploadType=resumable" not in self.path:
            self._send(400, b'{"error": {"code": 400, "message": "resumable only"}}',
                       {"Content-Type": "application/json"})
            return
        host = self.headers.get("Host", "127.0.0.1")
        self._send(200, b"", {"Location": f"http://{host}/upload/session/1"})

    def do_PUT(self) -> None:  # noqa: N802
        self._drain()
        match = RANGE.match(self.headers.get("Content-Range", ""))
        if not match:
            self._send(400, b"no Content-Range")
            return
        end, total = int(match.group(2)), int(match.group(3))
        if end + 1 < total:
            self._send(308, b"", {"Range": f"bytes=0-{end}"})
            return
        video = {"kind": "youtube#video", "id": "BENCHvid001", "snippet": {"title": "Video besar"},
                 "status": {"uploadStatus": "uploaded", "privacyStatus": "public"}}
        self._send(200, json.dumps(video).encode(), {"Content-Type": "application/json"})


def main(portfile: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(portfile).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
