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
    from ..key_sources import all_sources

    @app.command(
        epilog=example_epilog("auth"),
        help=_("Store a channel's credentials (hidden prompts; OS keyring or a 0600 file).\n\n"
               "Environment variables CROSSPOST_<CHANNEL>_<KEY> override stored values, for cron. "
               "For a script: --from-env stores those variables, --token - reads a single token "
               "from stdin.") + "\n\n" + _("Where the keys are found:") + "\n\n" + all_sources())
    def auth(
        channel: str = typer.Argument(..., help=_("The channel's name in channels.toml, e.g. twitter.")),
        check: bool = typer.Option(False, "--check", help=_("Say which credentials are present and whether "
                                                            "the platform accepts them; exit 1 if not.")),
        offline: bool = typer.Option(False, "--offline", help=_("With --check: do not ask the platform.")),
        from_env: bool = typer.Option(False, "--from-env", help=_(
            "Store the values of CROSSPOST_<CHANNEL>_<KEY> instead of asking (no prompt).")),
        token: str | None = typer.Option(None, "--token", metavar="-", help=_(
            "Read the channel's one token from stdin: `--token -` (never on the command line).")),
    ) -> None:
        ch = load_cfg().channel(channel)
        keys = secret_keys(ch)
        store = ch.secrets
        assert store is not None  # config always gives a channel its secret store
        if check:
            raise typer.Exit(_check(ch, keys, offline))
        scripted = from_env or token is not None
        if scripted:
            values = _scripted_values(ch.name, keys, from_env, token)
        else:
            from ..key_sources import where

            hint = where(ch.platform)
            if hint and keys:
                typer.echo(hint)
            values = {}
            for key in keys:
                value = typer.prompt(f"{ch.name} {key}", hide_input=True, default="", show_default=False)
                if not value:
                    raise InputError(_("no value given for {key}: nothing stored").format(key=key))
                values[key] = value
        for key, value in values.items():
            store.set(key, value)
        authorize = getattr(ch, "authorize", None)
        interactive = callable(authorize) and getattr(ch, "interactive_authorize", True)
        if callable(authorize) and not (scripted and interactive):
            authorize()
        done = _("credentials for '{name}' stored. Check them with `crosspost auth {name} --check`.")
        typer.echo(done.format(name=ch.name))
        if scripted and interactive and callable(authorize):
            typer.echo(_("'{name}' also needs a login at a terminal: run `crosspost auth {name}` there once.")
                       .format(name=ch.name))


def _scripted_values(name: str, keys: tuple[str, ...], from_env: bool, token: str | None) -> dict[str, str]:
    """The values for --from-env (every key's environment variable) or --token - (stdin, one key)."""
    import os
    import sys

    if from_env and token is not None:
        raise InputError(_("give --from-env or --token -, not both"))
    if not keys:
        raise InputError(_("'{name}' has no keys to store: run `crosspost auth {name}` at a terminal").format(
            name=name))
    if token is not None:
        if token != "-":
            raise InputError(_("--token takes only '-' (read from stdin): a token on the command line "
                               "stays in the shell history and shows in `ps`"))
        if len(keys) != 1:
            raise InputError(_("'{name}' needs {n} keys ({keys}): use --from-env with {envs}").format(
                name=name, n=len(keys), keys=", ".join(keys),
                envs=", ".join(env_name(name, k) for k in keys)))
        value = sys.stdin.readline().strip()
        if not value:
            raise InputError(_("no token on stdin: nothing stored"))
        return {keys[0]: value}
    missing = [env_name(name, k) for k in keys if not os.environ.get(env_name(name, k), "").strip()]
    if missing:
        raise InputError(_("not set: {envs}; nothing stored").format(envs=", ".join(missing)))
    return {k: os.environ[env_name(name, k)].strip() for k in keys}


def _check(ch: Any, keys: tuple[str, ...], offline: bool) -> int:
    """One line per key (present or missing, and its environment variable), then the platform's
    own answer (its `whoami`): exit 1 when a key is missing or the platform refuses them."""
    from ..channels.base import implements
    from ..errors import CrosspostError

    missing = 0
    for key in keys:
        present = ch.secrets.get(key) is not None
        missing += not present
        state = _("present") if present else _("missing")  # outside the f-string: Babel must see them
        typer.echo(f"{key}: {state} ({env_name(ch.name, key)})")
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
