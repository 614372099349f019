"""Where each platform's keys are found: printed by `crosspost auth NAME` and its --help.

The pages named are the platforms' own: X, docs.x.com "API Key and Secret" (Developer Console >
Apps > the app > Keys and tokens; the app's permissions must be "Read and write" before the
access token is generated); Facebook, developers.facebook.com/docs/pages-api/getting-started (a
Page access token from GET /{user-id}/accounts with pages_manage_posts and
pages_read_engagement); Instagram, the same Meta app with instagram_basic and
instagram_content_publish, and the account id in Meta Business Suite; WordPress 5.6+, Users >
Profile > Application Passwords; YouTube, an OAuth client of type Desktop app in Google Cloud
Console (the browser consent runs in `crosspost auth`).
"""

from __future__ import annotations

from .i18n import N_, _

WHERE: dict[str, str] = {
    "twitter": N_("X: developer.x.com (Developer Console) > Apps > your app > Keys and tokens: API Key and "
                  "Secret, then Access Token and Secret generated after setting the app to \"Read and "
                  "write\"."),
    "facebook": N_("Facebook: a Page access token with pages_manage_posts and pages_read_engagement, from "
                   "Meta for Developers (Graph API Explorer: GET me/accounts, or a Business Manager system "
                   "user); page_id is the Page's numeric id (Page > About > Page transparency)."),
    "instagram": N_("Instagram (Graph API): an access token of the same Meta app with instagram_basic and "
                    "instagram_content_publish; ig_user_id from Meta Business Suite > Settings > Instagram "
                    "accounts. With backend = \"instagrapi\": the account's password."),
    "wordpress": N_("WordPress: wp-admin > Users > Profile > Application Passwords (WordPress 5.6 or "
                    "newer)."),
    "youtube": N_("YouTube: an OAuth client JSON (Google Cloud Console > APIs & Services > Credentials > "
                  "OAuth client ID, Desktop app) named by client_secrets_file; `crosspost auth` opens the "
                  "browser to consent."),
}


def where(platform: str) -> str | None:
    """Where this platform's keys are found, in the chosen language (None when it needs none)."""
    text = WHERE.get(platform)
    return _(text) if text else None


def all_sources() -> str:
    """Every platform's line, for `crosspost auth --help`."""
    return "\n\n".join(_(t) for t in WHERE.values())
