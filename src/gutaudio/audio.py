"""Audio with pydub and ffmpeg: join clips with pauses, level them, encode MP3, decode for checks.

pydub works here only on PCM in memory (trimming a clip's silence), which runs no ffmpeg; every
ffmpeg run is gutaudio's own, given the configured ffmpeg (AudioSettings.ffmpeg) each time, so a
build changes no process-wide setting (pydub's AudioSegment.converter is left as pydub set it).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import re
import shutil
import statistics
import subprocess
import warnings
import wave
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import MP3_BITRATES_KBPS, AudioSettings
from .engines.base import SAMPLE_WIDTH, Clip
from .errors import AudioError
from .word_timing import trimmed_spans

with warnings.catch_warnings():
    # pydub warns at import when no ffmpeg is on PATH; it needs none for what it does here.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

log = logging.getLogger(__name__)

LIMITER_MARGIN_DB = 1.5
"""The limiter aims this far below the true-peak ceiling, leaving room for peaks between samples
and for MP3 overshoot."""
LEVELLING_PASSES = 4
TYPICAL_CODEC_SHIFT_LU = -0.4
"""What MP3 encoding typically does to the loudness of speech at 96 kbps, as measured here:
only the first guess, until the build has measured the shift on its own first MP3."""
LEVELLING_TOLERANCE_LU = 0.3
LIMITER_SLOPE = 0.55
"""First guess of how much of an added dB survives the limiter, for speech levelled to -16."""
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


def run_ffmpeg(arguments: list[str], what: str, *, data: bytes | None = None,
               ffmpeg: Path | None = None) -> bytes:
    """Run ffmpeg quietly with arguments and return its standard output.

    Failures become one AudioError that says what was being done and ffmpeg's last words.
    """
    return _ffmpeg(arguments, what, data=data, ffmpeg=ffmpeg).stdout


def _ffmpeg(arguments: list[str], what: str, *, data: bytes | None = None,
            ffmpeg: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    command = [ffmpeg_executable(ffmpeg), "-hide_banner", "-loglevel", "error", "-nostdin",
               *arguments]
    try:
        result = subprocess.run(command, input=data, capture_output=True, check=False)
    except OSError as e:
        raise AudioError(f"ffmpeg could not run: {e}") from e
    if result.returncode != 0:
        raise AudioError(f"{what}: ffmpeg failed: {ffmpeg_failure(result.stderr, result.returncode)}")
    return result


_SYSTEM_ERRORS = ("No space left on device", "Permission denied", "Read-only file system",
                  "File too large", "No such file or directory")


def ffmpeg_failure(stderr: bytes, code: int) -> str:
    """The most telling line of ffmpeg's error output: a system error if there is one."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()
             if line.strip() and "Parsed_ebur128" not in line
             and line.strip() not in ("Conversion failed!", "Exiting with exit code 1")]
    for reason in _SYSTEM_ERRORS:
        if any(reason in line for line in lines):
            return reason
    return lines[-1] if lines else f"exit {code}"


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


