"""The episode's CTOC and CHAP frames lie in the file in time order, for players that read them so.

The frame order is read from the bytes on disk by a small ID3v2 walker written here, and again by
ffmpeg's own ID3 chapter reader (its FFMETADATA output lists chapters in file order): neither
is mutagen, which writes the tag.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from gutaudio.audio import MP3_FRAME_SAMPLES, concatenate_mp3, ffmpeg_executable, mp3_frame_count
from gutaudio.cli import cli
from gutaudio.config import AudioSettings
from gutaudio.tags import TrackTags, write_tags

from .conftest import SETTINGS_TOML, write_content

AUDIO = AudioSettings()
CHAPTERS = 14
"""More than nine, so chp10 is written next to chp2, where sorting by text puts it first."""


@dataclass(frozen=True)
class ChapFrame:
    element_id: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class TocFrame:
    element_id: str
    children: tuple[str, ...]


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def chapter_frames_in_file_order(path: Path) -> list[ChapFrame | TocFrame]:
    """Walk the ID3v2.3/2.4 tag at the start of path; return its CTOC and CHAP frames in file order."""
    data = path.read_bytes()
    assert data[:3] == b"ID3", "no ID3v2 tag at the start of the file"
    version, flags = data[3], data[5]
    assert not flags & 0xC0, "unsynchronised tags and extended headers are not expected"
    end = 10 + _syncsafe(data[6:10])
    found: list[ChapFrame | TocFrame] = []
    offset = 10
    while offset + 10 <= end and data[offset] != 0:
        frame_id = data[offset:offset + 4]
        raw = data[offset + 4:offset + 8]
        size = _syncsafe(raw) if version == 4 else struct.unpack(">L", raw)[0]
        body = data[offset + 10:offset + 10 + size]
        assert offset + 10 + size <= end, f"{frame_id!r} runs past the end of the tag"
        if frame_id == b"CHAP":
            element, rest = body.split(b"\0", 1)
            start, stop = struct.unpack(">LL", rest[:8])
            found.append(ChapFrame(element.decode("latin-1"), start, stop))
        elif frame_id == b"CTOC":
            element, rest = body.split(b"\0", 1)
            count = rest[1]
            children = rest[2:].split(b"\0")[:count]
            found.append(TocFrame(element.decode("latin-1"), tuple(c.decode("latin-1") for c in children)))
        offset += 10 + size
    return found


def ffmpeg_chapter_starts(path: Path) -> list[int]:
    """Chapter start times in milliseconds as ffmpeg's ID3 reader lists them (file order)."""
    listing = subprocess.run([ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                              "-f", "ffmetadata", "-"], capture_output=True, check=True, text=True).stdout
    blocks = listing.split("[CHAPTER]")[1:]
    starts = []
    for block in blocks:
        base = re.search(r"^TIMEBASE=(\d+)/(\d+)$", block, re.MULTILINE)
        start = re.search(r"^START=(\d+)$", block, re.MULTILINE)
        assert base and start, block
        starts.append(round(int(start[1]) * 1000 * int(base[1]) / int(base[2])))
    return starts


def assert_chapters_in_time_order(path: Path, count: int) -> list[ChapFrame]:
    """The tag holds one CTOC, first, then count CHAP frames by ascending start, as ffmpeg reads too."""
    frames = chapter_frames_in_file_order(path)
    chaps = [f for f in frames if isinstance(f, ChapFrame)]
    starts = [c.start_ms for c in chaps]
    assert len(chaps) == count
    assert all(a < b for a, b in itertools.pairwise(starts)), (
        f"CHAP frames are not in time order in the file: {[c.element_id for c in chaps]} "
        f"start at {starts} ms")
    # ffmpeg reports times less the encoder delay it skips (1105 samples, 25 ms), never below 0.
    heard = ffmpeg_chapter_starts(path)
    assert all(a < b for a, b in itertools.pairwise(heard)), f"ffmpeg reads {heard} ms"
    assert heard == pytest.approx(starts, abs=30)
    assert [type(f).__name__ for f in frames] == ["TocFrame"] + ["ChapFrame"] * count
    toc = frames[0]
    assert isinstance(toc, TocFrame)
    assert toc.children == tuple(c.element_id for c in chaps)
    assert toc.children == tuple(f"chp{n}" for n in range(1, count + 1))
    return chaps


def _tone_mp3(path: Path, seconds: float, frequency: int) -> Path:
    """A short MP3 made by the real ffmpeg, encoded as gutaudio encodes chapters."""
    subprocess.run([ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"sine=frequency={frequency}:duration={seconds}", "-codec:a", "libmp3lame",
                    "-b:a", f"{AUDIO.bitrate_kbps}k", "-ar", str(AUDIO.sample_rate), "-ac", "1",
                    "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3", str(path)], check=True)
    return path


