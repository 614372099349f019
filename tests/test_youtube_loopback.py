"""A multi-chunk YouTube upload through the real httplib2 stack to a loopback server.

HttpMockSequence never exercises httplib2's redirect handling; this does: "308 Resume
Incomplete" must be read as "send the next chunk", not followed as a redirect (a bug the
large-video benchmark found).
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

import pytest
from conftest import REPO

import crosspost.channels.youtube as yt
from crosspost.channels.base import PublishContext
from crosspost.models import Media, Release
from crosspost.secrets import SecretStore

sys.path.insert(0, str(REPO / "bench"))
import ytserver  # noqa: E402  (the benchmark's loopback resumable-upload endpoint)

SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]


@pytest.fixture
def server():
    ranges: list[str] = []

    class Recording(ytserver.Handler):
        def do_PUT(self) -> None:  # noqa: N802
            ranges.append(self.headers.get("Content-Range", ""))
            super().do_PUT()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", ranges
    httpd.shutdown()
    httpd.server_close()


def test_multi_chunk_upload_follows_308_as_resume(server, tmp_path, monkeypatch):
    url, ranges = server
    document = yt.discovery_document()
    for root in ("https://youtube.googleapis.com/", "https://www.googleapis.com/"):
        document = document.replace(root, url)
    monkeypatch.setattr(yt, "discovery_document", lambda: document)
    channel = yt.YouTubeChannel("youtube", yt.Settings(type="youtube", thumbnail=False, chunk_mb=0.25),
                                yt.Limits(), secrets=SecretStore("youtube", tmp_path, env={},
                                                                 use_keyring=False),
                                base_dir=tmp_path, state_dir=tmp_path)
    channel.secrets.path("token").write_text(json.dumps({
        "token": "loopback-token", "refresh_token": "r", "client_id": "c", "client_secret": "s",
        "token_uri": url + "token", "scopes": SCOPES, "expiry": "2999-01-01T00:00:00Z"}))
    video = tmp_path / "liputan.mp4"
    size = 700 * 1024  # three chunks of 256 KiB
    video.write_bytes(bytes(range(256)) * (size // 256))
    release = Release(slug="uji", title="Uji unggah", body="Uji.", date=datetime(2026, 12, 1, tzinfo=UTC),
                      video=Media(video, kind="video"))
    variant, problems = channel.build_variant(release, "Uji unggah bertahap.")
    assert not [p for p in problems if p.severity == "error"]
    progress: list[tuple[int, int]] = []
    saved: list[dict] = []
    ctx = PublishContext(release=release, save_progress=saved.append,
                         on_progress=lambda done, total: progress.append((done, total)))
    receipt = channel.publish(variant, ctx)
    assert receipt.remote_id == "BENCHvid001"
    assert receipt.url == "https://www.youtube.com/watch?v=BENCHvid001"
    assert ranges == [f"bytes 0-262143/{size}", f"bytes 262144-524287/{size}",
                      f"bytes 524288-{size - 1}/{size}"]
    assert progress[-1] == (size, size)
    assert any("upload_uri" in p for p in saved)
