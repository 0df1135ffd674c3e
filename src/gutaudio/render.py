"""The audio files of an article's edition: what each must be now (its fingerprints and tags,
for the planner), and making the ones the planner's steps call for in the staging tree:
chapters synthesized, joined, levelled, encoded and tagged; kept ones tagged again when their
tags changed; the episode joined from the chapters' frames, with its chapter marks and M4B."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .audio import (
    ChapterAudio,
    ChapterWriter,
    Leveller,
    concatenate_mp3,
    encode_m4b,
    mp3_frame_count,
    render_chapter,
)
from .config import AudioSettings, Settings
from .cover import Cover
from .edition import (
    ArticleResult,
    ChapterResult,
    EpisodeResult,
    Plan,
    article_author,
    cumulative_marks,
    episode_marks,
    joined_loudness,
    kept_chapter,
    publication_date,
)
from .errors import ContentError
from .layout import CHAPTERS_DIR, EPISODE_M4B, EPISODE_MP3
from .manifest import MANIFEST_VERSION
from .planner import (
    ArticleSteps,
    ChapterAction,
    ChapterStep,
    EpisodeAction,
    WantedArticle,
    WantedChapter,
    fingerprint,
)
from .script import Chapter
from .staging import StagedTree
from .synthesis import Synthesizer
from .tags import TrackTags, write_tags

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called as progress(done, total, text) after each utterance's clip is ready."""

AUDIO_FINGERPRINT_SETTINGS = ("sample_rate", "bitrate_kbps", "channels", "lead_in_ms", "tail_ms",
                              "loudness_lufs", "true_peak_dbtp")
"""The audio settings a chapter's file depends on."""


def audio_fingerprint_settings(audio: AudioSettings) -> dict[str, object]:
    """The audio settings a chapter's file depends on, by name."""
    return {key: getattr(audio, key) for key in AUDIO_FINGERPRINT_SETTINGS}


def codec_fingerprint(audio: AudioSettings) -> str:
    """What the encoder's loudness shift depends on."""
    return fingerprint({"audio": audio_fingerprint_settings(audio), "version": __version__})


def voice_fingerprint(audio: AudioSettings, voice_identity: str) -> str:
    """What the limiter's share of the gain depends on: the voice and the audio settings."""
    return fingerprint({"audio": audio_fingerprint_settings(audio), "voice": voice_identity,
                        "version": __version__})


@dataclass(frozen=True)
class ArticleTags:
    """The tags of an article's chapter MP3s (in order) and of its episode (without chapter marks)."""

    chapters: tuple[TrackTags, ...]
    episode: TrackTags
    date: dt.date


