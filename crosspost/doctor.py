"""`crosspost doctor`: find what would make tonight's cron run fail, before it runs.

Each check is a small function returning ``Check``s (ok / warn / fail, what was found, and
what to do), so the CLI prints one line per check and exits non-zero on any fail. Network
checks (who-am-I calls, external links, Facebook's token debugger) are skipped with
``offline``. ``expiry_warnings`` is shared with ``run`` and ``publish``: credentials that die
silently are found only when a post fails, so every run says so days ahead.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import linkcheck
from .errors import ConfigError, CrosspostError, DeliveryError, ReauthRequired, RetryLater
from .i18n import _

GB = 1024**3
MB = 1024**2
DAY = 86400.0
EXPIRY_CACHE = "expiry.json"  # under the state dir: run/publish ask the platform at most every CACHE_SECONDS
CACHE_SECONDS = 6 * 3600.0


@dataclass(frozen=True)
class Check:
    name: str  # e.g. "credentials twitter"
    status: str  # "ok", "warn" or "fail"
    detail: str  # what was found
    fix: str = ""  # what to do about it (empty when ok)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def warn(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, "warn", detail, fix)


def fail(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, "fail", detail, fix)


@dataclass
class Options:
    """What to check and how; the disk thresholds and network functions are injectable for tests."""

    offline: bool = False
    days: int | None = None  # expiry warning horizon; None: [doctor] expiry_warning_days
    timeout: float | None = None  # per network check; None: [doctor] timeout
    now: float | None = None
    warn_bytes: int = GB
    fail_bytes: int = 100 * MB
    disk_usage: Callable[[Path], Any] = shutil.disk_usage
    fetch: linkcheck.Fetch = linkcheck.fetch_status
    workers: int = 8
    external_limit: int | None = None  # None: [doctor] external_links


def run_checks(config_path: Path | None = None, opts: Options | None = None) -> list[Check]:
    """Every check, in the order an operator would fix things."""
    import time

    from .config import load_config

    opts = opts or Options()
    now = opts.now if opts.now is not None else time.time()
    try:
        cfg = load_config(config_path)
    except CrosspostError as exc:
        return [fail("config", str(exc), "correct channels.toml (see the README's configuration "
                                        "section), or create one with `crosspost init`")]
    days = opts.days if opts.days is not None else cfg.doctor.expiry_warning_days
    timeout = opts.timeout if opts.timeout is not None else cfg.doctor.timeout
    checks, channels = check_config(cfg)
    for ch in channels:
        if not ch.settings.enabled:
            continue
        cred = check_credentials(ch)
        checks.append(cred)
        if cred.status != "fail":
            if cred.status == "ok" and not opts.offline and callable(getattr(ch, "whoami", None)):
                checks.append(check_whoami(ch, timeout))
            if not opts.offline or expiry_is_local(ch):
                checks += check_expiry(ch, now, days, cfg.timezone, timeout)
        checks.append(check_template(ch, cfg.templates_dir))
    checks.append(check_database(cfg.database))
    checks += check_log(cfg, now)
    folders = {"database": cfg.database.parent}
    websites = [ch for ch in channels if ch.type == "website" and ch.settings.enabled]
    for ch in websites:
        folders[f"site {ch.name}"] = ch.site_dir
    seen: set[Path] = set()
    for label, folder in folders.items():
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            checks.append(check_disk(label, folder, opts.warn_bytes, opts.fail_bytes, opts.disk_usage))
    for ch in websites:
        limit = opts.external_limit if opts.external_limit is not None else cfg.doctor.external_links
        checks += check_site(ch.name, ch.site_dir, ch.settings.base_url, offline=opts.offline,
                             timeout=timeout, fetch=opts.fetch, workers=opts.workers, limit=limit)
    return checks


# -- configuration and credentials ------------------------------------------------------------
def check_config(cfg: Any) -> tuple[list[Check], list[Any]]:
    """Build every channel (disabled ones too): unknown keys and wrong types become fail lines."""
    checks: list[Check] = []
    channels = []
    names = cfg.channel_names(enabled_only=False)
    for name in names:
        try:
            channels.append(cfg.channel(name))
        except CrosspostError as exc:
            checks.append(fail(f"config {name}", str(exc),
                               f"correct [channels.{name}] in {cfg.path}"))
    if not checks:
        enabled = sum(1 for ch in channels if ch.settings.enabled)
        where = "the built-in default (website only)" if cfg.embedded else str(cfg.path)
        checks.append(ok("config", f"{where} is valid: {len(names)} channel(s), {enabled} enabled"))
    return checks, channels


def secret_keys(channel: Any) -> tuple[str, ...]:
    from .cli_auth import secret_keys as keys

    return keys(channel)


def check_credentials(channel: Any) -> Check:
    """The channel's stored secrets (and token/session files) are present; says nothing of validity."""
    from .secrets import env_name

    name = f"credentials {channel.name}"
    fix = f"run `crosspost auth {channel.name}`"
    secrets = channel.secrets
    if channel.type == "youtube":
        token = secrets.path("token") if secrets is not None else None
        if token is None or not token.is_file():
            return fail(name, "no YouTube authorization stored yet", fix)
        return ok(name, "YouTube authorization stored")
    if channel.type == "instagram" and getattr(channel.settings, "backend", "") == "instagrapi":
        session = secrets.path("session") if secrets is not None else None
        has_password = secrets is not None and secrets.get("password") is not None
        if session is not None and session.is_file() and session.stat().st_size:
            extra = "" if has_password else " (no password stored: an expired session needs `crosspost auth`)"
            return ok(name, "instagrapi session saved" + extra)
        if has_password:
            return warn(name, "password stored but no saved session: the first run logs in, which "
                        "Instagram may challenge", f"{fix} at a terminal to log in now")
        return fail(name, "no password and no saved session", fix)
    keys = secret_keys(channel)
    if not keys:
        return ok(name, "no credentials needed")
    missing = [k for k in keys if secrets is None or secrets.get(k) is None]
    if missing:
        envs = ", ".join(env_name(channel.name, k) for k in missing)
        return fail(name, f"missing {', '.join(missing)}", f"{fix} (or set {envs} for cron)")
    return ok(name, f"{', '.join(keys)} present")


