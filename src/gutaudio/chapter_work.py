"""Making one chapter's audio away from the build's files: the job a build hands out, what comes
back, and the worker that keeps its voice loaded from one job to the next (a cluster's actor).

A job carries everything the chapter's audio depends on (its spoken texts, the clips the build's
cache already holds, the audio settings and the levelling numbers), so a worker on another
machine needs no shared folder; the result carries the MP3 (and levelled FLAC) bytes, the clips
it synthesized, for the build's cache, and what the leveller measured. The audio is made by the
same functions, in the same order, as a local build's (ChapterWriter, Leveller), so it is the
same to the byte given the same clips and numbers.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .audio import ChapterAudio, ChapterWriter, Leveller, Loudness
from .cache import ClipCache, default_cache_dir, kept_words, valid_clip
from .config import AudioSettings, VoiceSettings
from .engines.base import Clip
from .errors import ContentError, SynthesisError


@dataclass(frozen=True)
class ChapterJob:
    """Everything needed to make one chapter's audio: what to say, and how to level and encode it."""

    file: str
    """The chapter's MP3, by its path inside the output folder (names it in messages)."""
    utterances: tuple[tuple[str, str, int], ...]
    """Each utterance in order: its clip's key, its spoken text and the pause after it (ms)."""
    clips: Mapping[str, Clip]
    """The clips the build's cache already holds, by key; the others are synthesized."""
    audio: AudioSettings
    codec_shift: float | None
    limiter_share: float | None
    start_gain: float | None = None
    """The gain the last build found for this chapter, when it had one (Leveller.render)."""
    levelled: bool = False
    """Also return the levelled audio as FLAC (for the M4B)."""


@dataclass(frozen=True)
class ChapterMade:
    """A chapter's audio as a worker made it, and what it measured on the way."""

    file: str
    mp3: bytes
    flac: bytes | None
    sample_rate: int
    frames: int
    timings: tuple[tuple[float, float], ...]
    words: tuple[tuple[tuple[float, float], ...] | None, ...]
    gain: float
    loudness: Loudness
    new_clips: Mapping[str, Clip] = field(default_factory=dict)
    """The clips synthesized for it, by key, for the build's cache."""
    codec_shift: float | None = None
    limiter_shares: tuple[float, ...] = ()


AUDIO_PACKAGES = ("imageio-ffmpeg", "pydub", "piper-tts", "onnxruntime", "numpy")
"""The libraries whose versions decide a chapter's bytes besides gutaudio's (ffmpeg and LAME come
in imageio-ffmpeg's wheel)."""


def worker_identity(voice: Mapping[str, Any]) -> dict[str, Any]:
    """What a worker must share with the build it works for: gutaudio's version and code, the
    audio libraries' versions, and the voice's identity (the clips' cache keys depend on it)."""
    from importlib.metadata import PackageNotFoundError, version

    from .text_memo import code_digest

    libraries = {}
    for name in AUDIO_PACKAGES:
        with contextlib.suppress(PackageNotFoundError):
            libraries[name] = version(name)
    return {"gutaudio": __version__, "code": code_digest(), "libraries": libraries, "voice": dict(voice)}


WORK_PREFIX = "gutaudio-chapter-"
LEFT_AFTER_S = 3600
"""A chapter's work folder older than this is one a killed worker left behind."""


def _remove_left_folders() -> None:
    """Remove work folders that workers killed mid-job (by Ray, or with their node) left behind."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > LEFT_AFTER_S:
                shutil.rmtree(folder, ignore_errors=True)


def as_cached(clip: Clip) -> Clip:
    """The clip as the cache would give it back: word times only when they are well formed."""
    return Clip(clip.pcm, clip.sample_rate, kept_words(clip.words, clip.frames))


class ChapterWorker:
    """A voice loaded once, making chapters' audio job after job (one per core of a cluster)."""

    def __init__(self, voice: VoiceSettings, threads: int = 1) -> None:
        """Load the voice (threads: the engine's own threads, where it has any)."""
        from .synthesis import prepared_engine

        _remove_left_folders()
        self.cache = ClipCache(default_cache_dir())  # only for files an engine derives from its voice
        self.engine = prepared_engine(voice, self.cache, threads)

    def identity(self) -> dict[str, Any]:
        """What must match the build's own (worker_identity): gutaudio and the voice, as here."""
        return worker_identity(self.engine.identity(self.cache.file_digest))

    def ping(self) -> bool:
        """Answer, to show the worker is up."""
        return True

    def make(self, job: ChapterJob) -> ChapterMade:
        """Synthesize the clips the job lacks, join, level and encode the chapter; return its bytes."""
        new_clips: dict[str, Clip] = {}
        with tempfile.TemporaryDirectory(prefix=WORK_PREFIX) as folder:
            work = Path(folder)
            raw = self._join(job, new_clips, work / "chapter.wav")
            mp3, flac = work / "chapter.mp3", (work / "chapter.flac" if job.levelled else None)
            leveller = Leveller(job.audio, job.codec_shift, job.limiter_share)
            gain, loudness = leveller.render(raw, mp3, flac, job.start_gain)
            return ChapterMade(
                job.file, mp3.read_bytes(), flac.read_bytes() if flac is not None else None,
                raw.sample_rate, raw.frames, raw.timings, raw.words, gain, loudness, new_clips,
                leveller.codec_shift, tuple(leveller.limiter_shares))

    def _join(self, job: ChapterJob, new_clips: dict[str, Clip], path: Path) -> ChapterAudio:
        writer: ChapterWriter | None = None
        try:
            for key, text, pause in job.utterances:
                clip = job.clips.get(key) or new_clips.get(key)
                if clip is None:
                    clip = new_clips[key] = self._synthesize(text)
                if writer is None:
                    writer = ChapterWriter(path, clip.sample_rate, job.audio)
                writer.add(clip, pause)
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        if writer is None:
            raise ContentError(f"{job.file}: the chapter has nothing to speak")
        return writer.close()

    def _synthesize(self, text: str) -> Clip:
        clip = self.engine.synthesize(text)
        if not valid_clip(clip):
            raise SynthesisError(f"{self.engine.name} made no audio for {text[:60]!r}")
        return as_cached(clip)

