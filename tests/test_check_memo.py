"""The check remembers what it read from each MP3's bytes, and never a result for other bytes."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import Result

from gutaudio import check as check_module
from gutaudio.audio import ffmpeg_executable, run_ffmpeg
from gutaudio.check import CheckMemo, Level, check_build

from .conftest import true_peak_dbtp
from .verify import decoded_samples


@pytest.fixture
def output(built: tuple[Path, Result], tmp_path: Path) -> Path:
    """A private copy of a finished build."""
    copy = tmp_path / "output"
    shutil.copytree(built[0], copy)
    return copy


def _decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each file the check decodes frame by frame (mp3val is hidden, so ffmpeg does it)."""
    calls: list[str] = []

    def counting(arguments: list[str], what: str, **kwargs: object) -> bytes:
        calls.append(arguments[arguments.index("-i") + 1])
        return run_ffmpeg(arguments, what, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "run_ffmpeg", counting)
    monkeypatch.setattr(check_module.shutil, "which", lambda name: None)
    return calls


def _rows(report, rule: str) -> list[tuple[str, Level, str]]:
    return [(f.file, f.level, f.detail) for f in report.findings if f.rule == rule]


def test_unchanged_bytes_are_decoded_once_and_changed_bytes_again(
        output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = _decodes(monkeypatch)
    memo = tmp_path / "cache"
    first = check_build(output, memo_dir=memo)
    mp3s = sorted(output.rglob("*.mp3"))
    assert first.passed() and len(decoded) == len(mp3s)
    second = check_build(output, memo_dir=memo)
    assert len(decoded) == len(mp3s)  # nothing decoded again
    assert [(f.rule, f.file, f.level, f.detail) for f in second.findings] == [
        (f.rule, f.file, f.level, f.detail) for f in first.findings]
    chapter = mp3s[0]
    data = bytearray(chapter.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4000] = bytes(4000)  # frames in the middle destroyed, same size
    chapter.write_bytes(bytes(data))
    third = check_build(output, memo_dir=memo)
    assert decoded[len(mp3s):] == [str(chapter)]  # only the changed file is decoded again
    [frames] = [row for row in _rows(third, "MP3 frames") if row[0].endswith(chapter.name)]
    assert frames[1] is Level.ERROR
    assert not third.passed()
    fourth = check_build(output, memo_dir=memo)  # a failure is never remembered as a pass
    assert not fourth.passed() and decoded[-1] == str(chapter)


def test_an_mp3_that_is_not_cbr_mpeg1_is_an_error_remembered_or_not(
        output: Path, tmp_path: Path) -> None:
    chapter = sorted((output / "short-article" / "chapters").glob("*.mp3"))[0]
    vbr = tmp_path / "vbr.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=300:duration=3", "-ar", "22050",
                "-q:a", "5", "-id3v2_version", "3", "-metadata", "title=x", str(vbr)], "a VBR MP3")
    shutil.copy(vbr, chapter)
    for _ in range(2):  # read now, then from the memo: the same verdict
        report = check_build(output, memo_dir=tmp_path / "cache")
        [stream] = [row for row in _rows(report, "MP3 stream") if row[0].endswith(chapter.name)]
        assert stream[1] is Level.ERROR
        assert stream[2].endswith("expected MPEG-1 Layer III CBR with an info frame")
        assert stream[2].startswith("MPEG-2 layer 3, BitrateMode.VBR")


def test_the_memo_is_keyed_by_bytes_and_tool(tmp_path: Path) -> None:
    first, second = tmp_path / "a.mp3", tmp_path / "b.mp3"
    first.write_bytes(b"same bytes")
    second.write_bytes(b"same bytes")
    memo = CheckMemo(tmp_path / "checked.json")
    memo.remember_pass(first, ffmpeg_executable(), "every frame decodes (ffmpeg)")
    assert memo.passed(second, ffmpeg_executable()) == "every frame decodes (ffmpeg)"
    assert memo.passed(second, "/usr/bin/mp3val") is None  # another tool has not passed it
    memo.save()
    second.write_bytes(b"other bytes")
    again = CheckMemo(tmp_path / "checked.json")
    assert again.passed(first, ffmpeg_executable()) == "every frame decodes (ffmpeg)"
    assert again.passed(second, ffmpeg_executable()) is None


def _measured_peaks(output: Path) -> dict[str, float]:
    """Each MP3's true peak in dBTP, decoded by ffmpeg and oversampled by scipy: not the check's meter."""
    return {path.relative_to(output).as_posix(): true_peak_dbtp(decoded_samples(path, 44100))
            for path in sorted(output.rglob("*.mp3"))}


def test_a_standalone_check_holds_the_build_to_the_ceiling_it_was_built_with(output: Path) -> None:
    manifest = output / "build.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    measured = _measured_peaks(output)
    assert data["true_peak_dbtp"] == -1.0 and len(measured) == 4
    assert all(-6.0 < peak <= -1.0 for peak in measured.values()), measured
    peaks = _rows(check_build(output), "true peak")
    # Under the ceiling, each file passes with the peak an independent meter finds in its audio.
    assert sorted(file for file, _, _ in peaks) == sorted(measured)
    for file, level, detail in peaks:
        assert level is Level.OK and detail.endswith(" dBTP"), (file, detail)
        assert float(detail.split()[0]) == pytest.approx(measured[file], abs=0.3), (file, detail)
    data["true_peak_dbtp"] = -9.0  # as if built with [audio] true_peak_dbtp = -9.0: every file is over
    manifest.write_text(json.dumps(data), encoding="utf-8")
    peaks = _rows(check_build(output), "true peak")
    assert sorted(file for file, _, _ in peaks) == sorted(measured)
    for file, level, detail in peaks:
        assert level is Level.ERROR and detail.endswith(" dBTP is above -9"), (file, detail)
        assert float(detail.split()[0]) == pytest.approx(measured[file], abs=0.3), (file, detail)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to decode side by side")
def test_files_no_memo_answers_are_decoded_side_by_side_each_with_its_own_verdict(
        output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two decodes meet at a barrier: a check that ran them one after the other would time out."""
    barrier = threading.Barrier(2, timeout=30)
    decoded: list[str] = []

    def meeting(arguments: list[str], what: str, **kwargs: object) -> bytes:
        name = arguments[arguments.index("-i") + 1]
        if len(decoded) < 2:
            decoded.append(name)
            barrier.wait()  # the first two decodes are under way at the same time
        return run_ffmpeg(arguments, what, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "run_ffmpeg", meeting)
    monkeypatch.setattr(check_module.shutil, "which", lambda name: None)
    mp3s = sorted(output.rglob("*.mp3"))
    damaged = mp3s[:2]
    for chapter in damaged:
        data = bytearray(chapter.read_bytes())
        data[len(data) // 2:len(data) // 2 + 4000] = bytes(4000)
        chapter.write_bytes(bytes(data))
    report = check_build(output)
    assert len(decoded) == 2 and not barrier.broken
    rows = _rows(report, "MP3 frames")
    assert sorted(file for file, _, _ in rows) == sorted(p.relative_to(output).as_posix() for p in mp3s)
    assert {file for file, level, _ in rows if level is Level.ERROR} == {
        p.relative_to(output).as_posix() for p in damaged}
