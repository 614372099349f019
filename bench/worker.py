"""Child processes of the benches (run as `python bench/worker.py KIND ...`), so memory and
contention are measured in processes of their own.

    drain DB POSTS GO OUT [shared]
                               drain the queue with an Engine on 5 fake channels; start when GO exists.
                               POSTS is a folder: each process appends its posts to its own file there
                               (CountingChannel); ``shared``: FakeChannel's one locked, fsync'd posts file
    youtube FILE URL TOKEN OUT upload FILE through the real YouTube channel to the loopback server
    rawput FILE URL CHUNK OUT  PUT FILE in CHUNK-byte pieces to the same server (the baseline)

Each writes a JSON result to OUT: wall times and the process's peak RSS (VmHWM).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def counting_channels(folder: Path, names: list[str]) -> dict:
    """The contention bench's platform: FakeChannel's outcome "ok" without its shared state. Each
    post is one write(2) of a JSON line to this process's own O_APPEND file, done before publish
    returns (so a post counts exactly when the engine could have seen its receipt); no lock, no
    fsync, no counter file: nothing serialises the processes except the queue under test.
    ``read_counted`` sums the files and finds any delivery id posted twice."""
    import os

    from crosspost.channels.fake import FakeChannel
    from crosspost.models import Receipt

    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"posts-{os.getpid()}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    class CountingChannel(FakeChannel):
        def publish(self, variant, ctx):  # type: ignore[no-untyped-def]
            ctx.heartbeat()  # the last lease check before the create call, as FakeChannel does
            remote_id = f"{self.name}-{ctx.delivery_id}"
            os.write(fd, (json.dumps({"delivery_id": ctx.delivery_id, "channel": self.name, "id": remote_id,
                                      "pid": os.getpid()}) + "\n").encode())
            return Receipt(remote_id=remote_id, url=f"{self.settings.url_base}{remote_id}")

    return {n: CountingChannel.create(n, folder) for n in names}


def read_counted(folder: Path) -> list[dict]:
    """Every post of every process (counting_channels' files)."""
    return [json.loads(line) for f in sorted(Path(folder).glob("posts-*.jsonl"))
            for line in f.read_text("utf-8").splitlines() if line.strip()]


def drain(db: str, posts: str, go: str, out: str, fake: str = "counting") -> None:
    from crosspost.channels.fake import FakeChannel
    from crosspost.clock import SystemClock
    from crosspost.deliver import Engine
    from crosspost.store import Store

    store = Store.open(Path(db))
    names = [f"fake{c}" for c in range(5)]
    if fake == "shared":
        channels = {n: FakeChannel.create(n, Path(posts).parent, posts_file=posts) for n in names}
    else:
        channels = counting_channels(Path(posts), names)
    engine = Engine(store, channels, SystemClock())  # default workers, as `crosspost run`
    Path(out).with_suffix(".ready").touch()
    while not Path(go).exists():
        time.sleep(0.002)
    start = time.time()
    cpu = time.process_time()
    report = engine.run_once()
    end = time.time()
    Path(out).write_text(json.dumps({"start": start, "end": end, "sent": report.counts["sent"],
                                     "cpu": time.process_time() - cpu, "counts": dict(report.counts)}))


def youtube(file: str, url: str, token: str, out: str) -> None:
    """The real channel: build_variant, then publish -> googleapiclient's build_from_document
    (rootUrl patched to the loopback server) -> MediaIoBaseUpload resumable chunks over httplib2."""
    from datetime import UTC, datetime

    import crosspost.channels.youtube as yt
    from crosspost.channels.base import PublishContext
    from crosspost.models import Media, Release
    from crosspost.secrets import SecretStore

    document = yt.discovery_document()
    for root in ("https://youtube.googleapis.com/", "https://www.googleapis.com/"):
        document = document.replace(root, url.rstrip("/") + "/")
    yt.discovery_document = lambda: document  # the client is built from this text
    state = Path(token).parent
    channel = yt.YouTubeChannel("youtube", yt.Settings(type="youtube", thumbnail=False), yt.Limits(),
                                secrets=SecretStore("youtube", state, env={}, use_keyring=False),
                                base_dir=state, state_dir=state)
    channel.secrets.path("token").write_text(Path(token).read_text())
    release = Release(slug="video-besar", title="Video besar", body="Uji unggah video besar.",
                      date=datetime(2026, 12, 1, tzinfo=UTC), video=Media(Path(file), kind="video"))
    variant, problems = channel.build_variant(release, "Uji unggah video besar.")
    if any(p.severity == "error" for p in problems):
        raise SystemExit(f"variant refused: {problems}")
    seen = []
    ctx = PublishContext(release=release, save_progress=seen.append)
    start = time.perf_counter()
    receipt = channel.publish(variant, ctx)
    took = time.perf_counter() - start
    Path(out).write_text(json.dumps({"seconds": took, "peak_rss_mb": peak_rss_mb(),
                                     "video_id": receipt.remote_id}))


def rawput(file: str, url: str, chunk: str, out: str) -> None:
    """The baseline: the same bytes, the same chunk size, plain http.client PUTs."""
    import http.client
    import os
    from urllib.parse import urlsplit

    size = os.path.getsize(file)
    step = int(chunk)
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    start = time.perf_counter()
    with open(file, "rb") as fh:
        offset = 0
        while offset < size:
            data = fh.read(step)
            end = offset + len(data) - 1
            conn.request("PUT", "/raw/upload", body=data,
                         headers={"Content-Range": f"bytes {offset}-{end}/{size}",
                                  "Content-Type": "application/octet-stream"})
            resp = conn.getresponse()
            resp.read()
            if resp.status not in (200, 201, 308):
                raise SystemExit(f"raw PUT answered {resp.status}")
            offset = end + 1
    took = time.perf_counter() - start
    Path(out).write_text(json.dumps({"seconds": took, "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    {"drain": drain, "youtube": youtube, "rawput": rawput}[kind](*args)
