"""Speech engines behind one small interface, looked up by name in a registry."""

from __future__ import annotations

from collections.abc import Callable

from ..config import VoiceSettings
from ..errors import ConfigError
from .base import Clip, Engine, EngineStatus
from .espeak import EspeakEngine
from .gtts import GttsEngine
from .piper import PiperEngine

ENGINES: dict[str, Callable[[VoiceSettings], Engine]] = {
    "piper": PiperEngine,
    "gtts": GttsEngine,
    "espeak": EspeakEngine,
}

__all__ = ["ENGINES", "Clip", "Engine", "EngineStatus", "create_engine", "engine_statuses"]


def create_engine(voice: VoiceSettings) -> Engine:
    """Make the engine the settings name, ready to synthesize (raises if it cannot run here)."""
    try:
        factory = ENGINES[voice.engine]
    except KeyError:
        raise ConfigError(
            f"unknown engine '{voice.engine}' (valid: {', '.join(ENGINES)})"
        ) from None
    engine = factory(voice)
    engine.prepare()
    return engine


def engine_statuses(voice: VoiceSettings) -> list[EngineStatus]:
    """Report, for every registered engine, its voice and whether it can run on this machine."""
    return [factory(voice).status() for factory in ENGINES.values()]
