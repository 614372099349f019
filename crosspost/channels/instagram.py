"""Instagram: caption + fitted images, published through one of two backends.

- ``graph`` (default): the official Instagram Graph API (professional accounts). It fetches
  images itself from public URLs, so each image needs one: ``image_base_url`` + the fitted
  file's name (the operator publishes ``<state_dir>/derived`` there), or else the image URLs
  the website channel recorded in its receipt (``Receipt.extra["image_urls"]``, one public URL
  per release image, in the release's order) when the website was sent first. An image that
  had to be fitted is copied beside the website's article (``extra["public_dir"]``, as
  ``ig-<derived name>``) and fetched from there, since the website only has the original.
- ``instagrapi``: the private API, opt-in (instagrapi's own README recommends the official
  API for business accounts). Uploads the fitted files directly.

Images are fitted at build time (Pillow, see crosspost.imagefit) so the preview shows what
will be posted; instagrapi would otherwise crop silently and the Graph API would refuse.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..engagement import CommentPage
from ..errors import ConfigError, InputError, Permanent
from ..i18n import N_, _
from ..models import Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext
from .captions import count_hashtags, count_mentions, same_caption

BACKENDS = ("graph", "instagrapi")
FIT_MODES = ("pad", "crop")


@dataclass(frozen=True)
class Settings(CommonSettings):
    backend: str = "graph"  # "graph" (official API, default) or "instagrapi" (private API, opt-in)
    fit: str = "pad"  # images outside the limits: "pad" (letterbox) or "crop" (centre)
    background: str = "#ffffff"  # padding colour for fit = "pad"
    graph_version: str = "v26.0"  # Graph API version put in every request path
    graph_base: str = "https://graph.facebook.com"  # Graph API host (tests point it elsewhere)
    ig_user_id: str = ""  # the Instagram professional account's id (graph backend)
    username: str = ""  # the account's username (instagrapi backend; password is a secret)
    image_base_url: str = ""  # public URL of a folder mirroring <state_dir>/derived (graph backend)
    website_channel: str = "website"  # else take image URLs from this channel's receipt
    send_alt_text: bool = False  # send each image's alt text as the Graph API's alt_text field
    container_poll_interval: float = 3.0  # seconds between container status checks (graph)
    container_poll_max: int = 40  # checks before giving up for now (the retry reuses the container)
    request_timeout: float = 60.0  # seconds per HTTP request (graph)
    lookup_limit: int = 20  # recent posts searched when settling an unknown outcome
    session_max_days: float = 90.0  # instagrapi: doctor/run warn as a saved login nears this age

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(_(
                "[instagram] backend must be one of {BACKENDS}, not '{backend}'").format(
                BACKENDS=', '.join(BACKENDS), backend=self.backend))
        if self.fit not in FIT_MODES:
            raise ConfigError(_("[instagram] fit must be 'pad' or 'crop', not '{fit}'").format(fit=self.fit))


@dataclass(frozen=True)
class Limits:
    caption_chars: int = 2200
    hashtags: int = 5  # lowered from 30 in December 2025 (see PLATFORMS.md)
    mentions: int = 20
    carousel_items: int = 10
    min_ratio: float = 0.8  # 4:5
    max_ratio: float = 1.91
    min_width: int = 320
    max_width: int = 1440
    image_bytes: int = 8 * 1024 * 1024


class InstagramChannel(Channel):
    platform: ClassVar[str] = "instagram"
    Settings: ClassVar[type] = Settings
    Limits: ClassVar[type] = Limits
    secret_keys: ClassVar[tuple[str, ...]] = ("access_token",)  # graph; see credential_keys()
    editable: ClassVar[bool] = False  # captions of published posts cannot be edited: a comment
    can_lookup: ClassVar[bool] = True
    has_comments: ClassVar[bool] = True
    has_metrics: ClassVar[bool] = True
    engagement_access: ClassVar[str] = N_(  # doctor and the README say it
        "Graph backend: instagram_manage_comments and instagram_manage_insights (or the "
        "instagram_business_* scopes with Instagram Login); instagrapi: comments, likes and plays only, "
        "no reach")

    # -- inbox and metrics (crosspost.channels.instagram_engagement) -----------------------------------------
    def comments(self, receipt: Receipt, since: float | None = None, *, cursor: str | None = None,
                 max_pages: int = 20, now: float | None = None,
                 sent_at: float | None = None) -> CommentPage:
        from . import instagram_engagement

        return instagram_engagement.comments(self, receipt, since, cursor, max_pages,
                              time.time() if now is None else now)

    def metrics(self, receipts: Sequence[Receipt]) -> dict[str, dict[str, float] | None]:
        from . import instagram_engagement

        return instagram_engagement.metrics(self, receipts)

    # Injectable for tests: the HTTP session (graph), the instagrapi Client factory, sleep.
    http_session: Any = None
    client_factory: Callable[[], Any] | None = None
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    @property
    def derived_dir(self):
        return self.state_dir / "derived"

    # ---- adaptation -------------------------------------------------------------------
    def cannot_carry(self, release: Release) -> str | None:
        """An Instagram post is a photo, a carousel or (instagrapi only) a video: a text-only
        release is routed past this channel (crosspost.routing)."""
        from ..i18n import _

        if release.images or (release.video is not None and self.settings.backend == "instagrapi"):
            return None
        return _("no image in this release (images:)")

    # ---- adaptation -------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        lim: Limits = self.limits
        problems: list[Problem] = []
        caption = text.strip()
        chars, tags, mentions = len(caption), count_hashtags(caption), count_mentions(caption)
        if chars > lim.caption_chars:
            problems.append(self.problem(
                "text", _(
                    'caption has {chars} characters, Instagram allows {caption_chars}: shorten the summary '
                    'or the template').format(
                    chars=chars, caption_chars=lim.caption_chars), lim.caption_chars, chars))
        if tags > lim.hashtags:
            problems.append(self.problem(
                "hashtags", _(
                    'caption has {tags} hashtags, Instagram allows {hashtags}: keep the most important '
                    'ones in the front matter').format(tags=tags, hashtags=lim.hashtags), lim.hashtags, tags))
        if mentions > lim.mentions:
            problems.append(self.problem(
                "mentions", _(
                    'caption has {mentions} @mentions, Instagram allows {mentions2}').format(
                    mentions=mentions, mentions2=lim.mentions),
                lim.mentions, mentions))

        media, images_info = self._fit_images(release, problems)
        if not media:
            if release.video is not None and self.settings.backend == "instagrapi":
                media = (release.video,)
            elif not any(p.field == "images" and p.severity == "error" for p in problems):
                problems.append(self.problem(
                    "images", _(
                        'Instagram needs at least one image: add images: to the front matter or exclude '
                        'instagram'), 1, 0))
        variant = Variant(
            channel=self.name, kind=self.platform, text=caption, title=release.title, media=media,
            link=release.link or None,
            extra={"backend": self.settings.backend, "images": images_info},
            counts={"chars": chars, "chars_limit": lim.caption_chars, "hashtags": tags,
                    "hashtags_limit": lim.hashtags, "mentions": mentions,
                    "images": len([m for m in media if m.kind == "image"]),
                    "images_limit": lim.carousel_items})
        return variant, problems

    def _fit_images(self, release: Release, problems: list[Problem]) -> tuple[tuple, list[dict]]:
        """Fit the first ``carousel_items`` images; record original vs fitted for the preview."""
        from ..imagefit import fit_image, image_info

        lim: Limits = self.limits
        images = list(release.images)
        if len(images) > lim.carousel_items:
            problems.append(self.problem(
                "images", _(
                    '{images} images, an Instagram carousel holds {carousel_items}: only the first '
                    '{carousel_items} are posted').format(
                    images=len(images), carousel_items=lim.carousel_items), lim.carousel_items, len(images),
                severity="warning"))
            images = images[: lim.carousel_items]
        fitted, info = [], []
        for index, img in enumerate(images):
            try:
                *original, fmt = image_info(img.path)
                out = fit_image(img, self.derived_dir, lim.min_ratio, lim.max_ratio, lim.min_width,
                                lim.max_width, self.settings.fit, self.settings.background,
                                lim.image_bytes)
            except InputError as exc:
                problems.append(self.problem("images", _(
                    'image {index}: {exc}').format(index=index + 1, exc=exc)))
                continue
            if self.settings.backend == "graph" and self.settings.image_base_url:
                out = self._stage_public(out)
            changed = out.path != img.path
            ratio_ok = lim.min_ratio - 0.005 <= original[0] / original[1] <= lim.max_ratio + 0.005
            jpeg = fmt == "JPEG"
            info.append({"index": index, "source": str(img.path), "path": str(out.path),
                         "original": list(original), "fitted": [out.width, out.height],
                         "changed": changed, "website_copy_ok": ratio_ok and jpeg, "alt": img.alt})
            if (self.settings.backend == "graph" and not self.settings.image_base_url
                    and not (ratio_ok and jpeg)):
                problems.append(self.problem(
                    "images", _(
                        'image {index} ({name}) had to be fitted for Instagram: the fitted copy is put '
                        "beside the website's article (ig-...) for the Graph API to fetch; if the website "
                        'channel is not this static site, set image_base_url or use a JPEG between 4:5 and '
                        '1.91:1').format(index=index + 1, name=img.path.name), severity="warning"))
            fitted.append(out)
        return tuple(fitted), info

    def _stage_public(self, media):
        """Put an image that needed no fitting into the derived folder too, so one public
        folder (image_base_url) holds every image the Graph API will fetch."""
        import hashlib
        import shutil
        from dataclasses import replace

        if media.path.parent == self.derived_dir:
            return media
        data = media.path.read_bytes()
        target = self.derived_dir / f"{media.path.stem}-{hashlib.sha256(data).hexdigest()[:16]}.jpg"
        if not target.is_file():
            self.derived_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(media.path, target)
        return replace(media, path=target)

    # ---- delivery ---------------------------------------------------------------------
    def backend(self):
        """The configured backend object (created per call: it holds no state between runs)."""
        if self.settings.backend == "instagrapi":
            from .instagram_private import PrivateBackend

            return PrivateBackend(self.name, self.settings, self.secrets, self.client_factory)
        from .instagram_graph import GraphBackend

        return GraphBackend(self.name, self.settings, self.secrets, session=self.http_session,
                            sleep=self.sleep)

    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        if not variant.media:
            raise Permanent(_(
                'Instagram needs at least one image: add images: to the front matter or exclude instagram'))
        return self.backend().publish(variant, ctx)

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        return self.backend().lookup(variant, ctx)

    def authorize(self) -> None:
        """Called by `crosspost auth` after the secrets are stored: instagrapi logs in (challenge codes
        at the terminal). A Graph token is only stored: checking it is `crosspost auth NAME --check`,
        whose failure reads as a check, not as a refused post (the token may be stored before
        ig_user_id is set, or on a machine without network)."""
        if self.settings.backend == "instagrapi":
            self.backend().authorize()

    @property
    def interactive_authorize(self) -> bool:
        """Whether `authorize` needs a person at a terminal (`crosspost auth --from-env` skips it)."""
        return self.settings.backend == "instagrapi"

    # -- health (crosspost doctor) -------------------------------------------------------
    def stored_credentials(self) -> tuple[str, str, str] | None:
        """instagrapi: a saved session (and the password to renew it); graph: the token key."""
        if self.settings.backend != "instagrapi":
            return None
        fix = f"run `crosspost auth {self.name}`"
        secrets = self.secrets
        session = secrets.path("session") if secrets is not None else None
        has_password = secrets is not None and secrets.get("password") is not None
        if session is not None and session.is_file() and session.stat().st_size:
            extra = "" if has_password else " (no password stored: an expired session needs `crosspost auth`)"
            return "ok", "instagrapi session saved" + extra, ""
        if has_password:
            return ("warn", "password stored but no saved session: the first run logs in, which "
                    "Instagram may challenge", f"{fix} at a terminal to log in now")
        return "fail", "no password and no saved session", fix

    def whoami(self, timeout: float) -> str:
        """The account behind the credentials: Graph GET /{ig_user_id}?fields=username, or
        instagrapi's account_info from the saved session (doctor never logs in by itself)."""
        from dataclasses import replace

        if self.settings.backend == "instagrapi":
            from ..errors import ReauthRequired

            backend = self.backend()
            session = backend.session_file
            if not session.is_file() or not session.stat().st_size:
                raise ReauthRequired(_(
                    "no saved Instagram login for '{name}': run `crosspost auth {name}` at a "
                    'terminal').format(
                    name=self.name))
            account = backend.run(lambda cl: cl.account_info(), publishing=False)
            return f"@{getattr(account, 'username', '?')}"
        from .instagram_graph import GraphBackend

        graph = GraphBackend(self.name, replace(self.settings, request_timeout=timeout), self.secrets,
                             session=self.http_session, sleep=self.sleep)
        me = graph.call("GET", graph.ig, params={"fields": "username"})
        return f"@{me.get('username') or '?'} (id {graph.ig})"

    def credential_keys(self) -> tuple[str, ...]:
        """graph: the access token; instagrapi: the password (the username is in channels.toml)."""
        return ("password",) if self.settings.backend == "instagrapi" else self.secret_keys

    def expiry_needs_network(self) -> bool:
        return self.settings.backend == "graph"  # the token debugger; instagrapi: the session file

    def credentials_expire_at(self) -> float | None:
        """instagrapi: the saved login's age against session_max_days. Graph: the token debugger
        (Facebook-login tokens; 0 means never), the earlier of expiry and data-access expiry."""
        import json

        if self.secrets is None:
            return None
        if self.settings.backend == "instagrapi":
            session = self.secrets.path("session")
            try:
                data = json.loads(session.read_text("utf-8"))
            except (OSError, ValueError):
                return None
            since = data.get("last_login") if isinstance(data, dict) else None
            if not isinstance(since, (int, float)):
                since = session.stat().st_mtime
            return float(since) + self.settings.session_max_days * 86400
        token = self.secrets.get("access_token")
        if not token:
            return None
        from dataclasses import replace

        from .instagram_graph import GraphBackend

        graph = GraphBackend(self.name, replace(self.settings, request_timeout=min(
            self.settings.request_timeout, 15.0)), self.secrets, session=self.http_session, sleep=self.sleep)
        data = graph.call("GET", "debug_token", params={"input_token": token}).get("data") or {}
        from .facebook import token_expiry

        return token_expiry(data, time.time())

    # -- corrections (ralat) -------------------------------------------------------------
    def correction_problems(self, variant: Variant) -> list[Problem]:
        if len(variant.text) > self.limits.caption_chars:
            return [self.problem("ralat", _('the Instagram comment is too long: shorten the ralat'),
                                 self.limits.caption_chars, len(variant.text))]
        return []

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """Comment the ralat under the original post (captions of published posts cannot be
        edited through the Graph API). A comment is a new post: an ambiguous failure is an
        unknown outcome, settled by lookup_correction() or by a person."""
        if ctx.progress.get("comment_id"):  # made and recorded before the outcome got lost
            return self._comment_receipt(variant, str(ctx.progress["comment_id"]))
        media_id = self._original_media(variant)
        backend = self.backend()
        ctx.heartbeat()
        if self.settings.backend == "instagrapi":
            comment = backend.run(lambda cl: cl.media_comment(media_id, variant.text), publishing=True)
            comment_id = str(getattr(comment, "pk", "") or getattr(comment, "id", ""))
        else:
            body = backend.call("POST", f"{media_id}/comments", data={"message": variant.text},
                                stage="comment")
            comment_id = str(body.get("id") or "")
        if not comment_id:
            from ..errors import UnknownOutcome

            raise UnknownOutcome(_(
                'Instagram answered the comment without an id: check the post, then `crosspost resolve`'))
        ctx.save_progress({"comment_id": comment_id})
        return self._comment_receipt(variant, comment_id)

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        """The ralat comment among the original post's comments, matched by its text."""
        if ctx.progress.get("comment_id"):
            return self._comment_receipt(variant, str(ctx.progress["comment_id"]))
        media_id = self._original_media(variant)
        backend = self.backend()
        if self.settings.backend == "instagrapi":
            found = backend.run(lambda cl: cl.media_comments(media_id, amount=50), publishing=False)
            comments = [(str(getattr(c, "pk", "")), getattr(c, "text", "")) for c in found or []]
        else:
            body = backend.call("GET", f"{media_id}/comments", params={"fields": "id,text", "limit": "50"})
            comments = [(str(c.get("id") or ""), c.get("text")) for c in body.get("data") or []]
        for comment_id, text in comments:
            if comment_id and same_caption(variant.text, text):
                return self._comment_receipt(variant, comment_id)
        return None

    @staticmethod
    def _original_media(variant: Variant) -> str:
        media_id = str((variant.extra.get("original") or {}).get("remote_id") or "")
        if not media_id:
            raise Permanent(_('the log has no id of the original Instagram post: comment on it by hand'))
        return media_id

    @staticmethod
    def _comment_receipt(variant: Variant, comment_id: str) -> Receipt:
        original = variant.extra.get("original") or {}
        return Receipt(comment_id, original.get("url"), extra={"comment_on": original.get("remote_id")})
