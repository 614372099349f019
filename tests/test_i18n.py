"""Bahasa Indonesia and English: language choice, the CLI in both languages, and the catalogue
kept in step with the code (every message extracted, translated, compiled)."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, cli_env

from crosspost import i18n

LOCALE = REPO / "crosspost" / "locale"
POT = LOCALE / "crosspost.pot"
PO = LOCALE / "id" / "LC_MESSAGES" / "crosspost.po"
MO = LOCALE / "id" / "LC_MESSAGES" / "crosspost.mo"
EXAMPLE = REPO / "examples" / "siaran-pers-lumbung-sosial.md"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m crosspost` with exactly the language variables given (none inherited)."""
    base = {k: v for k, v in cli_env(tmp_path).items()
            if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    base.update(env)
    return subprocess.run([sys.executable, "-m", "crosspost", *args], cwd=tmp_path, env=base,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def indonesian():
    """Switch this process to Indonesian for one test, then back to what it was."""
    before = i18n.language()
    i18n.setup("id")
    yield
    i18n.setup(before)


# -- choosing the language ---------------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "env", "expected"), [
    ([], {"LANG": "id_ID.UTF-8"}, "id"),
    ([], {"LANG": "en_US.UTF-8"}, "en"),
    ([], {"LANG": "C.UTF-8"}, "en"),
    ([], {}, "en"),
    ([], {"LANG": "in_ID"}, "id"),  # the old code Java and Android still use
    ([], {"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, "id"),  # LC_ALL wins over LANG
    ([], {"LC_MESSAGES": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),
    ([], {"CROSSPOST_LANG": "id", "LC_ALL": "C"}, "id"),  # the app's own variable wins over the locale
    (["--lang", "en"], {"CROSSPOST_LANG": "id", "LANG": "id_ID.UTF-8"}, "en"),  # --lang wins over all
    (["status", "--lang=id"], {"LANG": "C"}, "id"),
    (["--lang"], {"LANG": "id_ID.UTF-8"}, "id"),  # a dangling --lang is ignored
    ([], {"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalogue: English
])
def test_detect(argv, env, expected):
    assert i18n.detect(argv, env) == expected


def test_number_is_written_the_indonesian_way(indonesian):
    assert i18n.number(1234567) == "1.234.567"
    assert i18n.number(1234.5, 1) == "1.234,5"
    i18n.setup("en")
    assert i18n.number(1234567) == "1,234,567"


def test_messages_switch_in_process(indonesian):
    from crosspost.errors import InputError
    from crosspost.release import load_release

    with pytest.raises(InputError, match="berkas tidak ditemukan"):
        load_release(REPO / "tidak-ada.md")
    i18n.setup("en")
    with pytest.raises(InputError, match="file not found"):
        load_release(REPO / "tidak-ada.md")


# -- the CLI in both languages ----------------------------------------------------------------------
def test_help_in_indonesian_from_the_locale(tmp_path):
    proc = run(tmp_path, "--help", LANG="id_ID.UTF-8")
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "Satu siaran pers ke situs web" in out
    assert "Menampilkan varian setiap kanal" in out  # preview's command help
    assert "Opsi:" in proc.stdout  # typer's own section title
    for group in ("Menulis:", "Mengirim:", "Mengawasi:", "Menyiapkan:"):  # commands in groups (help_layout)
        assert group in proc.stdout
    assert "Lainnya:" not in proc.stdout  # every command has its group (a new one must be placed)
    assert "--lang" in out
    assert "Show every channel's variant" not in out


def test_command_help_and_option_help_in_indonesian(tmp_path):
    proc = run(tmp_path, "retry", "--help", LANG="id_ID.UTF-8")
    out = " ".join(proc.stdout.split())
    assert "Memasukkan lagi pengiriman yang gagal ke antrean" in out
    assert "Masukkan lagi semua pengiriman yang gagal ke antrean." in out
    assert "Argumen:" in proc.stdout


def test_lang_option_overrides_the_locale(tmp_path):
    proc = run(tmp_path, "--lang", "en", "--help", LANG="id_ID.UTF-8")
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 0
    assert "One press release (siaran pers) to the website" in out
    assert "Satu siaran pers" not in out
    proc = run(tmp_path, "--lang", "id", "--help", LANG="C.UTF-8")
    assert "Satu siaran pers ke situs web" in " ".join(proc.stdout.split())


def test_unknown_lang_is_refused(tmp_path):
    proc = run(tmp_path, "--lang", "fr", "status", LANG="C.UTF-8")
    assert proc.returncode == 2
    assert "--lang" in proc.stderr


def test_input_error_in_indonesian_and_english(tmp_path):
    proc = run(tmp_path, "preview", "tidak-ada.md", LANG="id_ID.UTF-8")
    assert proc.returncode == 2
    assert "tidak-ada.md: berkas tidak ditemukan: periksa nama dan foldernya" in proc.stderr
    proc = run(tmp_path, "preview", "tidak-ada.md", LANG="C")
    assert proc.returncode == 2
    assert "tidak-ada.md: file not found: check the name and folder" in proc.stderr
    assert "berkas" not in proc.stderr


def test_tables_and_status_words_in_indonesian(cli):
    cli.env.update(LANG="id_ID.UTF-8")
    for key in ("LC_ALL", "LC_MESSAGES"):
        cli.env.pop(key, None)
    proc = cli("publish", str(EXAMPLE), "--channel", "website")
    assert proc.returncode == 0, proc.stderr
    assert "terkirim" in proc.stdout and "kanal" in proc.stdout
    assert "sent" not in proc.stdout.replace("siaran-pers", "")
    code, doc = cli.json("status")  # JSON keeps the raw statuses whatever the language
    assert code == 0 and {d["status"] for d in doc} == {"sent"}
    proc = cli("status", "tidak-ada")
    assert proc.returncode == 2
    assert "tidak ada rilis 'tidak-ada' di log" in proc.stderr


# -- the catalogue in step with the code ------------------------------------------------------------
def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        return read_po(fh)


def _ids(catalog) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_every_message_in_the_code_is_in_the_catalogue():
    """Re-extract with Babel exactly as the README says: the .pot and the .po hold the same messages."""
    pytest.importorskip("babel")
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (REPO / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    extracted = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO / "crosspost"), method_map, options_map):
        extracted.add(message if isinstance(message, str) else tuple(message))
    assert len(extracted) > 150
    assert "The release: Markdown with front matter, or .docx." in extracted
    pot, po = _ids(_read(POT)), _ids(_read(PO))
    assert extracted - pot == set(), "run pybabel extract (README, Languages)"
    assert pot - extracted == set(), "stale messages in the .pot: run pybabel extract"
    assert pot - po == set(), "run pybabel update -l id and translate"
    assert po - pot == set(), "obsolete messages in the .po: run pybabel update --ignore-obsolete"


def test_every_message_is_translated_and_not_fuzzy():
    pytest.importorskip("babel")
    catalog = _read(PO)
    assert not catalog.fuzzy
    for m in catalog:
        if not m.id:
            continue
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        assert all(s.strip() for s in strings), f"untranslated: {m.id!r}"
        assert not m.fuzzy, f"fuzzy: {m.id!r}"


def test_translations_keep_the_placeholders():
    """A missing or renamed {placeholder} would make .format() raise KeyError in Indonesian only."""
    pytest.importorskip("babel")
    for m in _read(PO):
        if not m.id:
            continue
        if isinstance(m.id, str):
            assert set(PLACEHOLDER.findall(m.string)) == set(PLACEHOLDER.findall(m.id)), m.id
        else:
            allowed = set(PLACEHOLDER.findall(m.id[0])) | set(PLACEHOLDER.findall(m.id[1]))
            for s in m.string:
                assert set(PLACEHOLDER.findall(s)) <= allowed, m.id


def test_compiled_mo_is_up_to_date():
    pytest.importorskip("babel")
    from babel.messages.mofile import write_mo

    fresh = io.BytesIO()
    write_mo(fresh, _read(PO))
    fresh.seek(0)
    with MO.open("rb") as fh:
        shipped = gettext.GNUTranslations(fh)
    compiled = gettext.GNUTranslations(fresh)
    assert shipped._catalog == compiled._catalog, (  # type: ignore[attr-defined]
        "run pybabel compile -d crosspost/locale -D crosspost")


def test_every_translation_is_used_by_gettext(indonesian):
    """The shipped .mo really loads: a known message and a plural come back in Indonesian."""
    assert i18n._("the queue is empty.") == "antrean kosong."
    assert i18n.ngettext("{n} delivery", "{n} deliveries", 3).format(n=3) == "3 pengiriman"
    i18n.setup("en")
    assert i18n._("the queue is empty.") == "the queue is empty."
    assert i18n.ngettext("{n} delivery", "{n} deliveries", 3).format(n=3) == "3 deliveries"


# -- no English left behind: messages built without _() ----------------------------------------------
# Calls whose arguments at these positions are messages for people: a Problem's message, a doctor
# check's detail and fix (crosspost/doctor.py ok/warn/fail/Check).
MESSAGE_ARGS = {"Problem": (2,), "problem": (1,), "ok": (1,), "warn": (1, 2), "fail": (1, 2), "Check": (2, 3)}
ERROR_CLASSES = {"InputError", "ConfigError", "StoreError", "CrosspostError", "DeliveryError", "RetryLater",
                 "Permanent", "ReauthRequired", "UnknownOutcome", "LeaseLost"}


def _through_gettext(node) -> bool:
    """_("..."), _("...").format(...), ngettext(...), or a sum of those."""
    import ast

    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("_", "ngettext"):
            return True
        if isinstance(func, ast.Attribute):  # _("...").format(...), _("...").rstrip(...)
            return _through_gettext(func.value)
    if isinstance(node, ast.BinOp):
        return _through_gettext(node.left) and _through_gettext(node.right)
    return False


def _has_text(node) -> bool:
    """A message written in place: a string literal, an f-string, or a sum holding one."""
    import ast

    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # "...".format(), f"...".rstrip()
        return _has_text(node.func.value)
    if isinstance(node, ast.BinOp):
        return _has_text(node.left) or _has_text(node.right)
    return False


def untranslated_messages(root: Path) -> list[str]:
    """Every Problem, channel.problem(), doctor check and CrosspostError whose message is text that
    skips _()."""
    import ast

    found = []
    for path in sorted(root.rglob("*.py")):
        if "_vendor" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            indices = MESSAGE_ARGS.get(name, (0,) if name in ERROR_CLASSES else ())
            for index in indices:
                message = node.args[index] if len(node.args) > index else next(
                    (k.value for k in node.keywords if k.arg == "message" and index == indices[0]), None)
                if message is not None and _has_text(message) and not _through_gettext(message):
                    where = f"{path.relative_to(root.parent)}:{node.lineno}"
                    found.append(f"{where}: {ast.unparse(message)[:80]}")
    return found


def test_every_problem_and_error_message_goes_through_gettext():
    """A Problem, a doctor line or an error written as a bare (f-)string would stay English under
    --lang id."""
    assert untranslated_messages(REPO / "crosspost") == []


def test_the_scan_catches_a_message_built_without_gettext(tmp_path):
    pkg = tmp_path / "crosspost"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        'def check(self, n):\n'
        '    out = [self.problem("text", f"too long: {n}")]\n'
        '    out.append(Problem("x", "text", "plain English"))\n'
        '    out.append(self.problem("text", _("fine: {n}").format(n=n)))\n'
        '    raise InputError("no " + _("mixed"))\n'
        '    return ok("disk", f"{n} free")\n', encoding="utf-8")
    found = untranslated_messages(pkg)
    assert sorted(f.split(":")[1] for f in found) == ["2", "3", "5", "6"], found


def test_every_problem_of_every_channel_is_indonesian(indonesian, tmp_path):
    """At run time: each Problem message the channels build for a flawed release is a catalogue
    translation (its English source is a msgid whose msgstr differs from it)."""
    from PIL import Image

    from crosspost.adapt import adapt
    from crosspost.config import load_config
    from crosspost.release import load_release

    Image.new("RGB", (40, 400), "white").save(tmp_path / "tinggi.png")  # no alt, too tall for Instagram
    release = tmp_path / "r.md"
    release.write_text("---\ntitle: " + "Judul " * 40 + "\ndate: 2026-12-01 09:00\n"
                       "images:\n  - path: tinggi.png\n---\n\n" + "kata " * 3000, encoding="utf-8")
    config = tmp_path / "channels.toml"
    config.write_text("".join(f'[channels.{n}]\ntype = "{n}"\nenabled = true\n' for n in
                              ("website", "twitter", "facebook", "instagram", "youtube")), encoding="utf-8")
    cfg = load_config(config)
    problems = [p for a in adapt(load_release(release), cfg.channels()) for p in a.problems]
    assert len(problems) >= 5
    for p in problems:
        assert not any(word in p.message.split() for word in ("the", "is", "not", "must", "too")), p


def test_typers_own_lines_in_both_languages(tmp_path):
    """typer's vendored click writes Usage/Try/Error in plain English f-strings: click_i18n."""
    proc = run(tmp_path, "log", "--lim", LANG="id_ID.UTF-8")
    assert proc.returncode == 2
    assert "Pemakaian: crosspost log [OPTIONS]" in proc.stderr
    assert "Coba 'crosspost log -h' untuk bantuan." in proc.stderr
    assert "Galat: Tidak ada opsi --lim (maksud Anda: --limit?)" in proc.stderr
    assert "Usage" not in proc.stderr and "Error" not in proc.stderr
    proc = run(tmp_path, "log", "-n", "banyak", LANG="id_ID.UTF-8")
    assert "Galat: Nilai tidak sah untuk '--limit' / '-n': 'banyak' bukan bilangan bulat" in proc.stderr
    proc = run(tmp_path, "--help", LANG="id_ID.UTF-8")
    assert "Menampilkan pesan ini lalu keluar." in proc.stdout
    assert "Memasang pelengkapan otomatis" in proc.stdout and "Install completion" not in proc.stdout
    proc = run(tmp_path, "log", "--lim", LANG="C.UTF-8")
    assert "Usage: crosspost log [OPTIONS]" in proc.stderr
    assert "Try 'crosspost log -h' for help." in proc.stderr
    assert "Error: No such option: --lim (did you mean: --limit?)" in proc.stderr


def test_help_shows_what_to_type_not_python_types(tmp_path):
    """FILE, NAME, N and RELEASE instead of <path>, <list[str]>, {file} (help_layout.tidy)."""
    for lang in ("id_ID.UTF-8", "C.UTF-8"):
        proc = run(tmp_path, "publish", "--help", LANG=lang, COLUMNS="100")
        assert proc.returncode == 0
        assert "crosspost publish [OPTIONS] FILE" in proc.stdout
        assert "-c, --channel NAME" in proc.stdout and "--at WHEN" in proc.stdout
        for python_type in ("<path>", "<list[str]>", "<str>", "<int>", "{file}"):
            assert python_type not in proc.stdout
    proc = run(tmp_path, "log", "--help", LANG="C.UTF-8")
    assert "-n, --limit N" in proc.stdout and "--release RELEASE" in proc.stdout
    proc = run(tmp_path, "--help", LANG="C.UTF-8")
    assert proc.stdout.index("Writing:") < proc.stdout.index("Sending:") < proc.stdout.index("Watching:") \
        < proc.stdout.index("Setting up:")
    assert "Commands:" not in proc.stdout


def test_pause_without_options_says_how_to_pause(tmp_path):
    proc = run(tmp_path, "pause", LANG="id_ID.UTF-8")
    assert proc.returncode == 0, proc.stderr
    assert "tidak sedang dijeda" in proc.stdout
    assert "Pemakaian: crosspost pause --reason TEXT [--by NAME] [--until WHEN]" in proc.stdout
    assert "Contoh:" in proc.stdout and 'crosspost pause --reason "masa berkabung nasional"' in proc.stdout
    proc = run(tmp_path, "pause", LANG="C.UTF-8")
    assert "Usage: crosspost pause --reason TEXT" in proc.stdout and "Example:" in proc.stdout
    proc = run(tmp_path, "pause", "--show", LANG="C.UTF-8")
    assert "Usage" not in proc.stdout  # --show only answers the question


def test_no_gettext_call_inside_an_f_string():
    """Babel's extractor reads an f-string as one token: a _() inside it never reaches the catalogue,
    so its text stays English in every language."""
    import ast

    found = []
    for path in sorted((REPO / "crosspost").rglob("*.py")):
        if "_vendor" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found += [f"{path.name}:{c.lineno}" for c in ast.walk(node) if isinstance(c, ast.Call)
                          and isinstance(c.func, ast.Name) and c.func.id in ("_", "ngettext")
                          and c.args and isinstance(c.args[0], ast.Constant)]
    assert found == []
