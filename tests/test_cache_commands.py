"""`gutaudio cache info|prune|clear`: they count, remove and report everything the cache keeps."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gutaudio.cache import ClipCache
from gutaudio.cli import cli
from gutaudio.engines.base import Clip

DAY = 86400
FULL = "1 clip, 1 levelled chapter, 1 cover, 3 remembered values"
EMPTY = "0 clips, 0 levelled chapters, 0 covers, 0 remembered values, 0.0 MB"


def _cache(*args: str) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, ["cache", *args], prog_name="gutaudio")


def _fill(root: Path) -> ClipCache:
    """One item of each kind: a 400 kB clip, a 200 kB chapter, a 100 kB cover, 3 remembered values."""
    cache = ClipCache(root)
    cache.put("ab" + "1" * 62, Clip(b"\x01\x00" * 200_000, 16000))
    made = root.parent / "made.flac"
    made.write_bytes(b"f" * 200_000)
    cache.keep_chapter("chapter-fingerprint", made)
    cache.keep_artwork("cover-key", b"j" * 100_000)
    cache.remember("codec_shift", "codec settings", 0.25)
    cache.remember("limiter_share", "voice settings", 0.1)
    model = root.parent / "voice.onnx"
    model.write_bytes(b"model")
    cache.file_digest(model)
    return cache


def _age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def _every_file(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_info_counts_every_kind_of_item_the_cache_keeps(tmp_path: Path) -> None:
    _fill(tmp_path / "cache")
    result = _cache("info", "--cache-dir", str(tmp_path / "cache"))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.output == f"{tmp_path / 'cache'}: {FULL}, 0.7 MB\n"


def test_prune_days_0_removes_everything(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    _fill(root)
    pruned = _cache("prune", "--days", "0", "--cache-dir", str(root))
    assert (pruned.exit_code, pruned.stderr) == (0, "")
    assert pruned.output == f"Removed what no build has used for 0 days: {FULL}; 0.7 MB freed.\n"
    assert _cache("info", "--cache-dir", str(root)).output == f"{root}: {EMPTY}\n"
    assert _every_file(root) == []


def test_prune_removes_only_what_no_build_used_for_that_long(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = _fill(root)
    _age(cache.path("ab" + "1" * 62), 40)
    _age(cache.chapter_path("chapter-fingerprint"), 40)
    _age(root / "artwork" / "cover-key.jpg", 20)
    pruned = _cache("prune", "--days", "30", "--cache-dir", str(root))
    assert pruned.output == ("Removed what no build has used for 30 days: 1 clip, 1 levelled chapter, "
                             "0 covers, 0 remembered values; 0.6 MB freed.\n")
    assert _cache("info", "--cache-dir", str(root)).output == (
        f"{root}: 0 clips, 0 levelled chapters, 1 cover, 3 remembered values, 0.1 MB\n")
    assert _cache("prune", "--days", "1", "--cache-dir", str(root)).output == (
        "Removed what no build has used for 1 day: 0 clips, 0 levelled chapters, 1 cover, "
        "0 remembered values; 0.1 MB freed.\n")


def test_reading_an_item_marks_it_as_used(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = _fill(root)
    for path in _every_file(root):
        _age(path, 40)
    assert cache.levelled("chapter-fingerprint") == cache.chapter_path("chapter-fingerprint")
    assert cache.levelled("another-fingerprint") is None
    assert cache.artwork("cover-key") == b"j" * 100_000
    assert cache.remembered("codec_shift", "codec settings") == 0.25
    cache.file_digest(root.parent / "voice.onnx")
    pruned = _cache("prune", "--days", "30", "--cache-dir", str(root))
    assert pruned.output == ("Removed what no build has used for 30 days: 1 clip, 0 levelled chapters, "
                             "0 covers, 0 remembered values; 0.4 MB freed.\n")


def test_unfinished_files_are_counted_and_pruned_once_an_hour_old(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = _fill(root)
    old = cache.path("ab" + "1" * 62).parent / ".tmp-old.wav"
    old.write_bytes(b"t" * 100_000)
    _age(old, 2 / 24)
    (root / "chapters" / "in-progress.tmp").write_bytes(b"t" * 100_000)
    assert _cache("info", "--cache-dir", str(root)).output == (
        f"{root}: {FULL}, 2 unfinished files, 0.9 MB\n")
    pruned = _cache("prune", "--days", "0", "--cache-dir", str(root))
    assert pruned.output == (f"Removed what no build has used for 0 days: {FULL}, 1 unfinished file; "
                             "0.8 MB freed.\n")
    assert _every_file(root) == [root / "chapters" / "in-progress.tmp"]
    assert _cache("clear", "--cache-dir", str(root)).output == (
        "Removed everything: 0 clips, 0 levelled chapters, 0 covers, 0 remembered values, "
        "1 unfinished file; 0.1 MB freed.\n")


def test_clear_removes_everything_the_cache_keeps_and_nothing_else(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    _fill(root)
    (root / "notes.txt").write_text("not the cache's", encoding="utf-8")
    cleared = _cache("clear", "--cache-dir", str(root))
    assert (cleared.exit_code, cleared.stderr) == (0, "")
    assert cleared.output == f"Removed everything: {FULL}; 0.7 MB freed.\n"
    assert _cache("info", "--cache-dir", str(root)).output == f"{root}: {EMPTY}\n"
    assert sorted(path.name for path in root.iterdir()) == ["notes.txt"]
    assert _cache("clear", "--cache-dir", str(root)).output == (
        "Removed everything: 0 clips, 0 levelled chapters, 0 covers, 0 remembered values; "
        "0.0 MB freed.\n")


def test_the_checks_memo_in_the_cache_folder_is_remembered_values(tmp_path: Path) -> None:
    from gutaudio.check import CheckMemo

    root = tmp_path / "cache"
    root.mkdir()
    (root / CheckMemo.FILENAME).write_text(
        '{"version": 2, "files": {"a": {"passed": {"mp3val": "no problem found"}}, '
        '"b": {"passed": {"mp3val": "no problem found"}}}}', encoding="utf-8")
    stopped = root / ".tmp-x.json"
    stopped.write_text("{", encoding="utf-8")
    _age(stopped, 2 / 24)
    assert _cache("info", "--cache-dir", str(root)).output == (
        f"{root}: 0 clips, 0 levelled chapters, 0 covers, 2 remembered values, 1 unfinished file, 0.0 MB\n")
    assert _cache("clear", "--cache-dir", str(root)).output == (
        "Removed everything: 0 clips, 0 levelled chapters, 0 covers, 2 remembered values, "
        "1 unfinished file; 0.0 MB freed.\n")
    assert list(root.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["info"], "no cache here (nothing has been built with this cache folder)"),
        (["prune", "--days", "0"], "no cache here, nothing to remove"),
        (["clear"], "no cache here, nothing to remove"),
    ],
)
def test_a_cache_folder_that_does_not_exist_is_said_to_hold_no_cache(
        tmp_path: Path, command: list[str], message: str) -> None:
    missing = tmp_path / "nonexistent"
    result = _cache(*command, "--cache-dir", str(missing))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.output == f"{missing}: {message}\n"
    assert not missing.exists()


@pytest.mark.parametrize("command", ["info", "prune", "clear"])
def test_a_cache_dir_that_is_a_file_is_an_error_naming_the_option(tmp_path: Path,
                                                                   command: str) -> None:
    file = tmp_path / "afile"
    file.write_text("x", encoding="utf-8")
    result = _cache(command, "--cache-dir", str(file))
    assert (result.exit_code, result.output) == (2, "")
    assert result.stderr == (f"Usage: gutaudio cache {command} [OPTIONS]\n"
                             f"Try 'gutaudio cache {command} -h' for help.\n\n"
                             f"Error: Invalid value for '--cache-dir': Directory '{file}' is a file.\n")
    assert file.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("command", ["info", "prune", "clear"])
def test_a_cache_folder_from_the_environment_that_is_a_file_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    file = tmp_path / "afile"
    file.write_text("x", encoding="utf-8")
    monkeypatch.setenv("GUTAUDIO_CACHE_DIR", str(file))
    result = _cache(command)
    assert (result.exit_code, result.output) == (2, "")
    assert result.stderr == (f"Error: {file}: the cache folder ($GUTAUDIO_CACHE_DIR) is a file, "
                             "not a folder; choose a folder with --cache-dir\n")
    assert file.read_text(encoding="utf-8") == "x"


def test_the_commands_use_the_cache_folder_gutaudio_toml_names(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "gutaudio.toml").write_text('[build]\ncache_dir = "../shared-cache"\n', encoding="utf-8")
    _fill(tmp_path / "shared-cache")
    monkeypatch.chdir(tmp_path)
    info = _cache("info")  # --content defaults to content/, as for build
    assert (info.exit_code, info.stdout) == (0, f"{Path('content/../shared-cache')}: {FULL}, 0.7 MB\n")
    assert _cache("info", "--cache-dir", str(tmp_path / "other")).stdout.endswith(
        "no cache here (nothing has been built with this cache folder)\n")
    cleared = _cache("clear", "--content", str(content))
    assert cleared.stdout.startswith(f"Removed everything: {FULL}; ")