def _bounded(fn: Callable[[], Any], timeout: float) -> Any:
    """Run fn in a daemon thread; TimeoutError when it takes longer than timeout.

    SDKs do not all honour a per-request timeout (instagrapi, token refreshes), and one hung
    platform must not hang doctor or a cron run.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name="crosspost-doctor")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _masked(channel: Any, text: str) -> str:
    return channel.mask(text, secret_keys(channel))


def check_whoami(channel: Any, timeout: float) -> Check:
    """A cheap authenticated call: proves the credentials work today."""
    name = f"login {channel.name}"
    fix = f"run `crosspost auth {channel.name}`"
    try:
        who = _bounded(lambda: channel.whoami(timeout), timeout * 2 + 1)
    except TimeoutError:
        return warn(name, f"no answer within {timeout:g} s: could not check the credentials",
                    "check the network, or try again with a longer --timeout")
    except ReauthRequired as exc:
        return fail(name, _masked(channel, str(exc)), fix)
    except RetryLater as exc:
        return warn(name, _masked(channel, f"could not check the credentials: {exc}"),
                    "check the network and try again")
    except (DeliveryError, ConfigError) as exc:
        return fail(name, _masked(channel, str(exc)),
                    f"check [channels.{channel.name}] in channels.toml, then {fix}")
    except Exception as exc:  # noqa: BLE001 - SDK errors: the type only, their text may hold tokens
        return fail(name, f"the check failed with {type(exc).__name__}", f"{fix}, then run doctor again")
    return ok(name, f"logged in as {who}")


# -- credential expiry ------------------------------------------------------------------------
def expiry_is_local(channel: Any) -> bool:
    """Whether credentials_expire_at needs no network (doctor --offline may still ask it)."""
    if channel.type == "facebook":
        return False
    return not (channel.type == "instagram" and getattr(channel.settings, "backend", "") == "graph")


def _when(stamp: float, tz: str) -> str:
    from .timezones import zone

    return datetime.fromtimestamp(stamp, zone(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _in_days(seconds: float) -> str:
    days = seconds / DAY
    if days < 1:
        return f"in {max(0, int(seconds // 3600))} hour(s)"
    return f"in {round(days)} day(s)"


def check_expiry(channel: Any, now: float, days: int, tz: str = "Asia/Jakarta",
                 timeout: float = 10.0) -> list[Check]:
    """When the credentials stop working, where the platform says (empty for channels that never expire)."""
    method = getattr(channel, "credentials_expire_at", None)
    if not callable(method):
        return []
    name = f"expiry {channel.name}"
    fix = f"run `crosspost auth {channel.name}` before then"
    try:
        expires = _bounded(method, timeout * 2 + 1)
    except TimeoutError:
        return [warn(name, f"no answer within {timeout:g} s: could not find out when the credentials "
                     "expire", "check the network and try again")]
    except CrosspostError as exc:
        return [warn(name, _masked(channel, f"could not find out when the credentials expire: {exc}"),
                     f"run `crosspost auth {channel.name}` if it persists")]
    except Exception as exc:  # noqa: BLE001
        return [warn(name, f"could not find out when the credentials expire ({type(exc).__name__})")]
    if expires is None:
        return [ok(name, "the credentials do not expire by date")]
    if expires <= now:
        return [fail(name, f"the credentials expired on {_when(expires, tz)}",
                     f"run `crosspost auth {channel.name}`")]
    if expires <= now + days * DAY:
        return [warn(name, f"the credentials expire on {_when(expires, tz)} ({_in_days(expires - now)})",
                     fix)]
    return [ok(name, f"the credentials expire on {_when(expires, tz)} ({_in_days(expires - now)})")]


def _fingerprint(channel: Any) -> str:
    """Changes when the channel's credentials change (so a new `crosspost auth` clears the cache).

    A truncated hash of high-entropy secrets, kept in the 0600 state folder beside them.
    """
    h = hashlib.sha256()
    secrets = channel.secrets
    if secrets is None:
        return ""
    for key in secret_keys(channel):
        try:
            h.update((secrets.get(key) or "").encode() + b"\0")
        except Exception:  # noqa: BLE001
            h.update(b"?\0")
    folder = getattr(secrets, "dir", None)
    if folder is not None and Path(folder).is_dir():
        for file in sorted(Path(folder).glob(f"{channel.name}.*")):
            h.update(f"{file.name}:{file.stat().st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def _load_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_cache(path: Path, data: dict[str, Any]) -> None:
    from .secrets import write_private

    try:
        write_private(path, json.dumps(data, indent=1))
    except OSError:
        pass  # a read-only state folder only costs a repeated check


def expires_at(channel: Any, now: float, cache: dict[str, Any] | None = None,
               timeout: float = 10.0) -> float | None:
    """The channel's credential expiry, from ``cache`` when fresh; None when unknown or on error."""
    method = getattr(channel, "credentials_expire_at", None)
    if not callable(method):
        return None
    fp = _fingerprint(channel)
    entry = (cache or {}).get(channel.name) or {}
    if entry.get("fp") == fp and now - float(entry.get("checked", 0)) < CACHE_SECONDS:
        return entry.get("expires_at")
    try:
        value = _bounded(method, timeout)
    except BaseException:  # noqa: BLE001 - a warning helper must never stop a run
        return entry.get("expires_at") if entry.get("fp") == fp else None
    value = None if value is None else float(value)
    if cache is not None:
        cache[channel.name] = {**entry, "fp": fp, "checked": now, "expires_at": value}
    return value


