"""Engines are found through the `gutaudio.engines` entry points: a package's engine builds too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gutaudio.config import VoiceSettings
from gutaudio.engines import BUILT_IN, engine_names, forget_engines, make_engine

from .conftest import SETTINGS_TOML, write_content

PLUGIN = Path(__file__).parent / "fixtures" / "engine-plugin"


@pytest.fixture(scope="module")
def site_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's engine package, installed by pip (from its folder: no index, no network)."""
    target = tmp_path_factory.mktemp("plugin-site")
    work = tmp_path_factory.mktemp("plugin-build")
    source = shutil.copytree(PLUGIN, work / "gutaudio-tone")  # setuptools writes beside it
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-index", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        capture_output=True, text=True, check=False, cwd=work,
        env={**os.environ, "PIP_NO_CACHE_DIR": "1"})
    assert installed.returncode == 0, installed.stderr
    assert (target / "gutaudio_tone.py").is_file()
    return target


def _gutaudio(site: Path | None, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "gutaudio", *args], capture_output=True, text=True,
                          check=False, cwd=cwd, env=env, timeout=300)


def test_the_built_in_engines_are_registered_as_entry_points() -> None:
    assert engine_names()[:3] == tuple(BUILT_IN)
    espeak = make_engine(VoiceSettings(engine="espeak"))
    assert type(espeak).__module__ == "gutaudio.engines.espeak"


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
    assert sorted(p.name for p in (tmp_path / "out" / "short-article" / "chapters").glob("*.mp3")) == [
        "01-introduction.mp3", "02-diet-and-sleep.mp3", "03-disclaimer.mp3"]


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
        assert engine_names() == tuple(BUILT_IN)
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
