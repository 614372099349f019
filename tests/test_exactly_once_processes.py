"""Exactly once under the platforms' real failure answers, with real `crosspost` processes.

A simulated Graph API on 127.0.0.1 (a small http.server that keeps the Page's posts and the
Instagram account's media) is reached through the real SDKs (facebook-sdk, the Graph backend's
requests session) with ``graph_url`` / ``graph_base`` pointed at it. For each channel:

- "applied, then the answer was lost": the platform stores the post and answers HTTP 500 with
  code 2 (``is_transient``), the answer Meta's users see before duplicate posts. After `publish`
  and several `crosspost run`s the platform holds exactly one post.
- "not applied": a rate-limit answer (code 17) stores nothing. After `crosspost run` the
  platform holds exactly one post.

YouTube the same way, through googleapiclient's resumable upload to a simulated endpoint
(``api_root``): the last chunk stored, then a 500; or the session refused with
rateLimitExceeded.
"""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import REPO, Cli, cli_env

PAGE = "1029384756"
IG = "17841400000000001"


class Graph:
    """The simulated Page and Instagram account; ``script`` says how each create is answered."""

    def __init__(self, script: list[str]) -> None:
        self.script = list(script)
        self.posts: list[dict] = []  # Page posts and Instagram media, as stored
        self.creates = 0  # create calls that reached the platform
        self.containers: dict[str, dict] = {}
        self.lock = threading.Lock()

    def create(self) -> tuple[bool, int, dict]:
        """(store it?, status, body) for the next create call."""
        with self.lock:
            self.creates += 1
            step = self.script.pop(0) if self.script else "ok"
        if step == "lost":
            return True, 500, {"error": {"message": "An unexpected error has occurred. Please retry "
                                         "your request later.", "type": "OAuthException", "code": 2,
                                         "is_transient": True, "fbtrace_id": "Ax1"}}
        if step == "refuse":
            return False, 400, {"error": {"message": "User request limit reached", "type": "OAuthException",
                                          "code": 17, "fbtrace_id": "Ax2"}}
        return True, 200, {}


def handler(graph: Graph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str]:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path.split("/", 2)[-1]
            if path == "debug_token":
                return self._send(200, {"data": {"is_valid": True, "expires_at": 0}})
            if path == f"{PAGE}/posts" or path == f"{IG}/media":
                kind = "page" if path.startswith(PAGE) else "ig"
                return self._send(200, {"data": [p for p in reversed(graph.posts) if p["kind"] == kind]})
            if path == f"{IG}/content_publishing_limit":
                return self._send(200, {"data": [{"quota_usage": 0, "config": {"quota_total": 50}}]})
            if path in graph.containers:
                return self._send(200, {"status_code": graph.containers[path]["status"]})
            return self._send(200, {"id": path, "permalink": f"https://www.instagram.com/p/{path}/"})

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path.split("/", 2)[-1]
            form = self._form()
            if path == f"{PAGE}/feed":
                store, status, body = graph.create()
                post = {"kind": "page", "id": f"{PAGE}_{len(graph.posts) + 1}", "message": form["message"]}
            elif path == f"{IG}/media":
                cid = f"C{len(graph.containers) + 1}"
                graph.containers[cid] = {"status": "FINISHED", "caption": form.get("caption", "")}
                return self._send(200, {"id": cid})
            elif path == f"{IG}/media_publish":
                store, status, body = graph.create()
                container = graph.containers[form["creation_id"]]
                post = {"kind": "ig", "id": f"M{len(graph.posts) + 1}", "caption": container["caption"]}
                if store:
                    container["status"] = "PUBLISHED"
            else:
                return self._send(404, {"error": {"message": "Unknown path", "code": 803}})
            if store:
                graph.posts.append(post)
            self._send(status, body or {"id": post["id"]})

    return Handler


