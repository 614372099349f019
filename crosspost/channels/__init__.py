"""Channel registry: platform type -> class, imported only when that type is used."""

from __future__ import annotations

from importlib import import_module

from .base import Channel

REGISTRY: dict[str, str] = {
    "website": "crosspost.channels.website:WebsiteChannel",
    "wordpress": "crosspost.channels.wordpress:WordPressChannel",
    "twitter": "crosspost.channels.twitter:TwitterChannel",
    "facebook": "crosspost.channels.facebook:FacebookChannel",
    "instagram": "crosspost.channels.instagram:InstagramChannel",
    "youtube": "crosspost.channels.youtube:YouTubeChannel",
    "fake": "crosspost.channels.fake:FakeChannel",
}


def channel_class(type_: str) -> type[Channel]:
    """The class for a platform type; KeyError for an unknown one."""
    module, _, attr = REGISTRY[type_].partition(":")
    return getattr(import_module(module), attr)


__all__ = ["Channel", "REGISTRY", "channel_class"]
