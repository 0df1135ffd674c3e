"""Speech engines, found through the `gutaudio.engines` entry-point group.

The built-in engines (piper, gtts, espeak) are registered the same way as a third party's, in
gutaudio's own pyproject.toml, one entry point per engine, named as `--engine` and `[voice]
engine` name it. A package adds one with::

    [project.entry-points."gutaudio.engines"]
    myvoice = "gutaudio_myvoice:MyVoiceEngine"

where MyVoiceEngine(voice: VoiceSettings) has a `name`, and `voice_name()`, `identity(digest)`,
`status()`, `prepare()` and `synthesize(text) -> Clip` (the Engine protocol in engines.base).
Optional class attributes: `options`, the [voice] settings it takes besides engine, model and
rate (name -> engines.base.Option: default, kind and rule; VoiceSettings checks them, and the
engine reads them with engine_options(self, voice)); `in_processes = True` for an engine that
computes in Python (each worker process gets its own, made with a `threads` keyword), else it
runs in threads; `concurrency = N` for how many syntheses at once (default: one per core). An
engine is imported only when a build, a [voice] setting or `gutaudio engines` needs it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ..config import VoiceSettings
from ..errors import ConfigError
from .base import Clip, Engine, EngineStatus, Option, engine_options

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "gutaudio.engines"
BUILT_IN = {"piper": "gutaudio.engines.piper:PiperEngine",
            "gtts": "gutaudio.engines.gtts:GttsEngine",
            "espeak": "gutaudio.engines.espeak:EspeakEngine"}
"""gutaudio's own engines, as pyproject.toml registers them: listed first, in this order, and
found even when gutaudio runs from a source folder without its package metadata."""

__all__ = ["BUILT_IN", "ENTRY_POINT_GROUP", "Clip", "Engine", "EngineStatus", "Option", "declared_options",
           "default_jobs", "engine_class", "engine_names", "engine_options", "engine_statuses",
           "forget_engines", "make_engine", "option_names", "option_owner", "runs_in_processes"]


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, list[EntryPoint]]:
    """The registered engines' entry points by name (several may claim one name)."""
    points: dict[str, list[EntryPoint]] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: (p.name, p.value)):
        points.setdefault(point.name.lower(), []).append(point)
    for name, value in BUILT_IN.items():
        points.setdefault(name, [EntryPoint(name, value, ENTRY_POINT_GROUP)])
    return points


def engine_names() -> tuple[str, ...]:
    """The names of the registered engines: the built-in ones first, then the others by name."""
    names = _entry_points()
    return (*(name for name in BUILT_IN if name in names),
            *sorted(name for name in names if name not in BUILT_IN))


ENGINE_ATTRIBUTES = ("name", "voice_name", "identity", "status", "prepare", "synthesize")
"""What a class registered as an engine must have (engines.base.Engine)."""


@cache
def engine_class(name: str) -> type[Any] | None:
    """The engine registered under name, imported on first use; None when none loads."""
    for point in _entry_points().get(name.lower(), []):  # a broken one gives way to the next
        try:
            loaded = point.load()
        except Exception as e:  # a broken plugin must not stop builds with other engines
            log.warning("engine '%s' (%s) cannot be loaded: %s", point.name, point.value, e)
            continue
        if not callable(loaded) or not all(hasattr(loaded, attribute) for attribute in ENGINE_ATTRIBUTES):
            log.warning("engine '%s' (%s) is not an engine (%s); ignored", point.name, point.value,
                        ", ".join(ENGINE_ATTRIBUTES))
            continue
        return loaded
    return None


def declared_options(name: str) -> dict[str, Option]:
    """The options the engine registered under name declares (none when it does not load)."""
    found = engine_class(name) if name else None
    options = getattr(found, "options", None)
    if not isinstance(options, Mapping):
        return {}
    return {key: option for key, option in options.items() if isinstance(option, Option)}


def option_owner(engine: str, key: str) -> Option | None:
    """The Option that checks the [voice] setting key: the chosen engine's, else that of the first
    registered engine (in engine_names order) that declares it; None when no engine does."""
    for name in (engine, *(n for n in engine_names() if n != engine.lower())):
        option = declared_options(name).get(key)
        if option is not None:
            return option
    return None


def option_names() -> tuple[str, ...]:
    """Every option the registered engines declare, engine by engine in engine_names order."""
    return tuple(dict.fromkeys(key for name in engine_names() for key in declared_options(name)))


def forget_engines() -> None:
    """Look the engines up again on next use (after packages were installed or removed)."""
    _entry_points.cache_clear()
    engine_class.cache_clear()


def _class_of(name: str) -> type[Any]:
    found = engine_class(name)
    if found is None:
        raise ConfigError(f"unknown engine '{name}' (valid: {', '.join(engine_names())})")
    return found


def runs_in_processes(name: str) -> bool:
    """Whether the engine computes in Python, so that each worker process runs its own."""
    return bool(getattr(_class_of(name), "in_processes", False))


def default_jobs(name: str) -> int:
    """How many syntheses to run at once: the engine's concurrency, else one per core."""
    return int(getattr(_class_of(name), "concurrency", 0) or max(1, os.cpu_count() or 1))


def make_engine(voice: VoiceSettings, threads: int = 0) -> Engine:
    """The engine the settings name; one run in processes gets its number of compute threads."""
    factory = _class_of(voice.engine)
    if getattr(factory, "in_processes", False):
        return factory(voice, threads=threads)
    return factory(voice)


def engine_statuses(voice: VoiceSettings) -> list[EngineStatus]:
    """Report, for every registered engine, its voice and whether it can run here."""
    statuses = []
    for name in engine_names():
        factory = engine_class(name)
        if factory is None:
            statuses.append(EngineStatus(name, "(none)", False, "its package cannot be loaded"))
            continue
        try:
            statuses.append(factory(voice).status())
        except Exception as e:  # a third party's engine must not stop the listing
            statuses.append(EngineStatus(name, "(none)", False, f"{type(e).__name__}: {e}"))
    return statuses
