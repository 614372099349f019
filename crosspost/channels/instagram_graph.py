"""Instagram's official Graph API backend (content publishing), over plain ``requests``.

Flow: create a media container from a public image URL (or a CAROUSEL container over child
containers) -> poll its ``status_code`` until FINISHED -> check the 24-hour publishing quota
-> ``media_publish``. Only ``media_publish`` creates a post, so every failure before it is
safe to retry; the container id is saved as progress so a retry reuses it.
The access token travels in the Authorization header, never in a URL that an error could echo.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..errors import ConfigError, DeliveryError, Permanent, RetryLater, UnknownOutcome
from ..i18n import _
from ..models import Receipt, Variant
from .base import PublishContext
from .captions import made_after, same_caption
from .facebook import graph_code_failure
from .outcomes import FAILED, REAUTH, RETRY, UNKNOWN, Outcome, error, rows, state_of
from .transport import transport_failure

QUOTA = (9, 2207042)
QUOTA_WAIT = 3600.0  # the quota is a rolling 24-hour window; look again in an hour
DEAD = ("ERROR", "EXPIRED")  # a container that can never be published: make a new one

# -- the outcome table -------------------------------------------------------------------------
# Calls: "container" is POST /{ig-user-id}/media (an image, a carousel item or the carousel):
# a container is not a post, so repeating it leaves at most an unused container that expires in
# 24 hours; "publish" is POST /{ig-user-id}/media_publish, the one call that makes the post;
# "comment" is POST /{media-id}/comments (a ralat: a new public comment); "read" every GET
# (container status, quota, lookup, permalink).
# Failures: requests' exceptions (this backend calls requests directly; the keys are the ones
# facebook.transport_failure reads from requests/adapters.py), or Graph's error document
# {"error": {"code", "error_subcode", "is_transient"}} on an HTTP error status; a body that is
# not JSON is "http_4xx_unreadable" / "http_5xx_unreadable".
_IG = "developers.facebook.com/docs/instagram-platform/content-publishing"
_GRAPH = "developers.facebook.com/docs/graph-api/guides/error-handling"
_REQ = "requests/adapters.py HTTPAdapter.send"
_PUBLIC = ("publish", "comment")  # calls after which a post (or comment) may exist
_SAFE = ("container", "read")



OUTCOMES: tuple[Outcome, ...] = (
    Outcome("*", "connect_refused", RETRY, _REQ + ": NewConnectionError, nothing was sent"),
    Outcome("*", "dns", RETRY, _REQ + ": NameResolutionError, nothing was sent"),
    Outcome("*", "tls", RETRY, _REQ + ": SSLError in the handshake, before the request"),
    Outcome("*", "connect_timeout", RETRY, _REQ + ": ConnectTimeout, no connection"),
    *(Outcome("*", f"graph:{code}", RETRY, _GRAPH + f": {code} is a rate limit: throttled, not run")
      for code in (4, 17, 32, 341, 613, 80001)),
    Outcome("*", "graph:quota", RETRY, _IG + ": code 9 subcode 2207042, the 24-hour publishing "
            "limit (content_publishing_limit): refused, not published"),
    Outcome("*", "graph:190", REAUTH, _GRAPH + ": 190 access token expired or invalid"),
    Outcome("*", "graph:102", REAUTH, _GRAPH + ": 102 session, log in again"),
    Outcome("*", "graph:10", REAUTH, _GRAPH + ": 10 permission (instagram_content_publish) missing"),
    Outcome("*", "graph:200-299", REAUTH, _GRAPH + ": 200-299 permission not granted"),
    Outcome("*", "graph:100", FAILED, _GRAPH + ": 100 invalid parameter (image URL, caption)"),
    Outcome("*", "graph:1609005", FAILED, "../shared/PLATFORMS.md: the link could not be used"),
    Outcome("*", "graph:other_4xx", FAILED, _GRAPH + ": another code on a 4xx is a refusal"),
    Outcome("*", "http_4xx_unreadable", FAILED, "a non-JSON 4xx is no Graph answer: graph_base is wrong"),
    # media_publish and comments may have made the post (or comment): lookup, never a blind retry.
    *(row for call in _PUBLIC for row in (
        Outcome(call, "graph:1", UNKNOWN, _GRAPH + ": 1 unknown error; on create it may be applied "
                "(koala issue 699, php-graph-sdk issue 1141)"),
        Outcome(call, "graph:2", UNKNOWN, _GRAPH + ": 2 temporarily unavailable; may be applied"),
        Outcome(call, "graph:transient", UNKNOWN, _GRAPH + ": is_transient on create may be applied"),
        Outcome(call, "graph:other_5xx", UNKNOWN, _GRAPH + ": a 5xx on create may be applied"),
        Outcome(call, "graph:368", UNKNOWN, "368 on create: a duplicate as often as a block; lookup"),
        Outcome(call, "graph:506", UNKNOWN, _GRAPH + ": 506 duplicate post"),
        Outcome(call, "http_5xx_unreadable", UNKNOWN, "a proxy's 5xx page: the post may exist"),
        Outcome(call, "read_timeout", UNKNOWN, _REQ + ": ReadTimeout, the request was sent"),
        Outcome(call, "reset", UNKNOWN, _REQ + ": reset after the request was sent"),
        Outcome(call, "empty_reply", UNKNOWN, _REQ + ": RemoteDisconnected, no answer"),
        Outcome(call, "connection_broken", UNKNOWN, _REQ + ": another ConnectionError after connect"),
        Outcome(call, "unexpected", UNKNOWN, "not written down: never retried blindly"))),
    # A container or a read repeated makes nothing public: every other failure is a retry.
    *(row for failure in ("graph:1", "graph:2", "graph:transient", "graph:other_5xx",
                          "http_5xx_unreadable", "read_timeout", "reset", "empty_reply",
                          "connection_broken", "unexpected")
      for row in rows(_SAFE, failure, RETRY, _IG + ": only media_publish makes a post; a second "
                       "container is never published and expires after 24 hours")),
    *rows(_SAFE, "graph:368", FAILED, _GRAPH + ": 368 blocked for a policy reason"),
    *rows(_SAFE, "graph:506", FAILED, _GRAPH + ": 506 duplicate, off create a refusal"),
)
RATE_FAILURES = frozenset({f"graph:{c}" for c in (4, 17, 32, 341, 613, 80001)} | {"graph:quota"})


class DeadContainer(RetryLater):
    """The container ended in ERROR or EXPIRED: nothing was published; a new one is made."""


def _retry_after(headers: Any) -> float | None:
    """Retry-After, or the business-use-case header's estimated_time_to_regain_access (minutes)."""
    value = headers.get("Retry-After") if headers else None
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    raw = headers.get("X-Business-Use-Case-Usage") if headers else None
    if raw:
        try:
            minutes = [entry.get("estimated_time_to_regain_access", 0)
                       for entries in json.loads(raw).values() for entry in entries]
            if minutes and max(minutes) > 0:
                return float(max(minutes)) * 60
        except (ValueError, AttributeError, TypeError):
            pass
    return None


