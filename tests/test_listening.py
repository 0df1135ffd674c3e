"""Accessible listening: timed captions and transcripts, the one-file episode, Podcasting 2.0 tags."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import eyed3
import feedparser
import numpy as np
import podcastparser
import pytest
import srt
import webvtt
from click.testing import CliRunner, Result
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from gutaudio.audio import decode_file, mp3_frame_count, trim_silence
from gutaudio.cli import cli
from gutaudio.config import VoiceSettings
from gutaudio.engines.piper import PiperEngine

from .conftest import manifest_of, write_content
from .verify import cue_onset_errors, decoded_seconds

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
TOLERANCE = 0.05


CHAPTERS = "short-article/chapters"
TITLES = ["Introduction", "Diet and Sleep", "Disclaimer"]
CAPTIONS = {
    "01-introduction": ["Gut health matters.", "It shapes how we feel every day."],
    "02-diet-and-sleep": ["1. Diet and Sleep", "Eat 25-30 g of fibre daily, e.g. oats."],
    "03-disclaimer": ["Disclaimer", "This site offers information designed\nfor educational purposes only.",
                      "Always consult your physician."],
}
"""Each chapter file's captions: the author's words of conftest.SHORT_ARTICLE, a cue per utterance
(each short enough for one cue), in lines of at most 42 characters."""


def _stem(chapter: dict) -> str:
    return chapter["file"].removesuffix(".mp3")


def test_each_chapter_has_vtt_srt_and_text_with_one_cue_per_utterance(
        built: tuple[Path, Result]) -> None:
    output, _ = built
    assert sorted(p.stem for p in (output / CHAPTERS).glob("*.mp3")) == sorted(CAPTIONS)
    for stem, texts in CAPTIONS.items():
        vtt = webvtt.from_buffer(io.StringIO((output / CHAPTERS / f"{stem}.vtt").read_text()))
        subtitles = list(srt.parse((output / CHAPTERS / f"{stem}.srt").read_text()))
        assert [c.text for c in vtt.captions] == [html.escape(t, quote=False) for t in texts]
        assert [s.content for s in subtitles] == texts
        # Both files say the same millisecond; the cues follow one another, from the lead-in on,
        # within the chapter's audio as ffmpeg decodes it.
        for caption, subtitle in zip(vtt.captions, subtitles, strict=True):
            vtt_times = (caption.start.replace(".", ","), caption.end.replace(".", ","))
            assert vtt_times == (srt.timedelta_to_srt_timestamp(subtitle.start),
                                 srt.timedelta_to_srt_timestamp(subtitle.end))
        times = [t.total_seconds() for s in subtitles for t in (s.start, s.end)]
        # The first word is heard just after the half-second lead-in.
        assert 0.5 <= times[0] < 0.6 and times == sorted(times) and len(set(times)) == len(times)
        assert times[-1] < decoded_seconds(output / CHAPTERS / f"{stem}.mp3")
        text = (output / CHAPTERS / f"{stem}.txt").read_text()
        assert all(t.replace("\n", " ") in text for t in texts if t != "Disclaimer"), text


def test_cue_times_match_where_the_voice_is_heard(built: tuple[Path, Result]) -> None:
    output, _ = built
    manifest = manifest_of(output)
    episode_starts = []
    for chapter, mark in zip(manifest["chapters"], manifest["episode"]["chapters"], strict=True):
        starts = [u["start"] for u in chapter["utterances"]]
        errors = cue_onset_errors(output / chapter["file"], starts)
        assert max(abs(e) for e in errors) < TOLERANCE, errors
        episode_starts += [s + mark["start"] for s in starts]
    errors = cue_onset_errors(output / "short-article" / "episode.mp3", episode_starts)
    assert max(abs(e) for e in errors) < TOLERANCE, errors
    cues = webvtt.from_buffer(io.StringIO((output / "short-article" / "episode.vtt").read_text())).captions
    assert len(cues) == len(episode_starts)


def test_episode_carries_chapter_frames_matching_the_chapter_files(
        built: tuple[Path, Result]) -> None:
    output, _ = built
    manifest = manifest_of(output)
    durations = [decoded_seconds(output / c["file"]) for c in manifest["chapters"]]  # by ffmpeg
    tags = ID3(output / "short-article" / "episode.mp3")
    (toc,) = tags.getall("CTOC")
    assert toc.flags == 3 and toc.child_element_ids == ["chp1", "chp2", "chp3"]
    chaps = sorted(tags.getall("CHAP"), key=lambda f: f.start_time)
    # The episode is the chapter files' own frames: each chapter starts after every frame of
    # the ones before it, and spans its own audio (plus a few ms of encoder delay and padding).
    frames = 0
    for chap, duration, chapter, title in zip(chaps, durations, manifest["chapters"], TITLES, strict=True):
        start = frames * 1152 / 44100
        assert chap.start_time == round(start * 1000)
        assert -0.001 <= chap.end_time / 1000 - (start + duration) < 0.06
        assert str(chap.sub_frames["TIT2"]) == title
        frames += mp3_frame_count(output / chapter["file"])
    assert [(m["start"], m["end"]) for m in manifest["episode"]["chapters"]] == [
        (c.start_time / 1000, c.end_time / 1000) for c in chaps]
    decoded = decoded_seconds(output / "short-article" / "episode.mp3")
    assert decoded == pytest.approx(chaps[-1].end_time / 1000, abs=0.002)
    # eyeD3, a second reader, sees the same table of contents.
    tag = eyed3.load(output / "short-article" / "episode.mp3").tag
    (table,) = list(tag.table_of_contents)
    assert table.toplevel and table.ordered
    assert sorted((c.title, c.times.start) for c in tag.chapters) == sorted(
        (str(c.sub_frames["TIT2"]), c.start_time) for c in chaps)
    assert str(tags["TALB"]) == "Short Article" and tags.getall("APIC")


def test_each_chapter_is_heard_in_the_episode_exactly_at_its_mark(built: tuple[Path, Result]) -> None:
    """Decoded, the episode holds each chapter's own audio, sample for sample, from its mark on."""
    output, _ = built
    manifest = manifest_of(output)
    episode = np.frombuffer(decode_file(output / "short-article" / "episode.mp3", 44100), "<i2")
    settled = slice(2 * 1152, None)  # the decoder's first frame may differ at a join
    for chapter, mark in zip(manifest["chapters"], manifest["episode"]["chapters"], strict=True):
        alone = np.frombuffer(decode_file(output / chapter["file"], 44100), "<i2").astype(float)
        mark_sample = round(mark["start"] * 44100)

        # Marks are kept to the millisecond: the chapter's audio starts within half of one.
        window = range(mark_sample - 23, mark_sample + 24)
        near = [offset for offset in window if _difference(episode, alone, offset, settled) <= 2]
        assert near, chapter["file"]
        # A frame earlier or later does not match: the join does not lose or repeat audio.
        assert _difference(episode, alone, near[0] - 1152, settled) > 100
        assert _difference(episode, alone, near[0] + 1152, settled) > 100


