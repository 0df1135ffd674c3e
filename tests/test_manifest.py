"""build.json read into records: whole, or absent (never half a record, never a traceback)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gutaudio.audio import Loudness
from gutaudio.captions import TimedWord
from gutaudio.check import Level, check_build
from gutaudio.errors import OutputError
from gutaudio.manifest import (
    MANIFEST_VERSION,
    ArticleRecord,
    ChapterRecord,
    EpisodeRecord,
    Manifest,
    UtteranceRecord,
    manifest_json,
    read_manifest,
    read_timings,
    remembered_seasons,
    why_absent,
)
from gutaudio.transcripts import ChapterMark

CHAPTER = ChapterRecord(
    filename="01-introduction.mp3", index=1, title="Introduction", disclaimer=False,
    file="gut/chapters/01-introduction.mp3", duration=3.25, bytes=40123, gain=-4.5, levelling="lv",
    mp3_frames=125, audio_fingerprint="af", tags_fingerprint="tf",
    loudness=Loudness(-16.02, -1.9, ((-170, 12), (-160, 30))), timings=((0.3, 1.5), (1.9, 3.0)),
    utterances=(UtteranceRecord(0.3, 1.5, "Take 5 mg.", "Take five milligrams.",
                                (TimedWord("Take", 0.31, 0.6), TimedWord("5 mg.", 0.62, 1.5))),
                UtteranceRecord(1.9, 3.0, "Rest.", "Rest.")),
)
DISCLAIMER = ChapterRecord(
    filename="02-disclaimer.mp3", index=2, title="Disclaimer", disclaimer=True,
    file="gut/chapters/02-disclaimer.mp3", duration=2.0, bytes=24000, gain=-3.0, levelling="lv",
    mp3_frames=77, audio_fingerprint="af2", tags_fingerprint="tf2", loudness=None,
    timings=((0.3, 1.7),), utterances=(UtteranceRecord(0.3, 1.7, "Ask a doctor.", "Ask a doctor."),),
)
MANIFEST = Manifest(
    generator="gutaudio 1.0", engine="piper", voice="joe", loudness_lufs=-16.0, true_peak_dbtp=-1.0,
    last_season=2, seasons={"gut": 2},
    articles=(ArticleRecord(
        folder="gut", title="Gut", source="gut.md", author="Dr. A", disclaimer_required=True, season=2,
        episode=EpisodeRecord("gut/episode.mp3", 5.25, 64000, "ea", "et", None,
                              (ChapterMark(0.0, 3.265, "Introduction"),
                               ChapterMark(3.265, 5.25, "Disclaimer"))),
        chapters=(CHAPTER, DISCLAIMER)),),
)


def _write(folder: Path, data: object) -> Path:
    (folder / "build.json").write_text(json.dumps(data) if not isinstance(data, str) else data, "utf-8")
    return folder


def test_a_manifest_reads_back_as_the_records_it_was_written_from(tmp_path: Path) -> None:
    _write(tmp_path, manifest_json(MANIFEST))
    assert read_manifest(tmp_path) == MANIFEST


def test_the_file_holds_the_fields_other_tools_read_by_their_names(tmp_path: Path) -> None:
    data = json.loads(manifest_json(MANIFEST))
    assert data["version"] == 6 and data["engine"] == "piper" and data["seasons"] == {"gut": 2}
    (article,) = data["articles"]
    assert list(article) == ["folder", "title", "source", "author", "disclaimer_required", "episode",
                             "chapters", "season"]
    chapter = article["chapters"]["01-introduction.mp3"]
    assert chapter["utterances"][0] == {"start": 0.3, "end": 1.5, "text": "Take 5 mg.",
                                        "spoken": "Take five milligrams.", "words": [
                                            {"text": "Take", "start": 0.31, "end": 0.6},
                                            {"text": "5 mg.", "start": 0.62, "end": 1.5}]}
    assert "words" not in chapter["utterances"][1]  # sentence timing only
    assert chapter["loudness_blocks"] == [[-170, 12], [-160, 30]] and chapter["gain"] == -4.5
    assert "loudness" not in article["chapters"]["02-disclaimer.mp3"]
    assert article["episode"]["chapters"][1] == {"start": 3.265, "end": 5.25, "title": "Disclaimer"}


def test_chapters_are_in_reading_order_whatever_order_the_file_lists_them(tmp_path: Path) -> None:
    data = json.loads(manifest_json(MANIFEST))
    chapters = data["articles"][0]["chapters"]
    data["articles"][0]["chapters"] = dict(reversed(list(chapters.items())))
    manifest = read_manifest(_write(tmp_path, data))
    assert manifest is not None
    assert [c.index for c in manifest.articles[0].chapters] == [1, 2]
    assert manifest.article("gut").chapter("02-disclaimer.mp3") == DISCLAIMER
    assert manifest.article("other") is None
    assert manifest.files() == {"gut/chapters/01-introduction.mp3", "gut/chapters/02-disclaimer.mp3",
                                "gut/episode.mp3"}


def _broken(change: str) -> object:
    data = json.loads(manifest_json(MANIFEST))
    chapter = data["articles"][0]["chapters"]["01-introduction.mp3"]
    if change == "no duration":
        del chapter["duration"]
    elif change == "text for bytes":
        chapter["bytes"] = "40123"
    elif change == "true for a number":
        chapter["gain"] = True
    elif change == "timings not pairs":
        chapter["timings"] = [[0.3]]
    elif change == "articles a table":
        data["articles"] = {}
    elif change == "a timing lost":
        chapter["timings"].pop()
    elif change == "blocks without loudness":
        chapter["loudness_blocks"] = "none"
    return data


@pytest.mark.parametrize("change", ["no duration", "text for bytes", "true for a number",
                                    "timings not pairs", "articles a table", "blocks without loudness",
                                    "a timing lost"])
def test_a_manifest_with_a_bad_field_is_absent_and_says_why(tmp_path: Path, change: str) -> None:
    _write(tmp_path, _broken(change))
    assert read_manifest(tmp_path) is None
    assert why_absent(tmp_path).startswith("build.json is not a gutaudio build manifest (")


@pytest.mark.parametrize("text, reason", [
    ("{not json", "build.json cannot be read ("),
    ("[1, 2]", "build.json is not a gutaudio build manifest (not a version 6 build manifest)"),
    (json.dumps({"version": 5, "articles": []}),
     "build.json was made by an older gutaudio (version 5, this one reads 6); build again"),
    (json.dumps({"version": 9, "articles": []}),
     "build.json was made by a newer gutaudio (version 9, this one reads 6); build again"),
])
def test_an_unreadable_or_other_version_manifest_is_absent(tmp_path: Path, text: str, reason: str) -> None:
    _write(tmp_path, text)
    assert read_manifest(tmp_path) is None
    assert why_absent(tmp_path).startswith(reason)
    with pytest.raises(OutputError, match="^" + str(tmp_path / "build.json")):
        read_timings(tmp_path)


def test_no_manifest_at_all(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None
    assert why_absent(tmp_path) == "no build.json: not a finished gutaudio build"
    with pytest.raises(OutputError, match="no finished build here; run gutaudio build first"):
        read_timings(tmp_path)


def test_timings_name_their_article_chapter_and_the_authors_words(tmp_path: Path) -> None:
    _write(tmp_path, manifest_json(MANIFEST))
    rows = [(r.article, r.chapter, r.start, r.end, r.text) for r in read_timings(tmp_path)]
    assert rows == [("gut", 1, 0.3, 1.5, "Take 5 mg."), ("gut", 1, 1.9, 3.0, "Rest."),
                    ("gut", 2, 0.3, 1.7, "Ask a doctor.")]


def test_seasons_are_read_from_a_build_json_of_any_version(tmp_path: Path) -> None:
    assert MANIFEST_VERSION == 6
    # Version 3 had no seasons: its articles were numbered by their place in it.
    _write(tmp_path, {"version": 3, "articles": [{"folder": "b"}, {"folder": "a"}]})
    assert remembered_seasons(tmp_path) == ({"b": 1, "a": 2}, 2)
    # A season used twice is kept by the first; one out of range is ignored; last_season counts.
    _write(tmp_path, {"version": 5, "last_season": 9, "seasons": {"gone": 4, "c": -1},
                      "articles": [{"folder": "a", "season": 3}, {"folder": "b", "season": 3},
                                   {"folder": "c", "season": True}]})
    assert remembered_seasons(tmp_path) == ({"a": 3, "gone": 4}, 9)
    _write(tmp_path, "garbage")
    assert remembered_seasons(tmp_path) == ({}, 0)


def test_the_check_says_why_it_cannot_tell_the_disclaimers(built: tuple[Path, object],
                                                           tmp_path: Path) -> None:
    copy = shutil.copytree(built[0], tmp_path / "copy")
    (copy / "build.json").write_text(json.dumps({"version": 5, "articles": []}), encoding="utf-8")
    (finding,) = [f for f in check_build(copy).findings if f.rule == "disclaimer spoken"]
    assert (finding.file, finding.level, finding.detail) == (
        "build.json", Level.ERROR, "cannot tell which chapter is each article's disclaimer: build.json was "
        "made by an older gutaudio (version 5, this one reads 6); build again")
    (copy / "build.json").unlink()
    (finding,) = [f for f in check_build(copy).findings if f.rule == "disclaimer spoken"]
    assert finding.detail == ("cannot tell which chapter is each article's disclaimer: no build.json: "
                              "not a finished gutaudio build")
