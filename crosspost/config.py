"""channels.toml -> typed settings and Channel objects.

Lookup order: --config / $CROSSPOST_CONFIG, channels.toml in the current folder or a parent,
beside the release file or in a parent, the embedded default (the static website only).
Secrets are never read from this file: keys that look like secrets are refused so nobody
pastes a token here by mistake.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .channels import REGISTRY, channel_class
from .channels.base import Channel, dataclass_from_mapping
from .controls import AccessibilitySettings, channel_accessibility
from .errors import ConfigError
from .i18n import _
from .inbox.settings import InboxSettings, inbox_settings
from .inputs import MediaSettings
from .secrets import SecretStore

TOP_KEYS = {"timezone", "database", "templates", "state_dir", "channels", "approval", "lang", "doctor",
            "accessibility", "media", "office", "inbox"}
SECRET_WORDS = ("token", "secret", "password", "api_key", "apikey")
# What people type for a platform whose channel is named otherwise in channels.toml.
CHANNEL_ALIASES = {"x": "twitter", "fb": "facebook", "ig": "instagram", "yt": "youtube", "web": "website",
                   "situs": "website"}


def default_config_path() -> Path:
    """The channels.toml embedded in the package (or the repo's, when run from source)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_default" / "channels.toml"
    return packaged if packaged.is_file() else here.parent / "channels.toml"


def find_config(explicit: Path | None = None, near: Path | None = None) -> tuple[Path, bool]:
    """The config file to use and whether it is the embedded default.

    Found the way git finds its repository: --config / $CROSSPOST_CONFIG, else channels.toml in the
    current folder or the nearest parent, else beside the release file (``near``) or in its nearest
    parent, else the embedded default (the static website only, state in the user's state folder).
    """
    if explicit is None and os.environ.get("CROSSPOST_CONFIG"):
        explicit = Path(os.environ["CROSSPOST_CONFIG"])
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(_("config file not found; create one with `crosspost init`"), explicit)
        return explicit, False
    starts = [Path.cwd()] + ([near.resolve().parent] if near is not None else [])
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / "channels.toml"
            if candidate.is_file():
                return candidate, False
    return default_config_path(), True


@dataclass(frozen=True)
class OfficeSettings:
    """[office] in channels.toml: who the office is, and who works this machine by default."""

    name: str = ""  # e.g. "Kementerian Sosial Republik Indonesia"
    unit: str = ""  # e.g. "Biro Hubungan Masyarakat"
    operator: str = ""  # the person recorded in the log when a command names nobody (--by, CROSSPOST_USER)
    # offices sharing one (PostgreSQL) log: each sees and sends only its own releases (store.office)
    id: str = ""  # e.g. "kemensos-jatim": lowercase letters, digits, - and _


# -- doctor ----
@dataclass(frozen=True)
class DoctorSettings:
    """[doctor] in channels.toml: health checks and credential-expiry warnings."""

    expiry_warning_days: int = 14  # doctor, run and publish warn this many days before credentials expire
    timeout: float = 10.0  # seconds for each network check of `crosspost doctor`
    external_links: int = 200  # at most this many external links of the website are checked


@dataclass(frozen=True)
class Config:
    path: Path
    embedded: bool
    base_dir: Path  # where relative paths in the file point
    state_dir: Path  # secrets, derived images, the default database
    timezone: str
    database: Path
    templates_dir: Path | None
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    approval: bool = False
    doctor: DoctorSettings = field(default_factory=DoctorSettings)
    # -- controls ----
    approvers: tuple[str, ...] = ()  # [approval] approvers: who may approve (names for --by)
    accessibility: AccessibilitySettings = field(default_factory=AccessibilitySettings)
    media: MediaSettings = field(default_factory=MediaSettings)  # [media]: allowed_dirs and input limits
    office: OfficeSettings = field(default_factory=lambda: OfficeSettings())  # [office]: name, unit, operator
    database_url: str = ""  # `database = "postgresql://user@host/db"`: the PostgreSQL log (store_postgres)
    inbox: InboxSettings = field(default_factory=InboxSettings)  # [inbox]: reply rules, window, keep_days

    def channel_names(self, enabled_only: bool = True) -> list[str]:
        return [n for n, t in self.tables.items() if not enabled_only or t.get("enabled", True)]

    def channel(self, name: str) -> Channel:
        return build_channel(self.channel_name(name), self.tables[self.channel_name(name)], self)

    def channel_name(self, typed: str) -> str:
        """The configured channel a person means: any case, ``x`` for X/Twitter, or a platform type
        when one channel has it; a typo gets the nearest name suggested."""
        if typed in self.tables:
            return typed
        wanted = typed.strip().casefold()
        wanted = CHANNEL_ALIASES.get(wanted, wanted)
        by_name = {n.casefold(): n for n in self.tables}
        if wanted in by_name:
            return by_name[wanted]
        of_type = [n for n, t in self.tables.items() if str(t.get("type") or n).casefold() == wanted]
        if len(of_type) == 1:
            return of_type[0]
        import difflib

        known = ", ".join(self.tables) or _("none")
        near = difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.6)
        hint = _("; did you mean '{name}'?").format(name=by_name[near[0]]) if near else ""
        raise ConfigError(_("no channel named '{name}' (configured: {known})").format(
            name=typed, known=known) + hint, self.path)

    def channels(self, names: list[str] | None = None, enabled_only: bool = True) -> list[Channel]:
        """Channels by name (all enabled ones when names is None); ``-c x,facebook`` lists work too."""
        if names:
            typed = [part for n in names for part in n.split(",") if part.strip()]
            return [self.channel(n) for n in dict.fromkeys(self.channel_name(t) for t in typed)]
        return [self.channel(n) for n in self.channel_names(enabled_only)]


