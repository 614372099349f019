"""`crosspost doctor`: find what would make tonight's cron run fail, before it runs.

Each check is a small function returning ``Check``s (ok / warn / fail, what was found, and
what to do), so the CLI prints one line per check and exits non-zero on any fail. Network
checks (who-am-I calls, external links, Facebook's token debugger) are skipped with
``offline``. The platform facts come from each channel (``whoami``, ``credentials_expire_at``,
``credential_keys``); the expiry warnings of ``run`` and ``publish`` are in crosspost.credentials.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import linkcheck
from .channels.base import implements
from .credentials import DAY, bounded, has_expiry, in_days, secret_keys, when
from .errors import ConfigError, CrosspostError, DeliveryError, ReauthRequired, RetryLater
from .i18n import N_, _, number

GB = 1024**3
MB = 1024**2


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
        return [fail("config", str(exc), _(
            "correct channels.toml (see the README's configuration section), or create one with `crosspost "
            'init`'))]
    days = opts.days if opts.days is not None else cfg.doctor.expiry_warning_days
    timeout = opts.timeout if opts.timeout is not None else cfg.doctor.timeout
    checks, channels = check_config(cfg)
    for ch in channels:
        if not ch.settings.enabled:
            continue
        cred = check_credentials(ch)
        checks.append(cred)
        if cred.status != "fail":
            if cred.status == "ok" and not opts.offline and implements(ch, "whoami"):
                checks.append(check_whoami(ch, timeout))
            if not opts.offline or expiry_is_local(ch):
                checks += check_expiry(ch, now, days, cfg.timezone, timeout)
        checks.append(check_template(ch, cfg.templates_dir))
        from .inbox.access import engagement_line  # issue 14: what replies and figures need

        checks.append(ok(*engagement_line(ch)))
    checks.append(check_database(cfg.database))
    checks += check_log(cfg, now)
    folders = {"database": cfg.database.parent}
    websites = [ch for ch in channels if ch.platform == "website" and ch.settings.enabled]
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
                               _('correct [channels.{name}] in {path}').format(name=name, path=cfg.path)))
    if not checks:
        enabled = sum(1 for ch in channels if ch.settings.enabled)
        where = _('the built-in default (website only)') if cfg.embedded else str(cfg.path)
        checks.append(ok("config", _(
            '{where} is valid: {names} channel(s), {enabled} enabled').format(
            where=where, names=len(names), enabled=enabled)))
    return checks, channels


def check_credentials(channel: Any) -> Check:
    """The channel's stored secrets (and token/session files) are present; says nothing of validity."""
    from .secrets import env_name

    name = f"credentials {channel.name}"
    fix = _('run `crosspost auth {name}`').format(name=channel.name)
    secrets = channel.secrets
    stored = channel.stored_credentials()
    if stored is not None:  # credentials that are files: the channel says what it found
        status, detail, how = stored
        return Check(name, status, detail, "" if status == "ok" else how or fix)
    keys = secret_keys(channel)
    if not keys:
        return ok(name, _('no credentials needed'))
    missing = [k for k in keys if secrets is None or secrets.get(k) is None]
    if missing:
        envs = ", ".join(env_name(channel.name, k) for k in missing)
        return fail(name, _("missing {keys}").format(keys=", ".join(missing)), _(
            '{fix} (or set {envs} for cron)').format(fix=fix, envs=envs))
    return ok(name, _("{keys} present").format(keys=", ".join(keys)))


def _masked(channel: Any, text: str) -> str:
    return channel.mask(text, secret_keys(channel))


def check_whoami(channel: Any, timeout: float) -> Check:
    """A cheap authenticated call: proves the credentials work today."""
    name = f"login {channel.name}"
    fix = _('run `crosspost auth {name}`').format(name=channel.name)
    try:
        who = bounded(lambda: channel.whoami(timeout), timeout * 2 + 1)
    except TimeoutError:
        return warn(name, _(
            'no answer within {timeout:g} s: could not check the credentials').format(timeout=timeout),
                    _('check the network, or try again with a longer --timeout'))
    except ReauthRequired as exc:
        return fail(name, _masked(channel, str(exc)), fix)
    except RetryLater as exc:
        return warn(name, _masked(channel, _('could not check the credentials: {exc}').format(exc=exc)),
                    _('check the network and try again'))
    except (DeliveryError, ConfigError) as exc:
        return fail(name, _masked(channel, str(exc)),
                    _(
                        'check [channels.{name}] in channels.toml, then {fix}').format(
                        name=channel.name, fix=fix))
    except Exception as exc:  # noqa: BLE001 - SDK errors: the type only, their text may hold tokens
        return fail(name, _(
            'the check failed with {name}').format(
            name=type(exc).__name__), _('{fix}, then run doctor again').format(fix=fix))
    return ok(name, _('logged in as {who}').format(who=who))


