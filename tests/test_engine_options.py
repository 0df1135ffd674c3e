"""Engines declare their own [voice] options: a third-party engine takes and checks its own ones."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gutaudio.config import CONFIG_FILENAME, SettingsError, VoiceSettings, load_settings
from gutaudio.engines import forget_engines, make_engine
from gutaudio.errors import ConfigError

from .conftest import SETTINGS_TOML, write_content

BUILT_IN_KEYS = "engine, model, rate, gtts_lang, gtts_tld, gtts_slow, espeak_voice"


@pytest.fixture(scope="module")
def plugin_site(tone_engine_site: Path) -> Path:
    """The fixture's engine package, installed once for the session."""
    return tone_engine_site


@pytest.fixture
def tone(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The tone engine registered in this process, as if its package were installed here."""
    monkeypatch.syspath_prepend(str(plugin_site))
    forget_engines()
    try:
        yield
    finally:
        monkeypatch.undo()
        sys.modules.pop("gutaudio_tone", None)
        forget_engines()


def content(tmp_path: Path, voice: str) -> Path:
    """A content folder whose [voice] table is the given lines."""
    settings = SETTINGS_TOML.replace('[voice]\nengine = "piper"\n', f"[voice]\n{voice}")
    assert f"[voice]\n{voice}" in settings
    return write_content(tmp_path / "content", settings=settings)


def settings_error(folder: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_settings(folder, folder.parent / "output")
    return str(raised.value).removeprefix(f"{folder / CONFIG_FILENAME}: ")


def tone_pitch(pcm: bytes, rate: int) -> float:
    """The frequency of a clip's first tone, from its upward zero crossings (not from the engine)."""
    samples = [int.from_bytes(pcm[i:i + 2], "little", signed=True) for i in range(0, len(pcm), 2)]
    tone = samples[:rate * 12 // 100]  # the first word's 120 ms
    upward = sum(1 for a, b in itertools.pairwise(tone) if a < 0 <= b)
    return upward / (len(tone) / rate)


def test_the_plugin_engine_receives_its_own_option_from_gutaudio_toml(tone: None, tmp_path: Path) -> None:
    folder = content(tmp_path, 'engine = "tone"\ntone_hz = 330\n')
    settings = load_settings(folder, tmp_path / "output")
    assert (settings.voice.engine, dict(settings.voice.options)) == ("tone", {"tone_hz": 330.0})
    engine = make_engine(settings.voice)
    assert engine.tone_hz == 330.0
    assert engine.identity(str)["tone_hz"] == 330.0  # so clips made at another pitch are not reused
    clip = engine.synthesize("a")  # a one-letter word: tone_hz + 40 Hz
    assert tone_pitch(clip.pcm, clip.sample_rate) == pytest.approx(370, abs=10)


def test_without_the_option_the_plugin_engine_gets_its_declared_default(tone: None, tmp_path: Path) -> None:
    settings = load_settings(content(tmp_path, 'engine = "tone"\n'), tmp_path / "output")
    assert dict(settings.voice.options) == {}
    clip = make_engine(settings.voice).synthesize("a")
    assert tone_pitch(clip.pcm, clip.sample_rate) == pytest.approx(240, abs=10)


@pytest.mark.parametrize(("voice", "problem"), [
    ('engine = "tone"\ntone_hz = 5\n', "voice.tone_hz 5 is out of range (valid: 50 to 2000 Hz)"),
    ('engine = "tone"\ntone_hz = 2000.5\n', "voice.tone_hz 2000.5 is out of range (valid: 50 to 2000 Hz)"),
    ('engine = "tone"\ntone_hz = "high"\n', "voice.tone_hz must be a number, not 'high'"),
    ('engine = "tone"\ntone_hz = true\n', "voice.tone_hz must be a number, not True"),
    ('engine = "tone"\ntone_pitch = 300\n',
     f"unknown setting 'voice.tone_pitch' (did you mean 'tone_hz'? valid: {BUILT_IN_KEYS}, tone_hz)"),
    # Another engine's option is still checked by that engine when the file chooses this one.
    ('engine = "tone"\ngtts_slow = "yes"\n', "voice.gtts_slow must be true or false, not 'yes'"),
    ('engine = "espeak"\ntone_hz = 5\n', "voice.tone_hz 5 is out of range (valid: 50 to 2000 Hz)"),
], ids=["too-low", "too-high", "text", "bool", "unknown", "other-engines-option", "from-another-engine"])
def test_the_plugin_engine_checks_its_own_option(tone: None, tmp_path: Path, voice: str,
                                                 problem: str) -> None:
    assert settings_error(content(tmp_path, voice)) == problem


def test_python_settings_are_checked_by_the_same_rule(tone: None) -> None:
    with pytest.raises(SettingsError) as raised:
        VoiceSettings(engine="tone", options={"tone_hz": 5})
    assert str(raised.value) == "voice.tone_hz 5 is out of range (valid: 50 to 2000 Hz)"
    assert VoiceSettings(engine="tone", options={"tone_hz": 440}).options == {"tone_hz": 440.0}


def test_a_file_kept_for_several_engines_builds_with_any_of_them(tone: None, tmp_path: Path) -> None:
    # The tone option stands beside gTTS's and espeak's; --engine picks one, the others are kept.
    folder = content(tmp_path,
                     'engine = "espeak"\ntone_hz = 330\ngtts_tld = "co.uk"\nespeak_voice = "en-gb"\n')
    for engine, attribute, expected in (("espeak", "voice", "en-gb"), ("gtts", "tld", "co.uk"),
                                        ("tone", "tone_hz", 330.0)):
        voice = load_settings(folder, tmp_path / "output", engine=engine).voice
        assert getattr(make_engine(voice), attribute) == expected


def test_without_the_plugin_its_option_is_an_unknown_setting(tmp_path: Path) -> None:
    folder = content(tmp_path, 'engine = "espeak"\ntone_hz = 330\n')
    assert settings_error(folder) == f"unknown setting 'voice.tone_hz' (valid: {BUILT_IN_KEYS})"


def test_the_command_line_reports_a_bad_plugin_option_in_one_line(plugin_site: Path, tmp_path: Path) -> None:
    folder = content(tmp_path, 'engine = "espeak"\ntone_hz = 5\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(plugin_site),
                                                                     os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "gutaudio", "inspect", "--content", str(folder),
                             "--engine", "tone"], capture_output=True, text=True, check=False,
                            cwd=tmp_path, env=env, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"Error: {folder / CONFIG_FILENAME}: voice.tone_hz 5 is out of range (valid: 50 to 2000 Hz)"]


# -- the built-in engines declare theirs the same way ------------------------------------------------


def test_the_built_in_engines_read_their_options_and_defaults() -> None:
    gtts = make_engine(VoiceSettings(engine="gtts", options={"gtts_tld": "co.uk", "gtts_slow": True}))
    assert (gtts.lang, gtts.host, gtts.slow) == ("en", "translate.google.co.uk", True)
    default = make_engine(VoiceSettings(engine="gtts"))
    assert (default.lang, default.host, default.slow) == ("en", "translate.google.com", False)
    espeak = make_engine(VoiceSettings(engine="espeak", rate=2.0, options={"espeak_voice": "en-gb"}))
    assert espeak.voice_name() == "en-gb at 350 words per minute"
    assert make_engine(VoiceSettings(engine="espeak")).voice_name() == "en-us at 175 words per minute"


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"engine": "espeak", "options": {"tld": "co.uk"}},
     f"unknown setting 'voice.tld' (valid: {BUILT_IN_KEYS})"),
    ({"options": {"gtts_tld": 5}}, "voice.gtts_tld must be text, not 5"),
    ({"options": {"espeak_voice": None}}, "voice.espeak_voice must be text, not None"),
    ({"options": {"rate": 1.5}}, "voice.options gives 'rate', which is a setting of its own "
                                 "(VoiceSettings(rate=...))"),
    ({"model": Path("voices/x.bin")}, "voice model 'voices/x.bin' is not a Piper .onnx file"),
    ({"engine": "espeak", "model": True}, "voice.model must be text, not True"),
], ids=["unknown", "gtts-type", "espeak-type", "core-setting", "piper-model", "model-type"])
def test_built_in_options_are_checked_in_python(kwargs: dict[str, object], problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        VoiceSettings(**kwargs)  # type: ignore[arg-type]
    assert str(raised.value) == problem


def test_a_voice_model_is_looked_for_only_when_gutaudio_toml_names_it(tmp_path: Path) -> None:
    # VoiceSettings may name a file this machine lacks (gutaudio engines --voice lists Piper as
    # unavailable then); gutaudio.toml's own files must exist.
    missing = tmp_path / "voices" / "x.onnx"
    assert VoiceSettings(model=missing).model == missing
    folder = content(tmp_path, 'engine = "piper"\nmodel = "voices/x.onnx"\n')
    assert settings_error(folder) == "voice model 'voices/x.onnx' does not exist"
