"""The Engine protocol and the Clip it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

SAMPLE_WIDTH = 2
"""Clips are signed 16-bit little-endian mono PCM."""


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit PCM audio of one utterance."""

    pcm: bytes
    sample_rate: int

    @property
    def frames(self) -> int:
        """Number of samples in the clip."""
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def duration(self) -> float:
        """Length of the clip in seconds."""
        return self.frames / self.sample_rate


@dataclass(frozen=True)
class EngineStatus:
    """What `gutaudio engines` prints for one engine."""

    name: str
    voice: str
    available: bool
    reason: str = ""


class Engine(Protocol):
    """Turns text into PCM; nothing more."""

    name: str

    def voice_name(self) -> str:
        """Name the voice this engine speaks with."""
        ...

    def identity(self, digest: Callable[[Path], str]) -> dict[str, Any]:
        """Everything that makes this engine's clips what they are, for the clip cache key."""
        ...

    def status(self) -> EngineStatus:
        """Say whether this engine can run here, and why not, without synthesizing."""
        ...

    def prepare(self) -> None:
        """Load models or check the service; raise EngineUnavailableError if it cannot run."""
        ...

    def synthesize(self, text: str) -> Clip:
        """Speak text; raise SynthesisError on failure."""
        ...
