"""The wordpress channel against a real WordPress (Debian's package, MariaDB, PHP) on 127.0.0.1.

`.ci/wordpress.sh` sets it up and writes its address and application passwords to
/tmp/crosspost-wp.env (or $CROSSPOST_WP_ENV). Without it these tests skip, saying so; under
CI=true they fail instead, because CI must prove the channel against the real thing.
Everything is read back through WordPress's own REST API and the pages it renders.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO, cli_env

WP_ENV = Path(os.environ.get("CROSSPOST_WP_ENV", "/tmp/crosspost-wp.env"))
IMAGES = REPO / "examples" / "img"


def _read_env() -> dict[str, str]:
    out = {}
    for line in WP_ENV.read_text("utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip():
            out[key.strip()] = value.strip().strip("'")
    return out


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: .ci/run must run .ci/wordpress.sh first")
    pytest.skip(f"{reason} (run `sudo bash .ci/wordpress.sh` for a WordPress on 127.0.0.1)")


@pytest.fixture(scope="module")
def wp() -> dict[str, str]:
    if not WP_ENV.is_file():
        _unavailable(f"no WordPress set up: {WP_ENV} is missing")
    env = _read_env()
    import requests

    try:
        r = requests.get(env["CROSSPOST_WP_URL"] + "/wp-json/wp/v2/users/me", timeout=10,
                         auth=(env["CROSSPOST_WP_USER"], env["CROSSPOST_WP_APP_PASSWORD"]),
                         params={"context": "edit"})
    except requests.RequestException as exc:
        _unavailable(f"WordPress at {env['CROSSPOST_WP_URL']} does not answer ({type(exc).__name__})")
    if r.status_code != 200:
        _unavailable(f"WordPress at {env['CROSSPOST_WP_URL']} refuses the saved application password "
                     f"(HTTP {r.status_code})")
    return env


class Api:
    """Reads WordPress back as its administrator."""

    def __init__(self, env: dict[str, str]):
        import requests

        self.url = env["CROSSPOST_WP_URL"]
        self.s = requests.Session()
        self.s.auth = (env["CROSSPOST_WP_USER"], env["CROSSPOST_WP_APP_PASSWORD"])

    def get(self, path: str, **params):
        r = self.s.get(f"{self.url}/wp-json/wp/v2/{path}", params={"context": "edit", **params}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    def posts(self, slug: str) -> list[dict]:
        return self.get("posts", slug=slug, status="any")

    def media(self, key_part: str) -> list[dict]:
        return [m for m in self.get("media", search=key_part, per_page=100)
                if key_part in m["description"]["raw"]]

    def page(self, link: str) -> str:
        r = self.s.get(link, timeout=30, auth=None)
        assert r.status_code == 200, link
        return r.text


@pytest.fixture
def api(wp) -> Api:
    return Api(wp)


@pytest.fixture
def work(tmp_path: Path, wp):
    """A folder with channels.toml (one wordpress channel), two images and a release whose slug is
    new to this WordPress; returns (folder, env, slug)."""
    folder = tmp_path / "kantor"
    (folder / "img").mkdir(parents=True)
    for name in ("hksn-upacara.jpg", "hksn-posko-relawan.jpg"):
        (folder / "img" / name).write_bytes((IMAGES / name).read_bytes())
    (folder / "channels.toml").write_text(
        'timezone = "Asia/Jakarta"\ndatabase = "log.db"\n'
        '[channels.situs]\ntype = "wordpress"\n'
        f'url = "{wp["CROSSPOST_WP_URL"]}"\nusername = "{wp["CROSSPOST_WP_USER"]}"\n', encoding="utf-8")
    slug = f"hksn-uji-{uuid.uuid4().hex[:8]}"
    (folder / "rilis.md").write_text(f"""---
title: "Semarak HKSN 2026 di Yogyakarta & Sekitarnya"
slug: {slug}
date: 2026-11-20T09:00:00+07:00
section: berita-foto
summary: "Ribuan relawan memperingati HKSN 2026."
tags: [HKSN, relawan]
images:
  - path: img/hksn-upacara.jpg
    alt: "Barisan peserta upacara HKSN 2026"
  - path: img/hksn-posko-relawan.jpg
    alt: "Relawan di depan posko sembako"
