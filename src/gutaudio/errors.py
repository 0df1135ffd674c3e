"""One error hierarchy for gutaudio: every failure a user can cause or meet is a GutaudioError."""

from __future__ import annotations


class GutaudioError(Exception):
    """Root of every error gutaudio reports to a user as a one-line message."""

    exit_code = 1


class ConfigError(GutaudioError, ValueError):
    """A setting in gutaudio.toml or on the command line is missing or invalid."""

    exit_code = 2


class ContentError(GutaudioError, ValueError):
    """An article cannot be read or has no speakable text."""


class EngineUnavailableError(GutaudioError, RuntimeError):
    """A speech engine cannot run on this machine (missing package, voice or network)."""


class SynthesisError(GutaudioError, RuntimeError):
    """A speech engine failed while speaking a piece of text."""


class AudioError(GutaudioError, OSError):
    """Audio could not be decoded, joined or encoded (ffmpeg failure, bad clip)."""


class FeedError(GutaudioError, ValueError):
    """The podcast feed cannot be built from the given metadata."""


class OutputError(GutaudioError, OSError):
    """A file could not be written to the output folder."""