Blocks = tuple[tuple[int, int], ...]
"""A loudness histogram: (block loudness in tenths of an LU, number of 400 ms blocks), sorted."""


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP), per ITU-R BS.1770, by ffmpeg's ebur128.

    blocks, when measured, is the histogram of the gating blocks' loudness, from which the
    loudness of several files played one after another can be worked out (gated_loudness).
    """

    integrated: float
    true_peak: float
    blocks: Blocks = ()


_SUMMARY_I = re.compile(r"^\s*I:\s+(-?inf|-?[\d.]+) LUFS", re.MULTILINE)
_SUMMARY_PEAK = re.compile(r"^\s*Peak:\s+(-?inf|-?[\d.]+) dBFS", re.MULTILINE)
_MOMENTARY = re.compile(r"\bt:\s*[\d.]+\s+TARGET:\S+ LUFS\s+M:\s*(-?inf|-?[\d.]+)")
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0


class MeterLog:
    """Reads ffmpeg's ebur128 log line by line: each block's loudness, then the summary.

    Only a histogram of the blocks and the last lines are kept, so the log of a very long
    file costs no memory.
    """

    def __init__(self) -> None:
        """Start with nothing read."""
        self.histogram: Counter[int] = Counter()
        self.tail: deque[str] = deque(maxlen=80)

    def feed(self, line: bytes) -> None:
        """Read one line of ffmpeg's log."""
        text = line.decode("utf-8", "replace").rstrip()
        block = _MOMENTARY.search(text)
        if block is None:
            self.tail.append(text)
        elif float(block.group(1)) > ABSOLUTE_GATE_LUFS:
            self.histogram[round(float(block.group(1)) * 10)] += 1

    def failure(self, code: int) -> str:
        """What went wrong, when ffmpeg exited with code."""
        return ffmpeg_failure("\n".join(self.tail).encode(), code)

    def loudness(self, what: str) -> Loudness:
        """The measurement: the summary's integrated loudness and true peak, and the blocks."""
        text = "\n".join(self.tail)
        summary = text[text.rfind("Summary:"):]
        integrated = _SUMMARY_I.search(summary)
        if integrated is None:
            raise AudioError(f"{what}: ffmpeg printed no loudness summary")
        peak = _SUMMARY_PEAK.search(summary)
        return Loudness(float(integrated.group(1)), float(peak.group(1)) if peak else float("nan"),
                        tuple(sorted(self.histogram.items())))


def _metered_ffmpeg(arguments: list[str], what: str, ffmpeg: Path | None) -> Loudness:
    """Run ffmpeg with an ebur128 filter (framelog=info) in its graph, reading its log as it
    streams; return the loudness it measured, with the histogram of its gating blocks."""
    command = [ffmpeg_executable(ffmpeg), "-hide_banner", "-nostats", "-loglevel", "info",
               "-nostdin", *arguments]
    log = MeterLog()
    try:
        with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) as process:
            for line in process.stderr:  # type: ignore[union-attr]
                log.feed(line)
    except OSError as e:
        raise AudioError(f"ffmpeg could not run: {e}") from e
    if process.returncode != 0:
        raise AudioError(f"{what}: ffmpeg failed: {log.failure(process.returncode)}")
    return log.loudness(what)


def shift_blocks(blocks: Blocks, lu: float) -> Blocks:
    """The histogram of the same audio made lu louder (to the nearest tenth of an LU)."""
    step = round(lu * 10)
    return tuple((level + step, count) for level, count in blocks)


def gated_loudness(*histograms: Blocks) -> float:
    """Integrated loudness of audio whose gating blocks are these histograms (BS.1770 gating).

    The blocks of several files together give the loudness of the files played back to back,
    without measuring them again.
    """
    merged: Counter[int] = Counter()
    for blocks in histograms:
        merged.update(dict(blocks))

    def mean(levels: list[tuple[int, int]]) -> float:
        total = sum(count for _, count in levels)
        if not total:
            return float("-inf")
        power = sum(count * 10 ** (level / 100) for level, count in levels) / total
        return 10 * math.log10(power)

    audible = [(level, count) for level, count in merged.items()
               if level / 10 > ABSOLUTE_GATE_LUFS]
    threshold = mean(audible) + RELATIVE_GATE_LU
    return mean([(level, count) for level, count in audible if level / 10 > threshold])


def measure_loudness(source: Path, ffmpeg: Path | None = None, *, filters: str = "",
                     true_peak: bool = True) -> Loudness:
    """Measure a file's loudness and true peak (after optional filters), streaming from disk."""
    meter = f"ebur128=framelog=info{':peak=true' if true_peak else ''}"
    chain = f"{filters},{meter}" if filters else meter
    return _metered_ffmpeg(["-i", str(source), "-af", chain, "-f", "null", "-"],
                           f"{source}: measuring loudness", ffmpeg)