def expiry_warnings(channels: list[Any], now: float, days: int, scheduled_at: float | None = None, *,
                    timezone: str = "Asia/Jakarta", once_per: float | None = None,
                    timeout: float = 10.0) -> list[str]:
    """One line per channel whose credentials expire within ``days`` (or before ``scheduled_at``).

    For `run` and `publish`. Answers are cached for a few hours in ``<state_dir>/expiry.json``
    so a cron run every minute does not ask Facebook every minute. ``once_per`` (seconds)
    repeats a channel's warning at most that often (for `run --quiet` under cron).
    Never raises: a failing check just gives no warning.
    """
    lines: list[str] = []
    caches: dict[Path, dict[str, Any]] = {}
    for ch in channels:
        if not callable(getattr(ch, "credentials_expire_at", None)):
            continue
        cache_path = Path(ch.state_dir) / EXPIRY_CACHE
        cache = caches.setdefault(cache_path, _load_cache(cache_path))
        exp = expires_at(ch, now, cache, timeout)
        if exp is None:
            continue
        when = _when(exp, timezone)
        fix = f"run `crosspost auth {ch.name}`"
        if exp <= now:
            line = f"{ch.name}: the credentials expired on {when}: {fix}"
        elif exp <= now + days * DAY:
            line = f"{ch.name}: the credentials expire on {when} ({_in_days(exp - now)}): {fix} before then"
        elif scheduled_at is not None and exp <= scheduled_at:
            line = (f"{ch.name}: the credentials expire on {when}, before the post scheduled for "
                    f"{_when(scheduled_at, timezone)}: {fix} before then")
        else:
            continue
        entry = cache.setdefault(ch.name, {})
        if scheduled_at is None:  # `run`'s repeated warnings; publish's scheduling check always says it
            if once_per is not None and now - float(entry.get("warned", 0)) < once_per:
                continue
            entry["warned"] = now
        lines.append(line)
    for path, data in caches.items():
        _save_cache(path, data)
    return lines


