"""The accessible web page of a build: Jinja2 with autoescaping, one section per chapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from . import __version__


@dataclass(frozen=True)
class PageChapter:
    """What the page shows for one chapter."""

    number: int
    title: str
    audio: str
    """Relative URL of the chapter's MP3."""
    stem: str
    """Relative URL of the chapter's files without extension (.vtt, .srt, .txt)."""
    duration: float
    blocks: tuple[tuple[str, bool], ...]
    """The author's text: (text, is_heading) per paragraph."""
    is_disclaimer: bool = False


@dataclass(frozen=True)
class Page:
    """Everything index.html needs."""

    language: str
    show_title: str
    article_title: str
    author: str
    description: str
    cover: str
    episode_audio: str
    episode_stem: str
    episode_duration: float
    chapters: Sequence[PageChapter]
    feed: str = "feed.xml"
    home: str = ""
    """Relative URL of the show's page listing every article."""
    chapters_json: str = "chapters.json"
    m4b: str = ""


@dataclass(frozen=True)
class CatalogArticle:
    """One article on the show's page."""

    title: str
    page: str
    episode: str
    duration: float
    chapters: Sequence[str]


def clock(seconds: float) -> str:
    """Format seconds as m:ss or h:mm:ss for people to read."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def spoken_length(seconds: float) -> str:
    """Say a duration in words for screen readers, e.g. "2 minutes 8 seconds"."""
    total = round(seconds)
    minutes, secs = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not parts:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("gutaudio", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["clock"] = clock
    env.filters["spoken_length"] = spoken_length
    return env


def render_page(page: Page) -> str:
    """Render index.html for a build."""
    return _environment().get_template("index.html.j2").render(page=page, version=__version__)


def render_catalog(*, language: str, show_title: str, description: str, author: str, cover: str,
                   feed: str, articles: Sequence[CatalogArticle]) -> str:
    """Render the show's index.html: every article with a link to its page and its audio."""
    return _environment().get_template("catalog.html.j2").render(
        language=language, show_title=show_title, description=description, author=author,
        cover=cover, feed=feed, articles=articles, version=__version__)