def trim_silence(clip: Clip) -> Clip:
    """Cut an engine's own leading and trailing silence, so pauses and cue times are ours; word
    times move with the cut (and stay inside it)."""
    start, end = trim_bounds(clip)
    pcm = clip.pcm[start * SAMPLE_WIDTH:end * SAMPLE_WIDTH]
    pcm += b"\x00" * (SAMPLE_WIDTH * (end - start) - len(pcm))  # pydub's rounding of the last ms
    words = trimmed_spans(clip.words, start, end) if clip.words is not None and end > start else None
    return Clip(pcm, clip.sample_rate, words)


def trim_bounds(clip: Clip) -> tuple[int, int]:
    """The first and last sample (end exclusive) of a clip once its engine's silence is cut:
    EDGE_PADDING_MS before the first and after the last sound louder than the clip's peak less
    SILENCE_BELOW_PEAK_DB (pydub's detect_leading_silence, in 5 ms steps)."""
    segment = AudioSegment(data=clip.pcm, sample_width=SAMPLE_WIDTH, frame_rate=clip.sample_rate,
                           channels=1)
    if not clip.pcm or segment.max == 0:
        return 0, 0
    threshold = max(-70.0, segment.max_dBFS - SILENCE_BELOW_PEAK_DB)
    lead = detect_leading_silence(segment, silence_threshold=threshold, chunk_size=5)
    tail = detect_leading_silence(segment.reverse(), silence_threshold=threshold, chunk_size=5)
    start_ms = max(0, lead - EDGE_PADDING_MS)
    end_ms = min(len(segment), len(segment) - tail + EDGE_PADDING_MS)
    start_ms, end_ms = min(start_ms, len(segment)), min(end_ms, len(segment))
    # The samples pydub's segment[start_ms:end_ms] holds.
    start, end = int(segment.frame_count(ms=start_ms)), int(segment.frame_count(ms=end_ms))
    return start, max(start, end)


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter's joined audio in a WAV file, and where each utterance starts and ends (seconds)."""

    path: Path
    sample_rate: int
    frames: int
    timings: tuple[tuple[float, float], ...]
    words: tuple[tuple[tuple[float, float], ...] | None, ...] = ()
    """Per utterance, where each of its spoken words starts and ends (seconds in the chapter),
    when the voice timed them; None for an utterance with sentence timing only."""

    @property
    def duration(self) -> float:
        """Length of the chapter in seconds."""
        return self.frames / self.sample_rate


class ChapterWriter:
    """Joins a chapter's clips and pauses into a WAV file as they arrive, so no chapter sits in memory.

    Each clip is trimmed of the engine's own silence; the lead-in, the pauses and the tail are
    ours, and each clip's start and end are recorded from its real length in samples.
    """

    def __init__(self, path: Path, sample_rate: int, audio: AudioSettings) -> None:
        """Open the WAV file and write the lead-in."""
        self.path = path
        self.rate = sample_rate
        self.audio = audio
        self.frames = 0
        self.timings: list[tuple[float, float]] = []
        self.words: list[tuple[tuple[float, float], ...] | None] = []
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115 - closed in close()
        self._wav.setnchannels(1)
        self._wav.setsampwidth(SAMPLE_WIDTH)
        self._wav.setframerate(sample_rate)
        try:
            self._silence(audio.lead_in_ms)
        except OSError:
            self.abort()
            raise

    def _silence(self, ms: int) -> None:
        frames = self.rate * ms // 1000
        self._wav.writeframes(b"\x00" * (SAMPLE_WIDTH * frames))
        self.frames += frames

    def add(self, clip: Clip, pause_ms: int) -> tuple[float, float]:
        """Append one utterance's clip and the pause after it; return its start and end."""
        if clip.sample_rate != self.rate:
            raise AudioError(f"a {clip.sample_rate} Hz clip cannot join a {self.rate} Hz chapter")
        clip = trim_silence(clip)
        start = self.frames
        self._wav.writeframes(clip.pcm)
        self.frames += clip.frames
        self.timings.append((start / self.rate, self.frames / self.rate))
        self.words.append(None if clip.words is None else tuple(
            ((start + s) / self.rate, (start + e) / self.rate) for s, e in clip.words))
        self._silence(pause_ms)
        return self.timings[-1]

    def abort(self) -> None:
        """Close and remove the unfinished file after a failure (such as a full disk)."""
        with contextlib.suppress(OSError):
            self._wav.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> ChapterAudio:
        """Write the tail, finish the file, and describe it."""
        self._silence(self.audio.tail_ms)
        self._wav.close()
        return ChapterAudio(self.path, self.rate, self.frames, tuple(self.timings), tuple(self.words))


