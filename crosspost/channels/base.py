"""The contract every channel implements, and the context the engine hands to publish().

A channel module must not import its SDK at module level: `crosspost --help` and
`crosspost preview` never load tweepy, facebook, instagrapi or googleapiclient.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .. import stat_once
from ..engagement import CommentPage
from ..i18n import _
from ..models import Problem, Receipt, Release, Variant
from ..utm_links import utm


class Secrets(Protocol):
    """Resolves a channel's secret by key (env var, keyring, or 0600 file). Never logged."""

    def get(self, key: str) -> str | None: ...

    def require(self, key: str) -> str: ...

    def set(self, key: str, value: str) -> None: ...

    def path(self, key: str) -> Path:
        """A 0600 file path for secrets that are files (OAuth token JSON, instagrapi session)."""
        ...


@dataclass
class PublishContext:
    """Everything publish() may need besides the variant; built by the engine per attempt."""

    release: Release
    delivery_id: int = 0
    # What an earlier attempt recorded (e.g. ids of thread parts already posted).
    progress: dict[str, Any] = field(default_factory=dict)
    # Persist progress at once (committed before the next API call).
    save_progress: Callable[[dict[str, Any]], None] = lambda _p: None
    # Call during long uploads; raises LeaseLost when another worker took the delivery.
    heartbeat: Callable[[], None] = lambda: None
    # When the post should appear (platform-side scheduling), if the release is scheduled.
    scheduled_at: datetime | None = None
    # Upload progress callback: (bytes_done, bytes_total).
    on_progress: Callable[[int, int], None] | None = None
    # Receipts of channels already sent for this release (e.g. the website's image URLs).
    sibling_receipts: dict[str, Receipt] = field(default_factory=dict)
    now: Callable[[], float] | None = None
    # When this delivery was first claimed (Unix time, from the event log): a post made for it
    # cannot be older, so a lookup matches only posts created after it (minus clock slack).
    claimed_at: float | None = None


@dataclass(frozen=True)
class CommonSettings:
    """Keys every channel section accepts besides its own."""

    type: str = ""
    enabled: bool = True
    template: str = ""  # file name in the templates dir; default "<type>.j2"
    utm_source: str = ""  # add UTM parameters to the release link when set
    utm_medium: str = "social"
    # Delivery engine policy (see the README's "Delivery engine" section).
    max_attempts: int = 6
    deadline_hours: float = 24.0
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    min_interval: float = 0.0  # seconds between two posts on this channel, across releases
    require_approval: bool = False
    # Routing (crosspost.routing): only releases of these sections go to this channel; empty = all.
    sections: tuple[str, ...] = ()
    # ... and only releases that carry these: "image", "video" (e.g. Facebook for photo releases only).
    requires: tuple[str, ...] = ()


