"""Jinja's compiled templates are kept in the cache, so a build does not compile its pages' templates
again; a kept file that is damaged, or a cache that cannot be written, only costs the time of compiling."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from gutaudio import site
from gutaudio.cache import ClipCache
from gutaudio.site import CatalogArticle, render_catalog


def _catalog(compiled: Path | None) -> str:
    return render_catalog(language="en", show_title="Gut Notes", description="Health, read aloud.",
                          author="A. Writer", cover="cover.jpg", feed="feed.xml",
                          articles=[CatalogArticle("Fibre & you", "fibre/index.html",
                                                   "fibre/episode.mp3", 93.5, ["Intro", "Disclaimer"])],
                          compiled=compiled)


@pytest.fixture(autouse=True)
def fresh_environments() -> None:
    """Each test starts with no environment made (they are kept per folder for the process)."""
    site._environment.cache_clear()
    yield
    site._environment.cache_clear()


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)


def test_a_template_compiled_once_is_loaded_by_the_next_process(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = ClipCache(tmp_path / "cache").templates
    page = _catalog(compiled)
    assert len(list(compiled.glob("*.cache"))) == 1
    site._environment.cache_clear()  # as a new build would start
    _no_compiling(monkeypatch)
    assert _catalog(compiled) == page


def test_a_damaged_compiled_template_is_compiled_again(tmp_path: Path) -> None:
    compiled = tmp_path / "templates"
    page = _catalog(compiled)
    [kept] = compiled.glob("*.cache")
    kept.write_bytes(kept.read_bytes()[:40])  # cut short, as by a full disk
    site._environment.cache_clear()
    assert _catalog(compiled) == page
    kept.write_bytes(b"not a compiled template")
    site._environment.cache_clear()
    assert _catalog(compiled) == page


def test_a_cache_that_cannot_be_written_renders_the_same_page(tmp_path: Path) -> None:
    blocked = tmp_path / "templates"
    blocked.write_text("a file where the folder would be")
    assert _catalog(blocked) == _catalog(None)


def test_the_cache_counts_and_clears_compiled_templates(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache")
    _catalog(cache.templates)
    assert "1 compiled template" in cache.info().contents()
    assert cache.clear().templates == 1
    assert not cache.templates.exists()
