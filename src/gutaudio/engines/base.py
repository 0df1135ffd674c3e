"""The Engine protocol, the Clip it returns, and the Options it declares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

SAMPLE_WIDTH = 2
"""Clips are signed 16-bit little-endian mono PCM."""


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit PCM audio of one utterance, and where its words are when the voice says so."""

    pcm: bytes
    sample_rate: int
    words: tuple[tuple[int, int], ...] | None = None
    """Each word of the spoken text (split at white space): its first and last sample (end
    exclusive), as the voice itself timed it; None when the engine gives no word timing."""

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


@dataclass(frozen=True)
class Option:
    """One setting of the [voice] table that an engine takes, and its rules.

    An engine lists its options by name in its `options` class attribute::

        options = {"tone_hz": Option(200.0, "pitch of the tone, in Hz", check=audible)}

    gutaudio checks each value given in gutaudio.toml (or to VoiceSettings) against its kind
    ("voice.tone_hz must be a number, not 'high'"), then calls check(value), which returns the
    value to keep (or None to keep it as it is) or raises ValueError(reason); the problem reads
    "<label> <value as written> <reason>", for example "voice.tone_hz 5 is out of range (valid:
    50 to 2000 Hz)". A check runs wherever VoiceSettings are made (dataclasses.replace too), so it
    may run more than once (a Path from gutaudio.toml reaches it as written, then again taken from
    the content folder). The engine reads its values, given or default, with
    engine_options(self, voice).

    Another engine's options may stand in the same [voice] table (a file kept for several engines,
    built with --engine): each value is checked by an engine that declares it, the chosen engine
    first; a setting no registered engine declares is an unknown setting.
    """

    default: Any = None
    """The value when the [voice] table does not give one."""
    help: str = ""
    """What the option does, in a few words."""
    kind: type | None = None
    """str, bool, int, float or Path; the default's type when None (a None default takes any value)."""
    check: Callable[[Any], Any] | None = None
    """The value's own rule: return the value to keep (None: as given), or raise ValueError(reason)."""
    check_file: Callable[[Path], None] | None = None
    """For a Path: a further rule on the file gutaudio.toml names, once it is found to exist (raise
    ValueError(reason)). Files are only looked for when gutaudio.toml is read, not in VoiceSettings,
    so that settings can be made for a file another machine has (the engine's status() says)."""
    label: str = ""
    """How problems with a value name the option: "voice.<name>" when empty."""

    @property
    def value_kind(self) -> type | None:
        """The kind a value must be: kind, else the default's type."""
        if self.kind is not None:
            return self.kind
        return None if self.default is None else type(self.default)


def engine_options(engine: object, voice: Any) -> dict[str, Any]:
    """An engine's options (its class's `options`) with the values voice gives, else their defaults.

    engine is an engine or its class; voice a VoiceSettings: its model is the `model` option, its
    options the rest.
    """
    declared: Mapping[str, Option] = getattr(engine, "options", {}) or {}
    given = {"model": voice.model, **voice.options}
    return {name: given[name] if given.get(name) is not None else option.default
            for name, option in declared.items()}


class Engine(Protocol):
    """Turns text into PCM; nothing more.

    Made from the [voice] settings: Engine(voice: VoiceSettings), with a `threads` keyword too when
    in_processes is set. Class attributes: `options` (name -> Option) for the [voice] settings it
    takes besides engine, model and rate; `in_processes` and `concurrency` (see gutaudio.engines).
    An engine that keeps files derived from its voice (Piper's model patched to report word
    timing) may have `use_cache(cache)`, called with the build's ClipCache before prepare().
    An engine that knows where each word is in its audio says so in Clip.words.
    """

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
