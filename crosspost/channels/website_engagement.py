"""Website: article page views counted from the web server's access log, since the static site
has no tracker and should not get one (no third-party script on a government site, no cookie
banner). ``[channels.website] access_log`` names the log (a glob such as
``/var/log/nginx/access.log*`` takes the rotated files too, ``.gz`` included).

The combined log format (nginx's default ``combined``, Apache's ``LogFormat ... combined``):
``$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
"$http_referer" "$http_user_agent"``. A view is a GET of the article's path (query string
dropped, ``index.html`` folded into its folder) answered 200 or 304, from a user agent that does
not name itself a bot, crawler, spider, link preview or HTTP library. Only counts leave this
module: no address or agent is stored (they are personal data).
"""

from __future__ import annotations

import glob
import gzip
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from ..engagement import NotAvailable
from ..i18n import _
from ..models import Receipt

LINE = re.compile(r'^\S+ \S+ \S+ \[[^\]]*\] "(?P<method>[A-Z]+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) '
                  r'\S+ "(?:[^"\\]|\\.)*" "(?P<agent>(?:[^"\\]|\\.)*)"')
BOTS = re.compile(r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|embedly|curl/|wget/|python-|"
                  r"go-http-client|java/|okhttp|httpclient|headless|lighthouse|pingdom|uptime|monitor|"
                  r"scrapy|feedfetcher|^-?$", re.IGNORECASE)
VIEW_STATUSES = frozenset({"200", "304"})


def article_path(url: str | None) -> str | None:
    """The path a page view of ``url`` is logged under, normalised."""
    if not url:
        return None
    return _normal(urlsplit(url).path)


def _normal(path: str) -> str:
    path = unquote(path.split("?", 1)[0].split("#", 1)[0]) or "/"
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path if path.endswith("/") or "." in path.rsplit("/", 1)[-1] else path + "/"


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def log_files(pattern: str, base: Path) -> list[Path]:
    full = pattern if Path(pattern).is_absolute() else str(base / pattern)
    return sorted(Path(p) for p in glob.glob(full) if Path(p).is_file())


def _views(files: Sequence[Path]) -> Iterator[str]:
    for path in files:
        with _open(path) as fh:
            for line in fh:
                m = LINE.match(line)
                if (m and m["method"] == "GET" and m["status"] in VIEW_STATUSES
                        and not BOTS.search(m["agent"])):
                    yield _normal(m["path"])


def metrics(channel: Any, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
    """Page views per article in one pass over the log files."""
    pattern = getattr(channel.settings, "access_log", "")
    if not pattern:
        raise NotAvailable(_("no access_log is set for the website: page views are not counted"))
    files = log_files(pattern, channel.base_dir)
    if not files:
        raise NotAvailable(_("no access log found at {pattern}").format(pattern=pattern))
    paths = {r.remote_id: article_path(r.url) for r in receipts}
    wanted = {p for p in paths.values() if p}
    counts: dict[str, int] = dict.fromkeys(wanted, 0)
    try:
        for path in _views(files):
            if path in counts:
                counts[path] += 1
    except OSError as exc:
        why = _("cannot read the access log ({error})").format(error=exc.strerror or exc)
        raise NotAvailable(why) from None
    return {rid: ({"views": float(counts[p])} if p else {}) for rid, p in paths.items()}