contact: "Biro Humas"
---
Peringatan **HKSN 2026** diikuti lebih dari 3.000 relawan.

<script>alert("x")</script>Relawan membagikan 5.000 paket sembako.
""", encoding="utf-8")
    env = cli_env(tmp_path, CROSSPOST_SITUS_APPLICATION_PASSWORD=wp["CROSSPOST_WP_APP_PASSWORD"])
    return folder, env, slug


def crosspost(folder: Path, env: dict[str, str], *args: str, failpoint: str | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
    e = dict(env)
    if failpoint:
        e["CROSSPOST_FAILPOINT"] = failpoint
    return subprocess.run([sys.executable, "-m", "crosspost", *args], cwd=folder, env=e, capture_output=True,
                          text=True, timeout=timeout)


def the_channel(folder: Path, env: dict[str, str]):
    from crosspost.config import load_config
    from crosspost.secrets import SecretStore

    old = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("CROSSPOST_")})
    try:
        cfg = load_config(folder / "channels.toml")
        channel = cfg.channel("situs")
        channel.secrets = SecretStore("situs", cfg.state_dir, env=env, use_keyring=False)
        return cfg, channel
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_publish_a_release_with_images_and_read_it_back(work, api: Api) -> None:
    folder, env, slug = work
    proc = crosspost(folder, env, "publish", "rilis.md", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [post] = api.posts(slug)
    assert post["status"] == "publish"
    assert post["title"]["raw"] == "Semarak HKSN 2026 di Yogyakarta &amp; Sekitarnya"
    raw = post["content"]["raw"]
    assert "<strong>HKSN 2026</strong>" in raw and "<script" not in raw  # the static site's sanitised HTML
    assert post["excerpt"]["raw"] == "Ribuan relawan memperingati HKSN 2026."
    assert post["date_gmt"] == "2026-11-20T02:00:00"
    [category] = [api.get(f"categories/{c}") for c in post["categories"]]
    assert category["slug"] == "berita-foto" and category["name"] == "Berita Foto"
    tags = {api.get(f"tags/{t}")["name"] for t in post["tags"]}
    assert {"HKSN", "relawan"} <= tags and any(t.startswith("crosspost-") for t in tags)
    # Both images once, alt text and caption set, attached to the post; the first is featured.
    media = api.get("media", parent=post["id"])
    assert len(media) == 2
    by_alt = {m["alt_text"]: m for m in media}
    assert set(by_alt) == {"Barisan peserta upacara HKSN 2026", "Relawan di depan posko sembako"}
    assert all(m["caption"]["raw"] == m["alt_text"] for m in media)
    assert post["featured_media"] == by_alt["Barisan peserta upacara HKSN 2026"]["id"]
    assert by_alt["Relawan di depan posko sembako"]["source_url"] in raw  # the second is in the text
    # The log's receipt is WordPress's own id and link; the page WordPress renders is the article.
    rows = crosspost(folder, env, "status", slug, "--json")
    import json

    [row] = json.loads(rows.stdout)
    assert row["status"] == "sent" and row["remote_id"] == str(post["id"]) and row["url"] == post["link"]
    assert post["link"].endswith(f"/berita-foto/{slug}/")  # the permalink crosspost predicted
    html = api.page(post["link"])
    from html import unescape

    assert "Semarak HKSN 2026 di Yogyakarta & Sekitarnya</h1>" in unescape(html)  # WordPress writes &#038;
    assert 'alt="Barisan peserta upacara HKSN 2026"' in html and "<strong>HKSN 2026</strong>" in html
    # Publishing the same release again posts nothing new.
    again = crosspost(folder, env, "publish", "rilis.md")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(api.posts(slug)) == 1 and len(api.get("media", parent=post["id"])) == 2


def five_minutes_later(folder: Path) -> None:
    """The crashed worker's lease runs out (300 s): the only thing that changes as time passes."""
    import sqlite3

    with sqlite3.connect(folder / "log.db") as db:
        db.execute("UPDATE deliveries SET lease_until = lease_until - 400 WHERE status = 'sending'")


