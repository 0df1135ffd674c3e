"""gutaudio: narrated, tagged, podcast-ready audio editions of written health articles.

The public API (each name is imported on first use, so `import gutaudio` stays quick):

    settings = gutaudio.load_settings(Path("content"), Path("output"))
    result = gutaudio.build(settings)                  # every article in content/
    article = gutaudio.parse_text(text, Path("gut.md"))  # or an article from text, no file
    result = gutaudio.build(settings, articles=[article])
    report = gutaudio.check_build(Path("output"))
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("gutaudio")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

_PUBLIC = {
    "load_settings": "config", "Settings": "config", "ShowSettings": "config",
    "AudioSettings": "config", "VoiceSettings": "config", "SpeechSettings": "config",
    "BuildSettings": "config", "DisclaimerSettings": "config",
    "build": "recipe", "plan_build": "recipe", "BuildResult": "recipe",
    "check_build": "check", "Report": "check", "Finding": "check", "Level": "check",
    "read_article": "readers", "parse_text": "readers", "Article": "document",
    "GutaudioError": "errors", "SettingsError": "errors", "Option": "engines.base",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    """The public names, imported from their modules on first use."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'gutaudio' has no attribute {name!r}")
    value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, with the public ones not yet imported."""
    return sorted({*globals(), *_PUBLIC})