class EditionMaker:
    """Works out what each audio file of an article must be, and makes the ones that changed."""

    def __init__(self, settings: Settings, synthesizer: Synthesizer, cover: Cover) -> None:
        self.settings = settings
        self.synthesizer = synthesizer
        self.cover = cover
        self.voice_fingerprint = voice_fingerprint(settings.audio, synthesizer.identity)
        self._audio = audio_fingerprint_settings(settings.audio)
        self._tags: dict[str, ArticleTags] = {}

    def wanted(self, plan: Plan) -> WantedArticle:
        """What every audio file of the article must be: its fingerprints, for the planner."""
        tags = self._tags[plan.folder] = self._article_tags(plan)
        chapters = tuple(
            WantedChapter(chapter, f"{plan.folder}/{CHAPTERS_DIR}/{chapter.filename}",
                          self._chapter_audio_fingerprint(chapter), self._tags_fingerprint(chapter_tags))
            for chapter, chapter_tags in zip(plan.chapters, tags.chapters, strict=True))
        return WantedArticle(
            folder=plan.folder, chapters=chapters, episode_file=f"{plan.folder}/{EPISODE_MP3}",
            episode_audio_fingerprint=fingerprint({"chapters": [c.audio_fingerprint for c in chapters],
                                                   "m4b": self.settings.audio.m4b}),
            # The marks are the chapters' (whose audio the episode's fingerprint covers) and titles.
            episode_tags_fingerprint=self._tags_fingerprint(
                replace(tags.episode, chapters=tuple((0.0, 0.0, c.title) for c in plan.chapters))),
            m4b_file=f"{plan.folder}/{EPISODE_M4B}" if self.settings.audio.m4b else None,
        )

    def tags(self, plan: Plan) -> ArticleTags:
        """The tags worked out for the article's files by wanted()."""
        return self._tags[plan.folder]

    def _chapter_audio_fingerprint(self, chapter: Chapter) -> str:
        return fingerprint({
            "version": __version__, "manifest": MANIFEST_VERSION, "audio": self._audio,
            "clips": [self.synthesizer.key(u.spoken) for u in chapter.utterances],
            "pauses": [u.pause_after_ms for u in chapter.utterances],
        })

    def _tags_fingerprint(self, tags: TrackTags) -> str:
        return fingerprint({"tags": repr(tags), "version": __version__,
                            "cover": hashlib.sha256(self.cover.data).hexdigest()})

    def _article_tags(self, plan: Plan) -> ArticleTags:
        date = publication_date(self.settings, plan.article, warn=True)  # said once per article
        total = len(plan.chapters)
        chapters = tuple(self._track_tags(plan, c.title, c.index, total, c.text, date)
                         for c in plan.chapters)
        full_text = "\n\n".join(c.text for c in plan.chapters)
        return ArticleTags(chapters, self._track_tags(plan, plan.article.title, 1, 1, full_text, date),
                           date)

    def _track_tags(self, plan: Plan, title: str, track: int, total: int, text: str,
                    date: dt.date) -> TrackTags:
        disclaimer = plan.article.disclaimer
        show = self.settings.show
        return TrackTags(
            title=title, artist=article_author(self.settings, plan.article), album=plan.article.title,
            track=track, total=total, genre=show.genre, date=date, language=show.language, text=text,
            comment=disclaimer.body_text if disclaimer else "",
            link=plan.article.metadata.canonical or show.link,
            copyright=show.copyright, cover_jpeg=None,
        )


