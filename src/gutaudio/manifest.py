"""build.json, the record of a finished build: what each chapter and episode file holds and what it
was made from, so the next build can keep what has not changed and the check can read what
was meant.

The file is read into frozen records. One that is missing, from another version of the format
or not well formed reads as absent (None): a build then makes everything again, and nothing
reads half a record. Two things are read from a build.json of any version: the seasons, since
an article must keep its season across upgrades (remembered_seasons), and whether a folder is a
gutaudio build at all (is_build_manifest), so that an upgrade may build into it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .audio import Loudness
from .captions import TimedWord
from .errors import OutputError
from .layout import MANIFEST_NAME
from .transcripts import ChapterMark

MANIFEST_VERSION = 6
"""The version of build.json this gutaudio writes and reads (6: each utterance's words' times)."""
SEASONS_MANIFEST_VERSION = 5
"""The first build.json version that records each article's season (older builds numbered them in order)."""


@dataclass(frozen=True)
class UtteranceRecord:
    """One utterance of a chapter: when it is heard in the chapter's file, and what is said."""

    start: float
    end: float
    text: str
    """The author's words, as listeners read them."""
    spoken: str
    """What the voice was given to say."""
    words: tuple[TimedWord, ...] | None = None
    """The author's words and when the voice says them, when the voice timed its words."""


@dataclass(frozen=True)
class ChapterRecord:
    """A chapter file of a build and what it was made from."""

    filename: str
    index: int
    title: str
    disclaimer: bool
    file: str
    """Its path inside the output folder."""
    duration: float
    bytes: int
    gain: float
    levelling: str
    """What the gain depends on (the voice and audio settings): a new build can start from it."""
    mp3_frames: int
    audio_fingerprint: str
    tags_fingerprint: str
    loudness: Loudness | None
    timings: tuple[tuple[float, float], ...]
    utterances: tuple[UtteranceRecord, ...]


@dataclass(frozen=True)
class EpisodeRecord:
    """An article's whole episode file: every chapter joined, with its chapter marks."""

    file: str
    duration: float
    bytes: int
    audio_fingerprint: str
    tags_fingerprint: str
    loudness: Loudness | None
    marks: tuple[ChapterMark, ...]


@dataclass(frozen=True)
class EpubRecord:
    """An article's EPUB talking book and the fingerprint of everything in it."""

    file: str
    bytes: int
    fingerprint: str


@dataclass(frozen=True)
class ArticleRecord:
    """One article of a build: its folder, its chapters in reading order and its episode."""

    folder: str
    title: str
    source: str
    author: str
    disclaimer_required: bool
    season: int
    episode: EpisodeRecord
    chapters: tuple[ChapterRecord, ...]
    epub: EpubRecord | None = None
    """The article's EPUB, when the build made one (absent in a build.json from before EPUBs)."""

    def chapter(self, filename: str) -> ChapterRecord | None:
        """The record of the chapter with this file name, if the article has one."""
        return next((c for c in self.chapters if c.filename == filename), None)


@dataclass(frozen=True)
class Manifest:
    """A whole build.json."""

    generator: str
    engine: str
    voice: str
    loudness_lufs: float
    true_peak_dbtp: float
    last_season: int
    seasons: Mapping[str, int]
    """Every folder ever given a season, with its number (in order of number)."""
    articles: tuple[ArticleRecord, ...]
    version: int = MANIFEST_VERSION

    def article(self, folder: str) -> ArticleRecord | None:
        """The record of the article built into this folder, if the build has one."""
        return next((a for a in self.articles if a.folder == folder), None)

    def files(self) -> frozenset[str]:
        """Every chapter and episode file the build lists, by path inside the output folder."""
        return frozenset({c.file for a in self.articles for c in a.chapters}
                         | {a.episode.file for a in self.articles})


def read_manifest(output: Path) -> Manifest | None:
    """The build.json in output as records; None when there is none, or it is of another version
    or not well formed."""
    try:
        return parse_manifest(json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def why_absent(output: Path) -> str:
    """Why read_manifest(output) gives no manifest, in words for a finding or an error."""
    path = output / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "no build.json: not a finished gutaudio build"
    except (OSError, ValueError) as e:
        return f"build.json cannot be read ({e})"
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, int) and version != MANIFEST_VERSION:
        return (f"build.json was made by {'an older' if version < MANIFEST_VERSION else 'a newer'} "
                f"gutaudio (version {version}, this one reads {MANIFEST_VERSION}); build again")
    try:
        parse_manifest(data)
    except ValueError as e:
        return f"build.json is not a gutaudio build manifest ({e})"
    return "build.json reads as a manifest"


