"""Measurements of a finished build taken from the decoded audio itself, not from gutaudio's numbers.

The audio is decoded here by ffmpeg (the imageio-ffmpeg binary) directly, not through gutaudio.audio,
so that a test using these measures the files with a reader of its own.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import imageio_ffmpeg
import numpy as np

MEASURE_RATE = 16000
WINDOW_S = 0.005
SEARCH_S = 0.25
"""How far either side of a cue start to look for where the voice begins."""


def decoded_samples(path: Path, rate: int) -> np.ndarray:
    """An audio file decoded by ffmpeg to mono samples at rate, as floats from -1 to 1."""
    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
                          "-i", str(path), "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1",
                          "-ar", str(rate), "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def decoded_seconds(path: Path, rate: int = 44100) -> float:
    """How long an audio file plays, as ffmpeg decodes it (encoder delay and padding left out)."""
    return len(decoded_samples(path, rate)) / rate


def speech_envelope(path: Path, rate: int = MEASURE_RATE) -> np.ndarray:
    """Decode an audio file and return its level in dB per 5 ms window."""
    samples = decoded_samples(path, rate)
    size = int(rate * WINDOW_S)
    frames = samples[: len(samples) // size * size].reshape(-1, size)
    rms = np.sqrt((frames**2).mean(axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def cue_onset_errors(path: Path, starts: Sequence[float], below_peak_db: float = 40.0) -> list[float]:
    """For each cue start, the signed gap in seconds to where the voice is first heard near it."""
    envelope = speech_envelope(path)
    threshold = envelope.max() - below_peak_db
    errors = []
    for start in starts:
        first = max(0, int((start - SEARCH_S) / WINDOW_S))
        last = min(len(envelope), int((start + SEARCH_S) / WINDOW_S))
        loud = np.nonzero(envelope[first:last] > threshold)[0]
        if len(loud) == 0:
            errors.append(float("inf"))
            continue
        errors.append((first + int(loud[0])) * WINDOW_S - start)
    return errors


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    """The frequency in Hz of the strongest component of samples (a Hann-windowed FFT's peak)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])
