"""Audio with pydub and ffmpeg: join clips with pauses, level them, encode MP3, decode for checks."""

from __future__ import annotations

import logging
import math
import re
import shutil
import subprocess
import warnings
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from .config import AudioSettings
from .engines.base import SAMPLE_WIDTH, Clip
from .errors import AudioError

with warnings.catch_warnings():
    # pydub warns at import when no ffmpeg is on PATH; we point it at imageio-ffmpeg's below.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.exceptions import CouldntEncodeError
    from pydub.silence import detect_leading_silence

log = logging.getLogger(__name__)

LIMITER_MARGIN_DB = 1.5
"""The limiter aims this far below the true-peak ceiling, leaving room for peaks between samples
and for MP3 overshoot."""
LEVELLING_PASSES = 4
LEVELLING_TOLERANCE_LU = 0.3
OVERSAMPLING = 4
"""Limiting and true-peak measurement run at four times the sample rate (ITU-R BS.1770)."""
SILENCE_BELOW_PEAK_DB = 45.0
"""Clip edges quieter than this, relative to the clip's peak, count as silence and are trimmed."""
EDGE_PADDING_MS = 30
"""Silence kept at each edge of a trimmed clip, so soft onsets and endings survive."""


@lru_cache(maxsize=4)
def ffmpeg_executable(configured: Path | None = None) -> str:
    """Find ffmpeg: the configured one, else the binary shipped in the imageio-ffmpeg wheel."""
    if configured is not None:
        if not configured.is_file():
            raise AudioError(f"{configured}: the configured ffmpeg does not exist")
        return str(configured)
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        found = shutil.which("ffmpeg")
        if found:
            log.warning("imageio-ffmpeg has no ffmpeg (%s); using %s", e, found)
            return found
        raise AudioError(f"no ffmpeg found: pip install imageio-ffmpeg ({e})") from e


def use_ffmpeg(configured: Path | None = None) -> str:
    """Point pydub at our ffmpeg and return its path."""
    exe = ffmpeg_executable(configured)
    AudioSegment.converter = exe
    return exe


def run_ffmpeg(arguments: list[str], what: str, *, data: bytes | None = None,
               ffmpeg: Path | None = None) -> bytes:
    """Run ffmpeg quietly with arguments and return its standard output.

    Failures become one AudioError that says what was being done and ffmpeg's last words.
    """
    command = [ffmpeg_executable(ffmpeg), "-hide_banner", "-loglevel", "error", "-nostdin",
               *arguments]
    try:
        result = subprocess.run(command, input=data, capture_output=True, check=False)
    except OSError as e:
        raise AudioError(f"ffmpeg could not run: {e}") from e
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioError(f"{what}: ffmpeg failed: {lines[-1] if lines else f'exit {result.returncode}'}")
    return result.stdout


def decode_audio(data: bytes, sample_rate: int, ffmpeg: Path | None = None) -> bytes:
    """Decode encoded audio bytes (MP3, WAV, ...) to mono 16-bit PCM at sample_rate."""
    return _run_decoder(["-i", "pipe:0"], data, sample_rate, ffmpeg)


def decode_file(path: Path, sample_rate: int, ffmpeg: Path | None = None) -> bytes:
    """Decode an audio file to mono 16-bit PCM at sample_rate."""
    return _run_decoder(["-i", str(path)], None, sample_rate, ffmpeg)


def _run_decoder(
    source: list[str], data: bytes | None, sample_rate: int, ffmpeg: Path | None
) -> bytes:
    if data is not None and not data:
        raise AudioError("no audio data to decode")
    pcm = run_ffmpeg([*source, "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1",
                      "-ar", str(sample_rate), "pipe:1"], "decoding audio", data=data, ffmpeg=ffmpeg)
    if not pcm:
        raise AudioError("decoding audio: ffmpeg found no audio in it")
    return pcm


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter's joined audio and where each utterance starts and ends, in seconds."""

    segment: AudioSegment
    timings: tuple[tuple[float, float], ...]

    @property
    def duration(self) -> float:
        """Length of the chapter in seconds."""
        return self.segment.frame_count() / self.segment.frame_rate


