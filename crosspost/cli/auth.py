"""`crosspost auth CHANNEL`: walk the operator through storing a channel's credentials.

Values are typed at a hidden prompt and go to the OS keyring or a 0600 file, never to
channels.toml. A channel may offer an interactive ``authorize()`` (YouTube's OAuth flow,
instagrapi's login) which runs after the prompts.
"""

from __future__ import annotations

import typer

from ..credentials import secret_keys
from ..errors import InputError
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
        check: bool = typer.Option(False, "--check", help=_("Only say which credentials are present.")),
    ) -> None:
        ch = load_cfg().channel(channel)
        keys = secret_keys(ch)
        store = ch.secrets
        assert store is not None  # config always gives a channel its secret store
        if check:
            for key in keys:
                present = store.get(key) is not None
                typer.echo(f"{key}: {_('present') if present else _('missing')} ({env_name(ch.name, key)})")
            return
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