class GraphBackend:
    def __init__(self, name: str, settings: Any, secrets: Any, session: Any = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.sleep = sleep
        if session is None:
            import requests

            session = requests.Session()
        self.session = session
        self._token: str | None = None

    # ---- HTTP ---------------------------------------------------------------------------
    @property
    def ig(self) -> str:
        if not self.settings.ig_user_id:
            raise ConfigError(_(
                "[channels.{name}] set ig_user_id: the Instagram professional account's id (Meta Business "
                'Suite > Settings > Instagram accounts)').format(name=self.name))
        return self.settings.ig_user_id

    def _url(self, path: str) -> str:
        return f"{self.settings.graph_base.rstrip('/')}/{self.settings.graph_version}/{path}"

    def _scrub(self, text: str) -> str:
        """The access token masked (before any cut: a cut token is a fragment no mask finds)."""
        token = self._token
        if token is None and self.secrets is not None:
            try:
                token = self.secrets.get("access_token")
            except Exception:  # a broken keyring must not hide the error being reported
                token = None
        return text.replace(token, "***") if token else text

    def call(self, method: str, path: str, *, params: dict | None = None, data: dict | None = None,
             stage: str = "read", publishing: bool = False,
             refusal: Callable[[dict], Exception | None] | None = None) -> dict:
        """One Graph request; failures become the DeliveryError its OUTCOMES row names.

        ``stage`` is the table's call ("container", "publish", "comment", "read"); ``publishing``
        (older callers) means "publish". ``refusal`` sees Graph's error document first and may
        name its own exception (the inbox reads a deleted media as "not available", not a failure).
        """
        import requests

        stage = "publish" if publishing and stage == "read" else stage
        if self._token is None:
            self._token = self.secrets.require("access_token")
        try:
            resp = self.session.request(method, self._url(path), params=params, data=data,
                                        headers={"Authorization": f"Bearer {self._token}"},
                                        timeout=self.settings.request_timeout)
        except requests.exceptions.RequestException as exc:
            failure = transport_failure(exc)
            raise self._error(stage, failure, self._scrub(type(exc).__name__), None) from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code < 400 and isinstance(body, dict) and "error" not in body:
            return body
        if resp.status_code < 400 and body is not None and not isinstance(body, dict):
            return {"data": body}
        found = body.get("error") if isinstance(body, dict) else None
        err: dict = found if isinstance(found, dict) else {}
        own = refusal(err) if refusal is not None else None
        raise own if own is not None else self.classify(resp.status_code, err, resp.headers, stage)

    def classify(self, status: int, err: dict, headers: Any, stage: str | bool) -> DeliveryError:
        """A Graph error answer (``err`` may be empty: no Graph document) -> its row's error."""
        if isinstance(stage, bool):  # the older publishing flag
            stage = "publish" if stage else "read"
        code, sub = err.get("code"), err.get("error_subcode")
        if not isinstance(code, int):
            failure = "http_4xx_unreadable" if status < 500 else "http_5xx_unreadable"
        elif (code, sub) == QUOTA:
            failure = "graph:quota"
        else:
            failure = graph_code_failure(code, err, status)
        msg = self._scrub(" ".join(str(err.get("error_user_msg") or err.get("message") or "").split()))
        ref = (f"code {code}{f'/{sub}' if sub else ''}, " if isinstance(code, int) else "") + f"HTTP {status}"
        wait = _retry_after(headers)
        if failure == "graph:quota":
            wait = wait or QUOTA_WAIT
        return self._error(stage, failure, ref + (f": {msg[:200]}" if msg else ""), wait)

    def _error(self, stage: str, failure: str, ref: str, wait: float | None) -> DeliveryError:
        state = state_of(OUTCOMES, stage, failure)
        if state == REAUTH:
            text = _("Instagram Graph API ({ref}): the access token expired, was revoked or lacks "
                     "instagram_content_publish; run `crosspost auth {name}`, then `crosspost retry`")
        elif state == RETRY and failure in RATE_FAILURES:
            text = _("Instagram Graph API ({ref}): rate limited or the 24-hour publishing limit is used "
                     "up; nothing was posted, it will be retried later")
        elif state == RETRY:
            text = _("Instagram Graph API ({ref}): no post was made by this call; it will be retried")
        elif state == UNKNOWN:
            text = _("Instagram Graph API ({ref}): no clear answer while publishing, the post may exist; "
                     "crosspost checks the account before trying again")
        elif stage == "read":  # a lookup, doctor or `auth --check`: nothing was being posted
            text = _("Instagram Graph API ({ref}): Instagram refused the request; check ig_user_id in "
                     "channels.toml and the token of '{name}' (`crosspost auth {name} --check`)")
        else:
            text = _("Instagram Graph API ({ref}): Instagram refused the request; fix the post or the "
                     "account, then `crosspost retry`")
        return error(state, text.format(ref=ref, name=self.name), wait, failure)

    # ---- publishing ---------------------------------------------------------------------
    def image_urls(self, variant: Variant, ctx: PublishContext) -> list[str]:
        """Public URLs the Graph API fetches, one per variant image (see the channel docstring)."""
        if any(m.kind != "image" for m in variant.media):
            raise Permanent(_(
                'the Graph API backend posts images only: remove the video or use backend = "instagrapi"'))
        base = self.settings.image_base_url
        if base:
            return [f"{base.rstrip('/')}/{quote(m.path.name)}" for m in variant.media]
        receipts = ctx.sibling_receipts or {}
        receipt = receipts.get(self.settings.website_channel)
        if receipt is None:
            with_urls = [r for r in receipts.values() if (r.extra or {}).get("image_urls")]
            receipt = with_urls[0] if len(with_urls) == 1 else None
        if receipt is None:
            raise RetryLater(_(
                "Instagram's Graph API needs public image URLs: waiting for the website channel "
                "'{website_channel}' to publish this release (or set image_base_url)").format(
                website_channel=self.settings.website_channel), 300.0)
        extra = receipt.extra or {}
        urls = list(extra.get("image_urls") or [])
        info = variant.extra.get("images") or [{"index": i} for i in range(len(variant.media))]
        out = []
        for pos, item in enumerate(info[: len(variant.media)]):
            index = item.get("index", pos)
            fitted = item.get("changed", item.get("website_copy_ok") is False)
            if fitted and extra.get("public_dir") and extra.get("public_url"):
                out.append(self.publish_fitted(variant.media[pos], extra["public_dir"], extra["public_url"]))
                continue
            if index >= len(urls):
                raise Permanent(_(
                    "the website's receipt has no URL for image {index}: set image_base_url for this "
                    'channel').format(index=index + 1))
            if item.get("website_copy_ok") is False:
                raise Permanent(_(
                    "image {index} is outside Instagram's 4:5-1.91:1 JPEG range and the website only has "
                    'the unfitted copy: set image_base_url to a public folder mirroring the derived '
                    'images').format(
                    index=index + 1))
            out.append(urls[index])
        return out

    @staticmethod
    def publish_fitted(media: Any, public_dir: str, public_url: str) -> str:
        """Copy a fitted image beside the website's article (``ig-<derived name>``) and return its
        public URL: the Graph API must fetch the fitted copy, not the website's original."""
        import os
        import shutil
        from pathlib import Path

        name = f"ig-{media.path.name}"
        target = Path(public_dir) / name
        try:
            if not (target.is_file() and target.stat().st_size == media.path.stat().st_size):
                tmp = target.with_name(f".{name}.tmp")
                shutil.copyfile(media.path, tmp)
                os.replace(tmp, target)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise Permanent(_(
                "cannot put the fitted image {name} into the website's article folder ({value}): set "
                'image_base_url for this channel, or publish the website again').format(
                name=media.path.name, value=exc.strerror or type(exc).__name__)) from None
        except OSError as exc:  # disk full and the like: nothing was sent to Instagram yet
            raise RetryLater(_(
                "cannot put the fitted image {name} into the website's article folder ({value}); it will "
                'be retried').format(
                name=media.path.name, value=exc.strerror or type(exc).__name__)) from None
        return public_url.rstrip("/") + "/" + quote(name)

    def status(self, container: str) -> tuple[str, str]:
        body = self.call("GET", container, params={"fields": "status_code,status"})
        return str(body.get("status_code", "")), str(body.get("status", ""))

    def _image(self, url: str, media: Any, **fields: str) -> dict:
        data = {"image_url": url, **fields}
        if self.settings.send_alt_text and media.alt:
            data["alt_text"] = media.alt[:1000]
        return data

    def create(self, variant: Variant, urls: list[str]) -> str:
        if len(urls) == 1:
            body = self.call("POST", f"{self.ig}/media", stage="container",
                             data=self._image(urls[0], variant.media[0], caption=variant.text))
            return str(body["id"])
        children = [str(self.call("POST", f"{self.ig}/media", stage="container",
                                  data=self._image(url, m, is_carousel_item="true"))["id"])
                    for url, m in zip(urls, variant.media, strict=True)]
        body = self.call("POST", f"{self.ig}/media", stage="container", data={
            "media_type": "CAROUSEL", "children": ",".join(children), "caption": variant.text})
        return str(body["id"])

    def wait(self, container: str, ctx: PublishContext) -> str:
        """Poll until FINISHED (or PUBLISHED). ERROR or EXPIRED raise DeadContainer (nothing was
        published: the caller drops the container and a new one is made); a slow one is retried."""
        tries = max(1, int(self.settings.container_poll_max))
        for attempt in range(tries):
            ctx.heartbeat()
            code, detail = self.status(container)
            if code in ("FINISHED", "PUBLISHED"):
                return code
            if code in DEAD:
                raise DeadContainer(_("the Instagram media container {id} ended in {code} ({detail}), "
                                      "so nothing was published: a new container is made on the next "
                                      "attempt (check that each image is a JPEG under 8 MB reachable at "
                                      "its public URL)").format(id=container, code=code,
                                                               detail=detail or code))
            if attempt + 1 < tries:
                self.sleep(self.settings.container_poll_interval)
        raise RetryLater(_(
            'Instagram is still processing the media after {tries} checks; the retry continues with the '
            'same container').format(tries=tries), self.settings.container_poll_interval * 10)

    def check_quota(self) -> None:
        body = self.call("GET", f"{self.ig}/content_publishing_limit",
                         params={"fields": "quota_usage,config"})
        data = (body.get("data") or [{}])[0]
        used = data.get("quota_usage")
        total = (data.get("config") or {}).get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and used >= total:
            raise RetryLater(_(
                'the account has used its {total} posts for the last 24 hours; it will be retried '
                'later').format(
                total=total), QUOTA_WAIT)

    def receipt(self, media_id: str, container: str | None) -> Receipt:
        """The post's receipt; a failing permalink lookup does not undo a done post."""
        url = None
        try:
            url = self.call("GET", media_id, params={"fields": "permalink"}).get("permalink")
        except DeliveryError:
            pass
        return Receipt(media_id, url, extra={"container_id": container} if container else {})

    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        progress = dict(ctx.progress or {})
        if progress.get("media_id"):  # published earlier, the receipt was not recorded
            return self.receipt(str(progress["media_id"]), progress.get("container_id"))
        container = progress.get("container_id")
        state = ""
        if container:
            try:
                state = self.wait(container, ctx)
            except DeadContainer:  # never published: forget it and make a new one now
                container = None
                progress.pop("container_id", None)
                ctx.save_progress(dict(progress))
        if state == "PUBLISHED":
            found = self.lookup(variant, ctx)
            if found:
                return found
            raise UnknownOutcome(_(
                "Instagram says this release's media container was already published, but the post was not "
                'found: check the account, then `crosspost resolve`'))
        if not container:
            container = self.create(variant, self.image_urls(variant, ctx))
            progress["container_id"] = container
            ctx.save_progress(dict(progress))
            try:
                self.wait(container, ctx)
            except DeadContainer:  # this attempt's own container died: the next attempt makes another
                progress.pop("container_id", None)
                ctx.save_progress(dict(progress))
                raise
        self.check_quota()
        ctx.heartbeat()
        body = self.call("POST", f"{self.ig}/media_publish", data={"creation_id": container},
                         stage="publish")
        media_id = body.get("id")
        if not media_id:
            raise UnknownOutcome(_(
                'Instagram answered media_publish without a post id: the post may exist; `crosspost '
                'reconcile` checks the account'))
        progress["media_id"] = str(media_id)
        ctx.save_progress(dict(progress))
        return self.receipt(str(media_id), container)

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        progress = ctx.progress or {}
        if progress.get("media_id"):
            return self.receipt(str(progress["media_id"]), progress.get("container_id"))
        container = progress.get("container_id")
        if container:
            code, _ = self.status(container)
            if code in ("FINISHED", "IN_PROGRESS", *DEAD):
                return None  # a container becomes PUBLISHED when its post exists
        body = self.call("GET", f"{self.ig}/media", params={
            "fields": "id,caption,permalink,timestamp", "limit": str(self.settings.lookup_limit)})
        for item in body.get("data") or []:
            if same_caption(variant.text, item.get("caption")) and made_after(item.get("timestamp"),
                                                                              ctx.claimed_at):
                return Receipt(str(item["id"]), item.get("permalink"),
                               extra={"container_id": container} if container else {})
        return None

    def authorize(self) -> None:
        """Check the stored token against the configured account."""
        self.call("GET", self.ig, params={"fields": "id,username"})