def one_delivery(folder: Path):
    from crosspost.store import Store

    store = Store.open(folder / "log.db")
    try:
        [d] = store.deliveries()
        return d
    finally:
        store.close()


def test_kill_9_between_media_uploaded_and_post_created(work, api: Api) -> None:
    folder, env, slug = work
    proc = crosspost(folder, env, "publish", "rilis.md", failpoint="wordpress_after_media")
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert api.posts(slug) == []
    d = one_delivery(folder)
    assert d.status == "sending" and len(d.progress["media"]) == 2  # saved before the crash
    first = api.get(f"media/{d.progress['media']['0']['id']}")["description"]["raw"]
    token = first[: first.rindex("-") + 1]  # "[crosspost-<key>-": this delivery's images only
    uploaded = {m["id"] for m in api.media(token)}
    assert uploaded == {m["id"] for m in d.progress["media"].values()}
    five_minutes_later(folder)
    # `crosspost run`: the expired lease makes it unknown; the lookup finds no post by its key or
    # slug, and an unknown is never sent blindly: it waits for the platform to settle or a person.
    run = crosspost(folder, env, "run")
    assert run.returncode == 1 and one_delivery(folder).status == "unknown", run.stdout + run.stderr
    assert api.posts(slug) == []
    resolved = crosspost(folder, env, "resolve", str(d.id), "--not-sent")
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    run = crosspost(folder, env, "run")
    assert run.returncode == 0, run.stdout + run.stderr
    [post] = api.posts(slug)
    media = api.get("media", parent=post["id"])
    assert {m["id"] for m in media} == {m["id"] for m in d.progress["media"].values()}, "each image once"
    assert {m["id"] for m in api.media(token)} == uploaded, "no image uploaded again"
    assert post["featured_media"] in {m["id"] for m in media}
    d = one_delivery(folder)
    assert d.status == "sent" and d.remote_id == str(post["id"]) and d.url == post["link"]
    assert crosspost(folder, env, "run").returncode == 4 and len(api.posts(slug)) == 1


def test_kill_9_after_post_created_is_found_not_posted_again(work, api: Api) -> None:
    folder, env, slug = work
    proc = crosspost(folder, env, "publish", "rilis.md", failpoint="wordpress_after_post")
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    [post] = api.posts(slug)
    assert one_delivery(folder).status == "sending"
    five_minutes_later(folder)
    run = crosspost(folder, env, "run", "--json")  # reaped -> unknown -> found by its delivery key
    assert run.returncode == 0, run.stdout + run.stderr
    assert "reconciled" in run.stdout, run.stdout
    d = one_delivery(folder)
    assert d.status == "sent" and d.remote_id == str(post["id"]) and d.url == post["link"]
    assert len(api.posts(slug)) == 1 and len(api.get("media", parent=post["id"])) == 2


