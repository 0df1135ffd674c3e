"""The show's pages from a build's results: each article's page and the catalog of them all."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .document import Section
from .edition import ArticleResult, article_author, unspoken_sections
from .layout import CHAPTERS_DIR, CHAPTERS_JSON, EPISODE_M4B, EPISODE_MP3, FEED_NAME, PAGE_NAME
from .site import CatalogArticle, Page, PageChapter, render_catalog, render_page
from .texts import timed_utterances

PAGE_CHAPTER_ID = "chapter-{number}"
"""The id of a chapter's section on its article's page (templates/index.html.j2)."""


def article_page(settings: Settings, article: ArticleResult, cover_name: str,
                 compiled: Path | None = None) -> str:
    """An article's accessible page: a player per chapter and one for the episode, and the full text
    to read along with (the sentence and word being heard highlighted, any sentence played from);
    compiled: the folder that keeps compiled templates."""
    plan = article.plan
    chapters = [
        PageChapter(
            number=result.chapter.index,
            title=result.chapter.title,
            audio=f"{CHAPTERS_DIR}/{result.chapter.filename}",
            stem=f"{CHAPTERS_DIR}/{Path(result.chapter.filename).stem}",
            duration=result.duration,
            section=result.chapter.section or Section(result.chapter.title, ()),
            is_disclaimer=result.chapter.is_disclaimer,
            utterances=tuple(timed_utterances(result)),
            offset=mark.start,
        )
        for result, mark in zip(article.chapters, article.episode.marks, strict=True)
    ]
    metadata = plan.article.metadata
    return render_page(Page(
        language=metadata.language or settings.show.language,
        show_title=settings.show.title,
        article_title=plan.article.title,
        author=article_author(settings, plan.article),
        description=metadata.description or settings.show.description,
        cover=f"../{cover_name}",
        episode_audio=EPISODE_MP3,
        episode_stem=Path(EPISODE_MP3).stem,
        episode_duration=article.episode.duration,
        chapters=chapters,
        feed="../" + FEED_NAME,
        home="../" + PAGE_NAME,
        chapters_json=CHAPTERS_JSON,
        m4b=EPISODE_M4B if article.episode.m4b else "",
        unspoken=unspoken_sections(plan),
        footnotes=plan.article.footnotes,
        subtitle=metadata.subtitle,
    ), compiled)


def catalog_page(settings: Settings, articles: list[ArticleResult], cover_name: str,
                 compiled: Path | None = None) -> str:
    """The show's page: every article, with links to its page and its audio (compiled: the folder
    that keeps compiled templates)."""
    return render_catalog(
        language=settings.show.language, show_title=settings.show.title,
        description=settings.show.description, author=settings.show.author, cover=cover_name,
        feed=FEED_NAME,
        articles=[CatalogArticle(a.plan.article.title, f"{a.plan.folder}/{PAGE_NAME}",
                                 f"{a.plan.folder}/{EPISODE_MP3}", a.episode.duration,
                                 [c.chapter.title for c in a.chapters]) for a in articles],
        compiled=compiled,
    )
