"""Fast builds: the clip cache, incremental rebuilds, parallel synthesis and catalogs."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import feedparser
import pytest
import srt
from click.testing import CliRunner
from mutagen.id3 import ID3

from gutaudio.cache import ClipCache, clip_key
from gutaudio.cli import cli
from gutaudio.config import load_settings
from gutaudio.engines.base import Clip
from gutaudio.recipe import build
from gutaudio.synthesis import Synthesizer, early_synthesizer

from .conftest import SETTINGS_TOML, SHORT_ARTICLE, lufs, manifest_of, write_content
from .verify import decoded_samples

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')


def _snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file below folder: its modification time and content hash."""
    return {p.relative_to(folder).as_posix():
            (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _audio_frames(path: Path) -> bytes:
    """An MP3's bytes after its ID3v2 tag (whose size is four 7-bit bytes in its header)."""
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return data[10 + size:]


def _settings(content: Path, output: Path, cache: Path, **overrides):
    return load_settings(content, output, cache_dir=cache, **overrides)


# -- the clip cache --------------------------------------------------------------------------------

def test_cache_round_trip_and_keys(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    clip = Clip(b"\x01\x00\xff\x7f" * 100, 22050)
    key = clip_key({"engine": "x", "voice": "v"}, "Hello.")
    assert cache.get(key) is None
    cache.put(key, clip)
    assert cache.get(key) == clip
    assert key != clip_key({"engine": "x", "voice": "v"}, "Hello!")
    assert key != clip_key({"engine": "x", "voice": "w"}, "Hello.")
    assert cache.info().clips == 1


def test_empty_or_malformed_clips_are_never_cached(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    for bad in (Clip(b"", 22050), Clip(b"\x00", 22050), Clip(b"\x00\x00", 100)):
        with pytest.raises(ValueError, match="refusing to cache"):
            cache.put("k" * 64, bad)
    assert cache.info().clips == 0


def test_a_damaged_cached_clip_is_dropped(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    key = "ab" + "0" * 62
    cache.put(key, Clip(b"\x01\x00" * 50, 16000))
    cache.path(key).write_bytes(b"RIFF garbage")
    assert cache.get(key) is None
    assert not cache.path(key).exists()


def test_cache_commands(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache")
    cache.put("ab" + "1" * 62, Clip(b"\x01\x00" * 50, 16000))
    runner = CliRunner(mix_stderr=False)
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", str(tmp_path / "cache")])
    assert info.exit_code == 0 and info.output.startswith(f"{tmp_path / 'cache'}: 1 clip, ")
    kept = runner.invoke(cli, ["cache", "prune", "--days", "1", "--cache-dir", str(tmp_path / "cache")])
    assert kept.output == ("Removed what no build has used for 1 day: 0 clips, 0 levelled chapters, "
                           "0 covers, 0 remembered values; 0.0 MB freed.\n")
    cleared = runner.invoke(cli, ["cache", "clear", "--cache-dir", str(tmp_path / "cache")])
    assert cleared.output == ("Removed everything: 1 clip, 0 levelled chapters, 0 covers, "
                              "0 remembered values; 0.0 MB freed.\n")
    assert cache.info().clips == 0


# -- incremental rebuilds ---------------------------------------------------------------------------

@pytest.mark.espeak
def test_a_rebuild_with_no_change_makes_and_writes_nothing(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = _settings(content, tmp_path / "out", tmp_path / "cache")
    first = build(settings)
    assert first.counts.synthesized == sum(len(c.chapter.utterances) for c in first.chapters)
    before = _snapshot(tmp_path / "out")
    second = build(settings)
    assert (second.counts.synthesized, second.counts.chapters_encoded,
            second.counts.episodes_encoded, second.counts.files_written) == (0, 0, 0, 0)
    assert second.counts.chapters_reused == 3 and second.counts.episodes_reused == 1
    assert _snapshot(tmp_path / "out") == before


@pytest.mark.espeak
def test_editing_one_sentence_remakes_one_clip_one_chapter_and_the_episode(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = _settings(content, tmp_path / "out", tmp_path / "cache")
    build(settings)
    before = _snapshot(tmp_path / "out")
    (content / "short-article.txt").write_text(
        SHORT_ARTICLE.replace("Eat 25-30 g of fibre daily", "Eat 30 g of fibre daily"))
    result = build(settings)
    assert (result.counts.synthesized, result.counts.chapters_encoded,
            result.counts.chapters_reused, result.counts.episodes_encoded) == (1, 1, 2, 1)
    after = _snapshot(tmp_path / "out")
    changed = {name for name in after if after[name] != before.get(name)}
    assert "short-article/chapters/02-diet-and-sleep.mp3" in changed
    assert "short-article/episode.mp3" in changed
    assert "short-article/chapters/01-introduction.mp3" not in changed
    assert "short-article/chapters/03-disclaimer.mp3" not in changed
    assert "feed.xml" in changed and "short-article/chapters/02-diet-and-sleep.vtt" in changed
    remade = manifest_of(tmp_path / "out")["chapters"][1]
    captions = (tmp_path / "out/short-article/chapters/02-diet-and-sleep.srt").read_text(encoding="utf-8")
    assert [c.content for c in srt.parse(captions)] == [
        "1. Diet and Sleep", "Eat 30 g of fibre daily, e.g. oats."]
    # Rendered at once at its previous gain, and still on target as pyloudnorm measures the decoded MP3.
    measured = lufs(decoded_samples(tmp_path / "out" / remade["file"], 44100), 44100)
    assert remade["loudness"] == pytest.approx(-16.0, abs=0.3)
    assert measured == pytest.approx(-16.0, abs=0.5)


@pytest.mark.espeak
def test_changing_only_metadata_rewrites_tags_not_audio(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = _settings(content, tmp_path / "out", tmp_path / "cache")
    build(settings)
    mp3s = sorted((tmp_path / "out").rglob("*.mp3"))
    audio = [_audio_frames(path) for path in mp3s]
    (content / "gutaudio.toml").write_text(ESPEAK.replace('author = "Test Author"',
                                                          'author = "New Author"'))
    result = build(_settings(content, tmp_path / "out", tmp_path / "cache"))
    assert (result.counts.synthesized, result.counts.chapters_encoded) == (0, 0)
    # Read from the files: each has the new artist, and the very same MPEG frames after its tag.
    assert [str(ID3(path)["TPE1"]) for path in mp3s] == ["New Author"] * 4
    assert [_audio_frames(path) for path in mp3s] == audio


@pytest.mark.espeak
def test_force_remakes_everything_from_the_cache(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = _settings(content, tmp_path / "out", tmp_path / "cache")
    build(settings)
    before = _snapshot(tmp_path / "out")
    lengths = {name: len(decoded_samples(tmp_path / "out" / name, 44100))
               for name in before if name.endswith(".mp3")}

    def no_synthesis(self: object, text: str) -> None:
        raise AssertionError(f"synthesized {text!r} again: every clip is in the cache")

    with pytest.MonkeyPatch.context() as patch:  # espeak itself may not be asked for a clip
        patch.setattr("gutaudio.engines.espeak.EspeakEngine.synthesize", no_synthesis)
        again = build(settings, force=True)
    assert (again.counts.synthesized, again.counts.chapters_encoded, again.counts.episodes_encoded) \
        == (0, 3, 1)
    after = _snapshot(tmp_path / "out")
    mp3s = [name for name in before if name.endswith(".mp3")]
    assert len(mp3s) == 4
    for name in mp3s:  # each written again, from the same clips: as long, and on target
        samples = decoded_samples(tmp_path / "out" / name, 44100)
        assert after[name][0] != before[name][0], name
        assert len(samples) == lengths[name], name
        assert lufs(samples, 44100) == pytest.approx(-16.0, abs=0.5), name


@pytest.mark.espeak
def test_the_cli_reports_what_was_made_and_kept(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    arguments = ["build", "--content", str(content), "--output", str(tmp_path / "out"),
                 "--cache-dir", str(tmp_path / "cache")]
    CliRunner(mix_stderr=False).invoke(cli, arguments)
    result = CliRunner(mix_stderr=False).invoke(cli, arguments)
    assert result.exit_code == 0, result.stderr
    assert ("Clips: 0 synthesized, 0 from the cache. Chapters: 0 encoded, 3 kept. "
            "Episodes: 0 encoded, 1 kept. Files: 0 written, ") in result.output


# -- parallel synthesis -------------------------------------------------------------------------------

@pytest.mark.espeak
def test_jobs_change_nothing_in_the_result(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    outputs = []
    for jobs in (1, 3):
        output = tmp_path / f"out{jobs}"
        build(_settings(content, output, tmp_path / f"cache{jobs}", jobs=jobs))
        outputs.append(_snapshot(output))
    one, three = ({name: digest for name, (_, digest) in snap.items() if name != "build.json"}
                  for snap in outputs)
    assert one == three  # espeak is deterministic: byte-identical files whatever the job count


# -- catalogs -----------------------------------------------------------------------------------------

@pytest.mark.espeak
def test_a_catalog_keeps_articles_apart_and_rebuilds_only_what_changed(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    (content / "sleep.txt").write_text("Sleep repairs the gut.\n\nNot medical advice; for "
                                       "educational purposes only.\n")
    settings = _settings(content, tmp_path / "out", tmp_path / "cache")
    build(settings)
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert [(e.title, e.itunes_season, e.itunes_episode) for e in feed.entries] == [
        ("Short Article: Introduction", "1", "1"), ("Short Article: Diet and Sleep", "1", "2"),
        ("Short Article: Disclaimer", "1", "3"), ("Sleep: Introduction", "2", "1"),
        ("Sleep: Disclaimer", "2", "2")]
    assert all(e.enclosures[0].href.startswith(
        "https://cdn.example.org/audio/" + ("short-article/" if e.itunes_season == "1" else "sleep/"))
        for e in feed.entries)
    before = _snapshot(tmp_path / "out")
    (content / "sleep.txt").write_text("Sleep repairs the gut at night.\n\nNot medical advice; for "
                                       "educational purposes only.\n")
    result = build(settings)
    after = _snapshot(tmp_path / "out")
    changed = {name.split("/")[0] for name in after if after[name] != before.get(name)}
    assert {"sleep", "feed.xml", "build.json"} <= changed <= {"sleep", "feed.xml", "build.json",
                                                              "index.html"}
    assert result.counts.chapters_reused == 4 and result.counts.chapters_encoded == 1


# -- starting Piper's workers early ----------------------------------------------------------------

@pytest.mark.espeak
def test_workers_start_early_only_when_the_content_changed(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content")
    output, cache = tmp_path / "out", tmp_path / "cache"
    piper = _settings(content, output, cache)
    first = early_synthesizer(piper)
    assert first is not None  # nothing built yet
    first.close()
    build(_settings(content, output, cache, engine="espeak"))
    for path in content.iterdir():  # written well before the build, whatever the clock's grain
        os.utime(path, (time.time() - 60, time.time() - 60))
    assert early_synthesizer(piper) is None  # built after the last change
    assert early_synthesizer(_settings(content, output, cache, engine="espeak"), force=True) is None
    article = next(content.glob("*.txt"))
    article.write_text(article.read_text() + "\nOne more sentence.\n")
    os.utime(article, (time.time() + 5, time.time() + 5))
    again = early_synthesizer(piper)
    assert again is not None
    again.close()


@pytest.mark.espeak
def test_a_synthesizer_given_to_build_is_the_callers_to_close(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = _settings(content, tmp_path / "out", tmp_path / "cache")
    synthesizer = Synthesizer(settings.voice, ClipCache(tmp_path / "cache"))
    closed: list[int] = []
    original = synthesizer.close
    monkeypatch.setattr(synthesizer, "close", lambda: (closed.append(1), original())[1])
    with synthesizer:
        result = build(settings, synthesizer=synthesizer)
        assert closed == []  # build() does not close what it did not open
        assert synthesizer.clip(result.chapters[0].chapter.utterances[0].spoken).frames > 0
    assert closed == [1]  # closed once, by its owner


@pytest.mark.espeak
def test_the_m4b_says_what_the_new_metadata_says(tmp_path: Path) -> None:
    """The M4B is encoded with its metadata, not tagged again: new metadata makes it again."""
    from mutagen.mp4 import MP4

    content = write_content(tmp_path / "content", settings=ESPEAK)
    build(_settings(content, tmp_path / "out", tmp_path / "cache", m4b=True))
    m4b = tmp_path / "out" / "short-article" / "episode.m4b"
    assert MP4(m4b).tags["\xa9ART"] == ["Test Author"]
    (content / "gutaudio.toml").write_text(ESPEAK.replace('author = "Test Author"',
                                                          'author = "New Author"'))
    result = build(_settings(content, tmp_path / "out", tmp_path / "cache", m4b=True))
    assert (result.counts.synthesized, result.counts.chapters_encoded) == (0, 0)
    assert MP4(m4b).tags["\xa9ART"] == ["New Author"]
