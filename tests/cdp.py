"""A tiny Chrome DevTools Protocol client for the browser tests, with no dependency at all.

Chromium is started with ``--remote-debugging-pipe``: it reads CDP messages (JSON, each ended
by a NUL byte) from file descriptor 3 and writes to descriptor 4. That needs no websocket
library, no TCP port for the debugger and no polling for the browser to come up. Every wait is
bounded by a deadline, so a hung browser fails the test instead of hanging CI.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--no-default-browser-check", "--password-store=basic", "--use-mock-keychain")


_LAUNCH = """
import fcntl, os, sys
high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
os.dup2(high[0], 3)
os.dup2(high[1], 4)
os.execv(sys.argv[3], sys.argv[3:])
"""


class CdpError(RuntimeError):
    """The browser answered with an error, died, or did not answer in time."""


@dataclass
class PageReport:
    """What one page load showed: console errors, failed requests, and the page's own findings."""

    url: str
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, log errors
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    failed: list[str] = field(default_factory=list)  # requests that failed or answered >= 400
    facts: dict[str, Any] = field(default_factory=dict)
    screenshot: Path | None = None


class Browser:
    """One headless Chromium process driven over the CDP pipe."""

    def __init__(self, executable: str, user_data_dir: Path, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self.log_path = user_data_dir / "chromium.log"
        user_data_dir.mkdir(parents=True, exist_ok=True)
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = [*FLAGS, f"--user-data-dir={user_data_dir}", "--remote-debugging-pipe", "about:blank"]
        self._log = self.log_path.open("wb")
        # A two-line Python launcher moves our pipe ends to descriptors 3 and 4, where Chromium
        # expects them (no preexec_fn: the test's HTTP server thread may already be running).
        self.proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, str(to_browser_r), str(from_browser_w),
                                      executable, *args],
                                     pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        os.close(to_browser_r)
        os.close(from_browser_w)
        # a cold start (first run on a fresh machine: font cache, profile) on a loaded machine can take
        # far longer than a page does: a wider deadline for the first answer only (not a sleep)
        self.version = self.call("Browser.getVersion", timeout=max(timeout, 90.0))

    # -- transport ---------------------------------------------------------------------------
    def _send(self, method: str, params: dict[str, Any] | None, session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._to_browser, data):]
        return self._next_id

    def _read_one(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise CdpError(f"Chromium closed the debugging pipe; see {self.log_path}")
                self._buffer += chunk
            elif self.proc.poll() is not None:
                raise CdpError(f"Chromium exited with {self.proc.returncode}; see {self.log_path}")
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Send a command and return its result; events that arrive meanwhile are kept."""
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._read_one(deadline)
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise CdpError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self._events.append(msg)

    def wait_event(self, method: str, session: str | None, timeout: float | None = None) -> dict[str, Any]:
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = 0
        while True:
            for msg in self._events[seen:]:
                if msg["method"] == method and msg.get("sessionId") == session:
                    return msg.get("params", {})
            seen = len(self._events)
            msg = self._read_one(deadline)
            if "method" in msg:
                self._events.append(msg)

    def drain(self, seconds: float) -> None:
        """Collect events for a short while (late console messages)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                msg = self._read_one(deadline)
                if "method" in msg:
                    self._events.append(msg)
        except CdpError:
            if self.proc.poll() is not None:
                raise

    def events(self, session: str) -> list[dict[str, Any]]:
        return [m for m in self._events if m.get("sessionId") == session]

    # -- pages -------------------------------------------------------------------------------
    def open(self, url: str, width: int = 375, height: int = 812, check_script: str = "",
             screenshot: Path | None = None, timeout: float | None = None) -> PageReport:
        """Load ``url`` in a fresh tab at phone size, run ``check_script`` (an async function
        body returning JSON), take a full-page screenshot, and report what went wrong."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        report = PageReport(url)
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session=session)
            self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                      "deviceScaleFactor": 1, "mobile": True}, session=session)
            nav = self.call("Page.navigate", {"url": url}, session=session)
            if nav.get("errorText"):
                raise CdpError(f"cannot load {url}: {nav['errorText']}")
            self.wait_event("Page.loadEventFired", session, timeout)
            if check_script:
                result = self.call("Runtime.evaluate", {
                    "expression": f"(async () => {{ {check_script} }})()", "awaitPromise": True,
                    "returnByValue": True}, session=session, timeout=timeout)
                if "exceptionDetails" in result:
                    raise CdpError(f"the check script failed on {url}: "
                                   f"{result['exceptionDetails'].get('text')} "
                                   f"{result['exceptionDetails'].get('exception', {}).get('description')}")
                report.facts = result["result"].get("value") or {}
            self.drain(0.2)
            if screenshot is not None:
                size = self.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
                clip = {"x": 0, "y": 0, "width": width, "height": min(max(size["height"], height), 8000),
                        "scale": 1}
                shot = self.call("Page.captureScreenshot", {"format": "png", "clip": clip,
                                 "captureBeyondViewport": True}, session=session, timeout=timeout)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
                report.screenshot = screenshot
            self._collect(session, report)
        finally:
            self.call("Target.closeTarget", {"targetId": target})
        return report

    def _collect(self, session: str, report: PageReport) -> None:
        for msg in self.events(session):
            method, p = msg["method"], msg.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                report.errors.append(f"console.{p['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                text = d.get("exception", {}).get("description") or d.get("text")
                report.errors.append(f"exception: {text}")
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                report.errors.append(f"{e.get('source')}: {e.get('text')} {e.get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                report.requests.append(p["request"]["url"])
            elif method == "Network.responseReceived" and p["response"].get("status", 200) >= 400:
                report.failed.append(f"{p['response']['status']} {p['response']['url']}")
            elif method == "Network.loadingFailed" and not p.get("canceled"):
                report.failed.append(f"{p.get('errorText')} (request {p.get('requestId')})")
        self._events = [m for m in self._events if m.get("sessionId") != session]

    def close(self) -> None:
        try:
            self._send("Browser.close", None, None)
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired, CdpError):
            self.proc.kill()
            self.proc.wait(timeout=5)
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._log.close()


def find_chromium() -> str | None:
    """Debian's chromium (what .ci/run installs), else whatever chromium is on PATH."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None
