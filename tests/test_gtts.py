"""gTTS through a fake Google endpoint at the HTTP layer: gTTS's own request and decoding code runs."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.parse
from pathlib import Path

import feedparser
import pytest
import requests
import responses
from click.testing import CliRunner

from gutaudio.audio import ffmpeg_executable
from gutaudio.cli import cli
from gutaudio.engines import gtts as gtts_engine

from .conftest import manifest_of, write_content

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


def run_build(content: Path, output: Path):
    # A cache of its own, so every test really talks to the (fake) endpoint.
    return CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--engine", "gtts", "--content", str(content), "--output", str(output),
              "--cache-dir", str(output.parent / "clip-cache")]
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
    assert [e.title for e in feed.entries] == ["Introduction", "Diet and Sleep", "Disclaimer"]
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


@responses.activate
def test_concurrent_requests_keep_reading_order(tmp_path: Path, tone_mp3: bytes) -> None:
    responses.add_callback(responses.POST, ENDPOINT,
                           callback=lambda request: (200, {}, google_body(tone_mp3)))
    content = write_content(tmp_path / "content")
    result = CliRunner(mix_stderr=False).invoke(cli, [
        "build", "--engine", "gtts", "--jobs", "6", "--content", str(content),
        "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "clip-cache")])
    assert result.exit_code == 0, result.stderr
    texts = [u["text"] for c in manifest_of(tmp_path / "out")["chapters"] for u in c["utterances"]]
    assert texts[:2] == ["Gut health matters.", "It shapes how we feel every day."]
    assert texts[-1] == "Always consult your physician."


@responses.activate
def test_timeouts_and_resets_are_retried(tmp_path: Path, tone_mp3: bytes,
                                         no_waiting: list[float]) -> None:
    failures = iter([requests.exceptions.ReadTimeout("read timed out"),
                     requests.exceptions.ConnectionError(ConnectionResetError(104, "reset by peer"))])

    def reply(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return 200, {}, google_body(tone_mp3)

    responses.add_callback(responses.POST, ENDPOINT, callback=reply)
    result = run_build(write_content(tmp_path / "content"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert len(no_waiting) == 2


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
