"""The public Python API: load settings, build (from content/, or from text with no file), check."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import feedparser
import pytest
from mutagen.id3 import ID3

import gutaudio

ARTICLE = textwrap.dedent("""\
    ---
    title: Sleep and the Gut
    date: 2025-05-04
    ---

    # Sleep and the Gut

    ## Why sleep matters

    A short night can upset digestion for a day or two.

    ## Disclaimer

    This article is for general information and is not medical advice. Talk to your doctor
    before changing your treatment.
    """)


def test_importing_the_package_loads_none_of_the_build() -> None:
    code = "import sys, gutaudio; print(sorted(m for m in sys.modules if m.startswith('gutaudio')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "['gutaudio']"


def test_the_build_function_is_not_replaced_by_a_module_of_its_name() -> None:
    """A submodule named like a public function would replace it on the package once imported."""
    code = ("import gutaudio.recipe, gutaudio.check, gutaudio.config, gutaudio; "
            "print(callable(gutaudio.build), callable(gutaudio.check_build), "
            "callable(gutaudio.load_settings))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "True True True"
    submodules = {module.name for module in pkgutil.iter_modules(gutaudio.__path__)}
    assert "recipe" in submodules and not submodules & set(gutaudio.__all__)


def test_every_public_name_is_there_and_documented() -> None:
    for name in gutaudio.__all__:
        value = getattr(gutaudio, name)
        assert name == "__version__" or (value.__doc__ or "").strip(), name
    assert gutaudio.build.__module__ == "gutaudio.recipe"
    assert gutaudio.load_settings.__module__ == "gutaudio.config"


def test_an_article_built_from_text_without_a_file(project: Path) -> None:
    settings = gutaudio.load_settings(project / "content", project / "output")
    article = gutaudio.parse_text(ARTICLE, Path("sleep-and-the-gut.md"), settings.disclaimer)
    result = gutaudio.build(settings, articles=[article])

    output = project / "output"
    # Only the article given was built, not the one in content/.
    assert sorted(p.name for p in output.iterdir() if p.is_dir()) == ["sleep-and-the-gut"]
    chapters = sorted((output / "sleep-and-the-gut" / "chapters").glob("*.mp3"))
    assert [p.name for p in chapters] == ["01-why-sleep-matters.mp3", "02-disclaimer.mp3"]
    assert [str(ID3(p)["TIT2"]) for p in chapters] == ["Why sleep matters", "Disclaimer"]
    feed = feedparser.parse(str(output / "feed.xml"))
    assert [e.title for e in feed.entries] == ["Sleep and the Gut: Why sleep matters",
                                               "Sleep and the Gut: Disclaimer"]
    assert result.report is not None and result.report.passed()
    assert gutaudio.check_build(output).passed()


def test_settings_are_values_a_build_can_be_given_directly(project: Path) -> None:
    settings = gutaudio.load_settings(project / "content", project / "output")
    assert isinstance(settings, gutaudio.Settings)
    assert isinstance(settings.show, gutaudio.ShowSettings)
    plans = gutaudio.plan_build(settings)
    assert [p.folder for p in plans] == ["short-article"]


def test_settings_made_in_python_build_with_the_urls_they_say(tmp_path: Path) -> None:
    """The issue's case: a base URL without its final slash, given in Python, not in gutaudio.toml."""
    show = gutaudio.ShowSettings(title="Gut Notes", author="The Editors", description="Notes on the gut.",
                                 link="https://e.org/", owner_email="editors@e.org", base_url="https://e.org/a")
    settings = gutaudio.Settings(tmp_path / "content", tmp_path / "output", show,
                                 voice=gutaudio.VoiceSettings(engine="espeak"))
    (tmp_path / "content").mkdir()
    article = gutaudio.parse_text(ARTICLE, Path("sleep-and-the-gut.md"), settings.disclaimer)
    result = gutaudio.build(settings, articles=[article])
    feed = feedparser.parse(str(result.feed_path))
    assert [e.enclosures[0].href for e in feed.entries] == [
        "https://e.org/a/sleep-and-the-gut/chapters/01-why-sleep-matters.mp3",
        "https://e.org/a/sleep-and-the-gut/chapters/02-disclaimer.mp3"]


def test_no_articles_or_two_of_one_name_build_nothing(project: Path) -> None:
    settings = gutaudio.load_settings(project / "content", project / "output")
    with pytest.raises(gutaudio.GutaudioError, match=r"^no article to build"):
        gutaudio.build(settings, articles=[])
    article = gutaudio.parse_text(ARTICLE, Path("sleep.md"), settings.disclaimer)
    with pytest.raises(gutaudio.GutaudioError,
                       match=r"^sleep\.md: its folder name 'sleep' is already taken by another article"):
        gutaudio.build(settings, articles=[article, article])
    assert not (project / "output").exists()
