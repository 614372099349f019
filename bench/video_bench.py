"""Large video: a sparse file (made with truncate) uploaded through the real YouTube channel to a
loopback resumable endpoint, against a raw chunked PUT of the same file to the same server.

Client, server and baseline are separate processes: the peak RSS (VmHWM) is the uploading
process's own, and the server's reading costs the same on both sides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchlib import Row, child_env

HERE = Path(__file__).resolve().parent
MIB = 1024 * 1024


def _token(path: Path) -> None:
    """An authorized-user token that is valid for years: no refresh, no network."""
    from crosspost.channels.youtube_auth import SCOPES

    path.write_text(json.dumps({"token": "bench-access-token", "refresh_token": "bench-refresh",
                                "client_id": "bench.apps.googleusercontent.com",
                                "client_secret": "bench-client", "token_uri": "https://oauth2.googleapis.com/token",
                                "scopes": list(SCOPES), "expiry": "2099-01-01T00:00:00Z"}))


def _child(args: list[str], env: dict[str, str], out: Path) -> dict:
    proc = subprocess.run([sys.executable, str(HERE / "worker.py"), *args, str(out)], env=env,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode:
        raise RuntimeError(f"worker {args[0]} exited {proc.returncode}: {proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def run(root: Path, quick: bool) -> list[Row]:
    from crosspost.channels.youtube import Limits as YtLimits
    from crosspost.channels.youtube import Settings, YouTubeChannel

    root.mkdir(parents=True, exist_ok=True)
    size_mb = 16 if quick else 512
    video = root / "besar.mp4"
    with open(video, "wb") as fh:  # sparse: no disk blocks, reads return zeros
        fh.truncate(size_mb * MIB)
    token = root / "token.json"
    _token(token)
    chunk = YouTubeChannel("youtube", Settings(type="youtube"), YtLimits()).chunk_size()
    env = child_env(root)
    portfile = root / "port"
    portfile.unlink(missing_ok=True)
    server = subprocess.Popen([sys.executable, str(HERE / "ytserver.py"), str(portfile)], env=env)
    try:
        deadline = time.time() + 20
        while not portfile.exists() or not portfile.read_text():
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("the loopback upload server did not start")
            time.sleep(0.02)
        url = f"http://127.0.0.1:{portfile.read_text()}/"
        runs = 1 if quick else 3
        raw, yt = [], []
        for i in range(runs):  # interleaved
            raw.append(_child(["rawput", str(video), url, str(chunk)], env, root / f"raw-{i}.json"))
            yt.append(_child(["youtube", str(video), url, str(token)], env, root / f"yt-{i}.json"))
    finally:
        server.terminate()
        server.wait(timeout=10)
        video.unlink(missing_ok=True)

    def med(rows: list[dict], key: str) -> float:
        values = sorted(r[key] for r in rows)
        return values[len(values) // 2]

    raw_s, yt_s = med(raw, "seconds"), med(yt, "seconds")
    rss = max(r["peak_rss_mb"] for r in yt)
    how = (f"{size_mb} MB sparse file, real YouTubeChannel.publish (build_from_document, rootUrl -> "
           f"127.0.0.1), {chunk // MIB} MiB chunks, separate process, median of {runs}")
    return [
        Row.limit("large video: memory", how, rss, 150, "{:.0f} MB peak RSS (VmHWM)", "<= 150 MB",
                  f"raw PUT process peaked at {max(r['peak_rss_mb'] for r in raw):.0f} MB"),
        Row.limit("large video: speed", "same file and server, vs raw chunked http.client PUT",
                  yt_s / raw_s, 2.0,
                  f"{{:.2f}}x slower ({size_mb / yt_s:,.0f} MB/s vs {size_mb / raw_s:,.0f} MB/s raw)",
                  "within 2x"),
    ]


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "0")
