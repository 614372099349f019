"""The ministry's own WordPress site, through the core REST API (``/wp-json/wp/v2/``).

The article is a post: title, the same sanitised HTML the static site writes
(``crosspost.site.sanitize.render_body``), excerpt, ``date_gmt``, slug, status, the section as
a category and the release's tags. Images go to the media library once each (alt text and
caption set), the first becomes the featured image, the others follow the text. The receipt
is the post id and the ``link`` WordPress answers.

Authentication is an Application Password (WordPress 5.6+) over HTTP Basic auth, a secret
like any other (``CROSSPOST_<NAME>_APPLICATION_PASSWORD``, keyring or 0600 file).
REST API handbook: https://developer.wordpress.org/rest-api/reference/posts/ (create,
update, list with ``slug``/``status``/``tags``/``context``), .../reference/media/ (upload with
``Content-Disposition``, ``alt_text``, ``caption``, ``post``), .../reference/categories/ and
.../reference/tags/ (create: a 400 ``term_exists`` carries the existing ``term_id``),
.../reference/users/ (``/users/me?context=edit`` lists ``capabilities``), and
https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/#basic-authentication-with-application-passwords.

**Exactly once.** WordPress has no idempotency key, so every delivery carries one of its own:
a tag ``crosspost-<key>`` on the post and the token ``[crosspost-<key>-<n>]`` in each media
item's description. Before creating (and in ``lookup`` after an unknown outcome) the post is
looked for by that tag and by its slug (``status=any``, ``context=edit``); an image is looked
for by its token before it is uploaded, so a crash between "media uploaded" and "post
created" leaves nothing twice. A post with the release's slug that crosspost did not make
(copied by hand, say) stops the delivery rather than being duplicated or taken over.

Error codes and statuses are WordPress's own (wp-includes/rest-api/endpoints/
class-wp-rest-posts-controller.php, class-wp-rest-attachments-controller.php,
class-wp-rest-terms-controller.php; wp-includes/user.php ``wp_authenticate_application_password``;
``rest_authorization_required_code()`` answers 401 when not logged in, 403 when not allowed).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ..errors import DeliveryError, Permanent, ReauthRequired, RetryLater, UnknownOutcome
from ..i18n import _
from ..models import SECTIONS, Media, Problem, Receipt, Release, Variant
from .base import Channel, CommonSettings, PublishContext
from .transport import never_sent

SECRET = "application_password"
STATUSES = ("publish", "future", "pending")
IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
FAILPOINTS = ("wordpress_after_media", "wordpress_after_post")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,190}")
_RALAT_MARK = 'id="ralat-{n}"'


def failpoint(name: str) -> None:
    """Die like kill -9 here when CROSSPOST_FAILPOINT names this point (crash tests only)."""
    if os.environ.get("CROSSPOST_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Settings(CommonSettings):
    url: str = ""  # the WordPress site's address, e.g. https://www.kemensos.go.id (REST API at /wp-json/)
    username: str = ""  # the WordPress user the application password belongs to
    status: str = "publish"  # "publish"; "future": at the release's date; "pending": WordPress's review
    # Public address of the articles when it differs from url (the API reached internally).
    base_url: str = ""
    # WordPress's Settings > Permalinks structure, to know the article's link before WordPress
    # answers (social posts queued with it); the receipt always keeps the link WordPress gives.
    permalink: str = "/%category%/%postname%/"
    # section -> category slug or id, e.g. { siaran-pers = "siaran-pers", berita-foto = 12 }.
    # A section not mapped uses the category whose slug is the section's, created when missing.
    categories: dict[str, Any] = field(default_factory=dict)
    create_categories: bool = True  # create a missing category (needs the manage_categories right)
    send_tags: bool = True  # the release's tags as WordPress tags (created when missing)
    timeout: float = 30.0  # seconds to wait for WordPress's answer (an upload may take longer)


@dataclass(frozen=True)
class Limits:
    max_title: int = 200  # characters; longer titles break themes and search results
    require_alt: bool = True  # warn for every image without alt text
    max_image_mb: int = 10  # WordPress's upload_max_filesize is often lower: check doctor


def delivery_key(channel: str, release: Release, delivery_id: int) -> str:
    """This delivery's own key on WordPress, the same at every attempt and lookup; a new delivery (a
    forced new post) gets a new one, and so does another log's delivery of another release."""
    text = f"{channel}\n{release.slug}\n{release.content_hash}\n{delivery_id}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return digest[:12]


