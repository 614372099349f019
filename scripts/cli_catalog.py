"""Write crosspost/cli/catalog.py from the command modules (after adding or renaming a command, or
changing the first paragraph of its help), and give its summaries their Indonesian translation.

    python scripts/cli_catalog.py

The CLI lists and completes commands from that catalogue without importing their modules
(crosspost/cli/lazy_group.py); tests/test_cli_catalog.py fails when it is out of date. Each
summary is the first paragraph of the command's help, so its translation is the first paragraph
of the help's translation (filled through scripts/i18n.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crosspost.cli.lazy_group import registered  # noqa: E402

HEAD = '''"""Every command by name: the module that registers it, the first paragraph of its help (what the
command list and shell completion show), hidden or not. Written by scripts/cli_catalog.py from the
modules (do not edit by hand); tests/test_cli_catalog.py checks it. See crosspost/cli/lazy_group.py."""

from __future__ import annotations

from ..i18n import N_

# (name, module under crosspost/cli/, hidden, summary), in the order the commands are listed
COMMANDS: tuple[tuple[str, str, bool, str], ...] = (
'''


def literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid Python literal for these texts, in "quotes"


def wrapped(text: str, width: int = 92) -> str:
    """A long summary as adjacent literals of at most ``width`` characters (Babel joins them)."""
    parts = textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False) or [""]
    return "\n        ".join(literal(p) for p in parts)


def main() -> int:
    english = registered("en")
    indonesian = registered("id")
    lines = [HEAD]
    for name, module, hidden, summary in english:
        lines.append(f"    ({literal(name)}, {literal(module)}, {hidden!r},\n     N_({wrapped(summary)})),\n")
    lines.append(")\n")
    (ROOT / "crosspost" / "cli" / "catalog.py").write_text("".join(lines), "utf-8")
    fill = {en[3]: id_[3] for en, id_ in zip(english, indonesian, strict=True) if en[3] != id_[3]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(fill, fh, ensure_ascii=False)
    try:
        return subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "--fill", fh.name],
                              cwd=ROOT, stdout=subprocess.DEVNULL).returncode
    finally:
        Path(fh.name).unlink()


if __name__ == "__main__":
    sys.exit(main())
