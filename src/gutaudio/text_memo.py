"""An article's text files (captions, transcripts, its page) made once for what they are made from.

A rebuild that keeps an article's audio would cut its captions again and render its page again
(tens of ms an article: minutes on an archive of thousands). Instead the files are kept in the cache
under a key over everything they are made from: gutaudio's own code and templates, the settings, the
article's plan, and the figures of its finished audio (durations, timings, word times, marks, loudness).
Any change to one of those makes the files again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from .cache import ClipCache
from .config import Settings
from .edition import ArticleResult
from .layout import CHAPTERS_DIR, CHAPTERS_JSON, PAGE_NAME

CODE_SUFFIXES = frozenset({".py", ".j2", ".css", ".js"})
"""The files of the gutaudio package whose text decides what its text files say."""
RENDERING_PACKAGES = ("gutaudio", "jinja2", "markupsafe", "lxml", "webvtt-py", "srt")
"""The packages whose versions decide what the text files say, besides gutaudio's code."""


@functools.cache
def code_digest() -> str:
    """SHA-256 of gutaudio's own source and templates (a new version, or edited code, gives another)."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    sources = sorted(p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts)
    for path in sources:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def library_versions() -> tuple[str, ...]:
    """gutaudio's own version (the pages name it) and those of the libraries that write its text files."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in RENDERING_PACKAGES:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} -")
    return tuple(versions)


def texts_key(article: ArticleResult, settings: Settings, cover_name: str) -> str:
    """What an article's text files are made from, as one SHA-256 (file paths left out: they move)."""
    # The figures as build.json keeps them, so that a kept chapter gives the key it had when made (the
    # gain, which build.json rounds and no text file shows, is left out).
    chapters = [(c.chapter.section, c.duration, c.size, c.timings, c.utterance_words(), c.loudness,
                 c.mp3_frames, c.audio_fingerprint, c.tags_fingerprint) for c in article.chapters]
    e = article.episode
    episode = (e.duration, e.size, e.marks, e.m4b, e.loudness, e.audio_fingerprint, e.tags_fingerprint)
    made_from = repr((code_digest(), library_versions(), settings, article.plan, chapters, episode,
                      cover_name))
    return hashlib.sha256(made_from.encode("utf-8")).hexdigest()


def article_text_files(cache: ClipCache, article: ArticleResult, settings: Settings, cover_name: str,
                       make: Callable[[], dict[str, str]], *, force: bool = False) -> dict[str, str]:
    """The article's text files by path: those the cache kept for the same key (unless force), else
    make()'s, kept for the next build."""
    key = texts_key(article, settings, cover_name)
    folder = article.plan.folder
    required = [f"{folder}/{PAGE_NAME}", f"{folder}/{CHAPTERS_JSON}",
                *(f"{folder}/{CHAPTERS_DIR}/{Path(c.chapter.filename).stem}.vtt" for c in article.chapters)]
    files = None if force else cache.texts(key, folder, required)
    if files is None:
        files = make()
        cache.keep_texts(key, files)
    return files
