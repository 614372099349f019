"""The bodies of the shared corpus (when ../shared is beside the checkout) and of the examples:
the Markdown the parser tests compare on."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from crosspost.release import load_release

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "releases"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@lru_cache(maxsize=1)
def bodies() -> tuple[str, ...]:
    out = []
    for folder in (CORPUS, EXAMPLES):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".md", ".docx"):
                    try:
                        out.append(load_release(path).body)
                    except Exception:  # refused releases have no body to compare
                        continue
    return tuple(out)