def _level_chain(gain: float, audio: AudioSettings, resample: bool) -> str:
    ceiling = 10 ** ((audio.true_peak_dbtp - LIMITER_MARGIN_DB) / 20)
    chain = (f"volume={gain:.3f}dB,"
             f"alimiter=limit={ceiling:.4f}:attack=1:release=60:level=false:latency=true")
    return f"aresample={audio.sample_rate},{chain}" if resample else chain


@dataclass(frozen=True)
class Trial:
    """One gain tried in a gain search, and the loudness (LUFS) it reached."""

    gain: float
    reached: float


def secant_slope(trials: Sequence[Trial]) -> float:
    """How many LU of loudness one more dB of gain brings, as the trials so far show it.

    The first guess is LIMITER_SLOPE; each pair of consecutive trials with different gains
    replaces it by their secant, kept within 0.1 and 1.0 (the limiter takes back part of a
    dB, never adds to it; a measurement that fell as the gain rose still moves on). A pair
    with the same gain keeps the slope the trials before it gave.
    """
    slope = LIMITER_SLOPE
    for before, after in itertools.pairwise(trials):
        if abs(after.gain - before.gain) > 1e-6:
            slope = min(1.0, max(0.1, (after.reached - before.reached) / (after.gain - before.gain)))
    return slope


def next_gain(trials: Sequence[Trial], target: float) -> float:
    """The gain to try after the trials: the last one corrected by a secant step towards target."""
    last = trials[-1]
    return last.gain + (target - last.reached) / secant_slope(trials)


def settled(trial: Trial, target: float, tolerance: float) -> bool:
    """Whether a trial ends the search: within tolerance of target, or nothing to level (silence)."""
    return not math.isfinite(trial.reached) or abs(target - trial.reached) <= tolerance


def search_gain(measure: Callable[[float], float], gain: float, target: float, tolerance: float,
                passes: int = LEVELLING_PASSES) -> tuple[Trial, ...]:
    """Try gains from gain on until one reaches target within tolerance, at most passes of them.

    measure(gain) is the loudness the gain reaches through the limiter; each next gain is a
    secant step (next_gain). Returns every trial, the last one tried last. The one gain search
    of gutaudio: find_gain runs it on cheap measurements, Leveller.render on the MP3s themselves.
    """
    trials = [Trial(gain, measure(gain))]
    while not settled(trials[-1], target, tolerance) and len(trials) < passes:
        gain = next_gain(trials, target)
        trials.append(Trial(gain, measure(gain)))
    return tuple(trials)