def _difference(episode: np.ndarray, alone: np.ndarray, offset: int, settled: slice) -> float:
    """The largest sample difference between a chapter and the episode from offset on."""
    inside = episode[offset:offset + len(alone)].astype(float)
    if offset < 0 or len(inside) < len(alone):
        return float("inf")
    return float(np.abs(inside[settled] - alone[settled]).max())


@pytest.mark.mp3val
def test_mp3_frame_count_agrees_with_mp3val(built: tuple[Path, Result]) -> None:
    output, _ = built
    for path in sorted((output / "short-article").rglob("*.mp3")):
        found = subprocess.run(["mp3val", str(path)], capture_output=True, text=True, check=True)
        (frames,) = re.findall(r"(\d+) MPEG frames", found.stdout)
        assert mp3_frame_count(path) == int(frames) - 1  # mp3val also counts the info frame


def test_json_chapters_follow_the_podcasting_2_0_schema(built: tuple[Path, Result]) -> None:
    output, _ = built
    data = json.loads((output / "short-article" / "chapters.json").read_text())
    assert data["version"] == "1.2.0"
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    assert [c["title"] for c in data["chapters"]] == ["Introduction", "Diet and Sleep", "Disclaimer"]
    assert all(isinstance(c["startTime"], int | float) for c in data["chapters"])


def test_feed_links_every_transcript_and_parses(built: tuple[Path, Result]) -> None:
    output, _ = built
    xml = (output / "feed.xml").read_bytes()
    root = etree.fromstring(xml)
    channel = root.find("channel")
    assert channel.findtext("podcast:guid", namespaces=NS)
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    assert channel.findtext("podcast:locked", namespaces=NS) == "no"
    for item in channel.iterfind("item"):
        links = [(t.get("type"), t.get("rel"), t.get("language"))
                 for t in item.iterfind("podcast:transcript", namespaces=NS)]
        assert links == [("text/vtt", "captions", "en"), ("application/x-subrip", "captions", "en"),
                         ("application/json", None, "en"), ("text/plain", None, "en")]
        for transcript in item.iterfind("podcast:transcript", namespaces=NS):
            local = output / transcript.get("url").removeprefix("https://cdn.example.org/audio/")
            assert local.is_file()
    assert not feedparser.parse(xml).bozo
    podcast = podcastparser.parse("https://cdn.example.org/audio/feed.xml", io.BytesIO(xml))
    assert len(podcast["episodes"]) == 3


