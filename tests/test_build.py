"""End to end: a real Piper build of a short article, checked with real decoders and parsers."""

from __future__ import annotations

from pathlib import Path

import eyed3
import feedparser
import podcastparser
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

from gutaudio.config import load_settings
from gutaudio.recipe import build, plan_build

from .conftest import SETTINGS_TOML, write_content
from .conftest import manifest_of as _manifest
from .verify import decoded_seconds

REPO = Path(__file__).resolve().parents[1]
DECODE_RATE = 44100




def test_build_writes_three_chapters_disclaimer_last(built: tuple[Path, object]) -> None:
    output, result = built
    names = sorted(p.name for p in (output / "short-article" / "chapters").glob("*.mp3"))
    assert names == ["01-introduction.mp3", "02-diet-and-sleep.mp3", "03-disclaimer.mp3"]
    assert "Built 3 chapters of 1 article" in result.output
    # The published folder is readable by a web server, like any folder the user makes.
    assert output.stat().st_mode & 0o755 == 0o755
    # Nothing half-made is left behind.
    assert not [p for p in output.iterdir() if p.name.startswith(".")]


def test_mp3s_decode_to_the_duration_of_their_clips(built: tuple[Path, object]) -> None:
    output, _ = built
    for chapter in _manifest(output)["chapters"]:
        path = output / chapter["file"]
        decoded = decoded_seconds(path, DECODE_RATE)  # by ffmpeg itself, not through gutaudio
        assert decoded == pytest.approx(chapter["duration"], abs=0.05)
        assert chapter["duration"] > 1.0
        info = MP3(path).info
        assert (info.sample_rate, info.channels, round(info.bitrate / 1000)) == (44100, 1, 96)
        assert info.bitrate_mode == BitrateMode.CBR
        # Utterances are in order, inside the file, with the lead-in before the first.
        starts = [u["start"] for u in chapter["utterances"]]
        assert starts == sorted(starts) and starts[0] == pytest.approx(0.5, abs=0.01)
        assert chapter["utterances"][-1]["end"] < chapter["duration"]


CHAPTER_TEXTS = {
    "01-introduction.mp3": ("Introduction", ["Gut health matters.", "It shapes how we feel every day."]),
    "02-diet-and-sleep.mp3": ("Diet and Sleep",
                              ["1. Diet and Sleep", "Eat 25-30 g of fibre daily, e.g. oats."]),
    "03-disclaimer.mp3": ("Disclaimer", ["This site offers information designed for educational purposes "
                                         "only.", "Always consult your physician."]),
}
"""Each chapter file's title and the author's sentences its lyrics must hold (conftest.SHORT_ARTICLE)."""


def test_every_chapter_is_tagged(built: tuple[Path, object]) -> None:
    output, _ = built
    for number, (name, (title, sentences)) in enumerate(CHAPTER_TEXTS.items(), 1):
        path = output / "short-article" / "chapters" / name
        tags = ID3(path)
        assert tags.version[:2] == (2, 3)
        assert str(tags["TIT2"]) == title
        assert str(tags["TPE1"]) == "Test Author"
        assert str(tags["TALB"]) == "Short Article"
        assert str(tags["TRCK"]) == f"{number}/3"
        assert str(tags["TLAN"]) == "eng"
        assert str(tags["TCON"]) == "Podcast"
        assert str(tags["TDRC"]).startswith("2026")
        # Readers of ID3v2.3 need TYER: check the bytes on disk and with eyeD3.
        head = path.read_bytes()[:4096]
        assert b"TYER" in head and b"TDRC" not in head
        assert str(eyed3.load(path).tag.getBestDate()) == "2026-01-15"
        lyrics = tags.getall("USLT")[0].text
        assert all(sentence in lyrics for sentence in sentences), lyrics
        assert "educational purposes only" in tags.getall("COMM")[0].text[0]
        cover = tags.getall("APIC")[0]
        assert cover.mime == "image/jpeg" and cover.type == 3 and cover.data[:2] == b"\xff\xd8"
    assert str(ID3(output / "short-article/chapters/02-diet-and-sleep.mp3")["TIT2"]) == "Diet and Sleep"


def test_spoken_text_is_normalized_but_display_text_is_the_authors(built: tuple[Path, object]) -> None:
    output, _ = built
    chapter = _manifest(output)["chapters"][1]
    heading, sentence = chapter["utterances"][:2]
    assert heading["text"] == "1. Diet and Sleep"
    assert heading["spoken"] == "Part one. Diet and Sleep."
    assert sentence["text"] == "Eat 25-30 g of fibre daily, e.g. oats."
    assert sentence["spoken"] == "Eat twenty-five to thirty grams of fibre daily, for example, oats."


