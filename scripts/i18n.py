"""Keep the Indonesian catalogue in step with the code (CONTRIBUTING.md, Languages).

    python scripts/i18n.py                  # extract, update, list what is untranslated, compile
    python scripts/i18n.py --fill id.json   # the same, first filling {"English msgid": "terjemahan"}
    python scripts/i18n.py --repair REF...  # after a merge: every msgstr must be one some branch wrote

The .po merges as a union (.gitattributes); when both branches changed nearby entries a union can
glue two msgstr together, which --repair puts back from the branches named (e.g. HEAD other).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
POT = "crosspost/locale/crosspost.pot"
PO = "crosspost/locale/id/LC_MESSAGES/crosspost.po"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def key(msgid: object) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]  # type: ignore[index]


def branch_strings(ref: str) -> dict[object, object]:
    data = subprocess.run(["git", "show", f"{ref}:{PO}"], cwd=ROOT, capture_output=True, check=True).stdout
    return {m.id: m.string for m in read_po(io.BytesIO(data)) if m.id and m.string and "fuzzy" not in m.flags}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fill", type=Path, help="JSON object: English msgid -> Indonesian msgstr")
    ap.add_argument("--repair", nargs="+", metavar="REF", help="git refs whose msgstr are the right ones")
    opts = ap.parse_args()
    pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output", "--project=crosspost",
            "--copyright-holder=crosspost", "-o", POT, "crosspost")
    pybabel("update", "-i", POT, "-d", "crosspost/locale", "-D", "crosspost", "-l", "id", "--ignore-obsolete",
            "--no-fuzzy-matching")
    fill: dict[str, object] = json.loads(opts.fill.read_text("utf-8")) if opts.fill else {}
    with open(ROOT / PO, "rb") as fh:
        catalog = read_po(fh)
    branches = [branch_strings(ref) for ref in opts.repair or []]
    missing = []
    for m in catalog:
        if not m.id:
            continue
        seen = [b[m.id] for b in branches if m.id in b]
        if key(m.id) in fill:
            value = fill[key(m.id)]
            m.string = tuple(value) if isinstance(m.id, tuple) else value  # type: ignore[assignment,arg-type]
            m.flags.discard("fuzzy")
        elif seen and m.string not in seen:
            m.string = seen[0]
            m.flags.discard("fuzzy")
        if not m.string or (isinstance(m.string, tuple) and not all(m.string)) or "fuzzy" in m.flags:
            missing.append(key(m.id))
    with open(ROOT / PO, "wb") as fh:
        write_po(fh, catalog, width=76, sort_output=True)
    for text in missing:
        print("untranslated:", json.dumps(text, ensure_ascii=False))
    pybabel("compile", "-d", "crosspost/locale", "-D", "crosspost", "--statistics")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