def build_channel(name: str, table: dict[str, Any], cfg: Config) -> Channel:
    data = dict(table)
    type_ = data.get("type") or name
    if type_ not in REGISTRY:
        raise ConfigError(_("[channels.{name}] unknown type '{type}' (known: {known})").format(
            name=name, type=type_, known=", ".join(sorted(REGISTRY))), cfg.path)
    data["type"] = type_
    limits_table = data.pop("limits", {}) or {}
    access: dict[str, Any] = {k: data.pop(k) for k in ("require_alt", "require_captions") if k in data}
    if "require_approval" not in data and cfg.approval:
        data["require_approval"] = True
    cls = channel_class(type_)
    settings = dataclass_from_mapping(cls.Settings, data, f"channels.{name}")
    limits = dataclass_from_mapping(cls.Limits, limits_table, f"channels.{name}.limits")
    secrets = SecretStore(name, cfg.state_dir)
    channel = cls(name, settings, limits, secrets=secrets, base_dir=cfg.base_dir, state_dir=cfg.state_dir)
    for key, value in access.items():
        if not isinstance(value, bool):
            raise ConfigError(_("[channels.{name}] {key} must be true or false").format(name=name, key=key),
                              cfg.path)
    channel.accessibility = channel_accessibility(cfg.accessibility, access)  # read by the accessibility gate
    return channel


def _check_no_secrets(table: dict[str, Any], where: str, path: Path) -> None:
    for key, value in table.items():
        if isinstance(value, dict):
            _check_no_secrets(value, f"{where}.{key}", path)
        elif any(w in key.lower() for w in SECRET_WORDS) and not key.endswith(("_file", "_env")):
            raise ConfigError(_("[{table}] '{key}' looks like a secret: secrets never go in channels.toml; "
                                "run `crosspost auth` or set an environment variable").format(
                                    table=where, key=key), path)