class Channel:
    """Base class: one platform's facts and operations. A new platform is one subclass (its own
    module under ``crosspost/channels/``), one template and one line in the registry.

    Every channel declares:

    - ``platform``: the registry name (``type = "..."`` in channels.toml), e.g. ``"twitter"``.
    - ``Settings`` and ``Limits``: frozen dataclasses read from its channels.toml table.
    - ``secret_keys``: the secrets `crosspost auth` asks for (``credential_keys()`` when a
      backend needs other ones).
    - ``editable``: whether a sent post's own text can be changed (a correction edits it in
      place instead of adding a reply or a comment).

    and implements:

    - ``build_variant``: the rendered template -> a Variant, checked against the limits.
    - ``publish``: send a new post; ``correct``: send a correction (ralat) of an earlier one.
      The engine picks one of the two (``is_correction``); neither looks at the other's variants.
      ``correction_problems`` checks a correction against the limits before it is queued.
    - ``lookup`` (when ``can_lookup``) and ``lookup_correction``: find a post that may already
      exist, to settle an unknown outcome.
    - ``whoami`` and ``credentials_expire_at`` for `crosspost doctor` and the expiry warnings
      of `publish` and `run` (``implements(channel, name)`` says whether a channel has them);
      for doctor also ``stored_credentials`` (credentials kept as files),
      ``expiry_needs_network`` and ``video_only``.
    - optionally ``comments`` and ``metrics`` (with ``has_comments`` / ``has_metrics`` and
      ``engagement_access``), read by `crosspost inbox fetch` and `crosspost metrics fetch`.
    """

    platform: ClassVar[str] = ""
    Settings: ClassVar[type] = CommonSettings
    Limits: ClassVar[type]
    secret_keys: ClassVar[tuple[str, ...]] = ()
    editable: ClassVar[bool] = False
    # It publishes the release's article (the website): the other channels link to it, so it is
    # adapted first (its link becomes the release's link) and the engine sends it first.
    article: ClassVar[bool] = False
    video_only: ClassVar[bool] = False  # every post is a video (doctor's sample release carries one)
    can_lookup: ClassVar[bool] = False
    has_comments: ClassVar[bool] = False
    # How far back (seconds after sending) the platform lets replies be read; None: as far as
    # [inbox] window_days. Older posts are not asked for replies at all (figures still are).
    replies_reach: ClassVar[float | None] = None
    has_metrics: ClassVar[bool] = False
    accessibility: Any = None  # set by config: crosspost.controls.AccessibilitySettings

    def __init__(
        self,
        name: str,
        settings: Any,
        limits: Any,
        secrets: Secrets | None = None,
        base_dir: Path | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.limits = limits
        self.secrets = secrets
        self.base_dir = base_dir or Path.cwd()
        self.state_dir = state_dir or self.base_dir

    # -- adapt and deliver ------------------------------------------------------------------
    def cannot_carry(self, release: Release) -> str | None:
        """Why this platform cannot carry ``release`` at all (YouTube without a video, Instagram
        without an image), or None. Routing then skips the channel with this reason instead of
        refusing the whole release (crosspost.routing)."""
        return None

    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        raise NotImplementedError

    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Send a new post; raise a DeliveryError subclass (crosspost.errors) that says what the
        engine may do next (retry, wait, ask for re-authentication, ask a person)."""
        raise NotImplementedError

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Send a correction (ralat) of a sent post: edit it when ``editable``, else reply or
        comment. ``variant.extra["original"]`` holds the original's remote_id, url and receipt
        extra (see crosspost.correct). The same failure rules as publish() apply."""
        from ..errors import Permanent

        raise Permanent(_(
            "channel '{name}' ({platform}) cannot send a correction: correct the post by hand").format(
            name=self.name, platform=self.platform))

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Return the receipt of an existing post for this delivery, or None if none exists."""
        raise NotImplementedError

    def correction_problems(self, variant: Variant) -> list[Problem]:
        """The platform limits a correction variant must meet (it is checked like any post)."""
        return []

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """Whether a correction was applied (the edit made, the reply or comment posted): its
        receipt, or None. By default a correction is found like any post, by lookup()."""
        return self.lookup(variant, ctx)

    # -- credentials (crosspost auth, doctor, expiry warnings) ------------------------------
    def credential_keys(self) -> tuple[str, ...]:
        """The secret keys this configured channel needs (``secret_keys`` unless a backend
        needs other ones)."""
        return self.secret_keys

    def stored_credentials(self) -> tuple[str, str, str] | None:
        """For credentials that are files (an OAuth token, a saved login), what is stored:
        (``"ok"``, ``"warn"`` or ``"fail"``, what was found, what to do). None: doctor checks
        that every key in credential_keys() is present. Says nothing of validity (whoami does)."""
        return None

    def whoami(self, timeout: float) -> str:
        """The account the stored credentials act for, by a cheap authenticated call: proves
        they work today. Raises a DeliveryError when they do not."""
        raise NotImplementedError

    def credentials_expire_at(self) -> float | None:
        """When the stored credentials stop working (Unix time), or None when they do not
        expire by date. A channel without this method has nothing that expires."""
        raise NotImplementedError

    def expiry_needs_network(self) -> bool:
        """Whether credentials_expire_at() asks the platform (doctor --offline then skips it)."""
        return False

    # -- optional: the inbox and metrics (crosspost.inbox; all read-only) ---------------------
    # What the platform's access level must include for comments and figures (doctor, README).
    engagement_access: ClassVar[str] = ""

    def comments(self, receipt: Receipt, since: float | None = None, *, cursor: str | None = None,
                 max_pages: int = 20, now: float | None = None,
                 sent_at: float | None = None) -> CommentPage:
        """Comments and replies on a sent post (``has_comments``) created at or after ``since``
        (Unix time), newest first, reading at most ``max_pages`` pages from ``cursor`` (the
        marker an earlier page returned). Raises crosspost.engagement.NotAvailable when the
        platform cannot give them (post deleted, window passed, access tier), a DeliveryError
        when the read failed (a rate limit is RetryLater)."""
        raise NotImplementedError

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        """The platform's figures for sent posts (``has_metrics``), by remote id, in as few calls
        as the platform allows: only the names of crosspost.engagement.METRICS it reports (a
        figure it does not give stays absent, never 0); None for a post that no longer exists."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------
    def problem(self, field_: str, message: str, limit: int | None = None,
                actual: int | None = None, severity: str = "error") -> Problem:
        return Problem(self.name, field_, message, limit, actual, severity)  # type: ignore[arg-type]

    def release_link(self, release: Release) -> str | None:
        """The release's link with this channel's UTM parameters (None when it has none)."""
        s = self.settings
        return utm(release.link, getattr(s, "utm_source", ""), getattr(s, "utm_medium", "social"),
                   release.slug) or None

    def mask(self, text: str, keys: Iterable[str] = ()) -> str:
        """Text bound for messages and logs, with every secret value of this channel masked."""
        from ..secrets import mask

        if self.secrets is None:
            return text
        values = list(getattr(self.secrets, "values", lambda: [])())
        for key in keys:
            try:
                value = self.secrets.get(key)
            except Exception:  # a broken keyring must not hide the error being reported
                value = None
            if value:
                values.append(value)
        return mask(text, values)

    def image_file_problems(self, images: Any, max_bytes: int, suffixes: Any, platform: str,
                            formats: str) -> list[Problem]:
        """Each image must exist, fit the platform's byte limit and be of a type it takes."""
        out: list[Problem] = []
        for m in images:
            try:
                size = stat_once.stat(m.path).st_size  # one look per adaptation
            except OSError:
                out.append(self.problem("media", _('image not found: {path}').format(path=m.path)))
                continue
            if size > max_bytes:
                out.append(self.problem("media", _(
                    'image too big for {platform}: {name} (make it smaller or export it as JPEG)').format(
                    platform=platform, name=m.path.name), max_bytes, size))
            if m.path.suffix.lower() not in suffixes:
                out.append(self.problem("media", _(
                    '{platform} takes {formats} images, not {name}').format(
                    platform=platform, formats=formats, name=m.path.name)))
        return out

    def resolve(self, path: str | Path) -> Path:
        """A path from channels.toml, relative to the config file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def is_correction(variant: Variant) -> bool:
    """Whether the variant is a correction (ralat) of a sent post, built by crosspost.correct:
    the engine then calls correct() / lookup_correction() instead of publish() / lookup()."""
    return variant.extra.get("action") == "correct"


def implements(channel: Any, method: str) -> bool:
    """Whether ``channel`` (an instance or a class) has its own optional ``method`` (whoami,
    credentials_expire_at, comments, metrics) rather than the base's NotImplementedError."""
    own = getattr(channel, "__dict__", {}).get(method) if not isinstance(channel, type) else None
    if own is not None:
        return callable(own)
    cls = channel if isinstance(channel, type) else type(channel)
    found = getattr(cls, method, None)
    return callable(found) and found is not getattr(Channel, method, None)


def dataclass_from_mapping(cls: type, data: dict[str, Any], where: str) -> Any:
    """Build a frozen settings/limits dataclass, refusing unknown keys and wrong types."""
    from ..errors import ConfigError

    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(_(
            '[{where}] unknown key(s): {unknown}; allowed: {fields}').format(
            where=where, unknown=', '.join(unknown), fields=', '.join(sorted(fields))))
    for key, value in data.items():
        expected = fields[key].default
        if expected is not dataclasses.MISSING and expected is not None:
            ok = isinstance(value, type(expected)) or (
                isinstance(expected, float) and isinstance(value, int) and not isinstance(value, bool))
            if isinstance(expected, int) and not isinstance(expected, bool) and isinstance(value, bool):
                ok = False
            if isinstance(expected, tuple) and isinstance(value, list):
                value = tuple(value)
                data = {**data, key: value}
                ok = True
            if not ok:
                raise ConfigError(_(
                    '[{where}] {key} must be {name}, not {name2}').format(
                    where=where, key=key, name=type(expected).__name__, name2=type(value).__name__))
        _check_range(key, value, where)
    try:
        return cls(**data)
    except TypeError as exc:
        raise ConfigError(_('[{where}] {exc}').format(where=where, exc=exc)) from None


# Settings whose value must lie in a range, whatever section they are in: (lowest, lowest allowed?).
RANGES: dict[str, tuple[float, bool]] = {
    "max_attempts": (1, True), "deadline_hours": (0, False), "backoff_base": (0, True),
    "backoff_max": (0, True), "min_interval": (0, True), "timeout": (0, False),
    "expiry_warning_days": (0, True), "external_links": (0, True),
}


def _check_range(key: str, value: Any, where: str) -> None:
    from ..errors import ConfigError
    from ..i18n import _

    bound = RANGES.get(key)
    if bound is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    low, inclusive = bound
    if not math.isfinite(value) or value < low or (value == low and not inclusive):
        rule = (_("at least {low}") if inclusive else _("greater than {low}")).format(low=low)
        raise ConfigError(_("[{where}] {key} must be {rule}, not {value}").format(
            where=where, key=key, rule=rule, value=value))
