"""What a build makes of one article: its plan (the article and its scripted chapters), and the
finished chapter files and episode, with where each chapter falls in the episode."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from .audio import MP3_FRAME_SAMPLES, Loudness, gated_loudness
from .captions import TimedWord
from .chapter import Chapter
from .config import Settings
from .document import Article, Section
from .layout import CHAPTERS_DIR, EPISODE_MP3
from .manifest import ArticleRecord, ChapterRecord, EpisodeRecord, UtteranceRecord
from .transcripts import ChapterMark

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """What a build will make for one article, decided before any audio exists."""

    article: Article
    chapters: tuple[Chapter, ...]

    @property
    def folder(self) -> str:
        """The article's folder inside output/."""
        return self.article.slug


@dataclass(frozen=True)
class ChapterResult:
    """A finished chapter file and what is known about it."""

    chapter: Chapter
    path: Path
    duration: float
    size: int
    timings: tuple[tuple[float, float], ...]
    gain: float = 0.0
    loudness: Loudness | None = None
    reused: bool = False
    audio_fingerprint: str = ""
    tags_fingerprint: str = ""
    mp3_frames: int = 0
    """MP3 frames in the file: where the next chapter starts in the episode."""
    words: tuple[tuple[TimedWord, ...] | None, ...] = ()
    """Per utterance, the author's words and when the voice says them (None: sentence timing only)."""

    def utterance_words(self) -> tuple[tuple[TimedWord, ...] | None, ...]:
        """Each utterance's timed words, None for every one where the voice gave none."""
        return self.words or (None,) * len(self.chapter.utterances)

    def record(self, folder: str, levelling: str) -> ChapterRecord:
        """The chapter's record in build.json; levelling names what its gain depends on."""
        return ChapterRecord(
            filename=self.chapter.filename, index=self.chapter.index, title=self.chapter.title,
            disclaimer=self.chapter.is_disclaimer, file=f"{folder}/{CHAPTERS_DIR}/{self.chapter.filename}",
            duration=self.duration, bytes=self.size, gain=self.gain, levelling=levelling,
            mp3_frames=self.mp3_frames, audio_fingerprint=self.audio_fingerprint,
            tags_fingerprint=self.tags_fingerprint, loudness=self.loudness, timings=self.timings,
            utterances=tuple(UtteranceRecord(start, end, u.display, u.spoken, words)
                             for u, (start, end), words in zip(self.chapter.utterances, self.timings,
                                                               self.utterance_words(), strict=True)),
        )


@dataclass(frozen=True)
class EpisodeResult:
    """The full episode of an article: every chapter in one file, with chapter marks."""

    path: Path
    duration: float
    size: int
    marks: tuple[ChapterMark, ...]
    m4b: bool = False
    loudness: Loudness | None = None
    reused: bool = False
    audio_fingerprint: str = ""
    tags_fingerprint: str = ""


@dataclass(frozen=True)
class ArticleResult:
    """Everything one article's edition is made of."""

    plan: Plan
    chapters: tuple[ChapterResult, ...]
    episode: EpisodeResult

    def record(self, levelling: str, disclaimer_required: bool, season: int) -> ArticleRecord:
        """The article's record in build.json."""
        plan, episode = self.plan, self.episode
        return ArticleRecord(
            folder=plan.folder, title=plan.article.title, source=plan.article.source.name,
            author=plan.article.metadata.author, disclaimer_required=disclaimer_required,
            season=season,
            episode=EpisodeRecord(
                file=f"{plan.folder}/{EPISODE_MP3}", duration=episode.duration,
                bytes=episode.size, audio_fingerprint=episode.audio_fingerprint,
                tags_fingerprint=episode.tags_fingerprint, loudness=episode.loudness,
                marks=episode.marks),
            chapters=tuple(c.record(plan.folder, levelling) for c in self.chapters),
        )


def kept_chapter(chapter: Chapter, record: ChapterRecord, path: Path, tags_fingerprint: str) -> ChapterResult:
    """A chapter whose audio the last build made, from its record (its file may be tagged anew)."""
    return ChapterResult(chapter, path, record.duration, path.stat().st_size, record.timings,
                         record.gain, record.loudness, reused=True,
                         audio_fingerprint=record.audio_fingerprint,
                         tags_fingerprint=tags_fingerprint, mp3_frames=record.mp3_frames,
                         words=tuple(u.words for u in record.utterances))


def publication_date(settings: Settings, article: Article, *, warn: bool = False) -> dt.date:
    """The article's date, else the show's, else today (warn: say so, as rebuilds will differ)."""
    date = article.date or settings.show.date
    if date is None:
        if warn:
            log.warning("%s: no date in the article or [show] date; using today's date for pubDate",
                        article.source)
        date = dt.datetime.now(dt.UTC).date()
    return date


def article_author(settings: Settings, article: Article) -> str:
    """Who wrote the article: its own author when it names one, else the show's."""
    return article.metadata.author or settings.show.author


def unspoken_sections(plan: Plan) -> list[Section]:
    """Sections on the page and in transcripts that are not chapters (references, unless spoken, and
    sections with nothing a voice can say, such as an image without alt text)."""
    spoken = {id(c.section) for c in plan.chapters}
    return [s for s in plan.article.sections if id(s) not in spoken and not s.is_disclaimer]


def episode_marks(chapters: list[ChapterResult], sample_rate: int) -> list[ChapterMark]:
    """Where each chapter starts and ends in the episode joined from the chapter MP3s.

    A chapter starts after every frame of the chapters before it (players skip the first
    chapter's encoder delay, which the later chapters keep as a few ms of their lead-in); the
    last one ends with its own audio. Times are kept to the millisecond, as build.json stores them.
    """
    starts, frames = [], 0
    for result in chapters:
        starts.append(round(frames * MP3_FRAME_SAMPLES / sample_rate, 3))
        frames += result.mp3_frames
    return _marks_at(chapters, starts)


def cumulative_marks(chapters: list[ChapterResult]) -> list[ChapterMark]:
    """Chapter marks for audio that is the chapters' levelled audio back to back (the M4B)."""
    starts, position = [], 0.0
    for result in chapters:
        starts.append(position)
        position = round(position + result.duration, 3)
    return _marks_at(chapters, starts)


def _marks_at(chapters: list[ChapterResult], starts: list[float]) -> list[ChapterMark]:
    """Chapter marks from where each chapter starts: each ends where the next one starts, the
    last one with its own audio (to the millisecond)."""
    ends = [*starts[1:], round(starts[-1] + chapters[-1].duration, 3)] if chapters else []
    return [ChapterMark(start, end, result.chapter.title)
            for result, start, end in zip(chapters, starts, ends, strict=True)]


def joined_loudness(chapters: list[ChapterResult]) -> Loudness | None:
    """The loudness of the chapters played back to back, from their gating blocks.

    The episode is the chapters' own MP3 frames, so its blocks are theirs (the few blocks that
    straddle a join fall in the silence around it) and its peak is the highest of theirs.
    """
    measured = [c.loudness for c in chapters if c.loudness is not None]
    if len(measured) < len(chapters) or not all(m.blocks for m in measured):
        return None
    return Loudness(gated_loudness(*(m.blocks for m in measured)),
                    max(m.true_peak for m in measured))