# -- templates --------------------------------------------------------------------------------
def sample_release(folder: Path, with_video: bool = False) -> Any:
    """A typical release with an image (and a video, for video channels), written into ``folder``."""
    from PIL import Image

    from .models import Media, Release
    from .timezones import zone

    folder.mkdir(parents=True, exist_ok=True)
    image = folder / "contoh-foto.jpg"
    Image.new("RGB", (1200, 900), (40, 90, 140)).save(image, "JPEG", quality=80)
    video = folder / "contoh-video.mp4"
    if with_video:
        video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1024)
    body = ("Kementerian Sosial menyalurkan bantuan logistik kepada warga terdampak banjir di "
            "Kabupaten Contoh pada Senin pagi.\n\n"
            "Bantuan berupa makanan siap saji, selimut, dan perlengkapan bayi diserahkan langsung "
            "di posko pengungsian. Petugas juga membuka layanan dukungan psikososial bagi anak-anak.\n\n"
            "Masyarakat dapat menghubungi layanan pengaduan di nomor 171 untuk informasi lebih lanjut.")
    return Release(
        slug="contoh-pemeriksaan-doctor", title="Kemensos Salurkan Bantuan untuk Warga Terdampak Banjir",
        body=body, date=datetime(2026, 11, 30, 9, 0, tzinfo=zone("Asia/Jakarta")),
        summary="Bantuan logistik dan layanan psikososial untuk warga terdampak banjir.",
        tags=("bantuan sosial", "banjir"), hashtags=("Kemensos", "PeduliBanjir"),
        images=(Media(image, "Petugas menyerahkan bantuan logistik di posko pengungsian"),),
        video=Media(video, "", "video") if with_video else None, link="https://www.example.go.id/siaran-pers/contoh/",
        number="001/HUMAS/XI/2026", contact="Biro Humas, 021-000000", source=folder / "contoh.md")


