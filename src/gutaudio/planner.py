"""The incremental planner: given what each file must be now and what the last build made,
decide what to keep, what to tag again and what to make, before any audio exists.

Pure: it reads no file and runs no engine. Its inputs are fingerprints (hashes of everything
a file is made from), the previous build's records, the sizes of the files that build
published and which levelled chapters the cache holds; its output is a step per chapter and
per episode, and the texts the synthesizer must speak.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import __version__
from .chapter import Chapter
from .config import Settings
from .edition import ArticleResult, publication_date
from .manifest import ArticleRecord, ChapterRecord, EpisodeRecord, EpubRecord, Manifest


class ChapterAction(enum.Enum):
    """What a build does with one chapter's MP3."""

    KEEP = "keep"
    """Its audio and its tags are as they must be: the published file stays."""
    RETAG = "retag"
    """Its audio stays, its tags say something new: a copy is tagged again."""
    MAKE = "make"
    """Synthesize, join, level, encode and tag it."""


class EpisodeAction(enum.Enum):
    """What a build does with an article's whole episode."""

    KEEP = "keep"
    RETAG = "retag"
    JOIN = "join"
    """Join the chapters' MP3 frames again (and encode the M4B, when asked)."""


@dataclass(frozen=True)
class WantedChapter:
    """What a chapter's MP3 must be in this build: its file and the fingerprints of its audio and tags."""

    chapter: Chapter
    file: str
    """Its path inside the output folder."""
    audio_fingerprint: str
    tags_fingerprint: str


@dataclass(frozen=True)
class WantedArticle:
    """What an article's files must be in this build."""

    folder: str
    chapters: tuple[WantedChapter, ...]
    episode_file: str
    episode_audio_fingerprint: str
    episode_tags_fingerprint: str
    m4b_file: str | None = None
    """The M4B's path inside the output folder, when the build makes one."""


@dataclass(frozen=True)
class ChapterStep:
    """The decision for one chapter."""

    wanted: WantedChapter
    action: ChapterAction
    record: ChapterRecord | None
    """The last build's record of the chapter when its audio is kept."""
    start_gain: float | None = None
    """For a chapter to make: the gain the last build found for it, a start for the search."""
    level_again: bool = False
    """A kept chapter whose levelled audio the M4B needs and the cache lost: synthesize it again."""

    @property
    def synthesize(self) -> bool:
        """Whether the chapter's clips are needed."""
        return self.action is ChapterAction.MAKE or self.level_again


@dataclass(frozen=True)
class EpisodeStep:
    """The decision for an article's episode."""

    action: EpisodeAction
    record: EpisodeRecord | None
    """The last build's record of the episode when its audio is kept."""


@dataclass(frozen=True)
class ArticleSteps:
    """The decisions for one article."""

    wanted: WantedArticle
    chapters: tuple[ChapterStep, ...]
    episode: EpisodeStep

    @property
    def needs_levelled(self) -> bool:
        """Whether every chapter's levelled audio is needed: only to encode an M4B."""
        return self.wanted.m4b_file is not None and self.episode.action is EpisodeAction.JOIN