# -- credential expiry ------------------------------------------------------------------------
def expiry_is_local(channel: Any) -> bool:
    """Whether credentials_expire_at needs no network (doctor --offline may still ask it)."""
    return not channel.expiry_needs_network()


def check_expiry(channel: Any, now: float, days: int, tz: str = "Asia/Jakarta",
                 timeout: float = 10.0) -> list[Check]:
    """When the credentials stop working, where the platform says (empty for channels that never expire)."""
    if not has_expiry(channel):
        return []
    method = channel.credentials_expire_at
    name = f"expiry {channel.name}"
    fix = _('run `crosspost auth {name}` before then').format(name=channel.name)
    try:
        expires = bounded(method, timeout * 2 + 1)
    except TimeoutError:
        return [warn(name, _(
            'no answer within {timeout:g} s: could not find out when the credentials expire').format(
            timeout=timeout), _(
            'check the network and try again'))]
    except CrosspostError as exc:
        return [warn(name, _masked(channel, _(
            'could not find out when the credentials expire: {exc}').format(exc=exc)),
                     _('run `crosspost auth {name}` if it persists').format(name=channel.name))]
    except Exception as exc:  # noqa: BLE001
        return [warn(name, _(
            'could not find out when the credentials expire ({name})').format(name=type(exc).__name__))]
    if expires is None:
        return [ok(name, _('the credentials do not expire by date'))]
    if expires <= now:
        return [fail(name, _('the credentials expired on {when}').format(when=when(expires, tz)),
                     _('run `crosspost auth {name}`').format(name=channel.name))]
    if expires <= now + days * DAY:
        return [warn(name, _(
            'the credentials expire on {when} ({in_days})').format(
            when=when(expires, tz), in_days=in_days(expires - now)),
                     fix)]
    return [ok(name, _(
        'the credentials expire on {when} ({in_days})').format(
        when=when(expires, tz), in_days=in_days(expires - now)))]


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
    template = getattr(channel.settings, "template", "") or f"{channel.platform}.j2"
    with tempfile.TemporaryDirectory(prefix="crosspost-doctor-") as tmp:
        release = sample_release(Path(tmp) / "rilis", with_video=channel.video_only)
        probe = copy.copy(channel)  # derived images go to the temporary folder, not the state dir
        probe.state_dir = Path(tmp) / "state"
        try:
            adapted = adapt_one(release, probe, templates_dir)
        except CrosspostError as exc:
            return fail(name, _('{template} does not render: {exc}').format(template=template, exc=exc),
                        _('correct {template} in your templates folder').format(template=template))
        except Exception as exc:  # noqa: BLE001 - a broken template or channel
            return fail(name, _(
                '{template} does not render: {name}: {exc}').format(
                template=template, name=type(exc).__name__, exc=exc),
                        _('correct {template} in your templates folder').format(template=template))
    errors = [p for p in adapted.problems if p.severity == "error"]
    warnings = [p for p in adapted.problems if p.severity != "error"]
    if errors:
        said = "; ".join(f"{p.field}: {p.message}" for p in errors[:2])
        return fail(name, _(
            '{template} renders, but a typical release cannot be published: {said}').format(
            template=template, said=said),
                    _(
                        'correct {template} or [channels.{name}] in channels.toml').format(
                        template=template, name=channel.name))
    if warnings:
        return warn(name, _("{template} renders, with warnings on the sample release: {warnings}").format(
            template=template, warnings="; ".join(p.message for p in warnings[:2])))
    return ok(name, _('{template} renders on a sample release').format(template=template))