def test_feed_parses_with_feedparser(built: tuple[Path, object]) -> None:
    output, _ = built
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.namespaces["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"
    channel = parsed.feed
    assert channel.title == "Test Show & <Friends>"
    assert channel.language == "en"
    assert channel.itunes_type == "serial"
    assert channel.image.href == "https://cdn.example.org/audio/cover.jpg"
    # Chapter items name their article even when the show has one, so adding one renames nothing.
    assert [e.title for e in parsed.entries] == [
        "Short Article: Introduction", "Short Article: Diet and Sleep", "Short Article: Disclaimer"]
    assert [e.itunes_season for e in parsed.entries] == ["1", "1", "1"]
    assert [e.itunes_episode for e in parsed.entries] == ["1", "2", "3"]
    for entry in parsed.entries:
        (enclosure,) = entry.enclosures
        local = output / enclosure.href.removeprefix("https://cdn.example.org/audio/")
        assert int(enclosure.length) == local.stat().st_size
        assert enclosure.type == "audio/mpeg"
        assert entry.guidislink is False
    assert len({e.id for e in parsed.entries}) == 3


def test_feed_parses_with_podcastparser(built: tuple[Path, object]) -> None:
    output, _ = built
    with (output / "feed.xml").open("rb") as fh:
        parsed = podcastparser.parse("https://cdn.example.org/audio/feed.xml", fh)
    assert parsed["title"] == "Test Show & <Friends>"
    assert parsed["type"] == "serial"
    episodes = sorted(parsed["episodes"], key=lambda e: e["number"])
    assert [e["title"] for e in episodes] == [
        "Short Article: Introduction", "Short Article: Diet and Sleep", "Short Article: Disclaimer"]
    for episode, name in zip(episodes, CHAPTER_TEXTS, strict=True):
        (enclosure,) = episode["enclosures"]
        path = output / "short-article" / "chapters" / name
        assert enclosure["url"] == f"https://cdn.example.org/audio/short-article/chapters/{name}"
        assert enclosure["file_size"] == path.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        # Whole seconds, cut down, as players show them, of the audio as ffmpeg decodes it (build.json
        # keeps durations to the millisecond, hence the half millisecond).
        assert episode["total_time"] == int(decoded_seconds(path) + 0.0005)


def test_rebuild_keeps_guids_and_drops_stale_chapters(tmp_path: Path) -> None:
    configured = SETTINGS_TOML + '\n[disclaimer]\ntext = "Not medical advice. Ask your doctor."\n'
    content = write_content(tmp_path / "content", article="One sentence only.\n", name="a.txt",
                            settings=configured)
    output = tmp_path / "output"
    (output / "a" / "chapters").mkdir(parents=True)
    (output / "a" / "chapters" / "07-old.mp3").write_bytes(b"old")
    (output / "unrelated.txt").write_text("a file of the publisher's own")
    settings = load_settings(content, output)
    first = build(settings, force=True)  # a folder of other files: only with force
    guids = feedparser.parse(first.feed_path.read_bytes()).entries
    second = build(settings, force=True)
    again = feedparser.parse(second.feed_path.read_bytes()).entries
    assert [e.id for e in guids] == [e.id for e in again] == [
        # UUIDv5 in the URL namespace of "https://example.org/show#a/introduction", ".../a/disclaimer".
        "urn:uuid:e13a08e0-a1a8-5c7a-a654-ce5d917f8550", "urn:uuid:4587f19c-cc4b-5f0e-9ff6-8ff616a09156"]
    assert (output / "unrelated.txt").is_file()
    assert sorted(p.name for p in (output / "a" / "chapters").iterdir()) == [
        f"{stem}.{ext}" for stem in ("01-introduction", "02-disclaimer")
        for ext in ("json", "mp3", "srt", "txt", "vtt", "words.vtt")
    ]
    assert [c.chapter.title for c in second.chapters] == ["Introduction", "Disclaimer"]


def test_given_article_plans_exactly_three_chapters() -> None:
    settings = load_settings(REPO / "content", REPO / "output")
    (plan,) = plan_build(settings)
    assert [c.title for c in plan.chapters] == ["Introduction", "Causes of Leaky Gut", "Disclaimer"]
    assert plan.chapters[-1].is_disclaimer
    assert plan.chapters[-1].text.startswith("This site offers information designed for educational")
    assert plan.chapters[1].utterances[0].spoken == "Part one. Causes of Leaky Gut."
