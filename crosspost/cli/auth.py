"""`crosspost auth CHANNEL`: walk the operator through storing a channel's credentials.

Values are typed at a hidden prompt and go to the OS keyring or a 0600 file, never to
channels.toml. A channel may offer an interactive ``authorize()`` (YouTube's OAuth flow,
instagrapi's login) which runs after the prompts.
"""

from __future__ import annotations

from typing import Any

import typer

from ..credentials import secret_keys
from ..errors import EXIT_FAILED, EXIT_OK, InputError
from ..i18n import _
from ..secrets import env_name
from .common import config as load_cfg
from .common import example_epilog


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=example_epilog("auth"),
        help=_("Store a channel's credentials (hidden prompts; OS keyring or a 0600 file).\n\n"
                        "Environment variables CROSSPOST_<CHANNEL>_<KEY> override stored values, for cron."))
    def auth(
        channel: str = typer.Argument(..., help=_("The channel's name in channels.toml, e.g. twitter.")),
        check: bool = typer.Option(False, "--check", help=_("Say which credentials are present and whether "
                                                            "the platform accepts them; exit 1 if not.")),
        offline: bool = typer.Option(False, "--offline", help=_("With --check: do not ask the platform.")),
    ) -> None:
        ch = load_cfg().channel(channel)
        keys = secret_keys(ch)
        store = ch.secrets
        assert store is not None  # config always gives a channel its secret store
        if check:
            raise typer.Exit(_check(ch, keys, offline))
        for key in keys:
            value = typer.prompt(f"{ch.name} {key}", hide_input=True, default="", show_default=False)
            if not value:
                raise InputError(_("no value given for {key}: nothing stored").format(key=key))
            store.set(key, value)
        authorize = getattr(ch, "authorize", None)
        if callable(authorize):
            authorize()
        done = _("credentials for '{name}' stored. Check them with `crosspost auth {name} --check`.")
        typer.echo(done.format(name=ch.name))


def _check(ch: Any, keys: tuple[str, ...], offline: bool) -> int:
    """One line per key (present or missing, and its environment variable), then the platform's
    own answer (its `whoami`): exit 1 when a key is missing or the platform refuses them."""
    from ..channels.base import implements
    from ..errors import CrosspostError

    missing = 0
    for key in keys:
        present = ch.secrets.get(key) is not None
        missing += not present
        typer.echo(f"{key}: {_('present') if present else _('missing')} ({env_name(ch.name, key)})")
    if missing:
        return EXIT_FAILED
    if offline or not implements(ch, "whoami"):
        typer.echo(_("not verified with the platform (offline)") if offline else
                   _("nothing to verify with the platform for this channel"))
        return EXIT_OK
    try:
        who = ch.whoami(10.0)
    except (CrosspostError, OSError) as exc:
        typer.echo(_("not accepted by the platform: {error}").format(error=ch.mask(str(exc), keys)))
        return EXIT_FAILED
    typer.echo(_("accepted by the platform: {who}").format(who=who))
    return EXIT_OK
