"""gTTS through a fake Google endpoint at the HTTP layer: gTTS's own request and decoding code runs."""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
import requests
import responses
import srt
from click.testing import CliRunner

from gutaudio.audio import ffmpeg_executable
from gutaudio.cli import cli
from gutaudio.engines import gtts as gtts_engine

from .conftest import manifest_of, write_content
from .verify import decoded_samples, dominant_frequency

ENDPOINT = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.fixture(scope="module")
def tone_mp3() -> bytes:
    """A short 24 kHz mono MP3, the format Google's endpoint serves, made by the real ffmpeg."""
    command = [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
               "-i", "sine=frequency=330:duration=0.4", "-ac", "1", "-ar", "24000",
               "-b:a", "32k", "-f", "mp3", "pipe:1"]
    return subprocess.run(command, capture_output=True, check=True).stdout


def google_body(mp3: bytes) -> str:
    """Frame MP3 bytes the way Google's batchexecute endpoint does."""
    payload = json.dumps([base64.b64encode(mp3).decode("ascii")])
    rpc = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]], separators=(",", ":"))
    return f")]}}'\n\n{len(rpc)}\n{rpc}\n"


def spoken_text(request: requests.PreparedRequest) -> str:
    """Pull the text gTTS asked Google to speak out of a request body."""
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    freq = urllib.parse.unquote(body.removeprefix("f.req=").rstrip("&"))
    return json.loads(json.loads(freq)[0][0][1])[0]


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record retry waits instead of sleeping through them."""
    waits: list[float] = []
    monkeypatch.setattr(gtts_engine, "sleep", waits.append)
    return waits


def run_build(content: Path, output: Path, *options: str):
    # A cache of its own, so every test really talks to the (fake) endpoint.
    return CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--engine", "gtts", "--content", str(content), "--output", str(output),
              "--cache-dir", str(output.parent / "clip-cache"), *options]
    )


@responses.activate
def test_gtts_build_through_fake_endpoint(tmp_path: Path, tone_mp3: bytes) -> None:
    asked: list[str] = []

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        asked.append(spoken_text(request))
        return 200, {}, google_body(tone_mp3)

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    content = write_content(tmp_path / "content")
    result = run_build(content, tmp_path / "out")
    assert result.exit_code == 0, result.output + result.stderr
    # gTTS cuts text into pieces of at most 100 characters; every word reaches Google.
    heard = " ".join(asked)
    for word in ("Part one.", "Diet and Sleep", "twenty-five to thirty grams", "for example",
                 "educational purposes only"):
        assert word in heard
    assert all(len(piece) <= 100 for piece in asked)
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == [
        "Short Article: Introduction", "Short Article: Diet and Sleep", "Short Article: Disclaimer"]
    manifest = manifest_of(tmp_path / "out")
    assert json.loads((tmp_path / "out" / "build.json").read_text())["engine"] == "gtts"
    first = manifest["chapters"][0]["utterances"][0]
    # Each request's tone is 0.4 s long (plus MP3 decoder priming), so timings come from real audio.
    assert first["end"] - first["start"] == pytest.approx(0.4, abs=0.06)


@responses.activate
def test_gtts_without_network_fails_in_one_line_and_publishes_nothing(tmp_path: Path) -> None:
    responses.add(responses.POST, ENDPOINT, body=requests.ConnectionError("Network is unreachable"))
    content = write_content(tmp_path / "content")
    output = tmp_path / "out"
    result = run_build(content, output)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: gtts: cannot reach Google's text-to-speech service at translate.google.com "
        "(no network?); use --engine piper for the offline voice "
        "(0 of 7 utterances are finished and cached; run the build again to resume)"
    )
    assert "Traceback" not in result.stderr
    assert not output.exists()  # nothing was published, not even an empty folder
    assert [p.name for p in output.parent.iterdir() if p.name.startswith(".gutaudio-build")] == []


@responses.activate
def test_gtts_server_error_names_the_cause(tmp_path: Path) -> None:
    responses.add(responses.POST, ENDPOINT, status=503)
    content = write_content(tmp_path / "content")
    result = run_build(content, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: gtts: 503 (Service Unavailable) from TTS API. "
        "Probable cause: Upstream API error. Try again later. "
        "(0 of 7 utterances are finished and cached; run the build again to resume)"
    )


@responses.activate
def test_gtts_garbage_audio_is_a_synthesis_error(tmp_path: Path) -> None:
    responses.add(responses.POST, ENDPOINT, body=google_body(b"this is not an mp3 at all"))
    content = write_content(tmp_path / "content")
    result = run_build(content, tmp_path / "out")
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: gtts: the audio Google returned for 'Gut health matters.' does not decode")
    assert not (tmp_path / "out" / "feed.xml").exists()


def answer_with(answers: list[tuple[int, dict, str]], tone_mp3: bytes) -> None:
    """The fake endpoint gives these answers in turn, then a good clip to every request."""
    pending = iter(answers)

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        return next(pending, (200, {}, google_body(tone_mp3)))

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)


@responses.activate
def test_rate_limits_are_retried_honouring_retry_after(tmp_path: Path, tone_mp3: bytes,
                                                       no_waiting: list[float]) -> None:
    answer_with([(429, {"Retry-After": "2"}, "slow down"), (503, {}, "")], tone_mp3)
    content = write_content(tmp_path / "content")
    result = run_build(content, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert len(no_waiting) == 2
    assert 2.0 in no_waiting  # Retry-After, to the second
    backoff = [w for w in no_waiting if w != 2.0]
    assert len(backoff) == 1 and 0.5 <= backoff[0] <= 1.5  # 0.5 s doubling, plus jitter


@responses.activate
def test_a_truncated_body_is_retried_and_never_cached(tmp_path: Path, tone_mp3: bytes) -> None:
    answer_with([(200, {}, google_body(tone_mp3[:40]))], tone_mp3)
    content = write_content(tmp_path / "content")
    result = run_build(content, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    clips = list((tmp_path / "clip-cache").rglob("*.wav"))
    assert clips and all(p.stat().st_size > 10_000 for p in clips)


PITCHES = {"Gut health": 300, "shapes": 400, "Part one": 500, "twenty-five": 600, "Disclaimer": 700,
           "educational": 800, "physician": 900}
"""A tone for each of the test article's seven utterances (by a word of it), in reading order."""


