"""The link every social post carries: the release's article on the office website.

The article's address is known before the article exists: the website channel's ``base_url``,
the release's section and slug (WordPress: its permalink structure). So a post sent without the
website in this run (``publish rilis.md -c twitter``) still links the article, instead of going
out with no link at all. And a ``link:`` written in the front matter that points under the
website's address but not at the article is a page the site never creates: a warning at preview
and publish (the shipped examples did exactly that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .channels.base import Channel
from .i18n import _
from .models import Release


def article_channels(cfg: Any) -> list[Channel]:
    """The configured channels that publish the article (website, WordPress), enabled ones first.
    Only their tables are built: a broken table of another channel must not stop this run."""
    from .channels import channel_class

    names = []
    for name, table in cfg.tables.items():
        try:
            if channel_class(str(table.get("type") or name)).article:
                names.append(name)
        except KeyError:  # an unknown type: reported when that channel is used
            continue
    found = [cfg.channel(n) for n in names]
    return sorted(found, key=lambda ch: not getattr(ch.settings, "enabled", True))


def article_url(release: Release, channel: Channel, templates_dir: Path | None = None) -> str | None:
    """The article's public address as ``channel`` will publish it (None when it cannot say, e.g.
    a WordPress permalink that needs the post id)."""
    from .adapt import adapt_one

    done = adapt_one(release, channel, templates_dir)
    return done.variant.link if done.variant is not None else None


def site_base(channel: Channel) -> str:
    """The public address of the site an article channel writes to."""
    base = getattr(channel, "public_base", None)
    return str(base() if callable(base) else getattr(channel.settings, "base_url", "")).rstrip("/")


def _norm(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip())
    return (parts.hostname or "").casefold().removeprefix("www."), parts.path.rstrip("/")


def under(url: str, base: str) -> bool:
    """Whether ``url`` is an address on the site at ``base`` (scheme and www. aside)."""
    host, path = _norm(url)
    base_host, base_path = _norm(base)
    return bool(host) and host == base_host and (path == base_path or path.startswith(base_path + "/"))


def same_page(a: str, b: str) -> bool:
    """The same page: host (www. aside) and path (trailing slash aside); query and fragment aside."""
    return _norm(a) == _norm(b)


def link_warning(release: Release, channel: Channel, article: str | None) -> str | None:
    """A warning when the release's own ``link:`` is on the office site but not its article."""
    if not release.link or not article:
        return None
    base = site_base(channel)
    if not base or not under(release.link, base) or same_page(release.link, article):
        return None
    return _("link: {link} is on {site} but is not this release's article ({article}); the site never "
             "creates that page, so the posts would link a missing page: remove link: (the posts then "
             "link the article) or set slug: to match").format(link=release.link, site=base, article=article)