class ArticleRenderer:
    """Carries out an article's steps in the staging tree, one article after another."""

    def __init__(self, maker: EditionMaker, staging: StagedTree, leveller: Leveller,
                 total_clips: int, progress: ProgressCallback | None) -> None:
        self.maker = maker
        self.settings = maker.settings
        self.synthesizer = maker.synthesizer
        self.cache = maker.synthesizer.cache
        self.staging = staging
        self.leveller = leveller
        self.progress = progress
        self.total = total_clips
        self.done = 0
        self.chapters_made = self.chapters_kept = self.episodes_made = self.episodes_kept = 0

    def render(self, plan: Plan, steps: ArticleSteps) -> ArticleResult:
        """Make, tag again or keep every audio file of one article, as its steps say."""
        tags = self.maker.tags(plan)
        work = self.staging.work / plan.folder
        work.mkdir(parents=True, exist_ok=True)
        chapters, levelled = [], []
        for step, chapter_tags in zip(steps.chapters, tags.chapters, strict=True):
            result, flac = self._chapter(step, chapter_tags, work, steps.needs_levelled)
            chapters.append(result)
            if flac is not None:
                levelled.append(flac)
        return ArticleResult(plan, tuple(chapters), self._episode(plan, steps, chapters, levelled, tags))

    def _chapter(self, step: ChapterStep, tags: TrackTags, work: Path,
                 need_levelled: bool) -> tuple[ChapterResult, Path | None]:
        """Make or keep one chapter; return it and its levelled audio (None if not needed)."""
        wanted = step.wanted
        if step.action is ChapterAction.MAKE:
            return self._make_chapter(step, tags, work, need_levelled)
        assert step.record is not None
        path = self._retagged(wanted.file, tags) if step.action is ChapterAction.RETAG \
            else self.settings.output_dir / wanted.file
        self.chapters_kept += 1
        result = kept_chapter(wanted.chapter, step.record, path, wanted.tags_fingerprint)
        flac = self.cache.levelled(wanted.audio_fingerprint) if need_levelled else None
        if need_levelled and flac is None:  # the cache lost it: level it again
            raw = self._join(wanted, work)
            made = work / f"{Path(wanted.chapter.filename).stem}.flac"
            render_chapter(raw, result.gain, self.settings.audio, levelled=made)
            raw.path.unlink()
            flac = self.cache.keep_chapter(wanted.audio_fingerprint, made)
        return result, flac

    def _join(self, wanted: WantedChapter, work: Path) -> ChapterAudio:
        """The chapter's clips joined with their pauses into one raw WAV."""
        writer: ChapterWriter | None = None
        try:
            for utterance in wanted.chapter.utterances:
                clip = self.synthesizer.clip(utterance.spoken)
                if writer is None:
                    writer = ChapterWriter(work / f"{Path(wanted.chapter.filename).stem}.raw.wav",
                                           clip.sample_rate, self.settings.audio)
                writer.add(clip, utterance.pause_after_ms)
                self.done += 1
                if self.progress:
                    self.progress(min(self.done, self.total), self.total, utterance.display)
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        if writer is None:
            raise ContentError(f"chapter '{wanted.chapter.title}' has nothing to speak")
        return writer.close()

    def _make_chapter(self, step: ChapterStep, tags: TrackTags, work: Path,
                      need_levelled: bool) -> tuple[ChapterResult, Path | None]:
        wanted = step.wanted
        raw = self._join(wanted, work)
        path = self.staging.reserve(wanted.file)
        made = work / f"{Path(wanted.chapter.filename).stem}.flac" if need_levelled else None
        gain, loudness = self.leveller.render(raw, path, made, step.start_gain)
        raw.path.unlink()
        flac = self.cache.keep_chapter(wanted.audio_fingerprint, made) if made is not None else None
        frames = mp3_frame_count(path)
        self._write_tags(path, tags)
        self.chapters_made += 1
        log.info("%s: made (%.1f s, %.1f LUFS)", wanted.file, raw.duration, loudness.integrated)
        # Times are kept to the millisecond, as the manifest stores them, so a rebuild that
        # reads them back computes exactly the same chapter marks and tags.
        timings = tuple((round(start, 3), round(end, 3)) for start, end in raw.timings)
        return ChapterResult(wanted.chapter, path, round(raw.duration, 3), path.stat().st_size, timings,
                             gain, loudness, audio_fingerprint=wanted.audio_fingerprint,
                             tags_fingerprint=wanted.tags_fingerprint, mp3_frames=frames), flac

    def _retagged(self, relative: str, tags: TrackTags) -> Path:
        """A staged copy of a published file, its audio kept and its tags written anew."""
        path = self.staging.reserve(relative)
        shutil.copyfile(self.settings.output_dir / relative, path)
        self._write_tags(path, tags)
        return path

    def _write_tags(self, path: Path, tags: TrackTags) -> None:
        write_tags(path, replace(tags, cover_jpeg=self.maker.cover.embedded_jpeg))

    def _episode(self, plan: Plan, steps: ArticleSteps, chapters: list[ChapterResult],
                 levelled: list[Path], article_tags: ArticleTags) -> EpisodeResult:
        """Join (or keep) the full episode, with a CHAP mark per chapter (and the M4B, if asked)."""
        marks = episode_marks(chapters, self.settings.audio.sample_rate)
        tags = replace(article_tags.episode, chapters=tuple((m.start, m.end, m.title) for m in marks))
        wanted, step = steps.wanted, steps.episode
        fingerprints = {"audio_fingerprint": wanted.episode_audio_fingerprint,
                        "tags_fingerprint": wanted.episode_tags_fingerprint}
        m4b = self.settings.audio.m4b
        if step.action is not EpisodeAction.JOIN:
            assert step.record is not None
            path = self._retagged(wanted.episode_file, tags) if step.action is EpisodeAction.RETAG \
                else self.settings.output_dir / wanted.episode_file
            self.episodes_kept += 1
            return EpisodeResult(path, marks[-1].end, path.stat().st_size, tuple(marks), m4b,
                                 step.record.loudness, reused=True, **fingerprints)
        path = self.staging.reserve(wanted.episode_file)
        concatenate_mp3([c.path for c in chapters], path, self.settings.audio)
        self._write_tags(path, tags)
        if wanted.m4b_file is not None:
            encode_m4b(levelled, self.staging.reserve(wanted.m4b_file), cumulative_marks(chapters),
                       self.maker.cover.data,
                       {"title": plan.article.title, "artist": tags.artist, "album": plan.article.title,
                        "genre": "Audiobook", "date": article_tags.date.isoformat(),
                        "comment": tags.comment},
                       self.settings.audio)
        self.episodes_made += 1
        return EpisodeResult(path, marks[-1].end, path.stat().st_size, tuple(marks), m4b,
                             joined_loudness(chapters), **fingerprints)
