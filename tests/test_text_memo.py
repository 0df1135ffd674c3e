"""An article's text files are made once for what they are made from, and made again when any of it
changes: a rebuild that keeps the audio takes them from the cache."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import gutaudio.recipe
from gutaudio.cache import ClipCache
from gutaudio.config import load_settings
from gutaudio.document import Section
from gutaudio.recipe import build
from gutaudio.text_memo import texts_key

from .conftest import SETTINGS_TOML, write_content

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')
pytestmark = pytest.mark.espeak


def _texts(output: Path) -> dict[str, str]:
    """Every caption, transcript and page file of the build, by path."""
    return {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8") for p in sorted(output.rglob("*"))
            if p.suffix in {".vtt", ".srt", ".txt", ".json", ".html"} and p.name != "build.json"}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders of the articles whose text files were made (not taken from the cache)."""
    made: list[str] = []
    real = gutaudio.recipe._article_texts

    def counting(article, settings, cover_name, compiled):
        made.append(article.plan.folder)
        return real(article, settings, cover_name, compiled)

    monkeypatch.setattr(gutaudio.recipe, "_article_texts", counting)
    return made


def test_a_rebuild_that_changes_nothing_takes_the_texts_from_the_cache(
        tmp_path: Path, counted: list[str]) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = load_settings(content, tmp_path / "out", cache_dir=tmp_path / "cache")
    build(settings)
    first = _texts(tmp_path / "out")
    assert counted == ["short-article"]
    assert ClipCache(tmp_path / "cache").info().texts == 1
    build(settings)
    assert counted == ["short-article"]  # not made again
    assert _texts(tmp_path / "out") == first
    # An edit to one sentence makes them again, and they say what the new text says.
    article = content / "short-article.txt"
    edited = article.read_text(encoding="utf-8").replace("Gut health matters.", "Gut health counts.")
    article.write_text(edited, encoding="utf-8")
    build(settings)
    assert counted == ["short-article", "short-article"]
    episode_vtt = tmp_path / "out" / "short-article" / "episode.vtt"
    assert "Gut health counts." in episode_vtt.read_text(encoding="utf-8")


def test_new_caption_limits_make_the_texts_again(tmp_path: Path, counted: list[str]) -> None:
    wide = ESPEAK + "\n[captions]\nmax_line_chars = 60\n"
    content = write_content(tmp_path / "content", settings=ESPEAK)
    build(load_settings(content, tmp_path / "out", cache_dir=tmp_path / "cache"))
    (content / "gutaudio.toml").write_text(wide, encoding="utf-8")
    build(load_settings(content, tmp_path / "out", cache_dir=tmp_path / "cache"))
    assert counted == ["short-article", "short-article"]


@pytest.mark.parametrize("damage", [
    {"short-article/episode.vtt": 3},  # not a text
    {},  # no files at all
    {"short-article/index.html": "<p>", "short-article/../../escape.txt": "x"},  # a path out of the folder
])
def test_damaged_kept_texts_are_made_again(tmp_path: Path, counted: list[str], damage: dict) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = load_settings(content, tmp_path / "out", cache_dir=tmp_path / "cache")
    build(settings)
    first = _texts(tmp_path / "out")
    (kept,) = (tmp_path / "cache" / "texts").glob("*/*.json")
    data = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps({"key": data["key"], "files": damage}), encoding="utf-8")
    build(settings)
    assert counted == ["short-article", "short-article"]
    assert _texts(tmp_path / "out") == first
    assert not (tmp_path / "escape.txt").exists()
    assert json.loads(kept.read_text(encoding="utf-8"))["files"] == data["files"]


def test_force_makes_the_texts_again(tmp_path: Path, counted: list[str]) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = load_settings(content, tmp_path / "out", cache_dir=tmp_path / "cache")
    build(settings)
    (kept,) = (tmp_path / "cache" / "texts").glob("*/*.json")
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["files"]["short-article/index.html"] = "<!DOCTYPE html><p>a stale page</p>"
    kept.write_text(json.dumps(data), encoding="utf-8")
    build(settings, force=True)
    assert len(counted) == 2
    page = tmp_path / "out" / "short-article" / "index.html"
    assert "a stale page" not in page.read_text(encoding="utf-8")


def test_the_key_covers_the_audio_figures_and_the_settings(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    settings = load_settings(content, tmp_path / "out", cache_dir=tmp_path / "cache")
    (article,) = build(settings).articles
    key = texts_key(article, settings, "cover.jpg")
    later = dataclasses.replace(article.chapters[0], timings=((0.5, 1.25), *article.chapters[0].timings[1:]))
    moved = dataclasses.replace(article, chapters=(later, *article.chapters[1:]))
    assert texts_key(moved, settings, "cover.jpg") != key
    assert texts_key(article, dataclasses.replace(settings, captions=dataclasses.replace(
        settings.captions, max_seconds=6.0)), "cover.jpg") != key
    assert texts_key(article, settings, "cover.png") != key
    # The chapter's section, which its repr leaves out, is in the key too.
    chapter = article.chapters[0].chapter
    retitled = dataclasses.replace(chapter, section=Section("Another title", chapter.section.blocks))
    other = dataclasses.replace(article.chapters[0], chapter=retitled)
    assert texts_key(dataclasses.replace(article, chapters=(other, *article.chapters[1:])),
                     settings, "cover.jpg") != key
    # Where the files are is not what they say: a chapter's path is left out.
    relocated = dataclasses.replace(article.chapters[0], path=tmp_path / "elsewhere.mp3")
    assert texts_key(dataclasses.replace(article, chapters=(relocated, *article.chapters[1:])),
                     settings, "cover.jpg") == key


def test_cache_prune_and_clear_count_the_kept_texts(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    cache.keep_texts("ab" * 32, {"a/episode.vtt": "WEBVTT\n"})
    assert cache.texts("ab" * 32, "a", ["a/episode.vtt"]) == {"a/episode.vtt": "WEBVTT\n"}
    assert cache.texts("ab" * 32, "a", ["a/index.html"]) is None  # one it needs is not there
    assert cache.texts("ab" * 32, "b", []) is None  # another article's
    info = cache.info()
    assert (info.texts, info.contents()) == (
        1, "0 clips, 0 levelled chapters, 0 covers, 0 remembered values, 1 article's text files")
    assert cache.prune(older_than_days=1).texts == 0  # used just now
    assert cache.clear().texts == 1
    assert cache.texts("ab" * 32, "a", []) is None
    assert not (tmp_path / "texts").exists()