# -- database and disk ------------------------------------------------------------------------
def check_database(path: Path) -> Check:
    """SQLite's integrity check and the schema version; a missing file is fine (created on first use)."""
    from .store import SCHEMA_VERSION, Store

    if not Path(path).exists():
        return ok("database", _('{path}: not created yet (the first publish creates it)').format(path=path))
    try:
        store = Store.open(path)
    except CrosspostError as exc:
        return fail("database", str(exc), _('restore the file from a backup, or check its permissions'))
    try:
        result = store.integrity_check()
        version = store.schema_version
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail in many ways
        return fail("database", _('{path} cannot be read: {exc}').format(path=path, exc=exc),
                    _('stop cron, keep a copy of the file, and restore the last backup'))
    finally:
        store.close()
    if result != "ok":
        return fail("database", _('{path} is damaged: {result}').format(path=path, result=result),
                    _(
                        'stop cron, keep a copy of the file, and restore the last backup (or recover it '
                        'with `sqlite3 FILE .recover`)'))
    if version != SCHEMA_VERSION:
        return fail("database", _(
            '{path} has schema {version}, this crosspost expects {SCHEMA_VERSION}').format(
            path=path, version=version, SCHEMA_VERSION=SCHEMA_VERSION),
                    _('upgrade crosspost'))
    return ok("database", _('{path}: integrity ok, schema {version}').format(path=path, version=version))


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
        stuck = store.unsettled()
        skew = store.clock_skew(now)
        late = overdue(store, now)
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
    if stuck:
        which = "; ".join(f"#{d['id']} {d['release']} -> {d['channel']}" for d in stuck[:10])
        checks.append(fail("unknown", _("{n} delivery(ies) stayed unknown after their lookups ran out: "
                                        "{which}").format(n=len(stuck), which=which),
                           _("check each post on the platform, then `crosspost resolve ID --sent URL` or "
                             "`crosspost resolve ID --not-sent`; crosspost never sends them by itself")))
    else:
        checks.append(ok("unknown", _("no unknown delivery waits for a person")))
    if late:
        checks.append(warn("queue", _("{n} delivery(ies) overdue, the oldest by {late}: is `crosspost run` "
                                      "scheduled in cron?").format(n=len(late), late=_duration(late[0])),
                           _("add the cron line from the README (cron and systemd), or run `crosspost run` "
                             "now")))
    else:
        checks.append(ok("queue", _("nothing waits past its time")))
    if skew:
        checks.append(warn("clock", _("times up to {ahead} ahead of this machine's clock were written to "
                                      "the log (a clock that was fast): {what}").format(
                                          ahead=_duration(skew["ahead"]), what=skew["what"]),
                           _("check the clocks of every machine that runs crosspost (NTP); `crosspost run` "
                             "clamps these times when it claims work, so nothing stays stranded")))
    else:
        checks.append(ok("clock", _("no time in the log lies in the future of this machine's clock")))
    return checks


OVERDUE_GRACE = 300.0  # seconds: cron runs every minute, so five minutes late means nobody runs it


def overdue(store: Any, now: float) -> list[float]:
    """How late each queued delivery is (longest first) beyond the grace: due, not held by the
    office-wide pause or an embargo, and still not sent."""
    from .controls import embargo_active

    if store.active_pause(now) is not None:
        return []
    rows = [d for d in store.deliveries(status="queued") if (d.not_before or 0) < now - OVERDUE_GRACE]
    held = {slug for slug in {d.release_slug for d in rows}
            if (r := store.release_by_slug(slug)) is not None and embargo_active(r, now)}
    return sorted((now - (d.not_before or 0) for d in rows if d.release_slug not in held), reverse=True)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return _("{hours} h").format(hours=number(seconds / 3600, 1))
    return _("{minutes} min").format(minutes=number(seconds / 60))


def _existing(folder: Path) -> Path:
    folder = Path(folder).resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _size(n: float) -> str:
    return f"{number(n / GB, 1)} GB" if n >= GB else f"{number(n / MB)} MB"