def _tone(frequency: int) -> bytes:
    """A 0.4 s MP3 tone at frequency, as Google's endpoint serves speech, made by the real ffmpeg."""
    command = [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
               "-i", f"sine=frequency={frequency}:duration=0.4", "-ac", "1", "-ar", "24000",
               "-b:a", "32k", "-f", "mp3", "pipe:1"]
    return subprocess.run(command, capture_output=True, check=True).stdout


@responses.activate
def test_concurrent_requests_keep_reading_order(tmp_path: Path) -> None:
    tones = {word: _tone(pitch) for word, pitch in PITCHES.items()}

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        (word,) = [word for word in PITCHES if word in spoken_text(request)]
        return 200, {}, google_body(tones[word])

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    content = write_content(tmp_path / "content")
    result = CliRunner(mix_stderr=False).invoke(cli, [
        "build", "--engine", "gtts", "--jobs", "6", "--content", str(content),
        "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "clip-cache")])
    assert result.exit_code == 0, result.stderr
    # Six requests at once, answered in any order: each utterance's own clip is heard under its own
    # caption, in reading order, as ffmpeg decodes the chapter files and the srt package reads the cues.
    heard = []
    for path in sorted((tmp_path / "out" / "short-article" / "chapters").glob("*.mp3")):
        samples = decoded_samples(path, 44100)
        for cue in srt.parse(path.with_suffix(".srt").read_text(encoding="utf-8")):
            start = cue.start.total_seconds()
            heard.append(dominant_frequency(samples[round((start + 0.05) * 44100):
                                                    round((start + 0.3) * 44100)], 44100))
    assert heard == pytest.approx(list(PITCHES.values()), abs=10)


@responses.activate
def test_timeouts_and_resets_are_retried(tmp_path: Path, tone_mp3: bytes,
                                         no_waiting: list[float]) -> None:
    failures = iter([requests.exceptions.ReadTimeout("read timed out"),
                     requests.exceptions.ConnectTimeout("connect timed out"),
                     requests.exceptions.ConnectionError(ConnectionResetError(104, "reset by peer"))])

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return 200, {}, google_body(tone_mp3)

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    result = run_build(write_content(tmp_path / "content"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert len(no_waiting) == 3


@responses.activate
def test_an_outage_mid_build_says_what_is_finished_and_a_rerun_resumes(
        tmp_path: Path, tone_mp3: bytes) -> None:
    served = []

    def flaky(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        served.append(spoken_text(request))
        return (200, {}, google_body(tone_mp3)) if len(served) <= 3 else (503, {}, "")

    responses.add_callback(responses.POST, ENDPOINT, callback=flaky)
    content = write_content(tmp_path / "content")
    result = CliRunner(mix_stderr=False).invoke(cli, [
        "build", "--engine", "gtts", "--jobs", "1", "--content", str(content),
        "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "clip-cache")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        "(3 of 7 utterances are finished and cached; run the build again to resume)")
    assert not (tmp_path / "out").exists()
    assert len(list((tmp_path / "clip-cache").rglob("*.wav"))) == 3

    responses.replace(responses.POST, ENDPOINT, body=google_body(tone_mp3))
    again = run_build(content, tmp_path / "out")
    assert again.exit_code == 0, again.stderr
    assert len(responses.calls) - len(served) == 4  # only the four missing utterances


def _unanswered(session_call: str) -> requests.ConnectionError:
    """Run a request through the real requests and urllib3 code and return how it failed."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the request goes where it says
    with pytest.raises(requests.ConnectionError) as caught:
        session.post(session_call, timeout=2)
    return caught.value


@pytest.fixture(scope="module")
def resolver_failure() -> requests.ConnectionError:
    """What requests raises when a host name does not resolve, made by urllib3's own code.

    The resolver is replaced by one that fails, so no query leaves the machine; the name is
    under the reserved .invalid domain in case it ever did.
    """
    def no_such_name(*args: object, **kwargs: object) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", no_such_name)
        return _unanswered("https://translate.google.invalid/")


@pytest.fixture(scope="module")
def refused_connection() -> Iterator[requests.ConnectionError]:
    """What requests raises when a connection is refused: a loopback port bound, but not listening."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield _unanswered(f"http://127.0.0.1:{bound.getsockname()[1]}/")


def test_the_fixtures_fail_as_a_machine_without_network_does(resolver_failure: Exception,
                                                             refused_connection: Exception) -> None:
    assert "NameResolutionError" in str(resolver_failure)
    assert "Connection refused" in str(refused_connection)
    assert gtts_engine.unreachable_reason(resolver_failure, first_contact=True) == (
        "its name does not resolve: no network, or no DNS?")
    assert gtts_engine.unreachable_reason(resolver_failure, first_contact=False) is None
    assert gtts_engine.unreachable_reason(refused_connection, first_contact=True) == (
        "the connection was refused")
    assert gtts_engine.unreachable_reason(refused_connection, first_contact=False) is None
    for passing in (requests.exceptions.ConnectTimeout("connect timed out"),
                    requests.ConnectionError(ConnectionResetError(104, "reset by peer"))):
        assert gtts_engine.unreachable_reason(passing, first_contact=True) is None


MANY_UTTERANCES = "\n\n".join(
    [" ".join(f"Sentence {n} of paragraph {p} is here." for n in range(1, 6)) for p in range(1, 9)]
    + ["This site offers information designed for educational purposes only. Always consult your physician."]
) + "\n"


def _count_and_raise(error: Exception, calls: list[str]):
    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        calls.append(spoken_text(request))
        raise error
    return reply


def _run_parallel_build(tmp_path: Path) -> tuple[object, float]:
    content = write_content(tmp_path / "content", MANY_UTTERANCES)
    began = time.monotonic()
    result = CliRunner(mix_stderr=False).invoke(cli, [
        "build", "--engine", "gtts", "--jobs", "8", "--content", str(content),
        "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "clip-cache")])
    return result, time.monotonic() - began


@responses.activate
def test_a_host_that_does_not_resolve_fails_at_once_with_one_request_per_worker(
        tmp_path: Path, resolver_failure: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gtts_engine, "sleep", time.sleep)  # real waits: the time taken is the point
    calls: list[str] = []
    responses.add_callback(responses.POST, ENDPOINT, callback=_count_and_raise(resolver_failure, calls))
    result, seconds = _run_parallel_build(tmp_path)
    assert result.exit_code == 1
    assert 1 <= len(calls) <= 8, f"{len(calls)} requests to a host whose name does not resolve"
    assert seconds < 10, f"took {seconds:.1f} s to fail"  # 18 s before, retrying every utterance
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"Error: gtts: translate\.google\.com cannot be reached \(its name does not resolve: no network, "
        r"or no DNS\?\); use --engine piper for the offline voice "
        r"\(0 of 4\d utterances are finished and cached; run the build again to resume\)", line), line
    assert not (tmp_path / "out").exists()


@responses.activate
def test_a_refused_first_connection_fails_at_once(tmp_path: Path, refused_connection: Exception,
                                                  no_waiting: list[float]) -> None:
    calls: list[str] = []
    responses.add_callback(responses.POST, ENDPOINT, callback=_count_and_raise(refused_connection, calls))
    result, seconds = _run_parallel_build(tmp_path)
    assert result.exit_code == 1
    assert 1 <= len(calls) <= 8 and no_waiting == []  # at most one per worker, none retried
    assert seconds < 10, f"took {seconds:.1f} s to fail"  # 18 s before, retrying every utterance
    assert result.stderr.splitlines()[-1].startswith(
        "Error: gtts: translate.google.com cannot be reached (the connection was refused); "
        "use --engine piper for the offline voice (0 of 4")


@responses.activate
def test_a_refused_connection_after_google_answered_is_retried(
        tmp_path: Path, tone_mp3: bytes, refused_connection: Exception, no_waiting: list[float]) -> None:
    calls: list[str] = []

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        calls.append(spoken_text(request))
        if len(calls) == 2:
            raise refused_connection
        return 200, {}, google_body(tone_mp3)

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    # One request at a time: "after Google answered" is then a fact, not a race between workers.
    result = run_build(write_content(tmp_path / "content"), tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert len(no_waiting) == 1 and calls[1] == calls[2]


@responses.activate
def test_when_the_name_stops_resolving_mid_build_it_is_retried_then_every_worker_stops(
        tmp_path: Path, tone_mp3: bytes, resolver_failure: Exception, no_waiting: list[float]) -> None:
    calls: list[str] = []

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        calls.append(spoken_text(request))
        if len(calls) > 3:
            raise resolver_failure
        return 200, {}, google_body(tone_mp3)

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    result, _ = _run_parallel_build(tmp_path)
    assert result.exit_code == 1
    assert "cannot reach Google's text-to-speech service" in result.stderr.splitlines()[-1]
    assert no_waiting, "a resolver that fails after Google answered is retried with backoff"
    # Once one utterance has used all its tries, the others stop: at most a worker's tries each,
    # not five tries for each of the 41 utterances.
    assert len(calls) <= 3 + 8 * gtts_engine.ATTEMPTS
