"""Compiled templates kept between processes (crosspost/jinja_cache.py): reused, refreshed on edit,
and never shared between the sandbox and an unsandboxed environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader
from jinja2.sandbox import SecurityError

from crosspost import jinja_cache, templating

BIG = "{{ 'a' * 2000000 }}"  # the sandbox refuses it (templating.MAX_RESULT); plain Jinja builds it


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("CROSSPOST_CACHE_DIR", str(root))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    templating._environment.cache_clear()
    yield root
    templating._environment.cache_clear()


def _templates(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.j2").write_text(text, "utf-8")
    return folder


def _buckets(root: Path) -> list[Path]:
    return sorted(root.rglob("__jinja2_*.cache"))


def test_a_second_process_reuses_the_compiled_template(cache: Path, tmp_path: Path):
    folder = _templates(tmp_path, twitter="{{ title }} {{ link }}")
    assert templating.render("twitter.j2", {"title": "Judul", "link": "https://x.id"}, folder) == \
        "Judul https://x.id"
    buckets = _buckets(cache)
    assert buckets and all("channel-sandbox-" in str(b) for b in buckets)
    templating._environment.cache_clear()  # as a new process would start
    env = templating._environment((str(folder), str(templating.builtin_templates_dir())))
    loaded: list[str] = []
    original = env.bytecode_cache.load_bytecode

    def spy(bucket):
        original(bucket)
        loaded.append(bucket.key if bucket.code is not None else "")

    env.bytecode_cache.load_bytecode = spy  # type: ignore[method-assign]
    assert env.get_template("twitter.j2").render(title="A", link="B") == "A B"
    assert loaded and loaded[0]  # the code came from the bucket


def test_an_edited_template_is_compiled_again(cache: Path, tmp_path: Path):
    folder = _templates(tmp_path, twitter="lama {{ title }}")
    assert templating.render("twitter.j2", {"title": "x"}, folder) == "lama x"
    templating._environment.cache_clear()
    _templates(tmp_path, twitter="baru {{ title }}")
    assert templating.render("twitter.j2", {"title": "x"}, folder) == "baru x"


def test_the_sandbox_never_loads_code_an_unsandboxed_environment_compiled(cache: Path, tmp_path: Path):
    folder = _templates(tmp_path, twitter=BIG)
    plain_options = {"autoescape": False}
    plain_env = Environment(loader=FileSystemLoader(str(folder)), **plain_options,
                            bytecode_cache=jinja_cache.bytecode_cache("plain", Environment, plain_options))
    assert len(plain_env.get_template("twitter.j2").render()) == 2_000_000  # cached, unsandboxed code
    assert jinja_cache.folder_for("plain", Environment, plain_options) != \
        jinja_cache.folder_for("channel-sandbox", templating._Sandbox, templating._OPTIONS)
    with pytest.raises(Exception) as refused:
        templating.render("twitter.j2", {}, folder)
    assert "too large" in str(refused.value)


def test_why_the_folders_are_separate(tmp_path: Path):
    """The hazard is real: one folder for both kinds hands the sandbox unsandboxed code."""
    folder = _templates(tmp_path, twitter=BIG)
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    Environment(loader=FileSystemLoader(str(folder)), bytecode_cache=FileSystemBytecodeCache(str(shared))
                ).get_template("twitter.j2")
    sandbox = templating._Sandbox(loader=FileSystemLoader(str(folder)),
                                  bytecode_cache=FileSystemBytecodeCache(str(shared)))
    assert len(sandbox.get_template("twitter.j2").render()) == 2_000_000  # the check was skipped
    fresh = templating._Sandbox(loader=FileSystemLoader(str(folder)))
    with pytest.raises(SecurityError):
        fresh.get_template("twitter.j2").render()


def test_a_folder_others_can_write_is_not_used(cache: Path):
    folder = jinja_cache.folder_for("channel-sandbox", templating._Sandbox, templating._OPTIONS)
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert jinja_cache.bytecode_cache("channel-sandbox", templating._Sandbox, templating._OPTIONS) is None
    folder.chmod(0o700)
    assert jinja_cache.bytecode_cache("channel-sandbox", templating._Sandbox, templating._OPTIONS) is not None


def test_no_cache_when_bytecode_writing_is_off(cache: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert jinja_cache.bytecode_cache("channel-sandbox", templating._Sandbox, templating._OPTIONS) is None