def find_gain(raw: ChapterAudio, audio: AudioSettings, target: float,
              loudness: float | None = None, limiter_share: float = 0.0) -> float:
    """Find the gain that, with the true-peak limiter after it, brings speech to target LUFS.

    One gain for the whole chapter keeps pauses and quiet endings as quiet as they were.
    Limiting takes back part of the gain, so the result is measured (cheaply, at the clips'
    own rate, to half the levelling tolerance) and the gain corrected by a secant step, a few
    times at most (search_gain); when the last trial still misses, the step beyond it is
    returned, for the render to measure. loudness is the chapter's own loudness before any
    gain, when it is already known; limiter_share is a guess of the gain the limiter will
    take back (what it took from a similar chapter).
    """
    if loudness is None:
        loudness = measure_loudness(raw.path, audio.ffmpeg, true_peak=False).integrated
    if not math.isfinite(loudness):
        return 0.0

    def measure(gain: float) -> float:
        reached = measure_loudness(raw.path, audio.ffmpeg, true_peak=False,
                                   filters=_level_chain(gain, audio, resample=False)).integrated
        log.debug("%s: gain %+.2f dB reaches %.2f LUFS", raw.path.name, gain, reached)
        return reached

    tolerance = LEVELLING_TOLERANCE_LU / 2
    trials = search_gain(measure, target - loudness + limiter_share, target, tolerance)
    return trials[-1].gain if settled(trials[-1], target, tolerance) else next_gain(trials, target)


def _mp3_parameters(audio: AudioSettings) -> list[str]:
    return ["-codec:a", "libmp3lame", "-b:a", f"{audio.bitrate_kbps}k", "-ar", str(audio.sample_rate),
            "-ac", str(audio.channels), "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3"]


def render_chapter(raw: ChapterAudio, gain: float, audio: AudioSettings, *,
                   mp3: Path | None = None, levelled: Path | None = None) -> Loudness:
    """Level a chapter with gain in one ffmpeg run: write the MP3 and/or the levelled FLAC.

    Returns the loudness (with its gating blocks) of the levelled audio as it went into the encoder.
    """
    outputs = [("mp3", mp3), ("flac", levelled)]
    outputs = [(kind, path) for kind, path in outputs if path is not None]
    labels = "".join(f"[{kind}]" for kind, _ in outputs)
    graph = (f"[0:a]{_level_chain(gain, audio, resample=True)},"
             f"asplit={len(outputs) + 1}{labels}[meter];"
             f"[meter]ebur128=framelog=info:peak=true[measured]")
    arguments = ["-y", "-i", str(raw.path), "-filter_complex", graph]
    for kind, path in outputs:
        codec = _mp3_parameters(audio) if kind == "mp3" else [
            "-c:a", "flac", "-compression_level", "0", "-sample_fmt", "s16", "-f", "flac"]
        arguments += ["-map", f"[{kind}]", *codec, str(path)]
    arguments += ["-map", "[measured]", "-f", "null", "-"]
    return _metered_ffmpeg(arguments, f"{mp3 or levelled}: levelling and encoding", audio.ffmpeg)


