"""The show's feed from a build's results: an item per chapter (or per article), each article a season.

feed.py writes the XML; this module decides what the items say.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .chapter import Chapter
from .config import Settings
from .document import Article, Heading, Section, block_text, blocks_text
from .edition import ArticleResult, ChapterResult, Plan, publication_date
from .feed import FeedItem, Transcript, build_feed, item_guid
from .layout import CHAPTERS_DIR, CHAPTERS_JSON, EPISODE_MP3, PAGE_NAME
from .pages import PAGE_CHAPTER_ID
from .seasons import Seasons


def feed_xml(settings: Settings, articles: list[ArticleResult], cover_name: str,
             seasons: Seasons) -> bytes:
    """The show's feed: every article's chapters in order (or each article as one episode).

    An item keeps its title, season and GUID when articles are added or removed: every
    article is an itunes:season from its first build on, with the number build.json remembers
    for it (seasons.number_seasons), and a chapter item's title names its article whether the show
    has one article or many (_item_title), so apps that ignore seasons still tell the chapters apart.
    """
    items = [item for article in articles
             for item in _article_items(settings, article, seasons.of[article.plan.folder])]
    built = max((item.published for item in items), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    return build_feed(settings.show, feed_url=settings.feed_url,
                      image_url=settings.show.base_url + cover_name, items=items, built=built)


def _article_items(settings: Settings, article: ArticleResult, season: int) -> list[FeedItem]:
    """An article's feed items: one per chapter, or in "episode" mode one for the whole article."""
    noon = dt.datetime.combine(publication_date(settings, article.plan.article), dt.time(12, 0),
                               tzinfo=dt.UTC)
    if settings.show.feed_items == "episode":
        return [_episode_item(settings, article, season, noon)]
    return [_chapter_item(settings, article, result, season, noon) for result in article.chapters]


def _episode_item(settings: Settings, article: ArticleResult, number: int,
                  noon: dt.datetime) -> FeedItem:
    """The whole article as one item, titled like the article and numbered like its season."""
    plan = article.plan
    folder_url = f"{settings.show.base_url}{plan.folder}/"
    contents = "\n".join(f"{c.chapter.index}. {c.chapter.title}" for c in article.chapters)
    summary = plan.article.metadata.description or _item_description(plan, article.chapters[0].chapter)
    return FeedItem(
        title=plan.article.title,
        guid=item_guid(settings.show.link, plan.article.slug, "episode"),
        url=folder_url + EPISODE_MP3,
        length=article.episode.size,
        duration=article.episode.duration,
        episode=number,
        published=noon,
        description=f"{summary}\n\nChapters:\n{contents}",
        author=_item_author(settings, plan.article),
        transcripts=_transcript_links(folder_url, Path(EPISODE_MP3).stem, settings.show.language),
        chapters_url=folder_url + CHAPTERS_JSON,
        link=folder_url + PAGE_NAME,
    )


def _chapter_item(settings: Settings, article: ArticleResult, result: ChapterResult, season: int,
                  noon: dt.datetime) -> FeedItem:
    """One chapter's item, linking to the chapter's section of the article's page."""
    plan, chapter = article.plan, result.chapter
    folder_url = f"{settings.show.base_url}{plan.folder}/"
    return FeedItem(
        title=_item_title(plan.article.title, chapter.title),
        guid=item_guid(settings.show.link, plan.article.slug, chapter.slug),
        url=f"{folder_url}{CHAPTERS_DIR}/{chapter.filename}",
        length=result.size,
        duration=result.duration,
        episode=chapter.index,
        season=season,
        # One minute apart in reading order, so apps that sort by date keep the order.
        published=noon + dt.timedelta(minutes=chapter.index - 1),
        description=_item_description(plan, chapter),
        author=_item_author(settings, plan.article),
        transcripts=_transcript_links(folder_url, f"{CHAPTERS_DIR}/{Path(chapter.filename).stem}",
                                      settings.show.language),
        link=f"{folder_url}{PAGE_NAME}#{PAGE_CHAPTER_ID.format(number=chapter.index)}",
    )


def _item_title(article_title: str, chapter_title: str) -> str:
    """A chapter item's title: "<Article title>: <Chapter title>", or the chapter title alone when it
    is the article's title or already begins with it (compared case-insensitively, ignoring
    punctuation), so no title repeats itself. The same rule for one article or many, so adding
    an article renames nothing."""
    article, chapter = _title_words(article_title), _title_words(chapter_title)
    if article and chapter[:len(article)] == article:
        return chapter_title
    return f"{article_title}: {chapter_title}"


def _title_words(title: str) -> list[str]:
    """A title's words for comparing titles: lower case, without punctuation ("Don't" is "dont")."""
    return re.findall(r"\w+", re.sub(r"['\u2019]", "", title.casefold()))


def _item_description(plan: Plan, chapter: Chapter) -> str:
    """A chapter's description: its section's text without the heading (nor a repeat of the article's
    title or sub-headings before the first text); for a section with nothing but its heading,
    which chapter of which article it is, and the article's description when it has one."""
    text = _text_after_headings(plan, chapter.title, chapter.section) if chapter.section \
        else chapter.body_text
    if text:
        return text
    described = f"Chapter {chapter.index} of {plan.article.title}."
    return f"{described} {plan.article.metadata.description}".strip()


def _text_after_headings(plan: Plan, title: str, section: Section) -> str:
    """The text of a chapter's section from its first block that is neither a heading nor a title."""
    titles = [_title_words(t) for t in (title, section.heading_text, plan.article.title)]
    blocks = list(section.blocks)
    while blocks and (isinstance(blocks[0], Heading) or _title_words(block_text(blocks[0])) in titles):
        blocks.pop(0)
    return blocks_text(blocks)


def _item_author(settings: Settings, article: Article) -> str:
    """An item's own itunes:author, only when its article names someone other than the show's author."""
    author = article.metadata.author
    return author if author and author != settings.show.author else ""


def _transcript_links(base: str, stem: str, language: str) -> tuple[Transcript, ...]:
    """A file's transcripts for podcast apps: captions (WebVTT, SRT), word-timed JSON, plain text."""
    return (
        Transcript(f"{base}{stem}.vtt", "text/vtt", language, "captions"),
        Transcript(f"{base}{stem}.srt", "application/x-subrip", language, "captions"),
        Transcript(f"{base}{stem}.json", "application/json", language, ""),
        Transcript(f"{base}{stem}.txt", "text/plain", language, ""),
    )