def require_manifest(output: Path) -> Manifest:
    """The build.json in output, or an OutputError that says why there is none to read."""
    manifest = read_manifest(output)
    if manifest is not None:
        return manifest
    path = output / MANIFEST_NAME
    if not path.exists():
        raise OutputError(f"{path}: no finished build here; run gutaudio build first")
    raise OutputError(f"{path}: {why_absent(output).removeprefix('build.json ')}")


def is_build_manifest(folder: Path) -> bool:
    """Whether folder holds a gutaudio build of any version: a build.json that lists articles."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("articles"), list)


def parse_manifest(data: Any) -> Manifest:
    """Records from build.json's parsed JSON; ValueError when it is not this version's manifest."""
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        raise ValueError(f"not a version {MANIFEST_VERSION} build manifest")
    try:
        return Manifest(
            generator=_text(data["generator"]),
            engine=_text(data["engine"]),
            voice=_text(data["voice"]),
            loudness_lufs=_number(data["loudness_lufs"]),
            true_peak_dbtp=_number(data["true_peak_dbtp"]),
            last_season=_whole(data["last_season"]),
            seasons={_text(k): _whole(v) for k, v in _table(data["seasons"]).items()},
            articles=tuple(_article(a) for a in _list(data["articles"])),
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"a field is missing or of the wrong kind ({e})") from e


def manifest_json(manifest: Manifest) -> str:
    """build.json's text for a manifest."""
    data = {
        "version": manifest.version,
        "generator": manifest.generator,
        "engine": manifest.engine,
        "voice": manifest.voice,
        "loudness_lufs": manifest.loudness_lufs,
        "true_peak_dbtp": manifest.true_peak_dbtp,
        "last_season": manifest.last_season,
        "seasons": dict(manifest.seasons),
        "articles": [_article_json(a) for a in manifest.articles],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def remembered_seasons(output: Path) -> tuple[dict[str, int], int]:
    """The seasons of the published build.json's articles and the highest it ever used.

    Read from a build.json of any version: one from before seasons were recorded numbered its
    articles by their place in it, as its feed did. Articles that were not in that build (left
    out by `article =`, or moved away for a while) keep their numbers too, so that they come
    back to the same season.
    """
    try:
        data = json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))
        older = int(data.get("version", 0)) < SEASONS_MANIFEST_VERSION
        records = [(a["folder"], a.get("season", place if older else None))
                   for place, a in enumerate(data.get("articles", []), 1)]
        records += list(dict(data.get("seasons", {})).items())
        last = data.get("last_season", 0)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, 0
    seasons: dict[str, int] = {}
    for folder, season in records:
        if _is_season(season) and season not in seasons.values():
            seasons.setdefault(folder, season)
    return seasons, max([*seasons.values(), last if _is_season(last) else 0])