class Leveller:
    """Levels chapters to the loudness target as measured on the decoded MP3s themselves.

    Each chapter's gain is found by measuring trial gains through the limiter; the limiter's
    share of a chapter's gain (how much more than the plain difference in loudness it took) is
    the first guess for the other chapters, spoken by the same voice, so they usually need one
    trial. The encoder shifts loudness a little (a few tenths of an LU): the shift measured on
    an MP3 is carried too. A chapter that still misses the target by more than the tolerance is
    rendered again with the gain corrected: the same search (search_gain) as find_gain's, on the
    renders themselves, so the gain returned is the one the MP3 holds.

    Both numbers are learnt once, from the first chapter that measures them (or taken from an
    earlier build), and then stay as they are: every later chapter's audio depends on them and
    on nothing else rendered before it, so chapters can be rendered in any order or side by
    side (on a cluster) with the same result as one after another.
    """

    def __init__(self, audio: AudioSettings, codec_shift: float | None = None,
                 limiter_share: float | None = None) -> None:
        """Start with the codec shift and limiter share an earlier build measured, if any."""
        self.audio = audio
        self.codec_shift = codec_shift
        self.limiter_share = limiter_share
        """Gain beyond the plain loudness difference that chapters need: the first guess of each."""
        self.limiter_shares: list[float] = []
        """The limiter share each chapter levelled from scratch needed, for later builds' guess."""

    def learning(self, from_scratch: bool) -> bool:
        """Whether the next chapter would learn a number the chapters after it depend on
        (from_scratch: it has no gain from the last build to start from)."""
        return self.codec_shift is None or (from_scratch and self.limiter_share is None)

    def learnt(self, codec_shift: float | None, limiter_shares: Sequence[float]) -> None:
        """Take what a chapter rendered elsewhere (by another Leveller with this one's numbers) measured."""
        if self.codec_shift is None:
            self.codec_shift = codec_shift
        if self.limiter_share is None and limiter_shares:
            self.limiter_share = limiter_shares[0]
        self.limiter_shares.extend(limiter_shares)

    def remembered_share(self) -> float | None:
        """The limiter share to keep for the next build: the median of this build's chapters'."""
        return statistics.median(self.limiter_shares) if self.limiter_shares else self.limiter_share

    def render(self, raw: ChapterAudio, mp3: Path, levelled: Path | None = None,
               previous_gain: float | None = None) -> tuple[float, Loudness]:
        """Level, encode and measure one chapter; return the gain used and the MP3's loudness.

        previous_gain: the gain the chapter had in the last build, when only some of its words
        changed: it is rendered at that gain at once, and the render's measurement decides.
        """
        target = self.audio.loudness_lufs
        if previous_gain is not None:
            gain = previous_gain
        else:
            loudness = measure_loudness(raw.path, self.audio.ffmpeg, true_peak=False).integrated
            if not math.isfinite(loudness):  # silence: nothing to level
                return 0.0, render_chapter(raw, 0.0, self.audio, mp3=mp3, levelled=levelled)
            aim = target - (self.codec_shift if self.codec_shift is not None
                            else TYPICAL_CODEC_SHIFT_LU)
            gain = find_gain(raw, self.audio, aim, loudness, self.limiter_share or 0.0)
            # The limiter's share as find_gain measures it (against the aim it was given, so an
            # encoder shift not yet known is not taken for the limiter's): the next guess's.
            share = gain - (aim - loudness)
            self.limiter_shares.append(share)
            if self.limiter_share is None:
                self.limiter_share = share
        rendered: list[Loudness] = []

        def measure(at: float) -> float:
            before, reached = self._render(raw, at, mp3, levelled)
            rendered.append(before)
            return reached

        last = search_gain(measure, gain, target, LEVELLING_TOLERANCE_LU)[-1]
        gain, reached, before = last.gain, last.reached, rendered[-1]  # what mp3 now holds
        shift = self.codec_shift or 0.0
        return gain, Loudness(reached, before.true_peak, shift_blocks(before.blocks, shift))

    def _render(self, raw: ChapterAudio, gain: float, mp3: Path,
                levelled: Path | None) -> tuple[Loudness, float]:
        """Render at gain; return what went into the encoder and the MP3's loudness (with the
        codec shift, measured on this MP3 if it is not known yet)."""
        before = render_chapter(raw, gain, self.audio, mp3=mp3, levelled=levelled)
        if self.codec_shift is None and math.isfinite(before.integrated):
            after = measure_loudness(mp3, self.audio.ffmpeg, true_peak=False).integrated
            if math.isfinite(after):
                self.codec_shift = after - before.integrated
        reached = before.integrated + (self.codec_shift or 0.0)
        log.debug("%s: gain %+.2f dB renders %.2f LUFS", mp3.name, gain, reached)
        return before, reached


MP3_FRAME_SAMPLES = 1152
"""Samples per MPEG-1 Layer III frame."""