def load_config(path: Path | None = None, near: Path | None = None) -> Config:
    """channels.toml (see find_config; ``near`` is the release file being worked on)."""
    cfg_path, embedded = find_config(path, near)
    try:
        data = tomllib.loads(cfg_path.read_text("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(_("the file is not UTF-8 text (byte 0x{byte:02X} at position {pos}): save it as "
                            "UTF-8").format(byte=exc.object[exc.start], pos=exc.start), cfg_path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("not valid TOML: {error}").format(error=exc), cfg_path) from None
    except OSError as exc:
        raise ConfigError(_("cannot read: {error}").format(error=exc.strerror), cfg_path) from None
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise ConfigError(_("unknown top-level key(s): {keys}").format(keys=", ".join(unknown)), cfg_path)
    tables = data.get("channels", {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigError(_("[channels] must hold one table per channel, e.g. [channels.website]"), cfg_path)
    _check_no_secrets(tables, "channels", cfg_path)

    env_state = os.environ.get("CROSSPOST_STATE_DIR")
    if env_state:
        state_dir = Path(env_state)
    elif embedded:
        from platformdirs import user_state_path  # only here: ~2 ms of every start otherwise

        state_dir = user_state_path("crosspost")
    else:
        state_dir = cfg_path.parent / data.get("state_dir", ".crosspost")
    base_dir = state_dir if embedded else cfg_path.parent
    raw_db = str(os.environ.get("CROSSPOST_DB") or data.get("database", "crosspost.db"))
    # a postgresql:// URL is kept as written (a Path would fold its //); crosspost.store_postgres
    is_url = "://" in raw_db and raw_db.split("://", 1)[0] in ("postgresql", "postgres")
    database_url = raw_db if is_url else ""
    database = Path(raw_db) if database_url or os.environ.get("CROSSPOST_DB") else base_dir / raw_db
    templates = data.get("templates")
    templates_dir = (base_dir / templates) if templates and not embedded else None
    from .timezones import zone

    timezone = str(data.get("timezone", "Asia/Jakarta"))
    zone(timezone)  # fail early on a bad zone name
    doctor_table = data.get("doctor", {})
    if not isinstance(doctor_table, dict):
        raise ConfigError(_('[doctor] must be a table, e.g. [doctor] expiry_warning_days = 14'), cfg_path)
    doctor = dataclass_from_mapping(DoctorSettings, doctor_table, "doctor")
    approval, approvers, accessibility = _controls(data, cfg_path)
    media = _media(data, base_dir, cfg_path)
    office_table = data.get("office", {})
    if not isinstance(office_table, dict):
        raise ConfigError(_('[office] must be a table, e.g. [office] operator = "Rina"'), cfg_path)
    office = dataclass_from_mapping(OfficeSettings, office_table, "office")
    if office.id and not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", office.id):
        raise ConfigError(_("[office] id must be lowercase letters, digits, - or _ "
                            "(e.g. \"kemensos-jatim\"), not {value!r}").format(value=office.id), cfg_path)
    try:
        inbox = inbox_settings(data.get("inbox", {}))
    except ConfigError as exc:
        raise ConfigError(str(exc), cfg_path) from None
    return Config(cfg_path, embedded, base_dir, state_dir, timezone, database, templates_dir,
                  tables, approval, doctor=doctor, approvers=approvers, accessibility=accessibility,
                  media=media, office=office, inbox=inbox, database_url=database_url)


def _media(data: dict[str, Any], base_dir: Path, path: Path) -> MediaSettings:
    """[media] allowed_dirs (relative to channels.toml) and the input size limits."""
    table = data.get("media", {})
    if not isinstance(table, dict):
        raise ConfigError(_('[media] must be a table, e.g. [media] allowed_dirs = ["/srv/foto"]'), path)
    try:
        media = dataclass_from_mapping(MediaSettings, table, "media")
        media.check()
    except ConfigError as exc:
        raise ConfigError(str(exc), path) from None
    dirs = tuple(str((base_dir / Path(d).expanduser()).resolve()) for d in media.allowed_dirs)
    return replace(media, allowed_dirs=dirs)


# -- controls ----
def _controls(data: dict[str, Any], path: Path) -> tuple[bool, tuple[str, ...], AccessibilitySettings]:
    """[approval] required/approvers and [accessibility] require_alt/require_captions."""
    approval = data.get("approval", {})
    if not isinstance(approval, dict):
        raise ConfigError(_('[approval] must be a table, e.g. [approval] required = true'), path)
    unknown = sorted(set(approval) - {"required", "approvers"})
    if unknown:
        raise ConfigError(_(
            '[approval] unknown key(s): {unknown}; allowed: approvers, required').format(
            unknown=', '.join(unknown)),
                          path)
    required = approval.get("required", False)
    approvers = approval.get("approvers", [])
    if not isinstance(required, bool):
        raise ConfigError(_('[approval] required must be true or false'), path)
    if not isinstance(approvers, list) or not all(isinstance(a, str) and a.strip() for a in approvers):
        raise ConfigError(_('[approval] approvers must be a list of names, e.g. ["Rina", "Budi"]'), path)
    access = data.get("accessibility", {})
    if not isinstance(access, dict):
        raise ConfigError(_('[accessibility] must be a table, e.g. [accessibility] require_alt = true'), path)
    settings = dataclass_from_mapping(AccessibilitySettings, access, "accessibility")
    return required, tuple(a.strip() for a in approvers), settings
