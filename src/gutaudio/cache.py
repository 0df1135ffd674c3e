"""A content-addressed cache of synthesized clips, so no utterance is ever synthesized twice."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engines.base import SAMPLE_WIDTH, Clip
from .errors import OutputError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Bump when what a clip holds changes (trimming, sample format): old clips stop matching."""
MIN_RATE, MAX_RATE = 8000, 192000


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
    """What `gutaudio cache info` reports."""

    path: Path
    clips: int
    bytes: int


class ClipCache:
    """Clips stored as WAV files under root/clips/ab/<key>.wav, written atomically."""

    def __init__(self, root: Path) -> None:
        """Use root as the cache folder (created on first write)."""
        self.root = root
        self.clips = root / "clips"
        self.chapters = root / "chapters"

    def chapter_path(self, fingerprint: str) -> Path:
        """Where a chapter's levelled audio (FLAC) is kept, for making episodes without redoing it."""
        return self.chapters / f"{fingerprint}.flac"

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
        try:
            return (self.root / "artwork" / f"{key}.jpg").read_bytes()
        except OSError:
            return None

    def keep_artwork(self, key: str, data: bytes) -> None:
        """Keep generated artwork for later builds (best effort: it can always be drawn again)."""
        path = self.root / "artwork" / f"{key}.jpg"
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.with_suffix(".tmp").write_bytes(data)
            os.replace(path.with_suffix(".tmp"), path)

    def path(self, key: str) -> Path:
        """Where the clip with this key lives."""
        return self.clips / key[:2] / f"{key}.wav"

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
        return clip

    def put(self, key: str, clip: Clip) -> None:
        """Store a clip after checking it; a clip that is empty or malformed is never stored."""
        if not valid_clip(clip):
            raise ValueError("refusing to cache an empty or malformed clip")
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
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
        """Count the stored clips and their size."""
        count = size = 0
        for path in self.clips.glob("*/*.wav"):
            count += 1
            size += path.stat().st_size
        size += sum(path.stat().st_size for path in self.chapters.glob("*.flac"))
        size += sum(path.stat().st_size for path in (self.root / "artwork").glob("*"))
        return CacheInfo(self.root, count, size)

    def prune(self, older_than_days: float) -> int:
        """Remove clips not used for older_than_days; return how many were removed."""
        cutoff = time.time() - older_than_days * 86400
        removed = 0
        for path in [*self.clips.glob("*/*"), *self.chapters.glob("*")]:
            if path.stat().st_mtime < cutoff or path.name.startswith(".tmp-"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def clear(self) -> int:
        """Remove every clip; return how many there were."""
        count = self.info().clips
        shutil.rmtree(self.clips, ignore_errors=True)
        shutil.rmtree(self.chapters, ignore_errors=True)
        shutil.rmtree(self.root / "artwork", ignore_errors=True)
        return count

    def file_digest(self, path: Path) -> str:
        """SHA-256 of a file such as a voice model, remembered by path, size and mtime."""
        memo_path = self.root / "digests.json"
        try:
            memo = json.loads(memo_path.read_text("utf-8"))
        except (OSError, ValueError):
            memo = {}
        stat = path.stat()
        label = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        if label not in memo:
            memo[label] = file_digest(path)
            with contextlib.suppress(OSError):
                self.root.mkdir(parents=True, exist_ok=True)
                memo_path.write_text(json.dumps(memo, indent=1), encoding="utf-8")
        return str(memo[label])

    def remembered(self, name: str, settings: str) -> float | None:
        """A number measured by an earlier build under these settings (such as the codec shift)."""
        try:
            value = json.loads((self.root / "measured.json").read_text("utf-8"))[name][settings]
        except (OSError, ValueError, KeyError, TypeError):
            return None
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
        with contextlib.suppress(OSError):
            os.utime(self.path(key))


def valid_clip(clip: Clip) -> bool:
    """A clip worth keeping: whole 16-bit samples, a sane rate, and at least one sample."""
    return (clip.frames > 0 and len(clip.pcm) % SAMPLE_WIDTH == 0
            and MIN_RATE <= clip.sample_rate <= MAX_RATE)
