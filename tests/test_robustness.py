"""Robust builds: killed builds leave a complete build, one build at a time, full and locked disks."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from filelock import FileLock
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from gutaudio.output_folder import lock_path

from .conftest import SETTINGS_TOML, write_content
from .verify import decoded_seconds

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')
PARAGRAPH = ("Fibre feeds the bacteria that line the gut. Sleep gives the lining time to repair. "
             "Stress changes how the gut moves food along. ")


def _article(words: str) -> str:
    body = "\n\n".join(f"{n}. Part {n}\n\n{words * 3}" for n in range(1, 5))
    return f"{body}\n\nThis site offers information designed for educational purposes only.\n"


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


def _build_command(content: Path, output: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "gutaudio", "build", "-q", "--content", str(content),
            "--output", str(output), "--cache-dir", str(cache)]


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False,
                          **options)  # type: ignore[call-overload]


def assert_whole_build(output: Path, names: set[str], word: str, other: str) -> None:
    """output holds one whole build, read with readers of the tests' own: the files a complete build of
    the same article makes (names), each chapter's lyrics (mutagen) and transcript saying word and never
    other (so no chapter is left from another build), the feed (feedparser) giving each file's length,
    and every MP3 decoding to its end (ffmpeg)."""
    assert {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()} == names
    mp3s = sorted((output / "short-article" / "chapters").glob("*.mp3"))
    assert len(mp3s) == 5 and mp3s[-1].name == "05-disclaimer.mp3"
    for path in mp3s[:-1]:
        lyrics = ID3(path).getall("USLT")[0].text
        transcript = path.with_suffix(".txt").read_text(encoding="utf-8")
        assert word in lyrics and other not in lyrics and word in transcript and other not in transcript, path
    episode = (output / "short-article" / "episode.txt").read_text(encoding="utf-8")
    assert word in episode and other not in episode
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 5
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        local = output / enclosure.href.removeprefix("https://cdn.example.org/audio/")
        assert int(enclosure.length) == local.stat().st_size, local
    for path in [*mp3s, output / "short-article" / "episode.mp3"]:
        assert decoded_seconds(path) == pytest.approx(MP3(path).info.length, abs=0.1), path
    json.loads((output / "build.json").read_text(encoding="utf-8"))


@pytest.fixture
def built_once(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    """A content folder, a complete build of it, and the clip cache it used."""
    content = write_content(tmp_path / "content", article=_article(PARAGRAPH), settings=ESPEAK)
    output, cache = tmp_path / "out", tmp_path / "cache"
    done = _run(_build_command(content, output, cache))
    assert done.returncode == 0, done.stderr
    yield content, output, cache


@pytest.mark.espeak
def test_a_killed_build_leaves_the_previous_build_whole(built_once: tuple[Path, Path, Path]) -> None:
    content, output, cache = built_once
    previous = _tree(output)
    names = set(previous)
    assert_whole_build(output, names, "Fibre", "Fiber")
    # The next build changes every chapter, so it has real work to be killed in.
    (content / "short-article.txt").write_text(_article(PARAGRAPH.replace("Fibre", "Fiber")))
    started = time.perf_counter()
    probe = _run(_build_command(content, output.with_name("probe"), cache.with_name("probe-cache")))
    assert probe.returncode == 0, probe.stderr
    duration = time.perf_counter() - started
    assert set(_tree(output.with_name("probe"))) == names  # the same files, their words changed
    outcomes = []
    for fraction in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97):
        process = subprocess.Popen(_build_command(content, output, cache), start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        now = _tree(output)
        # Either the old build, untouched, or a whole new one: never a mix.
        if now == previous:
            outcomes.append("previous")
        else:
            assert_whole_build(output, names, "Fiber", "Fibre")
            outcomes.append("new")
            previous = now
    assert "previous" in outcomes
    # The next build finishes, and takes every clip a killed build finished from the cache.
    final = _run(_build_command(content, output, cache))
    assert final.returncode == 0, final.stderr
    assert_whole_build(output, names, "Fiber", "Fibre")
    assert not [p for p in output.parent.iterdir() if p.name.startswith(".gutaudio-build")]


@pytest.mark.espeak
def test_a_second_build_of_the_same_output_stops_with_a_clear_message(
        built_once: tuple[Path, Path, Path]) -> None:
    content, output, cache = built_once
    before = _tree(output)
    with FileLock(str(lock_path(output))):
        result = _run(_build_command(content, output, cache))
    assert result.returncode == 1
    assert result.stderr == (f"Error: {output}: another gutaudio build is writing here; "
                             "wait for it to finish, then build again\n")
    assert _tree(output) == before


@contextlib.contextmanager
def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A small memory filesystem at folder (mounting needs root: a test using it is marked root)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    assert mounted.returncode == 0, f"cannot mount a tmpfs here: {mounted.stderr}"
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.root
@pytest.mark.espeak
def test_a_full_disk_is_one_error_and_the_previous_build_survives(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", article=_article(PARAGRAPH), settings=ESPEAK)
    cache = tmp_path / "cache"
    with _tmpfs(tmp_path / "disk", "size=5m") as disk:
        output = disk / "out"
        first = _run(_build_command(content, output, cache))
        assert first.returncode == 0, first.stderr
        before = _tree(output)
        (content / "short-article.txt").write_text(_article(PARAGRAPH * 6))
        result = _run(_build_command(content, output, cache))
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert lines[0].endswith("No space left on device")
        assert _tree(output) == before
        assert sorted(p.name for p in disk.iterdir()) == ["out"]  # no staging, no lock


@pytest.mark.root
def test_an_unwritable_output_folder_is_one_error_and_nothing_changes(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    with _tmpfs(tmp_path / "readonly", "size=1m,ro") as disk:
        result = _run(_build_command(content, disk / "out", tmp_path / "cache"))
        assert result.returncode == 1
        assert result.stderr == (f"Error: {disk / 'out'}: cannot create the output folder: "
                                 "Read-only file system\n")
        assert list(disk.iterdir()) == []


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    (tmp_path / "out").write_text("not a folder")
    result = _run(_build_command(content, tmp_path / "out", tmp_path / "cache"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--output': Directory '{tmp_path / 'out'}' is a file.")