def check_disk(label: str, folder: Path, warn_bytes: int = GB, fail_bytes: int = 100 * MB,
               usage: Callable[[Path], Any] = shutil.disk_usage) -> Check:
    """Free space where crosspost writes: SQLite and the site need room to write atomically."""
    name = f"disk {label}"
    try:
        free = usage(_existing(folder)).free
    except OSError as exc:
        return warn(name, _(
            'cannot read the free space of {folder}: {value}').format(
            folder=folder, value=exc.strerror or exc))
    fix = _('free space on the disk holding {folder}').format(folder=folder)
    if free < fail_bytes:
        return fail(name, _('only {_size} free at {folder}').format(_size=_size(free), folder=folder), fix)
    if free < warn_bytes:
        return warn(name, _('only {_size} free at {folder}').format(_size=_size(free), folder=folder), fix)
    return ok(name, _("{size} free at {folder}").format(size=_size(free), folder=folder))


# -- the website ------------------------------------------------------------------------------
def check_site(name: str, site_dir: Path, base_url: str, *, offline: bool = False, timeout: float = 10.0,
               fetch: linkcheck.Fetch = linkcheck.fetch_status, workers: int = 8,
               limit: int = 200) -> list[Check]:
    """Internal links, images and feed entries resolve to files; external links answer (online)."""
    label = f"website {name}"
    if not (Path(site_dir) / "index.html").is_file():
        return [ok(label, _(
            '{site_dir}: not generated yet (the first publish writes it)').format(site_dir=site_dir))]
    scan = linkcheck.scan_site(Path(site_dir), base_url)
    checks: list[Check] = []
    if scan.broken:
        shown = "; ".join(f"{b.page} -> {b.link} ({b.kind})" for b in scan.broken[:5])
        more = f" and {len(scan.broken) - 5} more" if len(scan.broken) > 5 else ""
        checks.append(fail(label, _(
            '{broken} broken internal link(s): {shown}{more}').format(
            broken=len(scan.broken), shown=shown, more=more),
                           _(
                               'publish the release again (`crosspost publish FILE`) to rewrite its page, '
                               'restore the missing file, or correct the link in the release or theme')))
    else:
        checks.append(ok(label, _(
            '{pages} page(s), {links} link(s): every internal link, image and feed entry resolves').format(
            pages=scan.pages, links=scan.links)))
    if offline:
        return checks
    results, skipped = linkcheck.check_external(scan.external, timeout, workers, limit, fetch)
    bad = [(url, detail) for url, good, detail in results if not good]
    cap = _(' ({skipped} more not checked: over the limit)').format(skipped=skipped) if skipped else ""
    if bad:
        shown = "; ".join(f"{scan.external[u]} -> {u} ({d})" for u, d in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        checks.append(warn(f"links {name}", _(
            '{bad} of {results} external link(s) do not answer: {shown}{more}{cap}').format(
            bad=len(bad), results=len(results), shown=shown, more=more, cap=cap),
                           _('correct or remove the link in the release, then publish it again')))
    elif results:
        checks.append(ok(f"links {name}", _(
            '{results} external link(s) answer{cap}').format(results=len(results), cap=cap)))
    return checks


# -- output -----------------------------------------------------------------------------------
def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == "fail" for c in checks) else 0


# The checks' names and states as people read them (the names stay as they are in --json).
CHECK_WORDS = {"config": N_("config"), "credentials": N_("credentials"), "login": N_("login"),
               "expiry": N_("expiry"), "template": N_("template"), "database": N_("database"),
               "database id": N_("database id"), "duplicates": N_("duplicates"), "unknown": N_("unknown"),
               "queue": N_("queue"), "clock": N_("clock"), "disk": N_("disk"), "site": N_("site"),
               "website": N_("website"), "links": N_("links")}
STATES = {"ok": N_("ok"), "warn": N_("warn"), "fail": N_("fail")}


def check_label(name: str) -> str:
    """'credentials twitter' -> 'kredensial twitter': the check's words translated, channel names kept."""
    if name in CHECK_WORDS:
        return _(CHECK_WORDS[name])
    words = name.split(" ")
    plain = 2 if words[0] == "disk" else 1  # "disk database", "disk site NAME"; then a channel's name
    return " ".join(_(CHECK_WORDS[w]) if i < plain and w in CHECK_WORDS else w for i, w in enumerate(words))


def format_line(check: Check) -> str:
    state = _(STATES.get(check.status, check.status))
    width = max(len(_(s)) for s in STATES.values())
    line = f"{state:<{width}}  {check_label(check.name)}: {check.detail}"
    return line + (f" -> {check.fix}" if check.fix and check.status != "ok" else "")
