"""Podcast-grade output: loudness, MP3 validity, `gutaudio check`, and `gutaudio serve` with real clients."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import tracemalloc
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import podcastparser
import pytest
import requests
from click.testing import CliRunner, Result
from lxml import etree

from gutaudio.audio import MeterLog, decode_file, gated_loudness, measure_loudness
from gutaudio.cli import cli

from .conftest import SETTINGS_TOML, lufs, manifest_of, serving, true_peak_dbtp, write_content

RATE = 44100


def _samples(path: Path) -> np.ndarray:
    return np.frombuffer(decode_file(path, RATE), dtype="<i2") / 32768.0


def _mp3s(output: Path) -> list[Path]:
    return sorted(output.rglob("*.mp3"))


def test_every_file_is_at_minus_16_lufs_with_true_peak_below_minus_1(built: tuple[Path, Result]) -> None:
    output, _ = built
    chapter_levels = []
    for path in _mp3s(output):
        samples = _samples(path)
        loudness = lufs(samples, RATE)
        assert loudness == pytest.approx(-16.0, abs=1.0), path.name
        assert true_peak_dbtp(samples) <= -1.0, path.name
        if path.parent.name == "chapters":
            chapter_levels.append(loudness)
    assert max(chapter_levels) - min(chapter_levels) <= 1.0


def test_recorded_loudness_matches_the_files(built: tuple[Path, Result]) -> None:
    """build.json's loudness (the episode's worked out from the chapters' blocks) is the files'."""
    output, _ = built
    manifest = manifest_of(output)
    records = [*manifest["chapters"], manifest["episode"]]
    for record in records:
        measured = lufs(_samples(output / record["file"]), RATE)
        assert record["loudness"] == pytest.approx(measured, abs=0.3), record["file"]


def test_gated_loudness_of_joined_histograms_is_the_loudness_of_the_joined_audio() -> None:
    rng = np.random.default_rng(3)
    silence = np.zeros(RATE // 2)  # chapters begin and end in silence, as a build's do
    parts = [np.concatenate([silence, rng.normal(0, level, RATE * 3)
                             * np.repeat(rng.random(30) > 0.3, RATE // 10), silence])
             for level in (0.05, 0.2, 0.1)]
    blocks, ffmpeg_levels = [], []
    with tempfile.TemporaryDirectory() as folder:
        for number, part in enumerate([*parts, np.concatenate(parts)]):
            path = Path(folder) / f"{number}.wav"
            with wave.open(str(path), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(RATE)
                wav.writeframes((np.clip(part, -1, 1) * 32767).astype("<i2").tobytes())
            measured = measure_loudness(path, true_peak=False)
            blocks.append(measured.blocks)
            ffmpeg_levels.append(measured.integrated)
    for histogram, level in zip(blocks, ffmpeg_levels, strict=True):
        assert gated_loudness(histogram) == pytest.approx(level, abs=0.1)
    assert gated_loudness(*blocks[:3]) == pytest.approx(ffmpeg_levels[3], abs=0.15)
    assert gated_loudness() == float("-inf")


def test_the_meter_log_of_a_very_long_file_is_read_in_bounded_memory() -> None:
    log = MeterLog()
    tracemalloc.start()
    for tenth in range(400_000):  # 11 hours of ebur128 blocks, one line each (about 40 MB)
        log.feed(f"[Parsed_ebur128_0 @ 0x1] t: {tenth / 10:.1f}  TARGET:-23 LUFS    M: -16.{tenth % 10} "
                 f"S: -16.0     I: -16.0 LUFS       LRA:   1.0 LU".encode())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000
    for line in ("[Parsed_ebur128_0 @ 0x1] Summary:", "  Integrated loudness:", "    I:         -16.0 LUFS",
                 "  True peak:", "    Peak:       -2.5 dBFS"):
        log.feed(line.encode())
    assert sum(log.histogram.values()) == 400_000
    measured = log.loudness("long.mp3")
    assert (measured.integrated, measured.true_peak) == (-16.0, -2.5)
    assert gated_loudness(measured.blocks) == pytest.approx(-16.45, abs=0.05)


def test_pauses_stay_silent(built: tuple[Path, Result]) -> None:
    output, _ = built
    chapter = manifest_of(output)["chapters"][0]
    samples = _samples(output / chapter["file"])
    first, second = chapter["utterances"][:2]
    # The middle of the pause between two sentences is not pumped up by the levelling.
    middle = (first["end"] + second["start"]) / 2
    pause = samples[int((middle - 0.05) * RATE):int((middle + 0.05) * RATE)]
    assert 20 * np.log10(np.sqrt(np.mean(pause**2)) + 1e-12) < -60


def test_loudness_target_is_a_setting(tmp_path: Path) -> None:
    settings = SETTINGS_TOML + "\n[audio]\nloudness_lufs = -19\n\n[disclaimer]\ntext = \"Not advice.\"\n"
    content = write_content(tmp_path / "content", article="Fibre feeds the gut.\n", settings=settings)
    result = CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--content", str(content), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output + result.stderr
    for path in _mp3s(tmp_path / "out"):
        assert lufs(_samples(path), RATE) == pytest.approx(-19.0, abs=1.0)
    assert "Check: " in result.output and " 0 errors" in result.output


@pytest.mark.mp3val
def test_mp3val_finds_no_problem(built: tuple[Path, Result]) -> None:
    for path in _mp3s(built[0]):
        report = subprocess.run(["mp3val", str(path)], capture_output=True, text=True, check=True)
        assert "CBR" in report.stdout
        assert not [line for line in report.stdout.splitlines()
                    if line.startswith(("WARNING", "PROBLEM"))], report.stdout


@pytest.mark.mp3val  # the check runs mp3val where it is installed, and lists its rule
def test_check_passes_on_a_fresh_build(built: tuple[Path, Result]) -> None:
    output, build_result = built
    assert build_result.output.splitlines()[-1].startswith("Check: ")
    assert build_result.output.splitlines()[-1].endswith(" 0 warnings, 0 errors")
    result = CliRunner(mix_stderr=False).invoke(cli, ["check", str(output), "--strict"])
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()
    assert rows[-1].endswith("passed, 0 warnings, 0 errors")
    rules = {row.split("  ")[0] for row in rows[:-1]}
    for rule in ("enclosure length", "itunes:duration", "artwork", "loudness", "true peak",
                 "ID3 tags", "mp3val", "podcast:transcript", "MP3 stream"):
        assert rule in rules


@pytest.fixture
def damaged(built: tuple[Path, Result], tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(built[0], copy)
    return copy


def _edit_feed(output: Path, change) -> None:
    tree = etree.parse(str(output / "feed.xml"))
    change(tree.getroot())
    tree.write(str(output / "feed.xml"), xml_declaration=True, encoding="UTF-8")


def test_check_reports_a_wrong_enclosure_length(damaged: Path) -> None:
    _edit_feed(damaged, lambda root: root.find("channel/item/enclosure").set("length", "12"))
    result = CliRunner(mix_stderr=False).invoke(cli, ["check", str(damaged), "--problems-only"])
    assert result.exit_code == 1
    size = (damaged / "short-article/chapters/01-introduction.mp3").stat().st_size
    assert result.output.splitlines()[0].split() == [
        "enclosure", "length", "short-article/chapters/01-introduction.mp3", "error:", "feed", "says", "12,",
        "file", "has", str(size), "bytes"]


def test_check_reports_a_missing_transcript_and_a_truncated_mp3(damaged: Path) -> None:
    (damaged / "short-article/chapters/02-diet-and-sleep.vtt").unlink()
    data = (damaged / "short-article/chapters/03-disclaimer.mp3").read_bytes()
    (damaged / "short-article/chapters/03-disclaimer.mp3").write_bytes(data[: len(data) // 2])
    result = CliRunner(mix_stderr=False).invoke(cli, ["check", str(damaged), "--problems-only"])
    assert result.exit_code == 1
    problems = result.output.splitlines()[:-1]
    assert any(row.startswith("podcast:transcript") and "02-diet-and-sleep.vtt" in row
               for row in problems)
    assert any(row.startswith("enclosure length") and "03-disclaimer.mp3" in row for row in problems)


def test_strict_fails_on_warnings_only_when_asked(damaged: Path) -> None:
    _edit_feed(damaged, lambda root: root.find("channel").remove(root.find("channel/copyright")))
    relaxed = CliRunner(mix_stderr=False).invoke(cli, ["check", str(damaged), "--problems-only"])
    assert relaxed.exit_code == 0
    assert relaxed.output.splitlines()[0].split()[:3] == ["copyright", "feed.xml", "warning:"]
    strict = CliRunner(mix_stderr=False).invoke(cli, ["check", str(damaged), "--strict"])
    assert strict.exit_code == 1


def test_check_of_a_folder_without_a_build(tmp_path: Path) -> None:
    result = CliRunner(mix_stderr=False).invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].split() == [
        "feed", "exists", "feed.xml", "error:", "no", "feed.xml", "in", "this", "folder"]


@pytest.fixture(scope="module")
def server(built: tuple[Path, Result]) -> Iterator[str]:
    """`gutaudio serve` on a free loopback port."""
    with serving(built[0]) as url:
        yield url


def test_serve_answers_ranges_head_and_bad_ranges(server: str, built: tuple[Path, Result]) -> None:
    data = (built[0] / "short-article" / "episode.mp3").read_bytes()
    url = server + "short-article/episode.mp3"
    for header, expected in (("bytes=0-99", data[:100]), ("bytes=1000-", data[1000:]),
                             ("bytes=-500", data[-500:]), ("bytes=50-50", data[50:51])):
        response = requests.get(url, headers={"Range": header}, timeout=10)
        assert response.status_code == 206, header
        assert response.content == expected, header
        assert response.headers["Content-Range"].endswith(f"/{len(data)}")
        assert response.headers["Accept-Ranges"] == "bytes"
    whole = requests.get(url, timeout=10)
    assert whole.status_code == 200 and whole.content == data
    head = requests.head(url, timeout=10)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(data)
    assert head.headers["Content-Type"] == "audio/mpeg"
    bad = requests.get(url, headers={"Range": f"bytes={len(data) + 10}-"}, timeout=10)
    assert bad.status_code == 416
    assert bad.headers["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("feed.xml", "application/rss+xml; charset=utf-8"),
     ("short-article/chapters.json", "application/json+chapters"),
     ("short-article/episode.vtt", "text/vtt; charset=utf-8"),
     ("short-article/chapters/01-introduction.mp3", "audio/mpeg"),
     ("cover.jpg", "image/jpeg"), ("", "text/html; charset=utf-8")],
)
def test_serve_content_types(server: str, path: str, content_type: str) -> None:
    response = requests.get(server + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type


@pytest.mark.parametrize("path", ["../conftest.py", "%2e%2e/%2e%2e/etc/passwd", ".hidden",
                                  "chapters/../../x", "nothing.mp3"])
def test_serve_never_leaves_the_output_folder(server: str, path: str) -> None:
    assert requests.get(server + path, timeout=10).status_code == 404


def test_serve_refuses_to_write(server: str) -> None:
    assert requests.post(server + "feed.xml", data=b"x", timeout=10).status_code == 405


def test_served_feed_points_at_the_server(server: str) -> None:
    body = io.BytesIO(requests.get(server + "feed.xml", timeout=10).content)
    feed = podcastparser.parse(server + "feed.xml", body)
    urls = [e["enclosures"][0]["url"] for e in feed["episodes"]]
    assert urls and all(u.startswith(server + "short-article/chapters/") for u in urls)


@pytest.mark.gpodder
def test_gpodder_subscribes_and_downloads_every_episode(
        server: str, built: tuple[Path, Result], tmp_path: Path) -> None:
    env = dict(os.environ, GPODDER_HOME=str(tmp_path / "home"),
               GPODDER_DOWNLOAD_DIR=str(tmp_path / "downloads"))
    for command in (["subscribe", server + "feed.xml"], ["update"], ["download"]):
        done = subprocess.run(["gpo", *command], env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "3 episodes downloaded." in done.stdout
    downloaded = {p.name: p for p in (tmp_path / "downloads").rglob("*.mp3")}
    assert sorted(downloaded) == ["01-introduction.mp3", "02-diet-and-sleep.mp3", "03-disclaimer.mp3"]
    for name, copy in downloaded.items():  # each the published file, byte for byte
        assert copy.read_bytes() == (built[0] / "short-article" / "chapters" / name).read_bytes()


def test_large_files_are_checked_frame_by_frame(damaged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gutaudio import check

    monkeypatch.setattr(check, "MP3VAL_MAX_BYTES", 0)  # as if every file were over the limit
    assert check.check_build(damaged).passed()
    path = damaged / "short-article/chapters/02-diet-and-sleep.mp3"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 2000] = bytes(range(256)) * 7 + bytes(208)  # garbage inside the stream
    path.write_bytes(bytes(data))
    failures = [f for f in check.check_build(damaged).findings
                if f.rule == "MP3 frames" and f.level is check.Level.ERROR]
    assert [f.file for f in failures] == ["short-article/chapters/02-diet-and-sleep.mp3"]
