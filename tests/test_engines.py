"""Engines are found through the `gutaudio.engines` entry points: a package's engine builds too."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from gutaudio.config import VoiceSettings
from gutaudio.engines import engine_names, forget_engines, make_engine

from .conftest import SETTINGS_TOML, write_content
from .verify import decoded_samples, dominant_frequency


@pytest.fixture(scope="module")
def site_packages(tone_engine_site: Path) -> Path:
    """The fixture's engine package, installed once for the session."""
    return tone_engine_site


def _gutaudio(site: Path | None, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "gutaudio", *args], capture_output=True, text=True,
                          check=False, cwd=cwd, env=env, timeout=300)


def test_the_built_in_engines_are_registered_as_entry_points() -> None:
    # Read from the installed package's metadata by importlib, not through gutaudio (which falls
    # back on its own table when an entry point is missing, and so could not tell).
    registered = {point.name: point.value for point in entry_points(group="gutaudio.engines")}
    assert {name: registered.get(name) for name in ("piper", "gtts", "espeak")} == {
        "piper": "gutaudio.engines.piper:PiperEngine", "gtts": "gutaudio.engines.gtts:GttsEngine",
        "espeak": "gutaudio.engines.espeak:EspeakEngine"}
    assert engine_names()[:3] == ("piper", "gtts", "espeak")  # listed first, in this order
    assert type(make_engine(VoiceSettings(engine="espeak"))).__name__ == "EspeakEngine"


def test_an_installed_engine_package_is_listed_and_builds(site_packages: Path, tmp_path: Path) -> None:
    listed = _gutaudio(site_packages, "engines", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "tone    available    sine tones  (a test engine)" in listed.stdout.splitlines()
    content = write_content(tmp_path / "content",
                            settings=SETTINGS_TOML.replace('engine = "piper"', 'engine = "tone"'))
    built = _gutaudio(site_packages, "build", "-q", "--content", str(content), "--output",
                      str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = (tmp_path / "out" / "build.json").read_text(encoding="utf-8")
    assert '"voice": "sine tones"' in manifest
    chapters = tmp_path / "out" / "short-article" / "chapters"
    assert sorted(p.name for p in chapters.glob("*.mp3")) == [
        "01-introduction.mp3", "02-diet-and-sleep.mp3", "03-disclaimer.mp3"]
    # The audio is the package's: after the half-second lead-in, "Gut health matters." is three
    # 120 ms tones 40 ms apart, of 200 Hz + 40 Hz a character (3, 6 and 8), as ffmpeg decodes them.
    samples = decoded_samples(chapters / "01-introduction.mp3", 44100)
    heard = [dominant_frequency(samples[round(start * 44100):round((start + 0.08) * 44100)], 44100)
             for start in (0.52, 0.68, 0.84)]
    assert heard == pytest.approx([320, 440, 520], abs=15)


def test_an_engine_that_is_not_installed_is_an_option_error(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content",
                            settings=SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"'))
    result = _gutaudio(None, "inspect", "--content", str(content), "--engine", "tone", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--engine': unknown engine 'tone' (valid: piper, gtts, espeak)")


def test_a_broken_engine_package_gives_way_with_a_warning(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    info = tmp_path / "brokenvoice-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenvoice\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[gutaudio.engines]\nbroken = brokenvoice:Nothing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    forget_engines()
    try:
        assert "broken" in engine_names()
        with pytest.raises(Exception, match="unknown engine 'broken'"):
            make_engine(VoiceSettings(engine="broken"))
    finally:
        monkeypatch.undo()
        forget_engines()
    assert "broken" not in engine_names()


def test_without_package_metadata_the_built_in_engines_and_readers_are_still_found(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from gutaudio import engines, readers

    monkeypatch.setattr(engines, "entry_points", lambda group: [])  # a source folder, no dist-info
    monkeypatch.setattr(readers, "entry_points", lambda group: [])
    engines.forget_engines()
    readers.forget_readers()
    try:
        assert engine_names() == ("piper", "gtts", "espeak")
        assert type(make_engine(VoiceSettings(engine="espeak"))).__name__ == "EspeakEngine"
        assert readers.article_suffixes() == (".docx", ".htm", ".html", ".markdown", ".md", ".text",
                                              ".txt")
        assert readers.parse_text("Fibre.\n\nNot medical advice.\n", Path("a.md")).sections
    finally:
        monkeypatch.undo()
        engines.forget_engines()
        readers.forget_readers()


def test_an_engine_whose_status_raises_does_not_stop_the_listing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from gutaudio import engines

    class Raising:
        name = "raising"

        def __init__(self, voice: object) -> None:
            raise RuntimeError("no licence file")

        synthesize = status = prepare = identity = None

    monkeypatch.setattr(engines, "engine_names", lambda: ("espeak", "raising"))
    from gutaudio.engines.espeak import EspeakEngine

    monkeypatch.setattr(engines, "engine_class",
                        lambda name: Raising if name == "raising" else EspeakEngine)
    statuses = engines.engine_statuses(VoiceSettings())
    assert [s.name for s in statuses] == ["espeak", "raising"]
    assert (statuses[1].available, statuses[1].reason) == (False, "RuntimeError: no licence file")
