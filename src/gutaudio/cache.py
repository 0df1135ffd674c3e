"""A content-addressed cache of synthesized clips, so no utterance is ever synthesized twice."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import time
import wave
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from .engines.base import SAMPLE_WIDTH, Clip
from .errors import OutputError

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
"""Bump when what a clip holds changes (trimming, sample format, word timing): old clips stop matching.

2: a clip keeps its words' times (from the voice's alignments) beside it, in <key>.words.json."""
MIN_RATE, MAX_RATE = 8000, 192000
UNFINISHED_AGE = 3600
"""Seconds after which a temporary file is a leftover of a build that stopped, not one being written."""
MEMOS = ("digests.json", "measured.json", "checked.json")
"""The files of remembered values: voice model digests, numbers measured by earlier builds, and
(check.CheckMemo, written there by the build's checks) what each MP3's bytes were found to be."""


def default_cache_dir() -> Path:
    """The user's cache folder for gutaudio (platformdirs), or $GUTAUDIO_CACHE_DIR."""
    override = os.environ.get("GUTAUDIO_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("gutaudio", appauthor=False))


def clip_key(identity: dict[str, Any], text: str) -> str:
    """Key of a clip: hash of the engine's identity (voice, settings), the text and the format."""
    payload = json.dumps({"format": FORMAT_VERSION, "engine": identity, "text": text},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What the cache holds, or what prune or clear removed from it: items of each kind and bytes."""

    path: Path
    clips: int = 0
    chapters: int = 0
    covers: int = 0
    values: int = 0
    unfinished: int = 0
    bytes: int = 0
    voices: int = 0
    texts: int = 0
    templates: int = 0
    plans: int = 0

    def contents(self) -> str:
        """The items by kind: '12 clips, 3 levelled chapters, 1 cover, 4 remembered values'."""
        parts = [_count(self.clips, "clip"), _count(self.chapters, "levelled chapter"),
                 _count(self.covers, "cover"), _count(self.values, "remembered value")]
        if self.texts:
            parts.append(_count(self.texts, "article's text files", "articles' text files"))
        if self.plans:
            parts.append(_count(self.plans, "article's plan", "articles' plans"))
        if self.voices:
            parts.append(_count(self.voices, "aligned voice"))
        if self.templates:
            parts.append(_count(self.templates, "compiled template"))
        if self.unfinished:
            parts.append(_count(self.unfinished, "unfinished file"))
        return ", ".join(parts)


class _Item(NamedTuple):
    """One file the cache keeps: its kind (a CacheInfo field), how many items it holds, its size."""

    kind: str
    path: Path
    count: int
    size: int
    mtime: float


class ClipCache:
    """Clips stored as WAV files under root/clips/ab/<key>.wav, written atomically, each with its
    words' times in <key>.words.json when the voice gave them."""

    def __init__(self, root: Path) -> None:
        """Use root as the cache folder (created on first write)."""
        self.root = root
        self.clips = root / "clips"
        self.chapters = root / "chapters"
        self.covers = root / "artwork"
        self.articles = root / "texts"
        """Each article's text files (captions, transcripts, page) as one JSON file per key (text_memo)."""
        self.templates = root / "templates"
        """Jinja's compiled templates (site._CompiledTemplates)."""
        self.plans = root / "plans"
        """Each article's plan, read and scripted, one file per key (plan_memo)."""
        self.voices = root / "voices"
        """Files engines derive from their voices (a model that reports alignments); only the
        default cache folder holds them (voice_file)."""

    def chapter_path(self, fingerprint: str) -> Path:
        """Where a chapter's levelled audio (FLAC) is kept, for making episodes without redoing it."""
        return self.chapters / f"{fingerprint}.flac"

    def levelled(self, fingerprint: str) -> Path | None:
        """A chapter's kept levelled audio, marked as used now; None when the cache lost it."""
        path = self.chapter_path(fingerprint)
        if not path.is_file():
            return None
        _mark_used(path)
        return path

    def keep_chapter(self, fingerprint: str, made: Path) -> Path:
        """Move a finished chapter FLAC into the cache, atomically; return where it now is."""
        path = self.chapter_path(fingerprint)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(made, path.with_suffix(".tmp"))
            os.replace(path.with_suffix(".tmp"), path)
        except OSError as e:
            raise OutputError(f"{path}: cannot write to the cache: {e.strerror or e}") from e
        return path

    def artwork(self, key: str) -> bytes | None:
        """Generated artwork kept under key, if there is any."""
        return _used_bytes(self.covers / f"{key}.jpg")

    def keep_artwork(self, key: str, data: bytes) -> None:
        """Keep generated artwork for later builds (best effort: it can always be drawn again)."""
        path = self.covers / f"{key}.jpg"
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.with_suffix(".tmp").write_bytes(data)
            os.replace(path.with_suffix(".tmp"), path)

    def texts(self, key: str, folder: str, required: Collection[str]) -> dict[str, str] | None:
        """An article's text files kept under key, by path; None unless the file holds that key, every
        file named is inside folder (and a text) and the required ones are there: one damaged or
        not of this cache's making is made again."""
        path = self.articles / key[:2] / f"{key}.json"
        data = _read_json(path)
        if not (isinstance(data, dict) and data.get("key") == key and isinstance(data.get("files"), dict)):
            return None
        files = data["files"]
        if not (set(required) <= set(files) and all(
                isinstance(text, str) and _inside(name, folder) for name, text in files.items())):
            return None
        _mark_used(path)
        return files

    def keep_texts(self, key: str, files: dict[str, str]) -> None:
        """Keep an article's text files for later builds (best effort: they can always be made again)."""
        path = self.articles / key[:2] / f"{key}.json"
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_json_atomically(path, {"key": key, "files": files})

    def plan_path(self, key: str) -> Path:
        """Where an article's plan kept under key lives (plan_memo writes and reads it)."""
        return self.plans / key[:2] / f"{key}.pickle"

    @property
    def plan_secret(self) -> Path:
        """The random key kept plans are signed with (plan_memo), readable by its owner only."""
        return self.plans / ".secret"

    def plan_data(self, key: str) -> bytes | None:
        """The bytes of the plan kept under key, marked as used now; None when there is none."""
        return _used_bytes(self.plan_path(key))

    def keep_plan(self, key: str, data: bytes) -> None:
        """Keep an article's plan for later builds (best effort: it can always be made again)."""
        path = self.plan_path(key)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(temporary, path)

    def path(self, key: str) -> Path:
        """Where the clip with this key lives."""
        return self.clips / key[:2] / f"{key}.wav"

    def words_path(self, key: str) -> Path:
        """Where the word times of the clip with this key live (when the voice gave them)."""
        return self.path(key).with_suffix(".words.json")

    def has(self, key: str) -> bool:
        """True when a clip is stored under key."""
        return self.path(key).is_file()

    def get(self, key: str) -> Clip | None:
        """Read a clip; a damaged file is removed and reported as missing."""
        path = self.path(key)
        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getnchannels() != 1 or wav.getsampwidth() != SAMPLE_WIDTH:
                    raise wave.Error("not 16-bit mono")
                clip = Clip(wav.readframes(wav.getnframes()), wav.getframerate())
        except FileNotFoundError:
            return None
        except (wave.Error, EOFError, OSError) as e:
            log.warning("%s: damaged cached clip removed (%s)", path, e)
            path.unlink(missing_ok=True)
            return None
        if not valid_clip(clip):
            path.unlink(missing_ok=True)
            return None
        return Clip(clip.pcm, clip.sample_rate, self._words(key, clip.frames))

    def _words(self, key: str, frames: int) -> tuple[tuple[int, int], ...] | None:
        """A clip's kept word times, if it has well-formed ones inside its length."""
        return kept_words(_read_json(self.words_path(key)), frames)

    def put(self, key: str, clip: Clip) -> None:
        """Store a clip after checking it; a clip that is empty or malformed is never stored."""
        if not valid_clip(clip):
            raise ValueError("refusing to cache an empty or malformed clip")
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if clip.words is not None:  # before the clip: a clip in the cache has all it had
                _write_json_atomically(self.words_path(key), [list(span) for span in clip.words])
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
            with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(SAMPLE_WIDTH)
                wav.setframerate(clip.sample_rate)
                wav.writeframes(clip.pcm)
            os.replace(temporary, path)
        except OSError as e:
            raise OutputError(f"{path}: cannot write to the clip cache: {e.strerror or e}") from e

    def info(self) -> CacheInfo:
        """Count what the cache holds, by kind, and its size."""
        return _tally(self.root, self._items())

    def prune(self, older_than_days: float) -> CacheInfo:
        """Remove every item no build has used for older_than_days (0: every item),
        and unfinished files over an hour old; return what was removed."""
        now = time.time()
        cutoff = now - older_than_days * 86400
        stale = [item for item in self._items()
                 if item.mtime <= (now - UNFINISHED_AGE if item.kind == "unfinished" else cutoff)]
        return _tally(self.root, self._remove(stale))

    def clear(self) -> CacheInfo:
        """Remove everything the cache keeps (other files in its folder stay); return what it was."""
        removed = _tally(self.root, self._remove(self._items()))
        with contextlib.suppress(OSError):  # with no plan left, nothing is signed with it
            self.plan_secret.unlink(missing_ok=True)
        shards = [path for folder in (self.clips, self.articles, self.plans) for path in folder.glob("*")
                  if path.is_dir()]
        for folder in [*shards, self.clips, self.articles, self.plans, self.chapters, self.covers,
                       self.templates]:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
        return removed

    def _items(self) -> list[_Item]:
        """Every file the cache keeps, with its kind; files it did not make are none of its business."""
        found = [*((path, "unfinished" if path.name.startswith(".tmp-") else "clips")
                   for path in self.clips.glob("*/*.wav")),
                 *((path, "chapters") for path in self.chapters.glob("*.flac")),
                 *((path, "voices") for path in self.voices.glob("*.onnx")),
                 *((path, "covers") for path in self.covers.glob("*.jpg")),
                 *((path, "unfinished" if path.name.startswith(".tmp-") else "texts")
                   for path in self.articles.glob("*/*.json")),
                 *((path, "templates") for path in self.templates.glob("*.cache")),
                 *((path, "unfinished" if path.name.startswith(".tmp-") else "plans")
                   for path in self.plans.glob("*/*.pickle")),
                 *((path, "unfinished") for folder in (self.chapters, self.covers, self.voices,
                                                       self.templates)
                   for path in folder.glob("*.tmp")),
                 *((path, "unfinished") for path in self.clips.glob("*/.tmp-*.json")),
                 *((path, "unfinished") for path in self.root.glob(".tmp-*.json")),
                 *((self.root / name, "values") for name in MEMOS)]
        items = []
        for path, kind in found:
            try:
                status = path.stat()
            except OSError:  # not there, or gone since the listing
                continue
            if stat.S_ISREG(status.st_mode):
                count = _leaves(_read_json(path)) if kind == "values" else 1
                size = status.st_size + (_size(_words_beside(path)) if kind == "clips" else 0)
                items.append(_Item(kind, path, count, size, status.st_mtime))
        return items

    def _remove(self, items: Iterable[_Item]) -> Iterator[_Item]:
        """Delete the items' files, yielding each one removed (one already gone is skipped)."""
        for item in items:
            try:
                item.path.unlink()
                if item.kind == "clips":
                    _words_beside(item.path).unlink(missing_ok=True)
            except FileNotFoundError:
                continue
            except OSError as e:
                raise OutputError(f"{item.path}: cannot remove it from the cache: "
                                  f"{e.strerror or e}") from e
            yield item

    def file_digest(self, path: Path) -> str:
        """SHA-256 of a file such as a voice model, remembered by path, size and mtime."""
        memo_path = self.root / "digests.json"
        memo = _read_json(memo_path)
        if not isinstance(memo, dict):
            memo = {}
        status = path.stat()
        label = f"{path.resolve()}|{status.st_size}|{status.st_mtime_ns}"
        if label in memo:
            _mark_used(memo_path)
        else:
            memo[label] = file_digest(path)
            with contextlib.suppress(OSError):
                self.root.mkdir(parents=True, exist_ok=True)
                memo_path.write_text(json.dumps(memo, indent=1), encoding="utf-8")
        return str(memo[label])

    def remembered(self, name: str, settings: str) -> float | None:
        """A number measured by an earlier build under these settings (such as the codec shift)."""
        path = self.root / "measured.json"
        try:
            value = json.loads(path.read_text("utf-8"))[name][settings]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        _mark_used(path)
        return float(value) if isinstance(value, int | float) else None

    def remember(self, name: str, settings: str, value: float) -> None:
        """Keep a measured number for later builds under the same settings."""
        path = self.root / "measured.json"
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        data.setdefault(name, {})[settings] = round(value, 3)
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=1), encoding="utf-8")

    def touch(self, key: str) -> None:
        """Mark a clip as used now, so prune keeps it."""
        _mark_used(self.path(key))
        _mark_used(self.words_path(key))

    @staticmethod
    def voice_file(name: str) -> Path:
        """Where an engine keeps a file it derives from its voice (named by the voice's digest).

        Kept once per user, in the default cache folder ($GUTAUDIO_CACHE_DIR, else the user's),
        whatever cache folder a build's clips go to: it depends on the installed voice alone, is
        large (a Piper model is 60 MB), and takes a second to make.
        """
        return default_cache_dir() / "voices" / name


def kept_words(data: Any, frames: int) -> tuple[tuple[int, int], ...] | None:
    """Word times as a clip read from the cache has them: pairs of sample numbers in order
    inside the clip's frames, else None (so a clip made elsewhere can be used as if cached)."""
    try:
        words = tuple((int(start), int(end)) for start, end in data)
    except (TypeError, ValueError):
        return None
    ordered = all(0 <= s <= e <= frames for s, e in words)
    return words if words and ordered else None


def valid_clip(clip: Clip) -> bool:
    """A clip worth keeping: whole 16-bit samples, a sane rate, and at least one sample."""
    return (clip.frames > 0 and len(clip.pcm) % SAMPLE_WIDTH == 0
            and MIN_RATE <= clip.sample_rate <= MAX_RATE)


def _words_beside(clip_path: Path) -> Path:
    """The word-times file kept beside a cached clip."""
    return clip_path.with_suffix(".words.json")


def _inside(name: str, folder: str) -> bool:
    """Whether a relative path names a file inside folder (no .., not absolute)."""
    parts = PurePosixPath(name).parts
    return len(parts) > 1 and parts[0] == folder and ".." not in parts and not name.startswith("/")


def _size(path: Path) -> int:
    """A file's size, 0 when there is none."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON to path through a temporary file beside it, so a reader sees all of it or none."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(temporary, path)


def _used_bytes(path: Path) -> bytes | None:
    """A cached file's bytes, marked as used now; None when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    _mark_used(path)
    return data


def _mark_used(path: Path) -> None:
    """Set a kept file's time to now: prune removes what no build has used for a while."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _read_json(path: Path) -> Any:
    """A JSON file's data; None when it is missing or damaged."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _leaves(data: Any, top: bool = True) -> int:
    """How many values a remembered-values file holds (nested tables counted by their values,
    a file's own format "version" not counted)."""
    if isinstance(data, dict):
        return sum(_leaves(value, False) for key, value in data.items()
                   if not (top and key == "version"))
    return 0 if data is None else 1


def _tally(root: Path, items: Iterable[_Item]) -> CacheInfo:
    """Add up items by kind, and their bytes."""
    counts: Counter[str] = Counter()
    size = 0
    for item in items:
        counts[item.kind] += item.count
        size += item.size
    return CacheInfo(root, bytes=size, **counts)


def _count(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
