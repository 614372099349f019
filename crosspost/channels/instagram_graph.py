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

from ..errors import ConfigError, DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..models import Receipt, Variant
from .base import PublishContext
from .captions import same_caption

RETRY_CODES = {1, 2, 4, 17, 32, 341, 613, 80001}
RATE_CODES = {4, 17, 32, 613, 80001}  # refused before anything was applied, even on a publish
REAUTH_CODES = {190, 102}
PERMANENT_CODES = {10, 100, 368}
QUOTA = (9, 2207042)
QUOTA_WAIT = 3600.0  # the quota is a rolling 24-hour window; look again in an hour


class ContainerExpired(RetryLater):
    """The container outlived its 24 hours unpublished: a retry makes a new one."""


def _connect_failure(exc: Exception) -> bool:
    """True when the request provably never reached the server (refused, DNS, connect timeout)."""
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    text = f"{exc!r} {exc}"
    return any(s in text for s in ("NewConnectionError", "Failed to establish a new connection",
                                   "Connection refused", "Name or service not known",
                                   "nodename nor servname", "NameResolutionError"))


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
            raise ConfigError(f"[channels.{self.name}] set ig_user_id: the Instagram professional "
                              "account's id (Meta Business Suite > Settings > Instagram accounts)")
        return self.settings.ig_user_id

    def _url(self, path: str) -> str:
        return f"{self.settings.graph_base.rstrip('/')}/{self.settings.graph_version}/{path}"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def call(self, method: str, path: str, *, params: dict | None = None, data: dict | None = None,
             publishing: bool = False) -> dict:
        """One Graph request; failures become the DeliveryError the engine acts on.

        ``publishing`` marks the one call that creates the post: there, a timeout, a dropped
        connection or a 5xx may mean the post exists, so they are unknown outcomes.
        """
        import requests

        if self._token is None:
            self._token = self.secrets.require("access_token")
        try:
            resp = self.session.request(method, self._url(path), params=params, data=data,
                                        headers={"Authorization": f"Bearer {self._token}"},
                                        timeout=self.settings.request_timeout)
        except requests.exceptions.RequestException as exc:
            what = self._scrub(f"{exc.__class__.__name__}")
            if not publishing or _connect_failure(exc):
                raise RetryLater(f"Instagram Graph API unreachable ({what}); nothing was posted, "
                                 "it will be retried") from None
            raise UnknownOutcome(f"no answer from Instagram while publishing ({what}): the post may "
                                 "exist; `crosspost reconcile` checks the account") from None
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {"data": body}
        if resp.status_code < 400 and "error" not in body:
            return body
        raise self.classify(resp.status_code, body.get("error") or {}, resp.headers, publishing)

    def classify(self, status: int, error: dict, headers: Any, publishing: bool) -> DeliveryError:
        code = error.get("code")
        sub = error.get("error_subcode")
        msg = self._scrub(str(error.get("error_user_msg") or error.get("message") or f"HTTP {status}"))
        where = f"Instagram Graph API: {msg} (code {code}{f'/{sub}' if sub else ''}, HTTP {status})"
        wait = _retry_after(headers)
        if (code, sub) == QUOTA:
            return RetryLater(f"{where}: the account's 24-hour publishing limit is used up; "
                              "it will be retried later", wait or QUOTA_WAIT)
        if code in REAUTH_CODES:
            return ReauthRequired(f"{where}: the access token expired or was revoked; run "
                                  f"`crosspost auth {self.name}`, then `crosspost retry`")
        if publishing and status >= 500 and code not in RATE_CODES:
            return UnknownOutcome(f"{where}: Instagram failed while publishing, the post may exist; "
                                  "`crosspost reconcile` checks the account")
        if code in RETRY_CODES:
            return RetryLater(f"{where}: rate limited or temporarily unavailable; it will be retried",
                              wait)
        if code in PERMANENT_CODES or (isinstance(code, int) and 200 <= code <= 299):
            return Permanent(f"{where}: fix the post or the account's permissions "
                             "(instagram_content_publish), then `crosspost retry`")
        if status >= 500 or error.get("is_transient"):
            return RetryLater(f"{where}: temporary failure; it will be retried", wait)
        return Permanent(f"{where}: Instagram refused the request")

    # ---- publishing ---------------------------------------------------------------------
    def image_urls(self, variant: Variant, ctx: PublishContext) -> list[str]:
        """Public URLs the Graph API fetches, one per variant image (see the channel docstring)."""
        if any(m.kind != "image" for m in variant.media):
            raise Permanent("the Graph API backend posts images only: remove the video or use "
                            "backend = \"instagrapi\"")
        base = self.settings.image_base_url
        if base:
            return [f"{base.rstrip('/')}/{quote(m.path.name)}" for m in variant.media]
        receipts = ctx.sibling_receipts or {}
        receipt = receipts.get(self.settings.website_channel)
        if receipt is None:
            with_urls = [r for r in receipts.values() if (r.extra or {}).get("image_urls")]
            receipt = with_urls[0] if len(with_urls) == 1 else None
        if receipt is None:
            raise RetryLater("Instagram's Graph API needs public image URLs: waiting for the website "
                             f"channel '{self.settings.website_channel}' to publish this release "
                             "(or set image_base_url)", 300.0)
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
                raise Permanent(f"the website's receipt has no URL for image {index + 1}: set "
                                "image_base_url for this channel")
            if item.get("website_copy_ok") is False:
                raise Permanent(f"image {index + 1} is outside Instagram's 4:5-1.91:1 JPEG range and "
                                "the website only has the unfitted copy: set image_base_url to a "
                                "public folder mirroring the derived images")
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
            raise Permanent(f"cannot put the fitted image {media.path.name} into the website's article "
                            f"folder ({exc.strerror or type(exc).__name__}): set image_base_url for "
                            "this channel, or publish the website again") from None
        except OSError as exc:  # disk full and the like: nothing was sent to Instagram yet
            raise RetryLater(f"cannot put the fitted image {media.path.name} into the website's article "
                             f"folder ({exc.strerror or type(exc).__name__}); it will be retried") from None
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
            body = self.call("POST", f"{self.ig}/media",
                             data=self._image(urls[0], variant.media[0], caption=variant.text))
            return str(body["id"])
        children = [str(self.call("POST", f"{self.ig}/media",
                                  data=self._image(url, m, is_carousel_item="true"))["id"])
                    for url, m in zip(urls, variant.media, strict=True)]
        body = self.call("POST", f"{self.ig}/media", data={
            "media_type": "CAROUSEL", "children": ",".join(children), "caption": variant.text})
        return str(body["id"])

    def wait(self, container: str, ctx: PublishContext) -> str:
        """Poll until FINISHED (or PUBLISHED); ERROR is permanent, a slow container is retried."""
        tries = max(1, int(self.settings.container_poll_max))
        for attempt in range(tries):
            ctx.heartbeat()
            code, detail = self.status(container)
            if code in ("FINISHED", "PUBLISHED"):
                return code
            if code == "ERROR":
                raise Permanent(f"Instagram could not process the image ({detail or 'ERROR'}): "
                                "check that it is a JPEG under 8 MB reachable at its public URL")
            if code == "EXPIRED":
                raise ContainerExpired("the Instagram media container expired before publishing; "
                                 "a new one is made on retry")
            if attempt + 1 < tries:
                self.sleep(self.settings.container_poll_interval)
        raise RetryLater(f"Instagram is still processing the media after {tries} checks; the retry "
                         "continues with the same container", self.settings.container_poll_interval * 10)

    def check_quota(self) -> None:
        body = self.call("GET", f"{self.ig}/content_publishing_limit",
                         params={"fields": "quota_usage,config"})
        data = (body.get("data") or [{}])[0]
        used = data.get("quota_usage")
        total = (data.get("config") or {}).get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and used >= total:
            raise RetryLater(f"the account has used its {total} posts for the last 24 hours; "
                             "it will be retried later", QUOTA_WAIT)

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
            except ContainerExpired:
                container = None  # expired: make a fresh one below
        if state == "PUBLISHED":
            found = self.lookup(variant, ctx)
            if found:
                return found
            raise UnknownOutcome("Instagram says this release's media container was already "
                                 "published, but the post was not found: check the account, then "
                                 "`crosspost resolve`")
        if not container:
            container = self.create(variant, self.image_urls(variant, ctx))
            progress["container_id"] = container
            ctx.save_progress(dict(progress))
            self.wait(container, ctx)
        self.check_quota()
        ctx.heartbeat()
        body = self.call("POST", f"{self.ig}/media_publish", data={"creation_id": container},
                         publishing=True)
        media_id = body.get("id")
        if not media_id:
            raise UnknownOutcome("Instagram answered media_publish without a post id: the post may "
                                 "exist; `crosspost reconcile` checks the account")
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
            if code in ("FINISHED", "IN_PROGRESS", "ERROR", "EXPIRED"):
                return None  # a container becomes PUBLISHED when its post exists
        body = self.call("GET", f"{self.ig}/media", params={
            "fields": "id,caption,permalink,timestamp", "limit": str(self.settings.lookup_limit)})
        for item in body.get("data") or []:
            if same_caption(variant.text, item.get("caption")):
                return Receipt(str(item["id"]), item.get("permalink"),
                               extra={"container_id": container} if container else {})
        return None

    def authorize(self) -> None:
        """Check the stored token against the configured account."""
        self.call("GET", self.ig, params={"fields": "id,username"})