def _is_season(value: Any) -> bool:
    """Whether a value read from build.json is a season number."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _article(data: Any) -> ArticleRecord:
    data = _table(data)
    chapters = [_chapter(name, record) for name, record in _table(data["chapters"]).items()]
    return ArticleRecord(
        folder=_text(data["folder"]),
        title=_text(data["title"]),
        source=_text(data["source"]),
        author=_text(data["author"]),
        disclaimer_required=_flag(data["disclaimer_required"]),
        season=_whole(data["season"]),
        episode=_episode(data["episode"]),
        chapters=tuple(sorted(chapters, key=lambda c: c.index)),
        epub=_epub(data["epub"]) if data.get("epub") is not None else None,
    )


def _epub(data: Any) -> EpubRecord:
    data = _table(data)
    return EpubRecord(_text(data["file"]), _whole(data["bytes"]), _text(data["fingerprint"]))


def _chapter(filename: str, data: Any) -> ChapterRecord:
    data = _table(data)
    if len(_list(data["timings"])) != len(_list(data["utterances"])):
        raise ValueError(f"{filename}: its timings are not one per utterance")
    return ChapterRecord(
        filename=_text(filename),
        index=_whole(data["index"]),
        title=_text(data["title"]),
        disclaimer=_flag(data["disclaimer"]),
        file=_text(data["file"]),
        duration=_number(data["duration"]),
        bytes=_whole(data["bytes"]),
        gain=_number(data["gain"]),
        levelling=_text(data["levelling"]),
        mp3_frames=_whole(data["mp3_frames"]),
        audio_fingerprint=_text(data["audio_fingerprint"]),
        tags_fingerprint=_text(data["tags_fingerprint"]),
        loudness=_loudness(data),
        timings=tuple((_number(s), _number(e)) for s, e in _list(data["timings"])),
        utterances=tuple(_utterance(u) for u in _list(data["utterances"])),
    )


def _utterance(data: Any) -> UtteranceRecord:
    data = _table(data)
    words = None if data.get("words") is None else tuple(
        TimedWord(_text(w["text"]), _number(w["start"]), _number(w["end"])) for w in _list(data["words"]))
    return UtteranceRecord(_number(data["start"]), _number(data["end"]), _text(data["text"]),
                           _text(data["spoken"]), words)


def _episode(data: Any) -> EpisodeRecord:
    data = _table(data)
    return EpisodeRecord(
        file=_text(data["file"]),
        duration=_number(data["duration"]),
        bytes=_whole(data["bytes"]),
        audio_fingerprint=_text(data["audio_fingerprint"]),
        tags_fingerprint=_text(data["tags_fingerprint"]),
        loudness=_loudness(data),
        marks=tuple(ChapterMark(_number(m["start"]), _number(m["end"]), _text(m["title"]))
                    for m in _list(data["chapters"])),
    )


def _loudness(data: dict[str, Any]) -> Loudness | None:
    """A record's loudness, which a file measured by nothing (an old chapter) does not have."""
    if "loudness" not in data:
        return None
    blocks = tuple((_whole(level), _whole(count)) for level, count in _list(data["loudness_blocks"]))
    return Loudness(_number(data["loudness"]), _number(data["true_peak"]), blocks)


def _article_json(article: ArticleRecord) -> dict[str, Any]:
    episode = article.episode
    return {
        "folder": article.folder,
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "disclaimer_required": article.disclaimer_required,
        "episode": {
            "file": episode.file,
            "duration": round(episode.duration, 3),
            "bytes": episode.bytes,
            "audio_fingerprint": episode.audio_fingerprint,
            "tags_fingerprint": episode.tags_fingerprint,
            **_loudness_json(episode.loudness),
            "chapters": [{"start": round(m.start, 3), "end": round(m.end, 3), "title": m.title}
                         for m in episode.marks],
        },
        "chapters": {c.filename: _chapter_json(c) for c in article.chapters},
        "season": article.season,
        **({"epub": {"file": article.epub.file, "bytes": article.epub.bytes,
                     "fingerprint": article.epub.fingerprint}} if article.epub else {}),
    }


def _chapter_json(chapter: ChapterRecord) -> dict[str, Any]:
    return {
        "index": chapter.index,
        "title": chapter.title,
        "disclaimer": chapter.disclaimer,
        "file": chapter.file,
        "duration": round(chapter.duration, 3),
        "bytes": chapter.bytes,
        "gain": round(chapter.gain, 4),
        "levelling": chapter.levelling,
        "mp3_frames": chapter.mp3_frames,
        "audio_fingerprint": chapter.audio_fingerprint,
        "tags_fingerprint": chapter.tags_fingerprint,
        **_loudness_json(chapter.loudness),
        "timings": [[round(s, 3), round(e, 3)] for s, e in chapter.timings],
        "utterances": [_utterance_json(u) for u in chapter.utterances],
    }


def _utterance_json(utterance: UtteranceRecord) -> dict[str, Any]:
    data: dict[str, Any] = {"start": round(utterance.start, 3), "end": round(utterance.end, 3),
                            "text": utterance.text, "spoken": utterance.spoken}
    if utterance.words is not None:
        data["words"] = [{"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3)}
                         for w in utterance.words]
    return data


def _loudness_json(loudness: Loudness | None) -> dict[str, Any]:
    if loudness is None:
        return {}
    return {"loudness": loudness.integrated, "true_peak": loudness.true_peak,
            "loudness_blocks": [list(block) for block in loudness.blocks]}


def _table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{value!r} is not a table")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{value!r} is not a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return value


@dataclass(frozen=True)
class TimingRow:
    """One utterance of a finished build and when it is heard within its chapter file."""

    chapter: int
    start: float
    end: float
    text: str
    article: str = ""


def read_timings(output: Path) -> list[TimingRow]:
    """The utterance timings of a finished build, from its build.json (OutputError when none)."""
    return [TimingRow(chapter.index, u.start, u.end, u.text, article.folder)
            for article in require_manifest(output).articles
            for chapter in article.chapters for u in chapter.utterances]
