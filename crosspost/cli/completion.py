"""Shell completion of release handles: `crosspost status kem<TAB>` offers the database's slugs.

typer calls these with what was typed so far (typer/core.py ``_TyperParameter.shell_complete``
via ``autocompletion=``). They run inside the user's shell on every TAB, so they print nothing,
never create a database, and give up quietly (no suggestions) on any error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LIMIT = 50


def release_handles(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Slugs starting with ``incomplete`` (or ``#N`` numbers), newest first, each with its title."""
    try:
        from ..config import load_config
        from ..store import Store

        root = ctx.find_root() if ctx is not None else None
        explicit = (root.params.get("config") if root is not None else None) or None
        cfg = load_config(Path(explicit) if explicit else None)
        if not Path(cfg.database).exists():
            return []
        store = Store.open(Path(cfg.database), create=False)
        try:
            return store.release_handles(incomplete, LIMIT)
        finally:
            store.close()
    except Exception:  # noqa: BLE001 - a TAB must never print a traceback into the shell
        return []