def trim_silence(clip: Clip) -> Clip:
    """Cut an engine's own leading and trailing silence, so pauses and cue times are ours."""
    segment = AudioSegment(data=clip.pcm, sample_width=SAMPLE_WIDTH, frame_rate=clip.sample_rate,
                           channels=1)
    if not clip.pcm or segment.max == 0:
        return Clip(b"", clip.sample_rate)
    threshold = max(-70.0, segment.max_dBFS - SILENCE_BELOW_PEAK_DB)
    lead = detect_leading_silence(segment, silence_threshold=threshold, chunk_size=5)
    tail = detect_leading_silence(segment.reverse(), silence_threshold=threshold, chunk_size=5)
    start_ms = max(0, lead - EDGE_PADDING_MS)
    end_ms = min(len(segment), len(segment) - tail + EDGE_PADDING_MS)
    trimmed = segment[start_ms:end_ms]
    return Clip(trimmed.raw_data, clip.sample_rate)


def assemble_chapter(
    clips: Sequence[Clip], pauses_ms: Sequence[int], audio: AudioSettings
) -> ChapterAudio:
    """Join trimmed utterance clips with their pauses, lead-in and tail, at the clips' own rate."""
    if len(clips) != len(pauses_ms):
        raise AudioError("every clip needs a pause after it")
    clips = [trim_silence(clip) for clip in clips]
    rate = clips[0].sample_rate if clips else 22050
    if any(clip.sample_rate != rate for clip in clips):
        raise AudioError("clips of one chapter must share a sample rate")

    def silence(ms: int) -> bytes:
        return b"\x00" * (SAMPLE_WIDTH * (rate * ms // 1000))

    parts = [silence(audio.lead_in_ms)]
    position = len(parts[0]) // SAMPLE_WIDTH
    timings = []
    for clip, pause in zip(clips, pauses_ms, strict=True):
        timings.append((position / rate, (position + clip.frames) / rate))
        parts += [clip.pcm, silence(pause)]
        position += clip.frames + len(parts[-1]) // SAMPLE_WIDTH
    parts.append(silence(audio.tail_ms))
    segment = AudioSegment(data=b"".join(parts), sample_width=SAMPLE_WIDTH, frame_rate=rate,
                           channels=1)
    return ChapterAudio(segment, tuple(timings))


def _as_float(segment: AudioSegment) -> np.ndarray:
    return np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float64) / 32768.0


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770 with gating, so pauses do not count)."""
    if len(samples) < int(rate * 0.4):
        return float("-inf")
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def true_peak(samples: np.ndarray) -> float:
    """True peak in dBTP: the highest sample after 4x oversampling (ITU-R BS.1770 annex 2)."""
    if not len(samples):
        return float("-inf")
    upsampled = resample_poly(samples, OVERSAMPLING, 1)
    peak = float(np.max(np.abs(upsampled)))
    return 20 * math.log10(peak) if peak > 0 else float("-inf")


def level_loudness(segment: AudioSegment, audio: AudioSettings,
                   target: float | None = None) -> AudioSegment:
    """Bring speech to the loudness target with one gain, and limit true peaks below the ceiling.

    One gain for the whole chapter keeps pauses and quiet endings as quiet as they were; a
    look-ahead limiter at 4x the sample rate (delay compensated, so timings hold) catches the
    peaks the gain pushes over the ceiling. Limiting lowers the loudness a little, so the gain
    is corrected from a measurement of the limited result, a few times at most.
    The result is at the MP3 sample rate.
    """
    target = audio.loudness_lufs if target is None else target
    loudness = integrated_loudness(_as_float(segment), segment.frame_rate)
    if not math.isfinite(loudness):
        return _run_level_chain(segment, 0.0, audio)
    gain = target - loudness
    # Limiting takes back part of any gain added; a secant step learns how much.
    previous: tuple[float, float] | None = None
    for _ in range(LEVELLING_PASSES):
        levelled = _run_level_chain(segment, gain, audio)
        reached = integrated_loudness(_as_float(levelled), audio.sample_rate)
        error = target - reached
        log.debug("loudness %.1f LUFS, gain %+.2f dB, off by %+.2f LU", loudness, gain, error)
        if abs(error) <= LEVELLING_TOLERANCE_LU:
            break
        slope = 1.0
        if previous is not None and abs(reached - previous[1]) > 1e-3:
            slope = min(1.0, max(0.1, (reached - previous[1]) / (gain - previous[0])))
        previous = (gain, reached)
        gain += error / (slope if previous is not None and slope < 1.0 else 0.5)
    return levelled


def _run_level_chain(segment: AudioSegment, gain: float, audio: AudioSettings) -> AudioSegment:
    ceiling = 10 ** ((audio.true_peak_dbtp - LIMITER_MARGIN_DB) / 20)
    chain = (f"aresample={audio.sample_rate},volume={gain:.3f}dB,"
             f"alimiter=limit={ceiling:.4f}:attack=1:release=60:level=false:latency=true")
    pcm = run_ffmpeg(["-f", "s16le", "-ar", str(segment.frame_rate), "-ac", "1", "-i", "pipe:0",
                      "-af", chain, "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "pipe:1"],
                     "levelling loudness", data=segment.raw_data, ffmpeg=audio.ffmpeg)
    return AudioSegment(data=pcm, sample_width=SAMPLE_WIDTH, frame_rate=audio.sample_rate,
                        channels=1)


class LevelledEncoder:
    """Levels chapters to the loudness target as measured on the decoded MP3s themselves.

    The encoder shifts loudness a little (a few tenths of an LU). The shift seen on one
    chapter is carried to the next, so usually each chapter is encoded once; a chapter whose
    decoded file still misses the target by more than the tolerance is levelled again.
    """

    def __init__(self, audio: AudioSettings) -> None:
        """Start with no known codec shift."""
        self.audio = audio
        self.codec_shift = 0.0

    def encode(self, raw: AudioSegment, destination: Path) -> AudioSegment:
        """Level raw chapter audio, encode it to destination, and return what went in."""
        audio = self.audio
        for _ in range(2):
            levelled = level_loudness(raw, audio, audio.loudness_lufs - self.codec_shift)
            encode_mp3(levelled, destination, audio)
            decoded = np.frombuffer(decode_file(destination, audio.sample_rate, audio.ffmpeg),
                                    dtype="<i2") / 32768.0
            measured = integrated_loudness(decoded, audio.sample_rate)
            if not math.isfinite(measured):
                break
            before = integrated_loudness(_as_float(levelled), audio.sample_rate)
            self.codec_shift = measured - before
            if abs(measured - audio.loudness_lufs) <= LEVELLING_TOLERANCE_LU:
                break
        return levelled


def _mp3_parameters(audio: AudioSettings) -> list[str]:
    return ["-ar", str(audio.sample_rate), "-ac", str(audio.channels),
            "-write_xing", "1", "-id3v2_version", "0"]


def encode_mp3(segment: AudioSegment, destination: Path, audio: AudioSettings) -> None:
    """Encode audio as constant-bitrate MP3 (with a LAME info frame) to destination."""
    use_ffmpeg(audio.ffmpeg)
    try:
        handle = segment.export(str(destination), format="mp3", codec="libmp3lame",
                                bitrate=f"{audio.bitrate_kbps}k", parameters=_mp3_parameters(audio))
        handle.close()
    except CouldntEncodeError as e:
        last = str(e).strip().splitlines()
        raise AudioError(f"{destination}: ffmpeg could not encode MP3: {last[-1] if last else e}") from e
    except OSError as e:
        raise AudioError(f"{destination}: cannot write: {e.strerror or e}") from e


class EpisodeWriter:
    """Collects chapters into one WAV on disk, so the full episode never sits in memory."""

    def __init__(self, path: Path) -> None:
        """Open a WAV file at path; its format is fixed by the first chapter added."""
        self.path = path
        self._wav: wave.Wave_write | None = None
        self._rate = 0
        self._frames = 0

    def add(self, segment: AudioSegment) -> tuple[float, float]:
        """Append a chapter and return where it starts and ends in the episode, in seconds."""
        if self._wav is None:
            self._wav = wave.open(str(self.path), "wb")  # noqa: SIM115 - closed in close()
            self._wav.setnchannels(1)
            self._wav.setsampwidth(SAMPLE_WIDTH)
            self._wav.setframerate(segment.frame_rate)
            self._rate = segment.frame_rate
        if segment.frame_rate != self._rate or segment.channels != 1:
            raise AudioError("every chapter of an episode must share one mono sample rate")
        start = self._frames
        self._wav.writeframes(segment.raw_data)
        self._frames += int(segment.frame_count())
        return start / self._rate, self._frames / self._rate

    @property
    def duration(self) -> float:
        """Seconds of audio written so far."""
        return self._frames / self._rate if self._rate else 0.0

    def close(self) -> None:
        """Finish the WAV header."""
        if self._wav is not None:
            self._wav.close()
            self._wav = None

    def encode(self, destination: Path, audio: AudioSettings) -> None:
        """Encode the collected WAV to a constant-bitrate MP3 at destination, streaming from disk."""
        self.close()
        run_ffmpeg(["-y", "-i", str(self.path), "-codec:a", "libmp3lame",
                    "-b:a", f"{audio.bitrate_kbps}k", *_mp3_parameters(audio), "-f", "mp3",
                    str(destination)], f"{destination}: encoding MP3", ffmpeg=audio.ffmpeg)


def _ffmetadata_escape(value: str) -> str:
    """Escape a value for ffmpeg's FFMETADATA format (=, ;, #, backslash and newlines)."""
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def ffmetadata(metadata: dict[str, str], chapters: Sequence[tuple[float, float, str]]) -> str:
    """Render global tags and chapter marks in ffmpeg's FFMETADATA1 format."""
    lines = [";FFMETADATA1"]
    lines += [f"{key}={_ffmetadata_escape(value)}" for key, value in metadata.items() if value]
    for start, end, title in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(start * 1000)}",
                  f"END={round(end * 1000)}", f"title={_ffmetadata_escape(title)}"]
    return "\n".join(lines) + "\n"


def encode_m4b(wav: Path, destination: Path, chapters: Sequence[Any], cover: bytes,
               metadata: dict[str, str], audio: AudioSettings) -> None:
    """Encode an M4B audiobook (AAC) with chapter atoms and cover art from a WAV file."""
    marks = [(mark.start, mark.end, mark.title) for mark in chapters]
    meta_path = destination.with_suffix(".ffmeta")
    cover_path = destination.with_suffix(".cover")
    meta_path.write_text(ffmetadata(metadata, marks), encoding="utf-8")
    cover_path.write_bytes(cover)
    try:
        run_ffmpeg(["-y", "-i", str(wav), "-i", str(meta_path), "-i", str(cover_path),
                    "-map", "0:a", "-map", "2:v", "-map_metadata", "1", "-map_chapters", "1",
                    "-c:a", "aac", "-b:a", "64k", "-ac", str(audio.channels), "-c:v", "mjpeg",
                    "-disposition:v", "attached_pic", "-movflags", "+faststart", "-f", "ipod",
                    str(destination)], f"{destination}: encoding M4B", ffmpeg=audio.ffmpeg)
    finally:
        meta_path.unlink(missing_ok=True)
        cover_path.unlink(missing_ok=True)
