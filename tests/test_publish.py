"""A build is checked before it is published: one that fails its check publishes nothing."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gutaudio.cli import cli

from .conftest import SETTINGS_TOML

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')
FAKE_MP3VAL = """#!/bin/sh
# mp3val as it reports a damaged file: a PROBLEM line naming it
echo "Analyzing file \\"$1\\"..."
echo "PROBLEM: MPEG stream error at offset 4096 (a fault injected by the test)"
"""


def run(*args: str) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, list(args), prog_name="gutaudio")


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _put_failing_mp3val_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An mp3val first on PATH that finds a problem in every file."""
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "mp3val").write_text(FAKE_MP3VAL, encoding="utf-8")
    (tools / "mp3val").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def failing_mp3val(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mp3val finds a problem in every file, from the start of the test."""
    _put_failing_mp3val_on_path(tmp_path, monkeypatch)


def _edit(project: Path) -> None:
    article = project / "content" / "short-article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("e.g. oats", "e.g. oats or rye"),
                       encoding="utf-8")


def test_a_rebuild_that_fails_its_check_leaves_the_previous_build_published(
        project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert run("build", "-q").exit_code == 0
    before = _tree(project / "output")
    _edit(project)
    _put_failing_mp3val_on_path(tmp_path, monkeypatch)
    failed = run("build", "-q")
    assert failed.exit_code == 1
    mp3s = [name for name in before if name.endswith(".mp3")]
    rows = [line for line in failed.stdout.splitlines() if line.startswith("mp3val")]
    assert len(rows) == len(mp3s)  # every file, each once, with the tool's own words
    assert all(row.endswith("error: MPEG stream error at offset 4096 (a fault injected by the test)")
               for row in rows)
    last = failed.stdout.splitlines()[-1]
    assert last.startswith("Check: ") and last.endswith(f" passed, 0 warnings, {len(rows)} errors")
    assert failed.stderr == (f"Error: output: the check found {len(rows)} errors; nothing was "
                             "published (the previous build is as it was); files kept from the "
                             "last build failed too: `gutaudio build --force` makes them again\n")
    assert _tree(project / "output") == before  # not one byte changed
    assert sorted(p.name for p in project.iterdir()) == ["content", "output", "tools"]
    monkeypatch.undo()
    monkeypatch.chdir(project)
    published = run("build", "-q")  # the fault mended: the edit is published now
    assert published.exit_code == 0, published.stdout + published.stderr
    assert "oats or rye" in (project / "output" / "short-article" / "episode.txt").read_text(
        encoding="utf-8")


def test_a_first_build_that_fails_its_check_makes_no_output(project: Path,
                                                            failing_mp3val: None) -> None:
    failed = run("build", "-q")
    assert failed.exit_code == 1
    assert failed.stderr.startswith("Error: output: the check found ")
    assert failed.stderr.endswith(" errors; nothing was published (the previous build is as it "
                                  "was)\n")
    assert not (project / "output").exists()
    assert sorted(p.name for p in project.iterdir()) == ["content", "tools"]


def test_the_check_decodes_with_the_configured_ffmpeg(project: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from gutaudio.audio import ffmpeg_executable

    log = tmp_path / "ffmpeg.log"
    wrapper = tmp_path / "my-ffmpeg"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{ffmpeg_executable()}" "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    settings = project / "content" / "gutaudio.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + f'\n[audio]\nffmpeg = "{wrapper}"\n',
                        encoding="utf-8")
    tools = tmp_path / "only-espeak"  # no mp3val on PATH: the check decodes frames with ffmpeg
    tools.mkdir()
    (tools / "espeak-ng").symlink_to(shutil.which("espeak-ng"))
    monkeypatch.setenv("PATH", str(tools))
    result = run("build", "-q")
    assert result.exit_code == 0, result.stdout + result.stderr
    frame_checks = [c for c in log.read_text(encoding="utf-8").splitlines() if "-err_detect" in c]
    assert len(frame_checks) == len(list((project / "output").rglob("*.mp3")))


def test_a_publishers_own_mp3_that_fails_the_rules_warns_and_does_not_block(project: Path,
                                                                           tmp_path: Path) -> None:
    from gutaudio.audio import run_ffmpeg

    assert run("build", "-q").exit_code == 0
    jingle = project / "output" / "extras" / "jingle.mp3"
    jingle.parent.mkdir()
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ar", "22050", "-q:a", "5",
                str(jingle)], "a jingle of the publisher's own")
    _edit(project)
    result = run("build")
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if "extras/jingle.mp3" in line]
    assert rows and all(" warning: " in row and row.endswith("(a file gutaudio did not make)")
                        for row in rows)
    assert "oats or rye" in (project / "output" / "short-article" / "episode.txt").read_text(
        encoding="utf-8")
    assert jingle.is_file()
    checked = run("check", "--problems-only")  # on its own, the same rules and the same levels
    assert checked.exit_code == 0 and [line for line in checked.stdout.splitlines()
                                       if "extras/jingle.mp3" in line] == rows


def test_without_an_atomic_exchange_a_failed_swap_puts_the_last_build_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where renameat2 is missing, the swap is two renames; if the second fails, the first is undone."""
    from gutaudio import staging

    output, new = tmp_path / "output", tmp_path / "new"
    output.mkdir()
    (output / "feed.xml").write_text("the last build", encoding="utf-8")
    new.mkdir()
    (new / "feed.xml").write_text("the new build", encoding="utf-8")
    monkeypatch.setattr(staging, "_exchange", lambda first, second: False)
    real_replace = os.replace

    def second_rename_fails(source: os.PathLike[str], target: os.PathLike[str]) -> None:
        if Path(source) == new:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(staging.os, "replace", second_rename_fails)
    with pytest.raises(OSError):
        staging._swap_in(new, output)
    assert (output / "feed.xml").read_text(encoding="utf-8") == "the last build"
    assert not output.with_name(".output.gutaudio-old").exists()
    monkeypatch.setattr(staging.os, "replace", real_replace)
    staging._swap_in(new, output)
    assert (output / "feed.xml").read_text(encoding="utf-8") == "the new build"