def test_episode_feed_mode_and_m4b(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content")
    output = tmp_path / "out"
    result = CliRunner(mix_stderr=False).invoke(cli, [
        "build", "--content", str(content), "--output", str(output), "--feed-items", "episode",
        "--m4b", "-q"])
    assert result.exit_code == 0, result.stderr
    xml = (output / "feed.xml").read_bytes()
    parsed = feedparser.parse(xml)
    (entry,) = parsed.entries
    assert entry.title == "Short Article"
    assert entry.enclosures[0].href.endswith("/episode.mp3")
    assert int(entry.enclosures[0].length) == (output / "short-article" / "episode.mp3").stat().st_size
    (item,) = etree.fromstring(xml).iterfind("channel/item")
    chapters = item.find("podcast:chapters", namespaces=NS)
    assert chapters.get("type") == "application/json+chapters"
    assert chapters.get("url").endswith("/chapters.json")
    # The M4B holds the levelled chapters back to back: a chapter starts where the last ends, as
    # long after as the chapter's MP3 plays (decoded by ffmpeg).
    durations = [decoded_seconds(output / CHAPTERS / f"{stem}.mp3") for stem in CAPTIONS]
    starts = [sum(durations[:n]) for n in range(len(durations))]
    m4b = MP4(output / "short-article" / "episode.m4b")
    assert [c.title for c in m4b.chapters] == TITLES
    assert [c.start for c in m4b.chapters] == pytest.approx(starts, abs=0.01)
    assert m4b.info.length == pytest.approx(sum(durations), abs=0.1)
    assert m4b.tags["\xa9nam"] == ["Short Article"] and m4b.tags["covr"]


def test_rate_changes_the_speed_of_the_voice() -> None:
    sentence = "Leaky gut plays a role in some diseases of the intestinal tract."

    def spoken_seconds(rate: float) -> float:
        clip = PiperEngine(VoiceSettings(rate=rate)).synthesize(sentence)
        return trim_silence(clip).duration

    normal = spoken_seconds(1.0)
    assert spoken_seconds(2.0) / normal == pytest.approx(0.5, abs=0.08)
    assert spoken_seconds(0.5) / normal == pytest.approx(2.0, abs=0.25)


def test_inspect_timings_reads_a_finished_build_wherever_it_was_moved(
        built: tuple[Path, Result], tmp_path: Path) -> None:
    moved = shutil.copytree(built[0], tmp_path / "published")  # no content folder, no settings
    result = CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--timings", "--output", str(moved)])
    assert result.exit_code == 0, result.stderr
    header, *lines = result.output.splitlines()
    assert header.split() == ["article", "chapter", "start", "end", "text"]
    assert len(lines) == sum(map(len, CAPTIONS.values())) == 7
    first = re.fullmatch(r"short-article        1  00:00\.500  00:0(\d\.\d{3})  Gut health matters\.",
                         lines[0])
    assert first, lines[0]
    # The first sentence's caption, as the srt package reads the file, starts at its first word, inside
    # the sentence's clip, and (a cue under a second) is held a second into the pause after it, never
    # past the next cue: the end is the later of its last word's end and a second after its start.
    caption, following = srt.parse((moved / CHAPTERS / "01-introduction.srt").read_text(encoding="utf-8"))
    words = manifest_of(moved)["chapters"][0]["utterances"][0]["words"]
    assert [w["text"] for w in words] == ["Gut", "health", "matters."]
    start, end = caption.start.total_seconds(), caption.end.total_seconds()
    assert start == pytest.approx(words[0]["start"], abs=0.0015) and 0.5 <= start < 0.6
    assert words[-1]["end"] <= float(first[1])
    assert end == pytest.approx(min(max(words[-1]["end"], start + 1.0), following.start.total_seconds()),
                                abs=0.0015)


def test_inspect_timings_without_a_build_is_one_line(tmp_path: Path) -> None:
    result = CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--timings", "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'build.json'}: no finished build here; run gutaudio build first\n")