TITLES = {
    # Equal frame sizes (chp1 is a byte shorter than chp10, "Part 1.." a byte longer than
    # "Part 10"): mutagen then orders by its key, where "CHAP:chp10" < "CHAP:chp2".
    "equal": [f"Part {n}" + ".." * (n < 10) for n in range(1, CHAPTERS + 1)],
    # Shrinking sizes: mutagen orders by frame size, so the last chapter would come first.
    "shrinking": [f"Chapter {n}: {'a long title ' * (CHAPTERS - n)}".strip() for n in range(1, CHAPTERS + 1)],
    # A mix, as real headings are.
    "mixed": [f"{'Why fibre matters for the gut' if n % 3 else 'Sleep'} {n}" for n in range(1, CHAPTERS + 1)],
}


@pytest.fixture(scope="module")
def chapter_mp3s(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("chapters")
    return [_tone_mp3(folder / f"{n:02d}.mp3", 0.2 + 0.05 * (n % 4), 200 + 20 * n)
            for n in range(1, CHAPTERS + 1)]


def _episode_tags(chapters: tuple[tuple[float, float, str], ...]) -> TrackTags:
    return TrackTags(title="Episode", artist="Test Author", album="Test Show", track=1, total=1,
                     genre="Podcast", date=dt.date(2026, 1, 15), language="en", text="All of it.",
                     comment="Not medical advice.", link="https://example.org/a", copyright="(c) 2026",
                     cover_jpeg=b"\xff\xd8\xff\xe0 not really a jpeg", chapters=chapters)


@pytest.mark.parametrize("kind", sorted(TITLES))
def test_episode_chapter_frames_are_written_in_time_order(tmp_path: Path, chapter_mp3s: list[Path],
                                                          kind: str) -> None:
    episode = tmp_path / "episode.mp3"
    concatenate_mp3(chapter_mp3s, episode, AUDIO)  # what the build joins the episode with
    marks, frames = [], 0
    for path, title in zip(chapter_mp3s, TITLES[kind], strict=True):
        start = frames * MP3_FRAME_SAMPLES / AUDIO.sample_rate
        frames += mp3_frame_count(path)
        marks.append((start, frames * MP3_FRAME_SAMPLES / AUDIO.sample_rate, title))
    audio_frames = mp3_frame_count(episode)

    write_tags(episode, _episode_tags(tuple(marks)))

    chaps = assert_chapters_in_time_order(episode, CHAPTERS)
    assert [c.start_ms for c in chaps] == [round(m[0] * 1000) for m in marks]
    assert [c.end_ms for c in chaps] == [round(m[1] * 1000) for m in marks]
    # Moving frames leaves a tag mutagen reads whole, and the audio untouched.
    tag = ID3(episode)
    assert tag.version[:2] == (2, 3)
    assert [str(tag[f"CHAP:chp{n}"].sub_frames["TIT2"]) for n in range(1, CHAPTERS + 1)] == TITLES[kind]
    assert str(tag["TIT2"]) == "Episode" and str(tag["COMM:Disclaimer:eng"]) == "Not medical advice."
    assert tag.getall("APIC")[0].data == b"\xff\xd8\xff\xe0 not really a jpeg"
    assert mp3_frame_count(episode) == audio_frames == frames

    # Tagging the file again (a rebuild that changes a title) keeps the order too.
    write_tags(episode, _episode_tags(tuple((s, e, t + "!" * n) for n, (s, e, t) in enumerate(marks))))
    assert_chapters_in_time_order(episode, CHAPTERS)


NOTICE = "This site offers information designed for educational purposes only. Always consult your physician."
TWELVE_SECTIONS = "\n\n".join(
    ["Gut health matters."]
    + [f"{n}. {'Fibre' if n % 2 else 'Sleep and the long night'} {n}\n\nEat well {n}." for n in range(1, 13)]
    + [NOTICE]) + "\n"


@pytest.mark.espeak
def test_a_built_episode_with_fourteen_chapters_has_them_in_time_order(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", TWELVE_SECTIONS, "twelve.txt",
                            SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"'))
    output = tmp_path / "output"
    result = CliRunner(mix_stderr=False).invoke(cli, ["build", "-q", "--content", str(content),
                                                      "--output", str(output)])
    assert result.exit_code == 0, result.stdout + result.stderr
    # An introduction, twelve sections and the disclaimer.
    chaps = assert_chapters_in_time_order(output / "twelve" / "episode.mp3", 14)
    assert chaps[0].start_ms == 0


def test_chapter_marks_by_frames_and_back_to_back_with_fixed_values() -> None:
    from types import SimpleNamespace

    from gutaudio.edition import cumulative_marks, episode_marks

    def result(title: str, duration: float, frames: int) -> SimpleNamespace:
        return SimpleNamespace(chapter=SimpleNamespace(title=title), duration=duration,
                               mp3_frames=frames)

    chapters = [result("One", 2.0, 80), result("Two", 1.5, 60), result("Three", 0.25, 12)]
    # 80 frames of 1,152 samples at 44,100 Hz are 2.090 s: the next chapter starts there.
    assert [(m.start, m.end, m.title) for m in episode_marks(chapters, 44100)] == [
        (0.0, 2.09, "One"), (2.09, 3.657, "Two"), (3.657, 3.907, "Three")]
    assert [(m.start, m.end) for m in cumulative_marks(chapters)] == [
        (0.0, 2.0), (2.0, 3.5), (3.5, 3.75)]
    assert episode_marks([], 44100) == [] and cumulative_marks([]) == []