def check_template(channel: Any, templates_dir: Path | None) -> Check:
    """The channel's template renders on a sample release and the result fits the platform."""
    from .adapt import adapt_one

    name = f"template {channel.name}"
    template = getattr(channel.settings, "template", "") or f"{channel.type}.j2"
    with tempfile.TemporaryDirectory(prefix="crosspost-doctor-") as tmp:
        release = sample_release(Path(tmp) / "rilis", with_video=channel.type == "youtube")
        probe = copy.copy(channel)  # derived images go to the temporary folder, not the state dir
        probe.state_dir = Path(tmp) / "state"
        try:
            adapted = adapt_one(release, probe, templates_dir)
        except CrosspostError as exc:
            return fail(name, f"{template} does not render: {exc}",
                        f"correct {template} in your templates folder")
        except Exception as exc:  # noqa: BLE001 - a broken template or channel
            return fail(name, f"{template} does not render: {type(exc).__name__}: {exc}",
                        f"correct {template} in your templates folder")
    errors = [p for p in adapted.problems if p.severity == "error"]
    warnings = [p for p in adapted.problems if p.severity != "error"]
    if errors:
        said = "; ".join(f"{p.field}: {p.message}" for p in errors[:2])
        return fail(name, f"{template} renders, but a typical release cannot be published: {said}",
                    f"correct {template} or [channels.{channel.name}] in channels.toml")
    if warnings:
        return warn(name, f"{template} renders, with warnings on the sample release: "
                    + "; ".join(p.message for p in warnings[:2]))
    return ok(name, f"{template} renders on a sample release")


# -- database and disk ------------------------------------------------------------------------
def check_database(path: Path) -> Check:
    """SQLite's integrity check and the schema version; a missing file is fine (created on first use)."""
    from .store import SCHEMA_VERSION, Store

    if not Path(path).exists():
        return ok("database", f"{path}: not created yet (the first publish creates it)")
    try:
        store = Store.open(path)
    except CrosspostError as exc:
        return fail("database", str(exc), "restore the file from a backup, or check its permissions")
    try:
        result = store.integrity_check()
        version = store.schema_version
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail in many ways
        return fail("database", f"{path} cannot be read: {exc}",
                    "stop cron, keep a copy of the file, and restore the last backup")
    finally:
        store.close()
    if result != "ok":
        return fail("database", f"{path} is damaged: {result}",
                    "stop cron, keep a copy of the file, and restore the last backup "
                    "(or recover it with `sqlite3 FILE .recover`)")
    if version != SCHEMA_VERSION:
        return fail("database", f"{path} has schema {version}, this crosspost expects {SCHEMA_VERSION}",
                    "upgrade crosspost")
    return ok("database", f"{path}: integrity ok, schema {version}")


def check_log(cfg: Any, now: float) -> list[Check]:
    """The log's identity (crosspost.logbook), duplicates the event log saw, and times written by
    a clock that was fast."""
    from .logbook import inspect
    from .store import Store

    status, detail, fix = inspect(cfg)
    checks = [Check("database id", status, detail, fix)]
    if status != "ok" or not Path(cfg.database).exists():
        return checks
    store = Store.open(cfg.database, create=False)
    try:
        dups = store.duplicates()
        skew = store.clock_skew(now)
    finally:
        store.close()
    if dups:
        line = _("#{id} {release} -> {channel} posted {posts} times "
                 "(events {events})")
        which = "; ".join(line.format(**d) for d in dups[:10])
        seen = _("the event log saw {n} delivery(ies) posted twice: {which}")
        checks.append(fail("duplicates", seen.format(n=len(dups), which=which),
            _("remove the extra post on the platform by hand (see `crosspost log`); the window that allows "
              "it is described in the README's delivery section")))
    else:
        checks.append(ok("duplicates", _("no delivery was posted twice according to the event log")))
    if skew:
        checks.append(warn("clock", _("times up to {ahead} ahead of this machine's clock were written to "
                                      "the log (a clock that was fast): {what}").format(
                                          ahead=_duration(skew["ahead"]), what=skew["what"]),
                           _("check the clocks of every machine that runs crosspost (NTP); `crosspost run` "
                             "clamps these times when it claims work, so nothing stays stranded")))
    else:
        checks.append(ok("clock", _("no time in the log lies in the future of this machine's clock")))
    return checks


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def _existing(folder: Path) -> Path:
    folder = Path(folder).resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _size(n: float) -> str:
    return f"{n / GB:.1f} GB" if n >= GB else f"{n / MB:.0f} MB"


