"""Making the audio files the planner's steps call for, in the staging tree: chapters
synthesized, joined, levelled, encoded and tagged; kept ones tagged again when their tags
changed; the episode joined from the chapters' frames, with its chapter marks and M4B."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .audio import (
    ChapterAudio,
    ChapterWriter,
    Leveller,
    Loudness,
    concatenate_mp3,
    encode_m4b,
    mp3_frame_count,
    render_chapter,
)
from .edition import (
    ArticleResult,
    ChapterResult,
    EpisodeResult,
    Plan,
    cumulative_marks,
    episode_marks,
    joined_loudness,
    kept_chapter,
)
from .errors import ContentError
from .planner import (
    ArticleSteps,
    ChapterAction,
    ChapterStep,
    EpisodeAction,
    WantedChapter,
)
from .staging import StagedTree
from .tags import TrackTags, write_tags
from .wanted import ArticleTags, WantedFiles
from .word_timing import timed_words

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called as progress(done, total, text) after each utterance's clip is ready."""

@dataclass(frozen=True)
class MadeAudio:
    """A chapter's new audio: its MP3 in the staging tree (not tagged yet), how it was joined
    (raw: its length and timings; the WAV itself is gone), its gain and loudness, and its
    levelled FLAC in the cache when the M4B needs it."""

    mp3: Path
    raw: ChapterAudio
    gain: float
    loudness: Loudness
    flac: Path | None = None


class ArticleRenderer:
    """Carries out an article's steps in the staging tree, one article after another."""

    def __init__(self, maker: WantedFiles, staging: StagedTree, leveller: Leveller,
                 total_clips: int, progress: ProgressCallback | None) -> None:
        self.premade: dict[str, MadeAudio] = {}
        """Chapters whose audio was made elsewhere (on a cluster), by file: used, not made here."""
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
        if not need_levelled:
            return result, None
        flac = None if step.level_again else self.cache.levelled(wanted.audio_fingerprint)
        if flac is None:  # the cache lost it (before the build, or since it was planned): level it again
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
        audio = self.premade.get(wanted.file) or self._made_here(step, work, need_levelled)
        path, raw, gain, loudness, flac = audio.mp3, audio.raw, audio.gain, audio.loudness, audio.flac
        frames = mp3_frame_count(path)
        self._write_tags(path, tags)
        self.chapters_made += 1
        log.info("%s: made (%.1f s, %.1f LUFS)", wanted.file, raw.duration, loudness.integrated)
        # Times are kept to the millisecond, as the manifest stores them, so a rebuild that
        # reads them back computes exactly the same chapter marks and tags.
        timings = tuple((round(start, 3), round(end, 3)) for start, end in raw.timings)
        words = tuple(None if spans is None else timed_words(u.display, u.spoken, spans)
                      for u, spans in zip(wanted.chapter.utterances, raw.words, strict=True))
        return ChapterResult(wanted.chapter, path, round(raw.duration, 3), path.stat().st_size, timings,
                             gain, loudness, audio_fingerprint=wanted.audio_fingerprint,
                             tags_fingerprint=wanted.tags_fingerprint, mp3_frames=frames,
                             words=words), flac

    def _made_here(self, step: ChapterStep, work: Path, need_levelled: bool) -> MadeAudio:
        """Synthesize (or take from the cache), join, level and encode a chapter in this process."""
        wanted = step.wanted
        raw = self._join(wanted, work)
        path = self.staging.reserve(wanted.file)
        made = work / f"{Path(wanted.chapter.filename).stem}.flac" if need_levelled else None
        gain, loudness = self.leveller.render(raw, path, made, step.start_gain)
        raw.path.unlink()
        flac = self.cache.keep_chapter(wanted.audio_fingerprint, made) if made is not None else None
        return MadeAudio(path, raw, gain, loudness, flac)

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
