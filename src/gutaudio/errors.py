"""One error hierarchy for gutaudio: every failure a user can cause or meet is a GutaudioError."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple


class GutaudioError(Exception):
    """Root of every error gutaudio reports to a user as a one-line message."""

    exit_code = 1


class ConfigError(GutaudioError, ValueError):
    """A setting in gutaudio.toml or on the command line is missing or invalid."""

    exit_code = 2


class OptionError(ConfigError):
    """A value given as an option (on the command line, or to load_settings/build) is invalid.

    option is the name of the keyword argument that carried it (rate, base_url, output_dir),
    so the command line can blame its own option for it.
    """

    def __init__(self, option: str, message: str) -> None:
        """Say which option's value is wrong, and why."""
        super().__init__(message)
        self.option = option
        self.message = message


class Problem(NamedTuple):
    """One broken rule: the setting it is about, and the line that says what is wrong."""

    setting: str
    """"show.base_url", a table ("show") or a top-level setting ("article")."""
    message: str
    """The one-line problem, for example "show.language 'english' is not an ISO 639 code ..."."""


class SettingsError(ConfigError):
    """Settings that break their rules: every problem, in one line ("; " between them)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Keep the problems; the message lists them in order."""
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.problems,)


class ContentError(GutaudioError, ValueError):
    """An article cannot be read or has no speakable text."""


class EngineUnavailableError(GutaudioError, RuntimeError):
    """A speech engine cannot run on this machine (missing package, voice or network)."""


class SynthesisError(GutaudioError, RuntimeError):
    """A speech engine failed while speaking a piece of text."""


class AudioError(GutaudioError, OSError):
    """Audio could not be decoded, joined or encoded (ffmpeg failure, bad clip)."""


class RecognizerError(GutaudioError, RuntimeError):
    """The speech recognizer that proof hears a build with cannot run (missing package or model)."""


class FeedError(GutaudioError, ValueError):
    """The podcast feed cannot be built from the given metadata."""


class CheckFailedError(GutaudioError):
    """A finished build failed its check, so it was not published; report holds the findings."""

    def __init__(self, report: object, message: str) -> None:
        """Carry the check's report (a check.Report) with the one-line message."""
        super().__init__(message)
        self.report = report


class OutputError(GutaudioError, OSError):
    """A file could not be written to the output folder."""


class ClusterError(GutaudioError, RuntimeError):
    """The Ray cluster of a build cannot be reached, or lost every worker it had."""


class ServeError(GutaudioError, RuntimeError):
    """A build cannot be served: its address is taken or not this machine's.

    Deliberately not an OSError: Werkzeug's server prints an OSError from opening its socket and
    exits, but lets this pass, so that the command line says it in one line.
    """
