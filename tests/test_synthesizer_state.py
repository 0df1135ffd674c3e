"""No hidden shared state: two synthesizers in one process keep their own engines, and a build
changes nothing process-wide (pydub's ffmpeg is left as it was)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gutaudio.audio import AudioSegment, trim_silence
from gutaudio.cache import ClipCache
from gutaudio.cli import cli
from gutaudio.config import VoiceSettings
from gutaudio.engines import forget_engines, make_engine
from gutaudio.engines.base import Clip
from gutaudio.synthesis import SynthesisStats, Synthesizer

TONE_PLUGIN = Path(__file__).parent / "fixtures" / "engine-plugin"

LONG = ("Fibre feeds the bacteria of the gut, and they make short-chain fatty acids that the cells "
        "of the bowel lining live on; a diet poor in fibre starves them, over weeks and months.")
"""Spoken first, so that this synthesizer's first job is still running while the other one starts."""
TEXTS = [LONG, "Eat oats.", "Sleep well.", "Walk daily.", "Drink water.", "See your doctor."]


@pytest.fixture
def tone_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fixture package's 'tone' engine, registered by an entry point (no pip install)."""
    info = tmp_path / "gutaudio_tone-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gutaudio-tone\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[gutaudio.engines]\ntone = gutaudio_tone:ToneEngine\n")
    monkeypatch.syspath_prepend(str(TONE_PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    forget_engines()
    yield "tone"
    monkeypatch.undo()
    forget_engines()


def _alone(voice: VoiceSettings, text: str) -> bytes:
    """The clip an engine of this voice makes on its own, with no synthesizer about."""
    return make_engine(voice).synthesize(text).pcm


def _assert_apart(first: VoiceSettings, second: VoiceSettings, cache_root: Path) -> None:
    """Both synthesizers queue the same texts at once; each hands out its own voice's clips."""
    one = Synthesizer(first, ClipCache(cache_root), jobs=1)
    other = Synthesizer(second, ClipCache(cache_root), jobs=1)  # one cache, as the user's is
    assert one.key(LONG) != other.key(LONG)
    with one, other:
        one.start(TEXTS)
        other.start(TEXTS)  # while one's first job runs and the rest wait in its queue
        for text in TEXTS:
            assert one.clip(text).pcm == _alone(first, text), (first.engine, text)
            assert other.clip(text).pcm == _alone(second, text), (second.engine, text)
    assert one.stats == other.stats == SynthesisStats(reused=0, made=len(TEXTS))


@pytest.mark.espeak
def test_two_espeak_voices_in_threads_do_not_cross(tmp_path: Path) -> None:
    normal, quicker = VoiceSettings(engine="espeak"), VoiceSettings(engine="espeak", rate=1.3)
    assert _alone(normal, "Eat oats.") != _alone(quicker, "Eat oats.")
    _assert_apart(normal, quicker, tmp_path / "cache")


@pytest.mark.espeak
def test_an_espeak_and_a_tone_synthesizer_in_threads_do_not_cross(tmp_path: Path,
                                                                   tone_engine: str) -> None:
    _assert_apart(VoiceSettings(engine="espeak"), VoiceSettings(engine=tone_engine), tmp_path / "cache")
    _assert_apart(VoiceSettings(engine=tone_engine), VoiceSettings(engine="espeak"), tmp_path / "other")


def test_trimming_a_clip_runs_no_ffmpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydub only works on PCM in memory here, so its ffmpeg setting does not matter."""
    monkeypatch.setattr(AudioSegment, "converter", "/nonexistent/ffmpeg")
    rate = 8000
    silence = [0] * (rate // 10)  # 100 ms
    square = [8000, -8000] * (rate // 10)  # 200 ms
    trimmed = trim_silence(Clip(struct.pack(f"<{rate * 4 // 10}h", *silence, *square, *silence), rate))
    # 30 ms of each silence kept (EDGE_PADDING_MS): 70 ms to 330 ms
    assert trimmed.pcm == struct.pack(f"<{rate * 26 // 100}h", *silence[:240], *square, *silence[:240])


def test_a_build_changes_no_process_wide_ffmpeg(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build runs its own ffmpeg, the configured one, and leaves pydub's as it found it: here
    one that does not exist, which the build never needs."""
    monkeypatch.setattr(AudioSegment, "converter", "/nonexistent/ffmpeg")
    result = CliRunner(mix_stderr=False).invoke(cli, ["build", "-q"])
    assert result.exit_code == 0, result.output + result.stderr
    assert AudioSegment.converter == "/nonexistent/ffmpeg"
    assert len(list((project / "output" / "short-article" / "chapters").glob("*.mp3"))) == 3


def test_two_piper_synthesizers_in_processes_keep_their_own_voices(tmp_path: Path) -> None:
    """Each pool's worker processes start with their own synthesizer's voice (a per-process
    engine, set by the pool's initializer), so two pools in one build do not cross either.
    Piper's voice varies a little from run to run, so the two are told apart by their speed."""
    normal = VoiceSettings(engine="piper")
    double = VoiceSettings(engine="piper", rate=2.0)
    one = Synthesizer(normal, ClipCache(tmp_path / "cache"), jobs=1)
    other = Synthesizer(double, ClipCache(tmp_path / "cache"), jobs=1)
    texts = ["Eat oats and barley.", "Sleep well, and walk daily."]
    with one, other:
        one.start(texts)
        other.start(texts)
        for text in texts:
            slow, fast = one.clip(text), other.clip(text)
            assert fast.duration < 0.75 * slow.duration, text
    assert one.stats == other.stats == SynthesisStats(reused=0, made=len(texts))