@dataclass(frozen=True)
class BuildSteps:
    """The decisions for a whole build, and what the synthesizer must speak, in reading order."""

    articles: tuple[ArticleSteps, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        """The spoken texts of every chapter whose clips are needed, in reading order."""
        return tuple(u.spoken for article in self.articles for step in article.chapters
                     if step.synthesize for u in step.wanted.chapter.utterances)

    @property
    def level_again_texts(self) -> tuple[str, ...]:
        """The spoken texts of kept chapters whose levelled audio must be made again (for an M4B)."""
        return tuple(u.spoken for article in self.articles for step in article.chapters
                     if step.level_again for u in step.wanted.chapter.utterances)


def decide(wanted: Sequence[WantedArticle], previous: Manifest | None,
           published_sizes: Mapping[str, int], levelled_in_cache: Collection[str],
           levelling: str) -> BuildSteps:
    """Decide per chapter Keep, Retag or Make and per episode Keep, Retag or Join.

    published_sizes: the size of each file the last build published (by path inside the
    output folder); a file that is missing or of another size is made again.
    levelled_in_cache: the audio fingerprints of chapters whose levelled audio the cache holds.
    levelling: what gains depend on now; a chapter's last gain is a start only if it matches.
    """
    steps = []
    for article in wanted:
        record = previous.article(article.folder) if previous else None
        chapters = [_chapter_step(c, record.chapter(c.chapter.filename) if record else None,
                                  published_sizes, levelling) for c in article.chapters]
        article_steps = ArticleSteps(article, tuple(chapters),
                                     _episode_step(article, record, chapters, published_sizes))
        if article_steps.needs_levelled:
            article_steps = ArticleSteps(article, tuple(_level_again(step, levelled_in_cache)
                                                        for step in chapters), article_steps.episode)
        steps.append(article_steps)
    return BuildSteps(tuple(steps))


def _chapter_step(wanted: WantedChapter, record: ChapterRecord | None,
                  sizes: Mapping[str, int], levelling: str) -> ChapterStep:
    if record is None or record.audio_fingerprint != wanted.audio_fingerprint \
            or sizes.get(wanted.file) != record.bytes:
        gain = record.gain if record is not None and record.levelling == levelling else None
        return ChapterStep(wanted, ChapterAction.MAKE, None, start_gain=gain)
    action = ChapterAction.KEEP if record.tags_fingerprint == wanted.tags_fingerprint \
        else ChapterAction.RETAG
    return ChapterStep(wanted, action, record)


def _episode_step(article: WantedArticle, record: ArticleRecord | None,
                  chapters: Sequence[ChapterStep], sizes: Mapping[str, int]) -> EpisodeStep:
    old = record.episode if record else None
    kept = old is not None and old.audio_fingerprint == article.episode_audio_fingerprint \
        and all(step.action is not ChapterAction.MAKE for step in chapters) \
        and sizes.get(article.episode_file) == old.bytes \
        and (article.m4b_file is None or article.m4b_file in sizes)
    if not kept or old is None:
        return EpisodeStep(EpisodeAction.JOIN, None)
    action = EpisodeAction.KEEP if old.tags_fingerprint == article.episode_tags_fingerprint \
        else EpisodeAction.RETAG
    return EpisodeStep(action, old)


EPUB_FORMAT = 1
"""The version of the EPUB's layout: a new one makes every EPUB again."""
EPUB_SHOW_FIELDS = ("title", "author", "description", "language", "link", "copyright", "date")
"""The show's settings a book shows (the publisher, its identifier's namespace, ...)."""


def epub_fingerprint(settings: Settings, article: ArticleResult, voice: str) -> str:
    """A hash of everything in an article's EPUB: chapter files, text and structure, settings shown, voice."""
    plan = article.plan
    return fingerprint({
        "format": EPUB_FORMAT, "version": __version__, "voice": voice,
        "chapters": [[c.chapter.filename, c.audio_fingerprint, c.tags_fingerprint, c.size]
                     for c in article.chapters],
        "article": [plan.folder, repr(plan.article.metadata), repr(plan.article.sections),
                    repr(plan.article.footnotes)],
        "show": [getattr(settings.show, key) for key in EPUB_SHOW_FIELDS],
        "speech": repr(settings.speech),
        "date": publication_date(settings, plan.article).isoformat(),
    })


def keep_epub(file: str, wanted_fingerprint: str, record: EpubRecord | None,
              published_sizes: Mapping[str, int]) -> bool:
    """Whether the last build's EPUB is the one wanted: made from the same inputs, and still there."""
    return record is not None and record.file == file and record.fingerprint == wanted_fingerprint \
        and published_sizes.get(file) == record.bytes


def _level_again(step: ChapterStep, levelled_in_cache: Collection[str]) -> ChapterStep:
    """A kept chapter whose levelled audio is needed and not in the cache is levelled again."""
    if step.action is ChapterAction.MAKE or step.wanted.audio_fingerprint in levelled_in_cache:
        return step
    return ChapterStep(step.wanted, step.action, step.record, level_again=True)


def fingerprint(data: Any) -> str:
    """A short stable hash of JSON-able data: what decides whether a file must be made again."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