def test_correction_edits_the_post_and_keeps_a_revision(work, api: Api) -> None:
    folder, env, slug = work
    assert crosspost(folder, env, "publish", "rilis.md").returncode == 0
    [post] = api.posts(slug)
    (folder / "ralat.md").write_text("Tertulis 3.000 relawan; yang benar **3.500** relawan.\n", "utf-8")
    proc = crosspost(folder, env, "correct", slug, "--file", "ralat.md", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import json

    [planned] = json.loads(proc.stdout)["variants"]
    assert planned["kind"] == "wordpress" and planned["action"] == "note on the article"
    [edited] = api.posts(slug)
    raw = edited["content"]["raw"]
    assert edited["id"] == post["id"]
    assert raw.startswith('<div class="crosspost-ralat" id="ralat-1"><p><strong>Ralat, ')
    assert "<strong>3.500</strong>" in raw
    assert raw.endswith(post["content"]["raw"]), "the article itself is unchanged below the ralat"
    revisions = api.get(f"posts/{post['id']}/revisions")
    assert any(post["content"]["raw"] == r["content"]["raw"] for r in revisions)
    html = api.page(edited["link"])
    assert 'id="ralat-1"' in html and "3.500" in html
    # Looking the correction up (after an unknown outcome) finds it; it is not added twice.
    from crosspost.store import Store

    cfg, channel = the_channel(folder, env)
    store = Store.open(cfg.database)
    [(d, variant)] = store.corrections_of(slug)
    from crosspost.channels.base import PublishContext
    from crosspost.models import Release

    ctx = PublishContext(release=Release(slug=slug, title="x", body="", date=post_date()))
    assert channel.lookup_correction(variant, ctx).remote_id == f"{post['id']}#ralat-1"
    channel.correct(variant, ctx)
    assert api.posts(slug)[0]["content"]["raw"].count('id="ralat-1"') == 1


def test_an_update_rewrites_the_post_and_its_title(work, api: Api) -> None:
    """`publish --update` on a real WordPress: the post gets the new text under a dated note and
    the new title (WP_REST_Posts_Controller takes ``title`` as a string), the old text kept as a
    revision; the same post, not a second one."""
    folder, env, slug = work
    release = folder / "rilis.md"
    numbered = release.read_text("utf-8").replace("contact: ", "number: 77/HUMAS/XI/2026\ncontact: ")
    release.write_text(numbered, "utf-8")
    assert crosspost(folder, env, "publish", "rilis.md").returncode == 0
    [post] = api.posts(slug)
    release.write_text(numbered.replace("HKSN 2026 di Yogyakarta", "HKSN 2026 di DIY")
                       .replace("lebih dari 3.000 relawan", "lebih dari 3.500 relawan"), "utf-8")
    proc = crosspost(folder, env, "publish", "rilis.md", "--update", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [edited] = api.posts(slug)
    assert edited["id"] == post["id"]
    # the second picture (a figure after the text, as the post was made) is still in the article
    figures = post["content"]["raw"].count('<figure class="wp-block-image">')
    assert figures == 1 and edited["content"]["raw"].count('<figure class="wp-block-image">') == figures
    assert edited["title"]["raw"].startswith("Semarak HKSN 2026 di DIY")
    assert "3.500 relawan" in edited["content"]["raw"] and "3.000 relawan" not in edited["content"]["raw"]
    revisions = api.get(f"posts/{post['id']}/revisions")
    assert any("3.000 relawan" in r["content"]["raw"] for r in revisions)


def post_date():
    from datetime import UTC, datetime

    return datetime(2026, 11, 20, tzinfo=UTC)


def test_real_errors_are_classified(work, wp, api: Api) -> None:
    from crosspost.channels.base import PublishContext
    from crosspost.errors import Permanent, ReauthRequired
    from crosspost.release import load_release

    folder, env, slug = work
    cfg, channel = the_channel(folder, env)
    assert channel.whoami(10).startswith(wp["CROSSPOST_WP_USER"] + " (administrator")
    release = load_release(folder / "rilis.md")
    from crosspost.adapt import adapt_one

    variant = adapt_one(release, channel).variant
    ctx = PublishContext(release=release, delivery_id=99)
    # A wrong application password: WordPress's 401, shown without the password.
    bad = "abcd efgh ijkl mnop qrst uvwx"
    wrong = the_channel(folder, {**env, "CROSSPOST_SITUS_APPLICATION_PASSWORD": bad})[1]
    with pytest.raises(ReauthRequired) as exc:
        wrong.whoami(10)
    assert "HTTP 401" in str(exc.value) and "abcd efgh" not in str(exc.value)
    # A contributor may not publish: doctor says so, and a post is refused with WordPress's 403.
    contributor = the_channel(folder, {**env, "CROSSPOST_SITUS_APPLICATION_PASSWORD":
                                       wp["CROSSPOST_WP_CONTRIBUTOR_PASSWORD"]})[1]
    contributor.settings = replace(contributor.settings, username=wp["CROSSPOST_WP_CONTRIBUTOR"])
    with pytest.raises(Permanent, match="publish_posts, upload_files"):
        contributor.whoami(10)
    with pytest.raises(ReauthRequired, match=r"rest_cannot_create|rest_cannot_publish|HTTP 403"):
        contributor.publish(variant, ctx)
    # A post with the release's slug that crosspost did not make is neither duplicated nor taken over.
    made = api.s.post(f"{api.url}/wp-json/wp/v2/posts", json={"title": "Disalin manual", "slug": slug,
                                                              "status": "draft"}, timeout=30)
    assert made.status_code == 201, made.text
    with pytest.raises(Permanent, match="did not make"):
        channel.publish(variant, ctx)
    assert len(api.posts(slug)) == 1
    # Nothing listens on the port: refused before anything was sent, so retry later.
    from crosspost.errors import RetryLater

    channel.settings = replace(channel.settings, url="http://127.0.0.1:9")
    with pytest.raises(RetryLater, match="cannot connect"):
        channel.publish(variant, PublishContext(release=release, delivery_id=100))


CORPUS = REPO.parent / "shared" / "corpus" / "releases"
BROKEN = {"08-edge-yaml-rusak.md", "09-edge-tanpa-judul.md"}


def test_the_corpus_goes_to_wordpress_as_written(work, api: Api) -> None:
    """Every release of ../shared/corpus: a post whose title, text and images are the release's, or,
    for a broken one, a clear refusal before anything is sent."""
    from html import unescape

    from crosspost.adapt import adapt_one
    from crosspost.channels.base import PublishContext
    from crosspost.errors import InputError
    from crosspost.release import load_release

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    folder, env, slug = work
    _cfg, channel = the_channel(folder, env)
    sent = 0
    for i, path in enumerate(sorted(p for p in CORPUS.iterdir() if p.is_file())):
        try:
            release = load_release(path)
        except InputError:
            assert path.name in BROKEN, path.name
            continue
        release = replace(release, slug=f"{slug}-{i}")
        adapted = adapt_one(release, channel)
        if not adapted.ok:  # e.g. a title longer than the site takes: refused, nothing sent
            assert any(p.severity == "error" for p in adapted.problems)
            assert api.posts(release.slug) == []
            continue
        receipt = channel.publish(adapted.variant, PublishContext(release=release, delivery_id=1000 + i))
        [post] = api.posts(release.slug)
        assert receipt.remote_id == str(post["id"]) and receipt.url == post["link"]
        assert unescape(post["title"]["raw"]) == release.title, path.name  # sent as HTML, escaped
        if "<Gratis>" in release.title:
            assert "Tarif &lt;Gratis&gt;" in api.page(post["link"])  # shown as written, not a tag
        assert post["content"]["raw"].startswith(adapted.variant.text), path.name
        images = [m for m in adapted.variant.media if m.kind == "image"]
        assert len(api.get("media", parent=post["id"])) == len(images), path.name
        assert (post["featured_media"] != 0) == bool(images)
        assert api.page(post["link"])  # WordPress renders it
        sent += 1
    assert sent >= 6


def test_pending_review_and_a_future_date(work, api: Api) -> None:
    """status = "pending" leaves the post for WordPress's own review; status = "future" with a release
    dated ahead makes WordPress schedule it. Either way the receipt carries the article's address."""
    from datetime import UTC, datetime, timedelta

    from crosspost.adapt import adapt_one
    from crosspost.channels.base import PublishContext
    from crosspost.release import load_release

    folder, env, slug = work
    _cfg, channel = the_channel(folder, env)
    base = load_release(folder / "rilis.md")
    for status, date, expected in (("pending", base.date, "pending"),
                                   ("future", datetime.now(UTC) + timedelta(days=3), "future")):
        channel.settings = replace(channel.settings, status=status)
        release = replace(base, slug=f"{slug}-{status}", date=date)
        variant = adapt_one(release, channel).variant
        receipt = channel.publish(variant, PublishContext(release=release, delivery_id=1))
        [post] = api.posts(release.slug)
        assert post["status"] == expected
        assert receipt.url == f"{api.url}/berita-foto/{release.slug}/" != post["link"]  # not ?p=ID
        assert receipt.extra["status"] == expected
