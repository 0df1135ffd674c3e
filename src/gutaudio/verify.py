"""Measurements of a finished build taken from the decoded audio itself, not from our own numbers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .audio import decode_file

MEASURE_RATE = 16000
WINDOW_S = 0.005
SEARCH_S = 0.25
"""How far either side of a cue start to look for where the voice begins."""


def speech_envelope(path: Path, rate: int = MEASURE_RATE) -> np.ndarray:
    """Decode an audio file and return its level in dB per 5 ms window."""
    samples = np.frombuffer(decode_file(path, rate), dtype="<i2").astype(np.float64) / 32768.0
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
