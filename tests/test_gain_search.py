"""The gain search, one for both its uses: fixed trials and gains, worked out by hand.

A chapter's gain is searched twice: cheaply (find_gain, through the limiter at the clips' own
rate, to half the tolerance) and then on the renders themselves (Leveller.render, to the
levelling tolerance). Both are search_gain: secant steps from LIMITER_SLOPE, the slope kept
within 0.1..1.0, four trials at most.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from gutaudio import audio
from gutaudio.audio import (
    ChapterAudio,
    Leveller,
    Loudness,
    Trial,
    find_gain,
    next_gain,
    search_gain,
    secant_slope,
    settled,
)
from gutaudio.config import AudioSettings

CHAIN = "alimiter=limit=0.7499:attack=1:release=60:level=false:latency=true"
"""The limiter after the gain for a -1 dBTP ceiling: it aims 1.5 dB lower, at -2.5 dBFS (0.7499)."""
RAW = ChapterAudio(Path("raw.wav"), 22050, 22050 * 60, ())


def test_the_first_slope_is_the_limiter_guess_then_the_secant_of_the_last_two_trials() -> None:
    assert secant_slope([]) == secant_slope([Trial(4.0, -18.0)]) == 0.55
    assert secant_slope([Trial(0.0, -20.0), Trial(4.0, -18.0)]) == 0.5
    assert secant_slope([Trial(0.0, -20.0), Trial(4.0, -18.0), Trial(6.0, -17.5)]) == 0.25


@pytest.mark.parametrize(("later", "slope"), [
    (Trial(2.0, -16.0), 1.0),  # 2 LU per dB: no limiter adds loudness, so 1 at most
    (Trial(4.0, -19.9), 0.1),  # 0.025 LU per dB: 0.1 at least, so steps stay finite
    (Trial(4.0, -20.5), 0.1),  # louder gain measured quieter (a measurement's noise)
])
def test_the_slope_is_kept_between_a_tenth_and_one(later: Trial, slope: float) -> None:
    assert secant_slope([Trial(0.0, -20.0), later]) == slope


def test_two_trials_of_the_same_gain_keep_the_slope_before_them() -> None:
    assert secant_slope([Trial(0.0, -20.0), Trial(4.0, -18.0), Trial(4.0, -18.1)]) == 0.5
    assert secant_slope([Trial(4.0, -18.0), Trial(4.0000001, -17.0)]) == 0.55


def test_the_next_gain_is_a_secant_step_to_the_target() -> None:
    assert next_gain([Trial(4.0, -18.0)], -16.0) == pytest.approx(4 + 2 / 0.55)
    assert next_gain([Trial(0.0, -20.0), Trial(4.0, -18.0)], -16.0) == 8.0
    assert next_gain([Trial(0.0, -20.0), Trial(4.0, -14.0)], -16.0) == 2.0  # overshoot: back


def test_a_trial_settles_within_the_tolerance_or_on_silence() -> None:
    assert settled(Trial(5.0, -16.25), -16.0, 0.25)
    assert settled(Trial(5.0, -15.75), -16.0, 0.25)
    assert not settled(Trial(5.0, -16.375), -16.0, 0.25)
    assert settled(Trial(5.0, float("-inf")), -16.0, 0.25)
    assert settled(Trial(5.0, float("nan")), -16.0, 0.25)


def test_search_steps_until_settled() -> None:
    measured: list[float] = []

    def half_a_db_per_db(gain: float) -> float:  # a limiter that takes back half of each dB
        measured.append(gain)
        return -20.0 + 0.5 * gain

    trials = search_gain(half_a_db_per_db, 0.0, -16.0, 0.15)
    assert [t.gain for t in trials] == pytest.approx([0.0, 4 / 0.55, 8.0])
    assert [t.reached for t in trials] == pytest.approx([-20.0, -20 + 2 / 0.55, -16.0])
    assert measured == [t.gain for t in trials]  # each gain measured once, in order


def test_search_stops_after_four_trials() -> None:
    measured: list[float] = []

    def barely(gain: float) -> float:  # 0.05 LU per dB, below the smallest slope allowed
        measured.append(gain)
        return -20.0 + 0.05 * gain

    trials = search_gain(barely, 0.0, -16.0, 0.15)
    assert [t.gain for t in trials] == pytest.approx([0.0, 80 / 11, 480 / 11, 680 / 11])
    assert len(measured) == 4


def test_search_stops_at_once_on_silence_or_a_first_hit() -> None:
    assert search_gain(lambda gain: float("-inf"), 3.0, -16.0, 0.15) == (Trial(3.0, float("-inf")),)
    assert search_gain(lambda gain: -16.1, 3.0, -16.0, 0.15) == (Trial(3.0, -16.1),)


def _fake_meter(monkeypatch: pytest.MonkeyPatch, readings: dict[tuple[str, str], float]) -> list[str]:
    """Replace ffmpeg's meter by a table of (file, filters) -> LUFS; an untabled gain fails."""
    asked: list[str] = []

    def measure_loudness(source: Path, ffmpeg: Path | None = None, *, filters: str = "",
                         true_peak: bool = True) -> Loudness:
        asked.append(filters)
        return Loudness(readings[(Path(source).name, filters)], float("nan"))

    monkeypatch.setattr(audio, "measure_loudness", measure_loudness)
    return asked


