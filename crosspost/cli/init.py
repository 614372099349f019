"""`crosspost init`: scaffold a working folder for a new office, never overwriting a file."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from ..errors import InputError
from ..i18n import _
from .common import example_epilog


def example_dir() -> Path:
    here = Path(__file__).resolve().parents[1]  # the crosspost package
    packaged = here / "_examples"
    return packaged if packaged.is_dir() else here.parent / "examples"


def scaffold(target: Path) -> list[Path]:
    """Copy channels.toml, templates/ and the examples into target; refuse to overwrite."""
    from ..config import default_config_path  # imported here: `crosspost --help` must not load jinja2
    from ..templating import builtin_templates_dir

    plan: list[tuple[Path, Path]] = [(default_config_path(), target / "channels.toml")]
    for src_root, dest_root in ((builtin_templates_dir(), target / "templates"),
                                (example_dir(), target / "examples")):
        for src in sorted(src_root.rglob("*")):
            if src.is_file() and "__pycache__" not in src.parts:
                plan.append((src, dest_root / src.relative_to(src_root)))
    existing = [dest for _src, dest in plan if dest.exists()]
    if existing:
        names = ", ".join(str(p) for p in existing[:5])
        raise InputError(_("refusing to overwrite existing file(s): {names}; run init in an empty "
                           "folder").format(names=names))
    ignore = target / ".gitignore"
    if ignore.exists():
        raise InputError(_("refusing to overwrite existing file(s): {names}; run init in an empty "
                           "folder").format(names=ignore))
    for src, dest in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    ignore.write_text(GITIGNORE, encoding="utf-8")
    return [dest for _src, dest in plan] + [ignore]


# What an office folder under version control must never carry: credentials, the delivery log
# (personal data of the public's replies, too) and the generated site.
GITIGNORE = """# crosspost: never commit credentials, the delivery log or the generated site
.crosspost/
*.db
*.db-wal
*.db-shm
site/
"""


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=example_epilog("init"),
        help=_("Create channels.toml (commented), templates/ and an example release with images."))
    def init(folder: Path = typer.Argument(Path("."), help=_("Where to create the working folder."))) -> None:
        from ..config import load_config
        from ..logbook import open_log

        created = scaffold(folder)

        open_log(load_config(folder / "channels.toml")).close()  # the office's log, its id recorded
        typer.echo(_("created {n} files in {folder}").format(n=len(created), folder=folder.resolve()))
        example = next((p for p in created if p.suffix == ".md" and "examples" in p.parts), None)
        shown = example.relative_to(folder) if example is not None else "RILIS.md"  # after `cd FOLDER`
        typer.echo(_("next steps:\n"
                     "  1. cd {folder}\n"
                     "  2. edit channels.toml: base_url and site_name of your website\n"
                     "  3. crosspost preview {release}\n"
                     "  4. crosspost publish {release}\n"
                     "  5. enable social channels in channels.toml, then `crosspost auth NAME`").format(
                         folder=folder, release=shown))
