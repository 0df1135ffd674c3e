"""gTTS: Google Translate's text-to-speech voice. Needs the network; reports why when it cannot run."""

from __future__ import annotations

import io
import logging

from ..config import VoiceSettings
from ..errors import EngineUnavailableError, SynthesisError
from .base import Clip, EngineStatus

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000
"""gTTS serves 24 kHz mono MP3; clips are decoded to PCM at this rate."""
TIMEOUT_SECONDS = (5.0, 30.0)
"""Connect and read timeouts for each request to Google, so a dead network never hangs a build."""
_OFFLINE_HINT = "use --engine piper for the offline voice"


class GttsEngine:
    """Google Translate's voice, through the gTTS library."""

    name = "gtts"

    def __init__(self, settings: VoiceSettings) -> None:
        """Keep the language, accent (tld) and slow-reading settings."""
        self.lang = settings.gtts_lang
        self.tld = settings.gtts_tld
        # Google offers two speeds only: a rate below 1.0 asks for its slow reading.
        self.slow = settings.gtts_slow or settings.rate < 1.0
        if settings.rate != 1.0:
            log.warning("gtts speaks at two speeds only, normal and slow; rate %.2g uses %s speed",
                        settings.rate, "slow" if self.slow else "normal")

    @property
    def host(self) -> str:
        """The Google host this accent talks to."""
        return f"translate.google.{self.tld}"

    def voice_name(self) -> str:
        """Describe the voice: language, accent host and speed."""
        return f"{self.lang} via {self.host}{' (slow)' if self.slow else ''}"

    def _check_language(self) -> str:
        from gtts.lang import tts_langs

        if self.lang not in tts_langs():
            return f"gTTS has no language '{self.lang}'"
        return ""

    def status(self) -> EngineStatus:
        """Check the package, the language, and whether Google's host answers."""
        try:
            import gtts  # noqa: F401
            import requests
        except ImportError as e:
            return EngineStatus(self.name, self.voice_name(), False, f"gTTS is not installed ({e})")
        problem = self._check_language()
        if problem:
            return EngineStatus(self.name, self.voice_name(), False, problem)
        try:
            requests.head(f"https://{self.host}/", timeout=3)
        except requests.RequestException as e:
            return EngineStatus(
                self.name, self.voice_name(), False,
                f"needs the network; {self.host} is not reachable ({type(e).__name__})",
            )
        return EngineStatus(self.name, self.voice_name(), True, f"online voice from {self.host}")

    def prepare(self) -> None:
        """Validate the language; the network is checked by the first request."""
        try:
            import gtts  # noqa: F401
        except ImportError as e:
            raise EngineUnavailableError(f"gtts: gTTS is not installed ({e})") from e
        problem = self._check_language()
        if problem:
            raise EngineUnavailableError(f"gtts: {problem}")

    def synthesize(self, text: str) -> Clip:
        """Fetch MP3 speech for text from Google and decode it to PCM."""
        from gtts import gTTS, gTTSError

        from ..audio import decode_audio

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow, lang_check=False,
                 timeout=TIMEOUT_SECONDS).write_to_fp(buffer)
        except gTTSError as e:
            if e.rsp is None:
                raise EngineUnavailableError(
                    f"gtts: cannot reach Google's text-to-speech service at {self.host} "
                    f"(no network?); {_OFFLINE_HINT}"
                ) from e
            raise SynthesisError(f"gtts: {e}") from e
        data = buffer.getvalue()
        if not data:
            raise SynthesisError(f"gtts: Google returned no audio for {text[:60]!r}")
        try:
            pcm = decode_audio(data, SAMPLE_RATE)
        except Exception as e:
            raise SynthesisError(
                f"gtts: the audio Google returned for {text[:60]!r} does not decode ({e})"
            ) from e
        return Clip(pcm, SAMPLE_RATE)