def check_disk(label: str, folder: Path, warn_bytes: int = GB, fail_bytes: int = 100 * MB,
               usage: Callable[[Path], Any] = shutil.disk_usage) -> Check:
    """Free space where crosspost writes: SQLite and the site need room to write atomically."""
    name = f"disk {label}"
    try:
        free = usage(_existing(folder)).free
    except OSError as exc:
        return warn(name, f"cannot read the free space of {folder}: {exc.strerror or exc}")
    fix = f"free space on the disk holding {folder}"
    if free < fail_bytes:
        return fail(name, f"only {_size(free)} free at {folder}", fix)
    if free < warn_bytes:
        return warn(name, f"only {_size(free)} free at {folder}", fix)
    return ok(name, f"{_size(free)} free at {folder}")


# -- the website ------------------------------------------------------------------------------
def check_site(name: str, site_dir: Path, base_url: str, *, offline: bool = False, timeout: float = 10.0,
               fetch: linkcheck.Fetch = linkcheck.fetch_status, workers: int = 8,
               limit: int = 200) -> list[Check]:
    """Internal links, images and feed entries resolve to files; external links answer (online)."""
    label = f"website {name}"
    if not (Path(site_dir) / "index.html").is_file():
        return [ok(label, f"{site_dir}: not generated yet (the first publish writes it)")]
    scan = linkcheck.scan_site(Path(site_dir), base_url)
    checks: list[Check] = []
    if scan.broken:
        shown = "; ".join(f"{b.page} -> {b.link} ({b.kind})" for b in scan.broken[:5])
        more = f" and {len(scan.broken) - 5} more" if len(scan.broken) > 5 else ""
        checks.append(fail(label, f"{len(scan.broken)} broken internal link(s): {shown}{more}",
                           "publish the release again (`crosspost publish FILE`) to rewrite its page, "
                           "restore the missing file, or correct the link in the release or theme"))
    else:
        checks.append(ok(label, f"{scan.pages} page(s), {scan.links} link(s): every internal link, "
                         "image and feed entry resolves"))
    if offline:
        return checks
    results, skipped = linkcheck.check_external(scan.external, timeout, workers, limit, fetch)
    bad = [(url, detail) for url, good, detail in results if not good]
    cap = f" ({skipped} more not checked: over the limit)" if skipped else ""
    if bad:
        shown = "; ".join(f"{scan.external[u]} -> {u} ({d})" for u, d in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        checks.append(warn(f"links {name}", f"{len(bad)} of {len(results)} external link(s) do not "
                           f"answer: {shown}{more}{cap}",
                           "correct or remove the link in the release, then publish it again"))
    elif results:
        checks.append(ok(f"links {name}", f"{len(results)} external link(s) answer{cap}"))
    return checks


# -- output -----------------------------------------------------------------------------------
def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == "fail" for c in checks) else 0


def format_line(check: Check) -> str:
    line = f"{check.status:<4}  {check.name}: {check.detail}"
    return line + (f" -> {check.fix}" if check.fix and check.status != "ok" else "")