def test_find_gain_searches_to_half_the_tolerance(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _fake_meter(monkeypatch, {
        ("raw.wav", ""): -20.0,
        ("raw.wav", f"volume=4.000dB,{CHAIN}"): -18.0,
        ("raw.wav", f"volume=7.636dB,{CHAIN}"): -16.2,  # 0.2 LU off: within 0.3, not 0.15
        ("raw.wav", f"volume=8.040dB,{CHAIN}"): -16.1,
    })
    # 4 (the difference), + 2 / 0.55, + 0.2 / (1.8 / (2 / 0.55)) = 4 + 400/99
    assert find_gain(RAW, AudioSettings(), -16.0) == pytest.approx(796 / 99)
    assert len(asked) == 4


def test_find_gain_starts_from_the_limiter_share(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _fake_meter(monkeypatch, {("raw.wav", f"volume=5.500dB,{CHAIN}"): -16.1})
    assert find_gain(RAW, AudioSettings(), -16.0, loudness=-20.0, limiter_share=1.5) == 5.5
    assert asked == [f"volume=5.500dB,{CHAIN}"]


def test_find_gain_unsettled_returns_the_step_beyond_its_last_trial(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_meter(monkeypatch, {
        ("raw.wav", f"volume=4.000dB,{CHAIN}"): -18.0,
        ("raw.wav", f"volume=7.636dB,{CHAIN}"): -17.5,
        ("raw.wav", f"volume=18.545dB,{CHAIN}"): -17.0,
        ("raw.wav", f"volume=28.545dB,{CHAIN}"): -16.5,  # the fourth: no fifth is measured
    })
    # slopes 0.55, 0.1375, then 0.1 (clamped): 4 + 40/11 + 120/11 + 10, and 5 beyond it
    assert find_gain(RAW, AudioSettings(), -16.0, loudness=-20.0) == pytest.approx(19 + 160 / 11)


def test_find_gain_of_silence_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _fake_meter(monkeypatch, {("raw.wav", ""): float("-inf")})
    assert find_gain(RAW, AudioSettings(), -16.0) == 0.0
    assert asked == [""]


def _fake_renders(monkeypatch: pytest.MonkeyPatch,
                  encoded: dict[str, float]) -> list[tuple[str, Path | None]]:
    """Replace the render by a table of gain (to 6 places) -> LUFS of the audio into the encoder."""
    renders: list[tuple[str, Path | None]] = []

    def render_chapter(raw: ChapterAudio, gain: float, settings: AudioSettings, *,
                       mp3: Path | None = None, levelled: Path | None = None) -> Loudness:
        renders.append((f"{gain:.6f}", levelled))
        return Loudness(encoded[f"{gain:.6f}"], -3.0, ((-170, 2), (-160, 5)))

    monkeypatch.setattr(audio, "render_chapter", render_chapter)
    return renders


def test_render_at_the_previous_gain_settles_within_the_full_tolerance(
        monkeypatch: pytest.MonkeyPatch) -> None:
    renders = _fake_renders(monkeypatch, {"2.000000": -19.0, "8.363636": -15.7})
    leveller = Leveller(AudioSettings(), codec_shift=-0.5, limiter_share=1.25)
    gain, loudness = leveller.render(RAW, Path("c.mp3"), Path("c.flac"), previous_gain=2.0)
    assert gain == pytest.approx(2 + 3.5 / 0.55)  # -19.5 after the codec: 3.5 LU to go
    assert loudness == Loudness(pytest.approx(-16.2), -3.0, ((-175, 2), (-165, 5)))  # 0.2 off
    assert renders == [("2.000000", Path("c.flac")), ("8.363636", Path("c.flac"))]
    assert leveller.limiter_share == 1.25  # not measured from a chapter's kept gain


def test_render_returns_the_gain_of_its_last_render_not_a_step_beyond(
        monkeypatch: pytest.MonkeyPatch) -> None:
    renders = _fake_renders(monkeypatch, {"2.000000": -19.0, "8.363636": -18.5,
                                          "38.363636": -18.0, "63.363636": -17.5})
    gain, loudness = Leveller(AudioSettings(), codec_shift=-0.5).render(
        RAW, Path("c.mp3"), previous_gain=2.0)
    assert [g for g, _ in renders] == ["2.000000", "8.363636", "38.363636", "63.363636"]
    assert gain == pytest.approx(63.363636, abs=1e-6)  # what c.mp3 holds: the fourth render
    assert loudness.integrated == pytest.approx(-18.0)


def test_levelling_chapters_carries_the_codec_shift_and_limiter_share(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_meter(monkeypatch, {
        ("one.wav", ""): -20.0,
        ("one.wav", f"volume=4.400dB,{CHAIN}"): -16.15,  # the aim: -16 less the typical -0.4; short
        ("one.wav", f"volume=5.400dB,{CHAIN}"): -15.6,  # 4.4 + 0.55 / 0.55: the limiter took 1 dB
        ("one.mp3", ""): -16.0,  # the MP3 measures 0.3 LU below what went into the encoder
        ("two.wav", ""): -22.0,
        ("two.wav", f"volume=7.300dB,{CHAIN}"): -15.65,  # the aim now: -16 less the -0.3
    })
    renders = _fake_renders(monkeypatch, {"5.400000": -15.7, "7.300000": -15.65})
    leveller = Leveller(AudioSettings())
    first = leveller.render(ChapterAudio(Path("one.wav"), 22050, 0, ()), Path("one.mp3"))
    assert first[0] == pytest.approx(5.4)
    assert first[1] == Loudness(pytest.approx(-16.0), -3.0, ((-173, 2), (-163, 5)))
    assert leveller.codec_shift == pytest.approx(-0.3)
    # The share against the aim find_gain was given (5.4 - (-15.6 + 20)), so the typical codec
    # shift it aimed with, 0.1 LU off the one measured, is not taken for the limiter's.
    assert leveller.limiter_share == pytest.approx(1.0)
    second = leveller.render(ChapterAudio(Path("two.wav"), 22050, 0, ()), Path("two.mp3"))
    assert second[0] == pytest.approx(7.3)  # -15.7 + 22 + the share 1.0: one trial each
    assert second[1].integrated == pytest.approx(-15.95)
    assert [g for g, _ in renders] == ["5.400000", "7.300000"]


def test_find_gain_brings_a_sine_to_the_target_through_ffmpeg(tmp_path: Path) -> None:
    """BS.1770: a 1 kHz sine at 0 dBFS in one channel reads -3.01 LUFS; at -20 dBFS, -23.01,
    so 7.01 dB brings it to -16 (its peaks, at -13 dBFS, far below the limiter's -2.5)."""
    rate = 44100
    sine = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(rate * 5) / rate)
    path = tmp_path / "sine.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((sine * 32767).round().astype("<i2").tobytes())
    raw = ChapterAudio(path, rate, rate * 5, ())
    # a wrong first guess (3 dB too much) so that the search takes secant steps
    gain = find_gain(raw, AudioSettings(), -16.0, limiter_share=3.0)
    assert math.isclose(gain, 7.01, abs_tol=0.16)


def test_the_limiter_share_is_learnt_once_so_chapters_can_be_levelled_in_any_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first chapter, each chapter's first guess uses the first chapter's share, not the
    one before it: a chapter's audio then depends on no chapter rendered after the first, so a
    cluster levelling them side by side makes the same bytes."""
    _fake_meter(monkeypatch, {
        ("one.wav", ""): -20.0, ("one.wav", f"volume=4.400dB,{CHAIN}"): -16.15,
        ("one.wav", f"volume=5.400dB,{CHAIN}"): -15.6, ("one.mp3", ""): -16.0,
        ("two.wav", ""): -22.0, ("two.wav", f"volume=7.300dB,{CHAIN}"): -14.0,  # needs a second trial
        ("two.wav", f"volume=4.209dB,{CHAIN}"): -15.7,
        ("three.wav", ""): -21.0, ("three.wav", f"volume=6.300dB,{CHAIN}"): -15.7,
    })
    _fake_renders(monkeypatch, {"5.400000": -15.7, "4.209091": -15.7, "6.300000": -15.7})
    leveller = Leveller(AudioSettings())
    assert leveller.learning(from_scratch=True)
    leveller.render(ChapterAudio(Path("one.wav"), 22050, 0, ()), Path("one.mp3"))
    assert not leveller.learning(from_scratch=True)
    assert leveller.limiter_share == pytest.approx(1.0)
    leveller.render(ChapterAudio(Path("two.wav"), 22050, 0, ()), Path("two.mp3"))
    assert leveller.limiter_share == pytest.approx(1.0)  # chapter two needed another: kept as it was
    third = leveller.render(ChapterAudio(Path("three.wav"), 22050, 0, ()), Path("three.mp3"))
    assert third[0] == pytest.approx(6.3)  # -15.7 + 21 + the first chapter's 1.0
    shares = leveller.limiter_shares
    # (a chapter its first guess settled shows that guess's share: three's is one's)
    assert shares == pytest.approx([1.0, 4.209091 - 6.3, 1.0], abs=1e-6)
    assert leveller.remembered_share() == pytest.approx(1.0)  # their median


def test_a_leveller_takes_what_a_chapter_levelled_elsewhere_learnt_only_when_it_lacks_it() -> None:
    leveller = Leveller(AudioSettings())
    leveller.learnt(-0.3, (0.2,))
    assert (leveller.codec_shift, leveller.limiter_share) == (-0.3, 0.2)
    leveller.learnt(-0.5, (0.6,))
    assert (leveller.codec_shift, leveller.limiter_share) == (-0.3, 0.2)
    assert leveller.remembered_share() == pytest.approx(0.4)  # the median of both chapters'
    kept = Leveller(AudioSettings(), codec_shift=-0.4, limiter_share=1.0)
    assert not kept.learning(from_scratch=True) and kept.remembered_share() == 1.0
    assert Leveller(AudioSettings(), codec_shift=-0.4).learning(from_scratch=True)
    assert not Leveller(AudioSettings(), codec_shift=-0.4).learning(from_scratch=False)