@pytest.fixture
def graph_server():
    servers = []

    def start(script: list[str]) -> tuple[Graph, str]:
        graph = Graph(script)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler(graph))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return graph, f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def office(tmp_path: Path, channel: str, url: str) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / "examples" / "siaran-pers-lumbung-sosial.md", work / "rilis.md")
    shutil.copytree(REPO / "examples" / "img", work / "img")
    tables = {
        "facebook": f'[channels.facebook]\ntype = "facebook"\npage_id = "{PAGE}"\ngraph_url = "{url}/"\n'
                    'post_type = "link"\n',
        "instagram": f'[channels.instagram]\ntype = "instagram"\nig_user_id = "{IG}"\ngraph_base = "{url}"\n'
                     'image_base_url = "https://cdn.kemensos.go.id/ig"\n',
    }
    (work / "channels.toml").write_text('timezone = "Asia/Jakarta"\ndatabase = "log.db"\n' + tables[channel]
                                        + "backoff_base = 0.0\n", encoding="utf-8")
    env = cli_env(tmp_path, CROSSPOST_FACEBOOK_PAGE_ACCESS_TOKEN="page-token",
                  CROSSPOST_INSTAGRAM_ACCESS_TOKEN="ig-token")
    return Cli(work, env)


@pytest.mark.parametrize("channel", ["facebook", "instagram"])
def test_applied_then_the_answer_was_lost_leaves_one_post(tmp_path, graph_server, channel):
    graph, url = graph_server(["lost"])
    cli = office(tmp_path, channel, url)
    first = cli("publish", "rilis.md")
    assert first.returncode == 1, first.stdout + first.stderr  # unknown: it may have been applied
    assert len(graph.posts) == 1 and graph.creates == 1
    codes = [cli("run", "--once").returncode for _ in range(4)]
    assert codes[0] == 0 and set(codes[1:]) == {4}  # found by lookup, then nothing is due
    assert len(graph.posts) == 1 and graph.creates == 1, "never sent again"
    code, rows = cli.json("status")
    assert code == 0, rows
    text = json.dumps(rows)
    assert graph.posts[0]["id"] in text and '"sent"' in text


@pytest.mark.parametrize("channel", ["facebook", "instagram"])
def test_not_applied_is_sent_once_by_the_retry(tmp_path, graph_server, channel):
    graph, url = graph_server(["refuse"])
    cli = office(tmp_path, channel, url)
    first = cli("publish", "rilis.md")
    assert first.returncode == 6, first.stdout + first.stderr  # queued again: provably not applied
    assert graph.posts == []
    codes = [cli("run", "--once").returncode for _ in range(3)]
    assert codes[0] == 0 and set(codes[1:]) == {4}
    assert len(graph.posts) == 1 and graph.creates == 2


# -- YouTube: a simulated resumable upload endpoint and the channel's uploads playlist -------------

