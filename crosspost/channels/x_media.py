"""Image upload to X through the v2 media endpoint.

tweepy 4.17 has no v2 media upload and X retired the v1.1 one, so this posts the file to
``{api_base}/2/media/upload`` itself, on tweepy's own requests session and signed with
tweepy's OAuth 1.0a handler. Kept apart from the channel so that tweepy's own support can
replace it later by changing this one module.

Failures are raised as tweepy's own exception classes (built from the response exactly as
tweepy's Client does), so the channel classifies them in one place.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".gif": "image/gif", ".webp": "image/webp"}
ALT_TEXT_MAX = 1000  # characters X accepts for an image description


def oauth1(consumer_key: str, consumer_secret: str, access_token: str, access_token_secret: str) -> Any:
    """The requests auth object tweepy itself uses for user-context calls."""
    from tweepy import OAuth1UserHandler

    return OAuth1UserHandler(consumer_key, consumer_secret, access_token, access_token_secret).apply_auth()


def raise_for_status(response: Any) -> None:
    """Raise tweepy's exception for a failed response, mirroring tweepy.Client.request."""
    import tweepy

    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset and reset.isdigit() else None)
    cls = {400: tweepy.BadRequest, 401: tweepy.Unauthorized, 403: tweepy.Forbidden,
           404: tweepy.NotFound}.get(status)
    if cls is None:
        cls = tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException
    raise cls(response)


def upload_image(session: Any, auth: Any, api_base: str, path: Path, alt: str = "",
                 timeout: float | None = 60.0) -> str:
    """Upload one image and set its alt text; return the media id to pass to create_tweet."""
    path = Path(path)
    mime = (IMAGE_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream")
    with path.open("rb") as fh:
        response = session.post(f"{api_base}/2/media/upload", auth=auth, timeout=timeout,
                                files={"media": (path.name, fh, mime)},
                                data={"media_category": media_category(mime), "media_type": mime})
    raise_for_status(response)
    media_id = _media_id(response.json())
    if alt.strip():
        set_alt_text(session, auth, api_base, media_id, alt, timeout)
    return media_id


def media_category(mime: str) -> str:
    """X's media_category: an animated GIF is ``tweet_gif`` (X treats it as a short video and
    refuses or flattens it as ``tweet_image``; POST /2/media/upload, media_category)."""
    return "tweet_gif" if mime == "image/gif" else "tweet_image"


def set_alt_text(session: Any, auth: Any, api_base: str, media_id: str, alt: str,
                 timeout: float | None = 60.0) -> None:
    """Describe an uploaded image for screen readers (POST /2/media/metadata)."""
    body = {"id": media_id, "metadata": {"alt_text": {"text": alt.strip()[:ALT_TEXT_MAX]}}}
    response = session.post(f"{api_base}/2/media/metadata", auth=auth, json=body, timeout=timeout)
    raise_for_status(response)


def _media_id(payload: dict[str, Any]) -> str:
    inner = payload.get("data")
    data: dict[str, Any] = inner if isinstance(inner, dict) else payload
    for key in ("id", "media_id_string", "media_id"):
        if data.get(key):
            return str(data[key])
    raise ValueError("X accepted the image upload but returned no media id")