def key_tag(key: str) -> str:
    return f"crosspost-{key}"


def media_token(key: str, index: int) -> str:
    return f"[crosspost-{key}-{index}]"


def gmt(when: datetime) -> str:
    """WordPress's date_gmt: ISO 8601 in UTC without an offset."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def predicted_link(base_url: str, permalink: str, category: str, slug: str, when: datetime) -> str | None:
    """The article's address under WordPress's permalink structure (None when it needs the post id)."""
    if not permalink or "%post_id%" in permalink or "%author%" in permalink:
        return None
    values = {"%category%": category, "%postname%": slug, "%year%": f"{when.year:04d}",
              "%monthnum%": f"{when.month:02d}", "%day%": f"{when.day:02d}",
              "%hour%": f"{when.hour:02d}", "%minute%": f"{when.minute:02d}",
              "%second%": f"{when.second:02d}"}
    path = permalink
    for tag, value in values.items():
        path = path.replace(tag, value)
    if "%" in path:
        return None
    return base_url.rstrip("/") + "/" + path.lstrip("/")


class WordPressChannel(Channel):
    Settings: ClassVar[type] = Settings
    Limits: ClassVar[type] = Limits
    can_lookup: ClassVar[bool] = True
    platform: ClassVar[str] = "wordpress"
    secret_keys: ClassVar[tuple[str, ...]] = ("application_password",)  # WordPress 5.6+ Application Password
    editable: ClassVar[bool] = True  # a ralat goes on top of the same post (WordPress keeps revisions)
    article: ClassVar[bool] = True  # the social posts link to the post WordPress publishes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session: Any = None
        self._terms: dict[tuple[str, str], int] = {}

    # -- addresses ------------------------------------------------------------------------------
    @property
    def api(self) -> str:
        return self.settings.url.rstrip("/") + "/wp-json/wp/v2"

    def public_base(self) -> str:
        return (self.settings.base_url or self.settings.url).rstrip("/")

    def category_ref(self, section: str) -> Any:
        """What [channels.NAME.categories] maps the section to (a slug or an id)."""
        return self.settings.categories.get(section, section)

    # -- adapt ----------------------------------------------------------------------------------
    def build_variant(self, release: Release, text: str) -> tuple[Variant, list[Problem]]:
        from ..site.sanitize import render_body, replace_images

        s, lim = self.settings, self.limits
        problems: list[Problem] = []
        site = urlsplit(s.url)
        if site.scheme not in ("http", "https") or not site.hostname:
            problems.append(self.problem("url", _(
                "url {url!r} must be the WordPress site's address, e.g. https://www.kemensos.go.id, in "
                "[channels.{name}] of channels.toml").format(url=s.url, name=self.name)))
        elif site.scheme == "http" and site.hostname not in ("127.0.0.1", "localhost", "::1"):
            problems.append(self.problem("url", _(
                "url {url!r} is not HTTPS: the application password would cross the network in the "
                "clear").format(url=s.url), severity="warning"))
        if not s.username.strip():
            problems.append(self.problem("username", _(
                "set username = \"...\" (the WordPress user of the application password) in "
                "[channels.{name}]").format(name=self.name)))
        if s.status not in STATUSES:
            problems.append(self.problem("status", _("status {status!r} must be one of: {allowed}").format(
                status=s.status, allowed=", ".join(STATUSES))))
        if release.section not in SECTIONS and release.section not in s.categories:
            problems.append(self.problem("section", _(
                "unknown section {section!r}; use one of: {known}, or map it in "
                "[channels.{name}.categories]").format(section=release.section, known=", ".join(SECTIONS),
                                                       name=self.name)))
        if not _SLUG.fullmatch(release.slug):
            problems.append(self.problem("slug", _(
                "slug {slug!r} cannot be a WordPress slug: use lowercase letters, digits and '-' "
                "only").format(slug=release.slug)))
        title = release.title.strip()
        if not title:
            problems.append(self.problem("title", _("the release has no title")))
        elif len(title) > lim.max_title:
            problems.append(self.problem("title", _("title too long for the website; shorten it"),
                                         lim.max_title, len(title)))
        images = list(release.images)
        for i, m in enumerate(images, 1):
            label = f"images[{i}]"
            if not m.path.is_file():
                problems.append(self.problem(label, _("file not found: {path}").format(path=m.path)))
                continue
            if m.path.suffix.lower() not in IMAGE_TYPES:
                problems.append(self.problem(label, _(
                    "WordPress takes JPEG, PNG, GIF or WebP images, not {name}").format(name=m.path.name)))
            if lim.require_alt and not m.alt.strip():
                problems.append(self.problem(label, _(
                    "image {name} has no alt text; add `alt:` for readers using a screen reader").format(
                        name=m.path.name), severity="warning"))
            size_mb = m.path.stat().st_size / 1_000_000
            if size_mb > lim.max_image_mb:
                problems.append(self.problem(label, _(
                    "image {name} is {size} MB; the page will load slowly on mobile data").format(
                        name=m.path.name, size=f"{size_mb:.1f}"), lim.max_image_mb, round(size_mb),
                    severity="warning"))
        if release.video is not None:
            problems.append(self.problem("video", _(
                "the video is not uploaded to WordPress; the article links the YouTube upload when "
                "that channel goes out first"), severity="warning"))
        host = urlsplit(self.public_base()).hostname

        def web_images_only(attrs: dict[str, str]) -> dict[str, str] | None:
            if urlsplit(attrs.get("src", "")).scheme in ("http", "https"):
                return attrs
            problems.append(self.problem("body", _(
                "image {src!r} in the text is a local file: WordPress gets only the images listed "
                "under images:, so it is left out").format(src=attrs.get("src", "")[:60]),
                severity="warning"))
            return None

        html = replace_images(render_body(text, host), web_images_only)
        ref = self.category_ref(release.section)
        link = predicted_link(self.public_base(), s.permalink, str(ref) if not isinstance(ref, int) else "",
                              release.slug, release.date) if not isinstance(ref, int) else None
        variant = Variant(
            channel=self.name, kind=self.platform, text=html, title=title, media=tuple(images), link=link,
            extra={"section": release.section, "slug": release.slug, "status": s.status,
                   "category": ref, "tags": list(release.tags), "backend": "wordpress"},
            counts={"title": {"actual": len(title), "limit": lim.max_title, "unit": "chars"},
                    "images": len(images)})
        return variant, problems

    # -- HTTP -----------------------------------------------------------------------------------
    def session(self) -> Any:
        if self._session is None:
            import requests

            session = requests.Session()
            session.auth = (self.settings.username, self.secrets_require())
            session.headers["User-Agent"] = "crosspost (+https://github.com/)"
            session.headers["Accept"] = "application/json"
            self._session = session
        return self._session

    def secrets_require(self) -> str:
        if self.secrets is None:
            raise ReauthRequired(_("channel '{name}' has no secrets store").format(name=self.name))
        return self.secrets.require(SECRET)

    def call(self, method: str, path: str, what: str, *, creating: bool = False, timeout: float | None = None,
             **kwargs: Any) -> Any:
        """One REST request; the answer's JSON, or the error classified (see classify())."""
        import requests

        url = path if path.startswith("http") else f"{self.api}/{path.lstrip('/')}"
        limit = timeout or self.settings.timeout
        try:
            response = self.session().request(method, url, timeout=(min(10.0, limit), limit), **kwargs)
        except requests.exceptions.ConnectTimeout as exc:
            said = _("{what}: no connection to {url} within the timeout ({error})").format(
                what=what, url=self.settings.url, error=type(exc).__name__)
            raise RetryLater(self.mask(said, [SECRET])) from None
        except requests.exceptions.ConnectionError as exc:
            if not never_sent(exc):
                raise self._unknown_or_retry(creating, _(
                    "{what}: the connection broke after the request was sent ({error})").format(
                        what=what, error=type(exc).__name__)) from None
            said = _("{what}: cannot connect to {url} ({error}); nothing was sent").format(
                what=what, url=self.settings.url, error=_reason(exc))
            raise RetryLater(self.mask(said, [SECRET])) from None
        except requests.exceptions.Timeout:
            raise self._unknown_or_retry(creating, _(
                "{what}: WordPress did not answer within {seconds} s").format(what=what, seconds=f"{limit:g}")
            ) from None
        return self.classify(response, what, creating)

    def _unknown_or_retry(self, creating: bool, message: str) -> DeliveryError:
        message = self.mask(message, [SECRET])
        if creating:
            return UnknownOutcome(message + _(" — it may have been saved; crosspost looks for it before "
                                              "sending again"))
        return RetryLater(message)

    def classify(self, response: Any, what: str, creating: bool) -> Any:
        """WordPress's answer -> its JSON, or the delivery error its status and code mean."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if 200 <= status < 300:
            if body is None:
                raise self._unknown_or_retry(creating, _(
                    "{what}: the answer is not JSON (HTTP {status}): is {url} the WordPress site, and is "
                    "its REST API enabled?").format(what=what, status=status, url=self.settings.url))
            return body
        code, message = "", ""
        if isinstance(body, dict):
            code, message = str(body.get("code") or ""), _plain(str(body.get("message") or ""))
            params = (body.get("data") or {}).get("params") if isinstance(body.get("data"), dict) else None
            if isinstance(params, dict) and params:  # rest_invalid_param: what is wrong with each
                message += " (" + "; ".join(_plain(str(v)) for v in params.values()) + ")"
        said = f"{code}: {message}" if code else _("HTTP {status} without a WordPress error").format(
            status=status)
        text = self.mask(f"{what}: {said} (HTTP {status})", [SECRET])
        data = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else {}
        error = self._error_for(status, code, text, body, response, creating)
        error.wp_code, error.wp_data = code, data  # type: ignore[attr-defined]
        raise error

    def _error_for(self, status: int, code: str, text: str, body: Any, response: Any,
                   creating: bool) -> DeliveryError:
        if status == 401:
            return ReauthRequired(text + _(" — check username and the application password of '{name}' "
                                         "(WordPress > Users > Profile > Application Passwords)").format(
                                             name=self.name))
        if status == 403:
            if body is None or not code:
                return ReauthRequired(text + _(" — the REST API seems blocked (a security plugin or a "
                                             "firewall): allow /wp-json/ for this user"))
            return ReauthRequired(text + _(" — the WordPress user '{user}' lacks the right: give them the "
                                         "Editor role (or Author)").format(user=self.settings.username))
        if status == 429:
            wait = _retry_after(response.headers.get("Retry-After"))
            return RetryLater(text, retry_after=wait)
        if status >= 500:
            if creating:
                return UnknownOutcome(text + _(" — it may have been saved; crosspost looks for it before "
                                              "sending again"))
            return RetryLater(text)
        if status == 413:
            return Permanent(text + _(" — the file is too big for the web server: make the image smaller, or "
                                      "raise the server's upload limit (upload_max_filesize, "
                                      "client_max_body_size)"))
        if code.startswith("rest_cannot_"):
            # A right missing with a 400: the media controller answers rest_cannot_create with status
            # 400 when the user lacks upload_files (WP_REST_Attachments_Controller::
            # create_item_permissions_check, 6.1 and trunk alike).
            return Permanent(text + _(" — the WordPress user '{user}' lacks the right: give them the "
                                      "Editor role (or Author)").format(user=self.settings.username))
        if body is None:
            return Permanent(text + _(" — the answer is not WordPress's REST API: check url in "
                                     "[channels.{name}] and that no security plugin blocks /wp-json/").format(
                                         name=self.name))
        return Permanent(text)

    # -- terms ------------------------------------------------------------------------------------
    def term_id(self, taxonomy: str, ref: Any, name: str = "", create: bool = True) -> int:
        """A category or tag id from an id, a slug or a name; created when missing and allowed."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return int(ref)
        ref = str(ref)
        key = (taxonomy, ref)
        if key in self._terms:
            return self._terms[key]
        slug = _slugify(ref)
        looking = _("looking up {taxonomy} {ref!r}").format(taxonomy=taxonomy, ref=ref)
        found = self.call("GET", taxonomy, looking, params={"slug": slug, "_fields": "id,slug,name"})
        if not found and name and taxonomy == "tags":
            found = [t for t in self.call("GET", taxonomy, _("looking up tag {ref!r}").format(ref=ref),
                                          params={"search": name, "per_page": 100, "_fields": "id,slug,name"})
                     if str(t.get("name", "")).casefold() == name.casefold()]
        if found:
            self._terms[key] = int(found[0]["id"])
            return self._terms[key]
        if not create:
            raise Permanent(_("WordPress has no {taxonomy} {ref!r}: create it, or map the section in "
                              "[channels.{name}.categories]").format(taxonomy=taxonomy, ref=ref,
                                                                      name=self.name))
        try:
            creating = _("creating {taxonomy} {ref!r}").format(taxonomy=taxonomy, ref=ref)
            made = self.call("POST", taxonomy, creating, json={"name": name or ref, "slug": slug})
        except Permanent as exc:
            # 400 term_exists: another writer made it meanwhile; WordPress names it in data.term_id
            # (WP_REST_Terms_Controller::create_item).
            existing = getattr(exc, "wp_data", {}).get("term_id")
            if getattr(exc, "wp_code", "") != "term_exists" or not existing:
                raise
            made = {"id": existing}
        except ReauthRequired as exc:
            if taxonomy == "categories":
                raise Permanent(_("{error} — create the category {ref!r} in WordPress (the user may not), or "
                                  "map the section in [channels.{name}.categories]").format(
                                      error=exc, ref=ref, name=self.name)) from None
            raise
        self._terms[key] = int(made["id"])
        return self._terms[key]

    # -- lookups -----------------------------------------------------------------------------------
    def find_post(self, slug: str, key: str) -> dict[str, Any] | None:
        """This delivery's post: by its key tag, else by slug (a post of that slug without the key
        is someone else's: Permanent, never duplicated and never taken over)."""
        fields = "id,slug,status,link,tags,permalink_template,generated_slug,featured_media,date_gmt"
        tag = self.call("GET", "tags", _("looking up the delivery key"),
                        params={"slug": key_tag(key), "_fields": "id"})
        tag_id = int(tag[0]["id"]) if tag else None
        if tag_id is not None:
            self._terms[("tags", key_tag(key))] = tag_id
            mine = self.call("GET", "posts", _("looking for the post by its delivery key"),
                             params={"tags": tag_id, "status": "any", "context": "edit", "_fields": fields})
            if mine:
                return mine[0]
        same = self.call("GET", "posts", _("looking for the post by its slug"),
                         params={"slug": slug, "status": "any", "context": "edit", "_fields": fields})
        for post in same:
            if tag_id is not None and tag_id in (post.get("tags") or []):
                return post
        if same:
            post = same[0]
            found = {"slug": slug, "id": post.get("id"), "status": post.get("status"),
                     "link": post.get("link")}
            tag_ids = ",".join(str(t) for t in post.get("tags") or [])
            theirs = self.call("GET", "tags", _("reading the post's tags"),
                               params={"include": tag_ids, "_fields": "slug"}) if tag_ids else []
            if any(str(t.get("slug", "")).startswith("crosspost-") for t in theirs):
                raise Permanent(_(
                    "WordPress already has a post with the slug {slug!r} from another crosspost delivery "
                    "(id {id}, {status}, {link}), perhaps from another log: record it with "
                    "`crosspost resolve ID --sent {link}`, or delete it, then `crosspost retry ID`").format(
                        **found))
            raise Permanent(_(
                "WordPress already has a post with the slug {slug!r} that crosspost did not make (id {id}, "
                "{status}, {link}): if it is this release copied by hand, record it with `crosspost resolve "
                "ID --sent {link}`; otherwise rename or delete it, then `crosspost retry ID`").format(
                    **found))
        return None

    def find_media(self, key: str, index: int) -> dict[str, Any] | None:
        token = media_token(key, index)
        found = self.call("GET", "media", _("looking for an image uploaded earlier"),
                          params={"search": token, "context": "edit", "per_page": 20,
                                  "_fields": "id,source_url,description,post"})
        for item in found:
            if token in str((item.get("description") or {}).get("raw", "")):
                return item
        return None

    # -- deliver ----------------------------------------------------------------------------------
    def publish(self, variant: Variant, ctx: PublishContext) -> Receipt:
        release = ctx.release
        now = ctx.now() if ctx.now else time.time()
        if release.embargo is not None and release.embargo.timestamp() > now:
            raise RetryLater(_("embargoed: the article goes online after the embargo"),
                             retry_after=release.embargo.timestamp() - now)
        slug = str(variant.extra.get("slug") or release.slug)
        key = delivery_key(self.name, release, ctx.delivery_id)
        progress = dict(ctx.progress)
        existing = self.find_post(slug, key)
        if existing is not None:
            return self._receipt(existing, self._image_urls(progress))
        media = self.upload_images(variant, key, progress, ctx)
        failpoint("wordpress_after_media")
        category = self.term_id("categories", variant.extra.get("category", release.section),
                                SECTIONS.get(release.section, release.section),
                                self.settings.create_categories)
        tags = [self.term_id("tags", key_tag(key), key_tag(key))]
        if self.settings.send_tags:
            tags += [self.term_id("tags", t, t) for t in variant.extra.get("tags", release.tags) if t.strip()]
        # Titles and excerpts are HTML in WordPress: "Tarif <Gratis> & ..." must show as written.
        body = {"title": escape(variant.title or release.title, quote=False),
                "content": self.content(variant, media, ctx),
                "excerpt": escape(release.summary or _excerpt(release.body), quote=False), "slug": slug,
                "status": "publish" if self.settings.status == "future" else self.settings.status,
                "date_gmt": gmt(self.when(release, ctx, now)), "categories": [category],
                "tags": list(dict.fromkeys(tags))}
        if media:
            body["featured_media"] = media[0]["id"]
        ctx.heartbeat()
        post = self.call("POST", "posts", _("creating the post"), creating=True,
                         params={"context": "edit"}, json=body)
        progress["post_id"] = post["id"]
        ctx.save_progress(progress)
        failpoint("wordpress_after_post")
        self.attach(media, int(post["id"]))
        return self._receipt(post, [m["source_url"] for m in media])

    def attach(self, media: list[dict[str, Any]], post_id: int) -> None:
        """"Uploaded to" the article in the media library (the attachment's post_parent), which is
        also how an image is found with its post again (GET /wp/v2/media?parent=ID)."""
        for item in media:
            try:
                self.call("POST", f"media/{item['id']}", _("attaching an image to the post"),
                          json={"post": post_id})
            except DeliveryError:
                pass  # cosmetic: the post is out, the images are in it

    def when(self, release: Release, ctx: PublishContext, now: float) -> datetime:
        """The post's date: the scheduled time; else the release's date when status = "future" (or
        when it is past), else now. WordPress makes a post dated ahead "future" by itself."""
        if ctx.scheduled_at is not None:
            return ctx.scheduled_at
        moment = datetime.fromtimestamp(now, UTC)
        if self.settings.status == "future" or release.date <= moment:
            return release.date
        return moment

    def upload_images(self, variant: Variant, key: str, progress: dict[str, Any],
                      ctx: PublishContext) -> list[dict[str, Any]]:
        """Each image once: the id saved in progress, else found by its token, else uploaded."""
        done: dict[str, Any] = dict(progress.get("media") or {})
        out: list[dict[str, Any]] = []
        for i, m in enumerate(variant.media):
            if m.kind != "image":
                continue
            item = None
            if str(i) in done:
                item = {"id": done[str(i)]["id"], "source_url": done[str(i)]["source_url"]}
            else:
                item = self.find_media(key, i) or self.upload(m, key, i)
                done[str(i)] = {"id": int(item["id"]), "source_url": item["source_url"]}
                progress["media"] = done
                ctx.save_progress(progress)
            ctx.heartbeat()
            out.append({"id": int(item["id"]), "source_url": item["source_url"], "alt": m.alt})
        return out

    def upload(self, m: Media, key: str, index: int) -> dict[str, Any]:
        """POST /wp/v2/media with the file as the body (Content-Disposition names it), then alt text,
        caption and the token in the same request's fields (the handbook's "Create a Media Item")."""
        name = _file_name(m.path.name)
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        fields = {"alt_text": m.alt, "caption": m.alt, "title": m.alt[:100] or m.path.stem,
                  "description": media_token(key, index)}
        with m.path.open("rb") as fh:
            data = fh.read()
        # A read timeout or a 5xx here may still have stored the file; the token finds it next time.
        return self.call("POST", "media", _("uploading {name}").format(name=m.path.name), creating=True,
                         timeout=max(self.settings.timeout, 120.0), params=fields, data=data,
                         headers={"Content-Type": mime,
                                  "Content-Disposition": f'attachment; filename="{name}"'})

    def content(self, variant: Variant, media: list[dict[str, Any]], ctx: PublishContext) -> str:
        """The sanitised article HTML, the images after the first below it, the YouTube link last
        (WordPress embeds a bare URL on its own line)."""
        parts = [variant.text]
        for item in media[1:]:
            alt = escape(item.get("alt") or "", quote=True)
            src = escape(item["source_url"], quote=True)
            caption = f"<figcaption>{alt}</figcaption>" if alt else ""
            parts.append(f'<figure class="wp-block-image"><img src="{src}" alt="{alt}"/>{caption}</figure>')
        video = next((r.url for r in ctx.sibling_receipts.values()
                      if r.url and re.match(r"https://(www\.)?(youtube\.com|youtu\.be)/", r.url)), "")
        if video:
            parts.append(f"\n{video}\n")
        return "\n".join(parts)

    def lookup(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        key = delivery_key(self.name, ctx.release, ctx.delivery_id)
        post = self.find_post(str(variant.extra.get("slug") or ctx.release.slug), key)
        if post is None:
            return None
        media = (ctx.progress.get("media") or {}).values()
        self.attach([{"id": m["id"]} for m in media], int(post["id"]))  # the crash may have come first
        return self._receipt(post, self._image_urls(dict(ctx.progress)))

    @staticmethod
    def _image_urls(progress: dict[str, Any]) -> list[str]:
        media = progress.get("media") or {}
        return [media[k]["source_url"] for k in sorted(media, key=int)]

    def _receipt(self, post: dict[str, Any], image_urls: list[str]) -> Receipt:
        link = str(post.get("link") or "")
        status = str(post.get("status") or "")
        template = str(post.get("permalink_template") or "")
        if status != "publish" and "%postname%" in template:  # WordPress links ?p=ID until it is published
            link = template.replace("%postname%", str(post.get("slug") or post.get("generated_slug") or ""))
        return Receipt(remote_id=str(post["id"]), url=link or None,
                       extra={"post_id": int(post["id"]), "status": status, "image_urls": image_urls,
                              "public_url": link})

    # -- corrections (ralat) -------------------------------------------------------------------------
    def _ralat_target(self, variant: Variant) -> tuple[int, int]:
        extra = variant.extra
        original = extra.get("original") or {}
        try:
            return int(str(original.get("remote_id"))), int(extra["number"])
        except (TypeError, ValueError, KeyError):
            raise Permanent(_("the correction does not name the WordPress post it corrects")) from None

    def correct(self, variant: Variant, ctx: PublishContext) -> Receipt:
        """A dated ralat on top of the post (POST /wp/v2/posts/<id>); WordPress keeps the earlier
        text as a revision. Applied once: a post that already carries this ralat is left alone."""
        from ..site.sanitize import render_body

        post_id, number = self._ralat_target(variant)
        post = self._post_for_correction(post_id)
        raw = str((post.get("content") or {}).get("raw", ""))
        if _RALAT_MARK.format(n=number) not in raw:
            note = render_body(str(variant.extra.get("note", "")), urlsplit(self.public_base()).hostname)
            label = escape(str(variant.extra.get("label", "")))
            # The note is part of the article, in the release's language, like the static site's.
            block = (f'<div class="crosspost-ralat" {_RALAT_MARK.format(n=number)}>'
                     f"<p><strong>Ralat, {label}:</strong></p>{note}</div>\n")
            self._keep_original_revision(post_id)
            ctx.heartbeat()
            # `publish --update` (crosspost.edits): the note goes on top of the release's new text.
            update = bool(variant.extra.get("update"))
            body = self._updated_body(raw, variant) if update else raw
            # an update's new title too (WP_REST_Posts_Controller::prepare_item_for_database takes
            # ``title`` as a string, or as {"raw": ...}); a ralat leaves the title as it was
            fields = {"content": block + body}
            if update and variant.title:
                fields["title"] = variant.title
            post = self.call("POST", f"posts/{post_id}", _("adding the correction to the post"),
                             params={"context": "edit"}, json=fields)
        return self._correction_receipt(post, number)

    @staticmethod
    def _updated_body(raw: str, variant: Variant) -> str:
        """The post's text replaced by the update's: what ``content()`` put after the text when the
        post was made (the pictures after the first, the YouTube link) stays, found after the text
        that was sent. A post edited by hand in WordPress meanwhile no longer holds that text: then
        the update's text alone, as before."""
        sent = str(variant.extra.get("sent_text") or "")
        at = raw.rfind(sent) if sent else -1
        return variant.text + (raw[at + len(sent):] if at >= 0 else "")

    def _keep_original_revision(self, post_id: int) -> None:
        """WordPress stores a revision of the text *after* each update, none at creation
        (wp_save_post_revision_on_insert only runs for updates), and saves the current text when a
        post without revisions is updated. So before the first ralat, an update that changes
        nothing keeps the article as published among its revisions."""
        if not self.call("GET", f"posts/{post_id}/revisions", _("reading the post's revisions"),
                         params={"_fields": "id", "per_page": 1}):
            current = self.call("GET", f"posts/{post_id}", _("reading the post to correct"),
                                params={"context": "edit", "_fields": "title"})
            self.call("POST", f"posts/{post_id}", _("keeping the published text as a revision"),
                      json={"title": (current.get("title") or {}).get("raw", "")})

    def _post_for_correction(self, post_id: int) -> dict[str, Any]:
        try:
            return self.call("GET", f"posts/{post_id}", _("reading the post to correct"),
                             params={"context": "edit"})
        except Permanent as exc:
            if getattr(exc, "wp_code", "") == "rest_post_invalid_id":
                raise Permanent(_("the WordPress post {id} is gone (rest_post_invalid_id): publish the "
                                  "release again, then `crosspost retry` this correction").format(
                                      id=post_id)) from None
            raise

    def lookup_correction(self, variant: Variant, ctx: PublishContext) -> Receipt | None:
        post_id, number = self._ralat_target(variant)
        post = self._post_for_correction(post_id)
        if _RALAT_MARK.format(n=number) not in str((post.get("content") or {}).get("raw", "")):
            return None
        return self._correction_receipt(post, number)

    def _correction_receipt(self, post: dict[str, Any], number: int) -> Receipt:
        base = self._receipt(post, [])
        return Receipt(remote_id=f"{base.remote_id}#ralat-{number}",
                       url=f"{base.url}#ralat-{number}" if base.url else None,
                       extra={"post_id": base.extra["post_id"]})

    # -- doctor -----------------------------------------------------------------------------------------
    def whoami(self, timeout: float) -> str:
        """The user the application password acts for, and that they may publish and upload
        (GET /wp/v2/users/me?context=edit lists the capabilities), and the mapped categories."""
        site = self.settings.url.rstrip("/")
        root = self.call("GET", site + "/wp-json/", _("reading the REST API index"), timeout=timeout,
                         params={"_fields": "name,namespaces,authentication"})
        if "wp/v2" not in (root.get("namespaces") or []):
            raise Permanent(_("{url}/wp-json/ answers without the wp/v2 API: a plugin disables WordPress's "
                              "REST API; allow it for logged-in users").format(url=site))
        if "application-passwords" not in (root.get("authentication") or {}):
            raise Permanent(_("WordPress offers no application passwords here (they need HTTPS, WordPress "
                              "5.6 or later, and no plugin turning them off)"))
        me = self.call("GET", "users/me", _("checking the WordPress login"), timeout=timeout,
                       params={"context": "edit", "_fields": "id,username,name,roles,capabilities"})
        caps = me.get("capabilities") or {}
        wanted = ["publish_posts", "upload_files"]
        missing = [c for c in wanted if not caps.get(c)]
        if missing:
            raise Permanent(_("the WordPress user {user} (roles: {roles}) lacks {caps}: give them the "
                              "Editor or Author role").format(user=me.get("username") or me.get("name"),
                                                              roles=", ".join(me.get("roles") or []) or "-",
                                                              caps=", ".join(missing)))
        for section, ref in sorted(self.settings.categories.items()):
            if isinstance(ref, int) or str(ref).isdigit():
                self.call("GET", f"categories/{int(ref)}", _("checking the category of {section}").format(
                    section=section), timeout=timeout, params={"_fields": "id"})
            elif not self.call("GET", "categories", _("checking the category of {section}").format(
                    section=section), timeout=timeout, params={"slug": _slugify(str(ref)), "_fields": "id"}):
                raise Permanent(_("[channels.{name}.categories] maps {section} to {ref!r}, which WordPress "
                                  "does not have: create that category or correct the mapping").format(
                                      name=self.name, section=section, ref=ref))
        return f"{me.get('username') or me.get('name')} ({', '.join(me.get('roles') or [])})"


# -- helpers ----------------------------------------------------------------------------------------
def _reason(exc: Exception) -> str:
    text = str(exc)
    for word in ("Connection refused", "Name or service not known", "No route to host",
                 "Temporary failure in name resolution", "certificate verify failed"):
        if word in text:
            return word
    return type(exc).__name__


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _plain(message: str) -> str:
    """WordPress's messages carry <strong>Error:</strong> and the like."""
    return re.sub(r"<[^>]+>", "", message).strip()


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _file_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    stem = _slugify(stem or name) or "gambar"
    return f"{stem}.{ext.lower()}" if dot else stem


def _excerpt(markdown: str) -> str:
    from .website import excerpt

    return excerpt(markdown)