class Tube:
    """Stored videos; ``script`` answers each final chunk: "lost" stores it and answers 500,
    "refuse" answers the session POST 403 rateLimitExceeded (Retry-After: 0) and stores nothing."""

    def __init__(self, script: list[str]) -> None:
        self.script = list(script)
        self.videos: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.inserts = 0  # session POSTs that reached the platform

    def handler(self) -> type[BaseHTTPRequestHandler]:
        tube = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | None = None, **headers: str) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                for k, v in headers.items():
                    self.send_header(k.replace("_", "-"), v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_POST(self) -> None:  # noqa: N802
                meta = self._body()
                tube.inserts += 1
                if tube.script and tube.script[0] == "refuse":
                    tube.script.pop(0)
                    return self._send(403, {"error": {"code": 403, "message": "Rate limit", "errors": [
                        {"domain": "youtube.quota", "reason": "rateLimitExceeded"}]}}, Retry_After="0")
                sid = f"s{len(tube.sessions) + 1}"
                tube.sessions[sid] = {"meta": json.loads(meta or b"{}"), "video": None}
                self._send(200, None, Location=f"http://{self.headers['Host']}/upload/session/{sid}")

            def do_PUT(self) -> None:  # noqa: N802
                self._body()
                session = tube.sessions[self.path.rsplit("/", 1)[-1]]
                if session["video"] is not None:  # a status query after the upload finished
                    return self._send(200, session["video"])
                if self.headers.get("Content-Range", "").startswith("bytes */"):
                    return self._send(308, None)
                video = {"kind": "youtube#video", "id": f"vid{len(tube.videos) + 1}",
                         "snippet": session["meta"]["snippet"], "status": {"privacyStatus": "unlisted"}}
                session["video"] = video
                tube.videos.append(video)
                if tube.script and tube.script[0] == "lost":
                    tube.script.pop(0)
                    return self._send(500, {"error": {"code": 500, "message": "Backend Error",
                                                      "errors": [{"reason": "backendError"}]}})
                self._send(200, video)

            def do_GET(self) -> None:  # noqa: N802
                if "/channels" in self.path:
                    return self._send(200, {"items": [{"id": "UC1", "contentDetails": {
                        "relatedPlaylists": {"uploads": "UU1"}}}]})
                if "/playlistItems" in self.path:
                    return self._send(200, {"items": [
                        {"snippet": {"title": v["snippet"]["title"], "resourceId": {"videoId": v["id"]}}}
                        for v in reversed(tube.videos)]})
                self._send(404, {"error": {"code": 404, "message": "Not Found"}})

        return Handler


def youtube_office(tmp_path: Path, script: list[str]) -> tuple[Tube, Cli, ThreadingHTTPServer]:
    tube = Tube(script)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), tube.handler())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    work = tmp_path / "work"
    (work / "video").mkdir(parents=True)
    (work / "video" / "liputan.mp4").write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(64 * 1024))
    text = (REPO / "examples" / "siaran-pers-lumbung-sosial.md").read_text("utf-8")
    text = text.replace("\ncontact:", "\nvideo: video/liputan.mp4\ncontact:", 1)
    (work / "rilis.md").write_text(text, "utf-8")
    shutil.copytree(REPO / "examples" / "img", work / "img")
    (work / "channels.toml").write_text(
        'timezone = "Asia/Jakarta"\ndatabase = "log.db"\n[channels.youtube]\ntype = "youtube"\n'
        f'api_root = "{url}/"\nthumbnail = false\nprivacy = "public"\nbackoff_base = 0.0\n', "utf-8")
    token = tmp_path / "state" / "secrets" / "youtube.token"
    token.parent.mkdir(parents=True)
    token.write_text(json.dumps({"token": "yt-token", "refresh_token": "r", "client_id": "c",
                                 "client_secret": "s", "token_uri": f"{url}/token",
                                 "scopes": ["https://www.googleapis.com/auth/youtube.force-ssl"],
                                 "expiry": "2999-01-01T00:00:00Z"}))
    token.chmod(0o600)
    return tube, Cli(work, cli_env(tmp_path)), httpd


def test_youtube_last_chunk_applied_then_lost_leaves_one_video(tmp_path):
    tube, cli, httpd = youtube_office(tmp_path, ["lost"])
    try:
        first = cli("publish", "rilis.md")
        assert first.returncode == 1, first.stdout + first.stderr
        codes = [cli("run", "--once").returncode for _ in range(4)]
        assert codes[0] == 0 and set(codes[1:]) == {4}
        assert len(tube.videos) == 1 and tube.inserts == 1
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_youtube_rate_limited_session_is_sent_once_by_the_retry(tmp_path):
    tube, cli, httpd = youtube_office(tmp_path, ["refuse"])
    try:
        first = cli("publish", "rilis.md")
        assert first.returncode == 6, first.stdout + first.stderr
        assert tube.videos == []
        codes = [cli("run", "--once").returncode for _ in range(3)]
        assert codes[0] == 0 and set(codes[1:]) == {4}
        assert len(tube.videos) == 1 and tube.inserts == 2
    finally:
        httpd.shutdown()
        httpd.server_close()