def concatenate_mp3(sources: Sequence[Path], destination: Path, audio: AudioSettings) -> None:
    """Join MP3 files frame by frame into one, without decoding or encoding them again.

    Each source's tags and info frame are left out; the result gets one info frame of its own.
    Inside the result, source n starts mp3_frame_count of the sources before it times 1152
    samples after the start (the first source's encoder delay is skipped by players).
    """
    listing = _concat_list(sources, destination.parent)
    try:
        run_ffmpeg(["-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:a:0",
                    "-c", "copy", "-map_metadata", "-1", "-bsf:a", "setts=ts=N*DURATION",
                    "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3", str(destination)],
                   f"{destination}: joining chapters", ffmpeg=audio.ffmpeg)
    finally:
        listing.unlink(missing_ok=True)


_MPEG1_L3_KBPS = (0, *MP3_BITRATES_KBPS)
"""By the frame header's bitrate index: 0 is free format, 15 is not allowed."""
_MPEG1_RATES = (44100, 48000, 32000)


def mp3_frame_count(path: Path) -> int:
    """Count the audio frames of an MPEG-1 Layer III file (its info frame not counted).

    Walks the frame headers after the ID3v2 tag, so the count is what a decoder will play.
    """
    frames = 0
    with path.open("rb") as stream:
        head = stream.read(10)
        start = 0
        if head[:3] == b"ID3" and len(head) == 10:
            size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
            start = 10 + size + (10 if head[5] & 0x10 else 0)
        stream.seek(start)
        first = True
        while len(header := stream.read(4)) == 4:
            if header[0] != 0xFF or (header[1] & 0xFE) != 0xFA:
                if header[:3] == b"TAG":
                    break  # an ID3v1 tag at the end
                raise AudioError(f"{path}: not MPEG-1 Layer III at byte {stream.tell() - 4}")
            bitrate = _MPEG1_L3_KBPS[header[2] >> 4] if header[2] >> 4 < 15 else 0
            rate_index = (header[2] >> 2) & 3
            if not bitrate or rate_index == 3:
                raise AudioError(f"{path}: damaged MP3 frame header at byte {stream.tell() - 4}")
            length = 144_000 * bitrate // _MPEG1_RATES[rate_index] + ((header[2] >> 1) & 1)
            body = stream.read(length - 4)
            info_frame = first and (b"Info" in body[:40] or b"Xing" in body[:40])
            frames += 0 if info_frame else 1
            first = False
    return frames


def _concat_list(sources: Sequence[Path], folder: Path) -> Path:
    listing = folder / "concat.txt"
    lines = ["ffconcat version 1.0"]
    lines += [f"file '{str(path.resolve()).replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}'"
              for path in sources]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


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


def encode_m4b(levelled: Sequence[Path], destination: Path, chapters: Sequence[Any], cover: bytes,
               metadata: dict[str, str], audio: AudioSettings) -> None:
    """Encode an M4B audiobook (AAC) with chapter atoms and cover art from the chapters' levelled
    audio files (the FLACs the cache keeps; any format ffmpeg reads)."""
    marks = [(mark.start, mark.end, mark.title) for mark in chapters]
    meta_path = destination.with_suffix(".ffmeta")
    cover_path = destination.with_suffix(".cover")
    meta_path.write_text(ffmetadata(metadata, marks), encoding="utf-8")
    cover_path.write_bytes(cover)
    listing = _concat_list(levelled, destination.parent)
    try:
        run_ffmpeg(["-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-i", str(meta_path), "-i", str(cover_path),
                    "-map", "0:a", "-map", "2:v", "-map_metadata", "1", "-map_chapters", "1",
                    "-c:a", "aac", "-b:a", "64k", "-ac", str(audio.channels), "-c:v", "mjpeg",
                    "-disposition:v", "attached_pic", "-movflags", "+faststart", "-f", "ipod",
                    str(destination)], f"{destination}: encoding M4B", ffmpeg=audio.ffmpeg)
    finally:
        meta_path.unlink(missing_ok=True)
        cover_path.unlink(missing_ok=True)
        listing.unlink(missing_ok=True)
