"""gTTS: Google Translate's text-to-speech voice. Needs the network; reports why when it cannot run."""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import io
import logging
import random
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ..config import VoiceSettings
from ..errors import EngineUnavailableError, SynthesisError
from .base import Clip, EngineStatus, Option, engine_options

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000
"""gTTS serves 24 kHz mono MP3; clips are decoded to PCM at this rate."""
TIMEOUT_SECONDS = (5.0, 30.0)
"""Connect and read timeouts for each request to Google, so a dead network never hangs a build."""
_OFFLINE_HINT = "use --engine piper for the offline voice"
ATTEMPTS = 5
"""Tries per utterance before a passing failure (429, 5xx, dropped connection) is final."""
BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 60.0
DEFAULT_CONCURRENCY = 8
"""Requests to Google at once: enough to hide latency, few enough to stay polite."""


class GttsEngine:
    """Google Translate's voice, through the gTTS library."""

    name = "gtts"
    concurrency = DEFAULT_CONCURRENCY
    """Requests at once: the service, not this machine, does the work."""
    options: ClassVar[dict[str, Option]] = {
        "gtts_lang": Option("en", "gTTS language code"),
        "gtts_tld": Option("com", "Google host top-level domain, which selects the accent "
                                  "(com, co.uk, com.au, ...)"),
        "gtts_slow": Option(False, "slow reading"),
    }

    def __init__(self, settings: VoiceSettings) -> None:
        """Keep the language, accent (tld) and slow-reading settings."""
        options = engine_options(self, settings)
        self.lang = options["gtts_lang"]
        self.tld = options["gtts_tld"]
        # Google offers two speeds only: a rate below 1.0 asks for its slow reading.
        self.slow = options["gtts_slow"] or settings.rate < 1.0
        if settings.rate != 1.0:
            log.warning("gtts speaks at two speeds only, normal and slow; rate %.2g uses %s speed",
                        settings.rate, "slow" if self.slow else "normal")
        self._reached = False
        """Set once Google has answered a request (with audio or an HTTP error)."""
        self._unreachable: EngineUnavailableError | None = None
        """The error that showed Google cannot be reached: every later request fails with it."""

    @property
    def host(self) -> str:
        """The Google host this accent talks to."""
        return f"translate.google.{self.tld}"

    def identity(self, digest: Callable[[Path], str]) -> dict[str, Any]:
        """Language, accent and speed: what decides the sound of a clip."""
        return {"engine": self.name, "lang": self.lang, "tld": self.tld, "slow": self.slow}

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
        """Fetch MP3 speech for text from Google and decode it, retrying passing failures.

        Rate limits (429), server errors (5xx), timeouts, dropped connections and empty or
        broken audio are retried with exponential backoff and jitter, honouring Retry-After;
        after the last attempt the error says what went wrong. Before Google has answered
        once, a host name that does not resolve or a refused connection fails at once; and
        once one request has found Google unreachable (at once, or after all its tries), every
        other request fails with it, the parallel ones included, without trying again.
        """
        try:
            return self._with_retries(text)
        except EngineUnavailableError as e:
            if self._unreachable is None:
                self._unreachable = e  # no answer in all its tries: nor will the others get one
            raise

    def _raise_if_unreachable(self) -> None:
        if self._unreachable is not None:
            raise EngineUnavailableError(str(self._unreachable))

    def _with_retries(self, text: str) -> Clip:
        for attempt in range(ATTEMPTS):
            self._raise_if_unreachable()
            try:
                return self._fetch(text)
            except _PassingFailure as failure:
                if attempt == ATTEMPTS - 1:
                    raise failure.error from failure
                delay = failure.retry_after
                if delay is None:
                    delay = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**attempt)
                    delay += random.uniform(0, BACKOFF_SECONDS)
                log.info("gtts: %s; retrying in %.1f s", failure.error, delay)
                sleep(min(delay, MAX_BACKOFF_SECONDS))
        raise SynthesisError("gtts: no attempt was made")  # only if ATTEMPTS is 0

    def _fetch(self, text: str) -> Clip:
        from gtts import gTTS, gTTSError

        from ..audio import decode_audio

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow, lang_check=False,
                 timeout=TIMEOUT_SECONDS).write_to_fp(buffer)
        except gTTSError as e:
            if e.rsp is None:
                raise self._connection_failure(e) from e
            self._reached = True
            error = SynthesisError(f"gtts: {e}")
            if e.rsp.status_code == 429 or e.rsp.status_code >= 500:
                raise _PassingFailure(error, _retry_after(e.rsp.headers.get("Retry-After"))) from e
            raise error from e
        self._reached = True
        data = buffer.getvalue()
        if not data:
            raise _PassingFailure(SynthesisError(f"gtts: Google returned no audio for {text[:60]!r}"))
        try:
            pcm = decode_audio(data, SAMPLE_RATE)
        except Exception as e:
            raise _PassingFailure(SynthesisError(
                f"gtts: the audio Google returned for {text[:60]!r} does not decode ({e})")) from e
        return Clip(pcm, SAMPLE_RATE)

    def _connection_failure(self, error: BaseException) -> Exception:
        """The error for a request that got no answer: fatal if Google cannot be reached at all."""
        why = unreachable_reason(error, first_contact=not self._reached)
        if why is None:
            return _PassingFailure(EngineUnavailableError(
                f"gtts: cannot reach Google's text-to-speech service at {self.host} "
                f"(no network?); {_OFFLINE_HINT}"))
        self._unreachable = EngineUnavailableError(
            f"gtts: {self.host} cannot be reached ({why}); {_OFFLINE_HINT}")
        return self._unreachable


_NO_ROUTE = {errno.ECONNREFUSED: "the connection was refused",
             errno.ENETUNREACH: "the network is unreachable",
             errno.EHOSTUNREACH: "no route to the host"}
"""Connection failures that, on the first request, mean the host cannot be reached from here."""


def unreachable_reason(error: BaseException, *, first_contact: bool) -> str | None:
    """Why a failed request shows the host cannot be reached at all, or None if worth retrying.

    Only on first contact: a name that does not resolve, a refused connection or a missing
    route. Once Google has answered, the same failures are a passing outage (a resolver's
    hiccup, a dropped network) and are retried. Timeouts never count. The causes are found
    along the chain of exceptions that gTTS, requests and urllib3 wrap around the socket error.
    """
    if not first_contact:
        return None
    import requests
    import urllib3.exceptions

    # urllib3 2 raises NameResolutionError from the socket.gaierror; urllib3 1.26 has no such class.
    resolver = (socket.gaierror, getattr(urllib3.exceptions, "NameResolutionError", socket.gaierror))
    causes = _causes(error)
    if any(isinstance(cause, requests.Timeout) for cause in causes):
        return None
    if any(isinstance(cause, resolver) for cause in causes):
        return "its name does not resolve: no network, or no DNS?"
    for cause in causes:
        if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
            return _NO_ROUTE[cause.errno]
    return None


def _causes(error: BaseException) -> list[BaseException]:
    """error and every exception it wraps: causes, contexts, urllib3 reasons and exception args."""
    found: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None),
                   *current.args]
        pending += [w for w in wrapped if isinstance(w, BaseException)]
    return found


class _PassingFailure(Exception):
    """A failure worth another try, carrying the error to report if tries run out."""

    def __init__(self, error: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def sleep(seconds: float) -> None:
    """Wait between retries (a module function, so tests can make waiting instant)."""
    time.sleep(seconds)
