"""gutaudio: narrated, tagged, podcast-ready audio editions of written health articles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gutaudio")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
