"""espeak-ng: a fast, deterministic formant voice for proof-listening drafts and scale runs."""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ..config import VoiceSettings
from ..errors import EngineUnavailableError, SynthesisError
from .base import SAMPLE_WIDTH, Clip, EngineStatus, Option, engine_options

log = logging.getLogger(__name__)

WORDS_PER_MINUTE = 175
"""espeak-ng's own default speed, scaled by the rate setting."""


@functools.lru_cache(maxsize=1)
def espeak_command() -> str | None:
    """The espeak-ng program on PATH (or plain espeak), if any."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


@functools.lru_cache(maxsize=1)
def espeak_version() -> str:
    """The installed espeak-ng's version line, part of the clip cache key."""
    command = espeak_command()
    if command is None:
        return ""
    result = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"\d+\.\d+(?:\.\d+)?", result.stdout)
    return f"espeak-ng {found.group(0)}" if found else "espeak-ng"


class EspeakEngine:
    """Speech with espeak-ng, where it is installed (Debian: apt-get install espeak-ng)."""

    name = "espeak"
    options: ClassVar[dict[str, Option]] = {"espeak_voice": Option("en-us", "espeak-ng voice")}

    def __init__(self, settings: VoiceSettings) -> None:
        """Keep the voice and the speed."""
        self.voice = engine_options(self, settings)["espeak_voice"]
        self.speed = max(80, min(450, round(WORDS_PER_MINUTE * settings.rate)))

    def voice_name(self) -> str:
        """The espeak-ng voice and speed."""
        return f"{self.voice} at {self.speed} words per minute"

    def identity(self, digest: Callable[[Path], str]) -> dict[str, Any]:
        """Voice, speed and espeak-ng's version: what decides the sound of a clip."""
        return {"engine": self.name, "voice": self.voice, "speed": self.speed,
                "version": espeak_version()}

    def status(self) -> EngineStatus:
        """Available when espeak-ng is on PATH."""
        if espeak_command() is None:
            return EngineStatus(self.name, self.voice_name(), False,
                                "espeak-ng is not installed (apt-get install espeak-ng)")
        return EngineStatus(self.name, self.voice_name(), True, f"draft voice, {espeak_version()}")

    def prepare(self) -> None:
        """Fail early when espeak-ng is missing."""
        status = self.status()
        if not status.available:
            raise EngineUnavailableError(f"espeak: {status.reason}")

    def synthesize(self, text: str) -> Clip:
        """Speak text with espeak-ng; the text goes in on standard input, never as an option."""
        command = espeak_command()
        if command is None:
            raise EngineUnavailableError("espeak: espeak-ng is not installed")
        with tempfile.TemporaryDirectory(prefix="gutaudio-espeak-") as folder:
            target = Path(folder) / "clip.wav"
            result = subprocess.run(
                [command, "-v", self.voice, "-s", str(self.speed), "--stdin", "-w", str(target)],
                input=text.encode("utf-8"), capture_output=True, check=False, timeout=600,
            )
            if result.returncode != 0 or not target.is_file():
                message = result.stderr.decode("utf-8", "replace").strip() or "no audio"
                raise SynthesisError(f"espeak could not speak {text[:60]!r}: {message}")
            try:
                with wave.open(str(target), "rb") as wav:
                    if wav.getsampwidth() != SAMPLE_WIDTH or wav.getnchannels() != 1:
                        raise SynthesisError("espeak: unexpected audio format")
                    return Clip(wav.readframes(wav.getnframes()), wav.getframerate())
            except (wave.Error, EOFError) as e:
                raise SynthesisError(f"espeak: unreadable audio for {text[:60]!r}: {e}") from e
