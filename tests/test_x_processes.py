"""Issue 12, item 5: an X thread whose part 2 was stored by X but whose answer was lost, driven
by real `crosspost` processes against a simulated X API on 127.0.0.1.

The simulated X (tests/x_api.py behind http.server) stores posts as X does (t.co links with
entities, created_at, replies in referenced_tweets) and counts every create; the channel
reaches it through tweepy's real Client with its host pointed there (``api_base``). Part 2's
create is stored and then the connection is closed without an answer (RemoteDisconnected:
unknown). After `crosspost publish` and several `crosspost run`s the account holds exactly one
copy of each part, and the log says sent with both ids.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from test_engine_processes import env
from x_api import USER_ID, XAccount

RELEASE = """---
title: "Kemensos Salurkan Bantuan Logistik untuk Korban Banjir Bekasi"
date: 2026-11-20T09:00:00+07:00
section: siaran-pers
summary: "Kementerian Sosial menyalurkan bantuan logistik senilai Rp1,2 miliar bagi warga terdampak \
banjir di tujuh kecamatan Kabupaten Bekasi. Petugas Tagana membantu evakuasi, mendirikan dapur umum, \
dan mendata kebutuhan lansia, anak, serta penyandang disabilitas di posko pengungsian. \
Info lengkap di kemensos.go.id."
hashtags: [KemensosHadir, TanggapBencana]
link: https://www.kemensos.go.id/siaran-pers/bantuan-banjir-bekasi
---
Isi siaran pers.
"""


def serve(account: XAccount) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path.startswith("/2/tweets"):
                status, _headers, text, lose = account.post_tweet(body)
                if lose:  # stored; the answer is lost with the connection
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._answer(status, text)
            else:
                self._answer(404, "{}")

        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/2/users/me"):
                self._answer(*account.me()[::2])
            elif self.path.startswith(f"/2/users/{USER_ID}/tweets"):
                self._answer(*account.timeline("http://x" + self.path)[::2])
            else:
                self._answer(404, "{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def crosspost(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    e = env()
    e.update({"CROSSPOST_X_API_KEY": "consumer-key", "CROSSPOST_X_API_SECRET": "consumer-secret",
              "CROSSPOST_X_ACCESS_TOKEN": "42-token", "CROSSPOST_X_ACCESS_TOKEN_SECRET": "token-secret",
              "HOME": str(cwd)})
    return subprocess.run([sys.executable, "-m", "crosspost", *args], cwd=cwd, env=e, capture_output=True,
                          text=True, timeout=120)


def test_lost_answer_to_part_two_leaves_one_copy_of_each_part(tmp_path: Path) -> None:
    account = XAccount(time.time)
    account.faults.append((lambda body: "(2/2)" in body["text"], "lose"))
    server = serve(account)
    try:
        port = server.server_address[1]
        (tmp_path / "channels.toml").write_text(
            'timezone = "Asia/Jakarta"\ndatabase = "log.db"\n'
            f'[channels.x]\ntype = "twitter"\napi_base = "http://127.0.0.1:{port}"\ntimeout = 20.0\n',
            encoding="utf-8")
        (tmp_path / "rilis.md").write_text(RELEASE, encoding="utf-8")
        published = crosspost(tmp_path, "publish", "rilis.md", "--json")
        assert published.returncode == 1, published.stderr  # part 2's outcome is unknown
        [d] = json.loads(published.stdout)["deliveries"]
        assert d["status"] == "unknown", d
        assert len(account.created) == 2
        codes = [crosspost(tmp_path, "run", "--once", "--quiet").returncode for _ in range(4)]
        assert codes[0] == 0 and set(codes[1:]) == {4}, codes  # settled by lookup, then nothing due
        status = json.loads(crosspost(tmp_path, "status", "--json").stdout)
    finally:
        server.shutdown()
    texts = [b["text"] for b in account.created]
    assert len(texts) == 2 and texts[0].endswith("(1/2)") and texts[1].endswith("(2/2)"), texts
    assert len({t["id"] for t in account.tweets}) == 2
    [row] = status
    assert row["status"] == "sent" and row["remote_id"] == account.tweets[0]["id"]
