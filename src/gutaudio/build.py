"""The one place that knows the order of a build: plan, make what changed, then publish atomically.

A build reads every article, scripts it, and compares each chapter's inputs (its clips'
cache keys, its pauses, the audio settings) with the previous build's manifest. Chapters
whose inputs are unchanged keep their files; the others are synthesized (clips come from
the cache when they can), joined, levelled, encoded and tagged in a staging tree, with the
pages, the manifest and the feed. That whole tree is checked, and swapped in for the output
folder in one step only when the check passes (staging.py): a failure publishes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import PIL

from . import __version__
from .audio import (
    MP3_FRAME_SAMPLES,
    ChapterAudio,
    ChapterWriter,
    Leveller,
    Loudness,
    concatenate_mp3,
    encode_m4b,
    gated_loudness,
    mp3_frame_count,
    render_chapter,
    use_ffmpeg,
)
from .cache import ClipCache, default_cache_dir
from .check import Level, Report, check_build
from .config import Settings
from .cover import Cover, generate_cover, load_cover, readable_jpeg
from .document import Article, Heading, Section, block_text, blocks_text
from .errors import CheckFailedError, ContentError, GutaudioError, OutputError
from .feed import FeedItem, Transcript, build_feed, item_guid
from .layout import (
    CHAPTERS_DIR,
    CHAPTERS_JSON,
    COVER_NAMES,
    EPISODE_M4B,
    EPISODE_MP3,
    FEED_NAME,
    MANIFEST_NAME,
    PAGE_NAME,
)
from .output_folder import refuse_unsafe_output
from .readers import article_suffixes, find_articles, read_article
from .script import Chapter, build_script
from .site import CatalogArticle, Page, PageChapter, render_catalog, render_page
from .staging import StagedTree, staged_tree
from .synthesis import Synthesizer
from .tags import TrackTags, write_tags
from .transcripts import ChapterMark, Cue, make_cues, to_json_chapters, to_srt, to_text, to_vtt

log = logging.getLogger(__name__)

MANIFEST_VERSION = 5
SEASONS_MANIFEST_VERSION = 5
"""The first build.json version that records each article's season (older builds numbered them in order)."""
PAGE_CHAPTER_ID = "chapter-{number}"
"""The id of a chapter's section on its article's page (templates/index.html.j2)."""

ProgressCallback = Callable[[int, int, str], None]
"""Called as progress(done, total, text) after each utterance's clip is ready."""


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


@dataclass
class BuildCounts:
    """What a build made and what it reused."""

    synthesized: int = 0
    clips_reused: int = 0
    chapters_encoded: int = 0
    chapters_reused: int = 0
    episodes_encoded: int = 0
    episodes_reused: int = 0
    files_written: int = 0
    files_unchanged: int = 0


@dataclass(frozen=True)
class BuildResult:
    """What a finished build published."""

    output_dir: Path
    articles: tuple[ArticleResult, ...]
    feed_path: Path
    seconds: float
    counts: BuildCounts = field(default_factory=BuildCounts)
    written: tuple[Path, ...] = ()
    """Files this build wrote (new or changed); unchanged files are left as they were."""
    report: Report | None = None

    @property
    def chapters(self) -> tuple[ChapterResult, ...]:
        """Every chapter of every article, in order."""
        return tuple(c for a in self.articles for c in a.chapters)

    @property
    def audio_seconds(self) -> float:
        """Total length of all chapters in seconds."""
        return sum(c.duration for c in self.chapters)


def choose_articles(settings: Settings) -> list[Path]:
    """The articles to build: the configured one, else every article in content/, by name."""
    if settings.article is not None:
        return [settings.article]
    articles = find_articles(settings.content_dir)
    if not articles:
        raise ContentError(f"{settings.content_dir}: no article ({', '.join(article_suffixes())}) found")
    return articles


def plan_article(path: Path, settings: Settings) -> Plan:
    """Read one article and script its chapters; no audio, no files written."""
    article = read_article(path, settings.disclaimer)
    return Plan(article, tuple(build_script(article, settings.audio, settings.lexicon, settings.speech)))


def plan_build(settings: Settings) -> list[Plan]:
    """Plan every article of the build, checking that their folders do not collide."""
    plans = [plan_article(path, settings) for path in choose_articles(settings)]
    seen: dict[str, Path] = {}
    for plan in plans:
        other = seen.setdefault(plan.folder, plan.article.source)
        if other != plan.article.source:
            raise ContentError(f"{plan.article.source}: its folder name '{plan.folder}' is "
                               f"already taken by {other.name}; rename one of them")
    return plans


def publication_date(settings: Settings, article: Article, *, warn: bool = False) -> dt.date:
    """The article's date, else the show's, else today (warn: say so, as rebuilds will differ)."""
    date = article.date or settings.show.date
    if date is None:
        if warn:
            log.warning("%s: no date in the article or [show] date; using today's date for pubDate",
                        article.source)
        date = dt.datetime.now(dt.UTC).date()
    return date


def read_manifest(output: Path) -> dict[str, Any]:
    """The previous build's manifest, or an empty one when there is none (or it is unreadable)."""
    try:
        data = json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else {}


def build(settings: Settings, progress: ProgressCallback | None = None, *,
          force: bool = False, synthesizer: Synthesizer | None = None) -> BuildResult:
    """Build the narrated edition of every article into settings.output_dir.

    synthesizer: one already started (see early_synthesizer), which the caller owns and
    closes (use it in a with block); without one, the build makes its own and closes it.
    """
    try:
        return _build(settings, progress, force, synthesizer)
    except GutaudioError:
        raise
    except OSError as e:  # a full disk, a lost folder: say which file, never a traceback
        where = e.filename or settings.output_dir
        raise OutputError(f"{where}: {e.strerror or e}") from e


def _build(settings: Settings, progress: ProgressCallback | None, force: bool,
           started_synthesizer: Synthesizer | None) -> BuildResult:
    started = time.perf_counter()
    refuse_unsafe_output(settings.output_dir, settings.content_dir, force=force)
    plans = plan_build(settings)
    use_ffmpeg(settings.audio.ffmpeg)
    output = settings.output_dir
    published = read_manifest(output)
    previous = {} if force else published
    configured = load_cover(settings.show.cover) if settings.show.cover else None
    cache = ClipCache(settings.build.cache_dir or default_cache_dir())
    counts = BuildCounts()
    with staged_tree(output) as staging, contextlib.ExitStack() as owned:
        synthesizer = started_synthesizer or owned.enter_context(
            Synthesizer(settings.voice, cache, settings.build.jobs or None))
        builder = _ArticleBuilder(settings, synthesizer, staging, previous, counts, progress)
        builder.queue(plans)  # synthesis starts: everything else is done while it runs
        cover = builder.cover = configured or _generated_cover(settings, cache)
        articles = [builder.build(plan) for plan in plans]
        if builder.leveller.codec_shift is not None:
            cache.remember("codec_shift", builder.codec_fingerprint, builder.leveller.codec_shift)
        if builder.leveller.limiter_share is not None:
            cache.remember("limiter_share", builder.voice_fingerprint, builder.leveller.limiter_share)
        counts.synthesized = synthesizer.stats.made
        counts.clips_reused = synthesizer.stats.reused
        articles = [_in_place(article, staging.root, output) for article in articles]
        cover_name = f"cover{cover.extension}"
        staging.write(cover_name, cover.data)
        staging.write(PAGE_NAME, _catalog_page(settings, articles, cover_name))
        seasons = _seasons(settings, articles)  # build.json and the feed number them alike
        staging.write(MANIFEST_NAME, _manifest(settings, articles, synthesizer,
                                               builder.voice_fingerprint, seasons))
        staging.write(FEED_NAME, _feed_bytes(settings, articles, cover_name, seasons))
        keep = {name for a in articles for name in _article_files(a, settings)}
        keep |= {cover_name, PAGE_NAME, MANIFEST_NAME, FEED_NAME}
        ours = {a.plan.folder for a in articles} | {a["folder"] for a in published.get("articles", [])}
        ours |= set(COVER_NAMES)
        written = staging.complete(output, keep, ours)
        report = _check_staged(settings, staging.root, articles, cache)
        if not report.passed():
            raise CheckFailedError(report, _not_published(output, report, set(written)))
        staging.publish(output)
    counts.files_written = len(written)
    counts.files_unchanged = len(staging.unchanged)
    return BuildResult(output, tuple(articles), output / FEED_NAME, time.perf_counter() - started,
                       counts, tuple(output / name for name in written), report)


def _not_published(output: Path, report: Report, written: set[str]) -> str:
    """The one line for a build its check stopped; --force suggested when kept files failed."""
    errors = report.count(Level.ERROR)
    kept = {f.file for f in report.findings if f.level is Level.ERROR} - written - {FEED_NAME}
    hint = ("; files kept from the last build failed too: `gutaudio build --force` makes them "
            "again" if any(name.endswith(".mp3") for name in kept) else "")
    return (f"{output}: the check found {errors} error{'s' if errors != 1 else ''}; nothing was "
            f"published (the previous build is as it was){hint}")


def _check_staged(settings: Settings, root: Path, articles: list[ArticleResult],
                  cache: ClipCache) -> Report:
    """Check the complete new tree before it is published, with the loudness the build measured
    (problems of MP3s its build.json does not list, a publisher's own, are warnings)."""
    measured = {f"{a.plan.folder}/{CHAPTERS_DIR}/{c.chapter.filename}": c.loudness
                for a in articles for c in a.chapters if c.loudness}
    measured |= {f"{a.plan.folder}/{EPISODE_MP3}": a.episode.loudness
                 for a in articles if a.episode.loudness}
    return check_build(root, settings.audio.loudness_lufs, settings.audio.true_peak_dbtp,
                       measured={name: (m.integrated, m.true_peak) for name, m in measured.items()},
                       memo_dir=cache.root, ffmpeg=settings.audio.ffmpeg)


def _generated_cover(settings: Settings, cache: ClipCache) -> Cover:
    """The show's generated artwork, drawn once and then kept in the cache."""
    key = fingerprint({"title": settings.show.title, "author": settings.show.author,
                       "version": __version__, "pillow": PIL.__version__})
    data = cache.artwork(key)
    if data is None or not readable_jpeg(data):
        cover = generate_cover(settings.show.title, settings.show.author)
        cache.keep_artwork(key, cover.data)
        return cover
    return Cover(data, "image/jpeg")


def _in_place(article: ArticleResult, staging: Path, output: Path) -> ArticleResult:
    """The same results with paths where the files will be once published."""
    def moved(path: Path) -> Path:
        return output / path.relative_to(staging) if path.is_relative_to(staging) else path

    chapters = tuple(replace(c, path=moved(c.path)) for c in article.chapters)
    return replace(article, chapters=chapters,
                   episode=replace(article.episode, path=moved(article.episode.path)))


def _article_files(article: ArticleResult, settings: Settings) -> list[str]:
    folder = article.plan.folder
    names = [f"{folder}/{n}" for n in (EPISODE_MP3, "episode.vtt", "episode.srt", "episode.txt",
                                       CHAPTERS_JSON, PAGE_NAME)]
    if settings.audio.m4b:
        names.append(f"{folder}/{EPISODE_M4B}")
    for result in article.chapters:
        stem = f"{folder}/{CHAPTERS_DIR}/{Path(result.chapter.filename).stem}"
        names += [f"{stem}.mp3", f"{stem}.vtt", f"{stem}.srt", f"{stem}.txt"]
    return names


def fingerprint(data: Any) -> str:
    """A short stable hash of JSON-able data: what decides whether a file must be made again."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class _ArticleBuilder:
    """Makes (or reuses) the chapters, episode and transcripts of each article."""

    cover: Cover
    """The show's artwork, set once synthesis has started."""

    def __init__(self, settings: Settings, synthesizer: Synthesizer, staging: StagedTree,
                 previous: dict[str, Any], counts: BuildCounts,
                 progress: ProgressCallback | None) -> None:
        self.settings = settings
        self.synthesizer = synthesizer
        self.staging = staging
        self.previous = {a["folder"]: a for a in previous.get("articles", [])}
        self.counts = counts
        self.progress = progress
        self.done = 0
        self.total = 0
        self._fingerprints: dict[Chapter, str] = {}
        self.audio_settings = {
            key: getattr(settings.audio, key)
            for key in ("sample_rate", "bitrate_kbps", "channels", "lead_in_ms", "tail_ms",
                        "loudness_lufs", "true_peak_dbtp")
        }
        cache = synthesizer.cache
        self.leveller = Leveller(settings.audio, cache.remembered("codec_shift", self.codec_fingerprint),
                                 cache.remembered("limiter_share", self.voice_fingerprint))

    @property
    def codec_fingerprint(self) -> str:
        """What the encoder's loudness shift depends on."""
        return fingerprint({"audio": self.audio_settings, "version": __version__})

    @property
    def voice_fingerprint(self) -> str:
        """What the limiter's share of the gain depends on: the voice and the audio settings."""
        return fingerprint({"audio": self.audio_settings, "voice": self.synthesizer.identity,
                            "version": __version__})

    def _audio_fingerprint(self, chapter: Chapter) -> str:
        if chapter not in self._fingerprints:
            self._fingerprints[chapter] = fingerprint({
                "version": __version__, "manifest": MANIFEST_VERSION, "audio": self.audio_settings,
                "clips": [self.synthesizer.key(u.spoken) for u in chapter.utterances],
                "pauses": [u.pause_after_ms for u in chapter.utterances],
            })
        return self._fingerprints[chapter]

    def _reusable(self, plan: Plan, chapter: Chapter) -> dict[str, Any] | None:
        """The previous build's record of this chapter, if its file can be kept as it is."""
        old = self.previous.get(plan.folder, {}).get("chapters", {}).get(chapter.filename)
        if not old or old.get("audio_fingerprint") != self._audio_fingerprint(chapter) \
                or not _complete_chapter_record(old):
            return None
        path = self.settings.output_dir / plan.folder / CHAPTERS_DIR / chapter.filename
        try:
            return old if path.stat().st_size == old["bytes"] else None
        except OSError:
            return None

    def _levelled(self, chapter: Chapter) -> Path | None:
        """The cached levelled audio of an unchanged chapter, if the cache still holds it."""
        return self.synthesizer.cache.levelled(self._audio_fingerprint(chapter))

    def queue(self, plans: list[Plan]) -> None:
        """Start synthesizing, in reading order, every clip a chapter to be made needs."""
        texts = []
        for plan in plans:
            need_levelled = self._needs_levelled(plan)
            for chapter in plan.chapters:
                reusable = self._reusable(plan, chapter) is not None
                if not reusable or (need_levelled and self._levelled(chapter) is None):
                    texts += [u.spoken for u in chapter.utterances]
        self.total = len(texts)
        self.synthesizer.start(texts)

    def _needs_levelled(self, plan: Plan) -> bool:
        """Whether the levelled audio of every chapter is needed: only to encode an M4B."""
        return self.settings.audio.m4b and not self._episode_kept(plan)

    def _episode_fingerprint(self, plan: Plan) -> str:
        return fingerprint({"chapters": [self._audio_fingerprint(c) for c in plan.chapters],
                            "m4b": self.settings.audio.m4b})

    def _episode_kept(self, plan: Plan) -> bool:
        old = self.previous.get(plan.folder, {}).get("episode")
        if not old or old.get("audio_fingerprint") != self._episode_fingerprint(plan):
            return False
        folder = self.settings.output_dir / plan.folder
        files = [folder / EPISODE_MP3] + ([folder / EPISODE_M4B] if self.settings.audio.m4b else [])
        return all(path.is_file() for path in files) and \
            (folder / EPISODE_MP3).stat().st_size == old.get("bytes")

    def build(self, plan: Plan) -> ArticleResult:
        """Make or reuse every file of one article."""
        date = publication_date(self.settings, plan.article, warn=True)  # said once per article
        need_levelled = self._needs_levelled(plan)
        work = self.staging.work / plan.folder
        work.mkdir(parents=True, exist_ok=True)
        results: list[ChapterResult] = []
        levelled: list[Path] = []
        for chapter in plan.chapters:
            result, flac = self._chapter(plan, chapter, date, work, need_levelled)
            results.append(result)
            if flac is not None:
                levelled.append(flac)
            self._transcripts(plan, f"{CHAPTERS_DIR}/{Path(chapter.filename).stem}",
                              [(chapter.title, chapter.text)],
                              make_cues([u.display for u in chapter.utterances], result.timings))
        episode = self._episode(plan, results, levelled, date)
        article = ArticleResult(plan, tuple(results), episode)
        self.staging.write(f"{plan.folder}/{PAGE_NAME}",
                           _article_page(self.settings, article, f"cover{self.cover.extension}"))
        return article

    def _chapter(self, plan: Plan, chapter: Chapter, date: dt.date, work: Path,
                 need_levelled: bool) -> tuple[ChapterResult, Path | None]:
        """Make or keep one chapter; return it and its levelled audio (None if not needed)."""
        old = self._reusable(plan, chapter)
        if old is None:
            return self._make_chapter(plan, chapter, date, work, need_levelled)
        result = self._reuse_chapter(plan, chapter, old, date)
        flac = self._levelled(chapter) if need_levelled else None
        if flac is None and need_levelled:  # the cache lost it: level it again
            raw = self._join(chapter, work)
            made = work / f"{Path(chapter.filename).stem}.flac"
            render_chapter(raw, result.gain, self.settings.audio, levelled=made)
            raw.path.unlink()
            flac = self.synthesizer.cache.keep_chapter(result.audio_fingerprint, made)
        return result, flac

    def _join(self, chapter: Chapter, work: Path) -> ChapterAudio:
        writer: ChapterWriter | None = None
        try:
            for utterance in chapter.utterances:
                clip = self.synthesizer.clip(utterance.spoken)
                if writer is None:
                    writer = ChapterWriter(work / f"{Path(chapter.filename).stem}.raw.wav",
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
            raise ContentError(f"chapter '{chapter.title}' has nothing to speak")
        return writer.close()

    def _make_chapter(self, plan: Plan, chapter: Chapter, date: dt.date, work: Path,
                      need_levelled: bool) -> tuple[ChapterResult, Path | None]:
        raw = self._join(chapter, work)
        relative = f"{plan.folder}/{CHAPTERS_DIR}/{chapter.filename}"
        path = self.staging.reserve(relative)
        made = work / f"{Path(chapter.filename).stem}.flac" if need_levelled else None
        gain, loudness = self.leveller.render(raw, path, made, self._previous_gain(plan, chapter))
        raw.path.unlink()
        flac = self.synthesizer.cache.keep_chapter(self._audio_fingerprint(chapter), made) \
            if made is not None else None
        frames = mp3_frame_count(path)
        tags = self._tags(plan, chapter.title, chapter.index, len(plan.chapters), chapter.text, date)
        self._write_tags(path, tags)
        self.counts.chapters_encoded += 1
        log.info("%s: made (%.1f s, %.1f LUFS)", relative, raw.duration, loudness.integrated)
        # Times are kept to the millisecond, as the manifest stores them, so a rebuild that
        # reads them back computes exactly the same chapter marks and tags.
        timings = tuple((round(start, 3), round(end, 3)) for start, end in raw.timings)
        return ChapterResult(chapter, path, round(raw.duration, 3), path.stat().st_size, timings,
                             gain, loudness, audio_fingerprint=self._audio_fingerprint(chapter),
                             tags_fingerprint=self._tags_fingerprint(tags), mp3_frames=frames), flac

    def _previous_gain(self, plan: Plan, chapter: Chapter) -> float | None:
        """The gain the last build gave this chapter, if it was levelled the same way."""
        old = self.previous.get(plan.folder, {}).get("chapters", {}).get(chapter.filename, {})
        return old.get("gain") if old.get("levelling") == self.voice_fingerprint else None

    def _reuse_chapter(self, plan: Plan, chapter: Chapter, old: dict[str, Any],
                       date: dt.date) -> ChapterResult:
        """Keep a chapter's audio; its tags are written again only if what they say changed."""
        relative = f"{plan.folder}/{CHAPTERS_DIR}/{chapter.filename}"
        tags = self._tags(plan, chapter.title, chapter.index, len(plan.chapters), chapter.text, date)
        path = self._retag_if_changed(relative, tags, old)
        self.counts.chapters_reused += 1
        loudness = _loudness_from(old)
        timings = tuple((start, end) for start, end in old["timings"])
        frames = old.get("mp3_frames") or mp3_frame_count(path)
        return ChapterResult(chapter, path, old["duration"], path.stat().st_size, timings,
                             old["gain"], loudness, reused=True,
                             audio_fingerprint=old["audio_fingerprint"],
                             tags_fingerprint=self._tags_fingerprint(tags), mp3_frames=frames)

    def _retag_if_changed(self, relative: str, tags: TrackTags, old: dict[str, Any]) -> Path:
        """Keep a file's audio; stage a copy with new tags only if what the tags say changed."""
        current = self.settings.output_dir / relative
        if old.get("tags_fingerprint") == self._tags_fingerprint(tags):
            return current
        path = self.staging.reserve(relative)
        shutil.copyfile(current, path)
        self._write_tags(path, tags)
        return path

    def _tags_fingerprint(self, tags: TrackTags) -> str:
        return fingerprint({"tags": repr(tags), "version": __version__,
                            "cover": hashlib.sha256(self.cover.data).hexdigest()})

    def _write_tags(self, path: Path, tags: TrackTags) -> None:
        write_tags(path, replace(tags, cover_jpeg=self.cover.embedded_jpeg))

    def _episode(self, plan: Plan, chapters: list[ChapterResult], levelled: list[Path],
                 date: dt.date) -> EpisodeResult:
        """Join (or keep) the full episode with CHAP marks, its transcripts and JSON chapters."""
        marks = episode_marks(chapters, self.settings.audio.sample_rate)
        cues: list[Cue] = []
        for result, mark in zip(chapters, marks, strict=True):
            cues += make_cues([u.display for u in result.chapter.utterances], result.timings,
                              offset=mark.start)
        duration = marks[-1].end
        self._transcripts(plan, Path(EPISODE_MP3).stem,
                          _transcript_sections(plan, [c.chapter for c in chapters]), cues)
        self.staging.write(f"{plan.folder}/{CHAPTERS_JSON}", to_json_chapters(marks))
        full_text = "\n\n".join(c.chapter.text for c in chapters)
        tags = replace(self._tags(plan, plan.article.title, 1, 1, full_text, date),
                       chapters=tuple((m.start, m.end, m.title) for m in marks))
        relative = f"{plan.folder}/{EPISODE_MP3}"
        old = self.previous.get(plan.folder, {}).get("episode", {})
        fingerprints = {"audio_fingerprint": self._episode_fingerprint(plan),
                        "tags_fingerprint": self._tags_fingerprint(tags)}
        if self._episode_kept(plan):
            path = self._retag_if_changed(relative, tags, old)
            self.counts.episodes_reused += 1
            loudness = _loudness_from(old)
            return EpisodeResult(path, duration, path.stat().st_size, tuple(marks),
                                 self.settings.audio.m4b, loudness, reused=True, **fingerprints)
        path = self.staging.reserve(relative)
        concatenate_mp3([c.path for c in chapters], path, self.settings.audio)
        self._write_tags(path, tags)
        if self.settings.audio.m4b:
            encode_m4b(levelled, self.staging.reserve(f"{plan.folder}/{EPISODE_M4B}"),
                       _cumulative_marks(chapters), self.cover.data,
                       {"title": plan.article.title, "artist": article_author(self.settings, plan.article),
                        "album": plan.article.title, "genre": "Audiobook",
                        "date": date.isoformat(), "comment": tags.comment},
                       self.settings.audio)
        self.counts.episodes_encoded += 1
        return EpisodeResult(path, duration, path.stat().st_size, tuple(marks),
                             self.settings.audio.m4b, _joined_loudness(chapters), **fingerprints)

    def _transcripts(self, plan: Plan, stem: str, sections: list[tuple[str, str]],
                     cues: list[Cue]) -> None:
        base = f"{plan.folder}/{stem}"
        self.staging.write(f"{base}.vtt", to_vtt(cues))
        self.staging.write(f"{base}.srt", to_srt(cues))
        self.staging.write(f"{base}.txt", to_text(plan.article.title, sections))

    def _tags(self, plan: Plan, title: str, track: int, total: int, text: str,
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


def _marks_at(chapters: list[ChapterResult], starts: list[float]) -> list[ChapterMark]:
    """Chapter marks from where each chapter starts: each ends where the next one starts, the
    last one with its own audio (to the millisecond)."""
    ends = [*starts[1:], round(starts[-1] + chapters[-1].duration, 3)] if chapters else []
    return [ChapterMark(start, end, result.chapter.title)
            for result, start, end in zip(chapters, starts, ends, strict=True)]


def _joined_loudness(chapters: list[ChapterResult]) -> Loudness | None:
    """The loudness of the chapters played back to back, from their gating blocks.

    The episode is the chapters' own MP3 frames, so its blocks are theirs (the few blocks that
    straddle a join fall in the silence around it) and its peak is the highest of theirs.
    """
    measured = [c.loudness for c in chapters if c.loudness is not None]
    if len(measured) < len(chapters) or not all(m.blocks for m in measured):
        return None
    return Loudness(gated_loudness(*(m.blocks for m in measured)),
                    max(m.true_peak for m in measured))


def _cumulative_marks(chapters: list[ChapterResult]) -> list[ChapterMark]:
    """Chapter marks for audio that is the chapters' levelled audio back to back (the M4B)."""
    starts, position = [], 0.0
    for result in chapters:
        starts.append(position)
        position = round(position + result.duration, 3)
    return _marks_at(chapters, starts)


def _transcript_links(base: str, stem: str, language: str) -> tuple[Transcript, ...]:
    return (
        Transcript(f"{base}{stem}.vtt", "text/vtt", language, "captions"),
        Transcript(f"{base}{stem}.srt", "application/x-subrip", language, "captions"),
        Transcript(f"{base}{stem}.txt", "text/plain", language, ""),
    )


def _feed_bytes(settings: Settings, articles: list[ArticleResult], cover_name: str,
                seasons: Seasons) -> bytes:
    """The show's feed: every article's chapters in order (or each article as one episode).

    An item keeps its title, season and GUID when articles are added or removed: every
    article is an itunes:season from its first build on, with the number build.json remembers
    for it (_seasons), and a chapter item's title names its article whether the show has one
    article or many (_item_title), so apps that ignore seasons still tell the chapters apart.
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


@dataclass(frozen=True)
class Seasons:
    """The feed's seasons: each article's (by folder), the highest ever used, and every folder's
    ever numbered (so an article left out of a build comes back to its own)."""

    of: dict[str, int]
    highest: int
    every: dict[str, int]


def _seasons(settings: Settings, articles: list[ArticleResult]) -> Seasons:
    """Each article's season (its folder's) and the highest season ever used.

    An article keeps the season the published build.json remembers for it, whatever articles
    were added or removed since (and with --force, which keeps no other part of that build);
    a new article gets the next number after the highest ever used, in the order of the build.
    Without a build.json the articles are numbered 1 to n in order.
    """
    remembered, highest = _remembered_seasons(settings.output_dir)
    seasons: dict[str, int] = {}
    for article in articles:
        season = remembered.get(article.plan.folder)
        if season is None or season in seasons.values():
            highest += 1
            season = highest
        seasons[article.plan.folder] = season
    return Seasons(seasons, highest, {**remembered, **seasons})


def _remembered_seasons(output: Path) -> tuple[dict[str, int], int]:
    """The seasons of the published build.json's articles and the highest it ever used.

    Read from a build.json of any version: one from before seasons were recorded numbered its
    articles by their place in it, as its feed did.
    """
    try:
        data = json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))
        older = int(data.get("version", 0)) < SEASONS_MANIFEST_VERSION
        records = [(a["folder"], a.get("season", place if older else None))
                   for place, a in enumerate(data.get("articles", []), 1)]
        # Articles that were not in that build (left out by `article =`, or moved away for a
        # while) keep their numbers too, so that they come back to the same season.
        records += list(dict(data.get("seasons", {})).items())
        last = data.get("last_season", 0)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, 0
    seasons: dict[str, int] = {}
    for folder, season in records:
        if _is_season(season) and season not in seasons.values():
            seasons.setdefault(folder, season)
    return seasons, max([*seasons.values(), last if _is_season(last) else 0])


def _is_season(value: Any) -> bool:
    """Whether a value read from build.json is a season number."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def article_author(settings: Settings, article: Article) -> str:
    """Who wrote the article: its own author when it names one, else the show's."""
    return article.metadata.author or settings.show.author


def unspoken_sections(plan: Plan) -> list[Section]:
    """Sections on the page and in transcripts that are not chapters (references, unless spoken, and
    sections with nothing a voice can say, such as an image without alt text)."""
    spoken = {id(c.section) for c in plan.chapters}
    return [s for s in plan.article.sections if id(s) not in spoken and not s.is_disclaimer]


def _transcript_sections(plan: Plan, chapters: list[Chapter]) -> list[tuple[str, str]]:
    """The episode transcript's sections: every chapter, with the unspoken ones before the disclaimer."""
    parts = [(c.title, c.text) for c in chapters]
    extra = [(s.title, s.text) for s in unspoken_sections(plan)]
    notes = "\n\n".join(f"[{n.label}] {blocks_text(n.blocks)}" for n in plan.article.footnotes)
    if notes:
        extra.append(("Notes", notes))
    position = len(parts) - (1 if chapters and chapters[-1].is_disclaimer else 0)
    return parts[:position] + extra + parts[position:]


def _article_page(settings: Settings, article: ArticleResult, cover_name: str) -> str:
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
        )
        for result in article.chapters
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
    ))


def _item_author(settings: Settings, article: Article) -> str:
    """An item's own itunes:author, only when its article names someone other than the show's author."""
    author = article.metadata.author
    return author if author and author != settings.show.author else ""


def _catalog_page(settings: Settings, articles: list[ArticleResult], cover_name: str) -> str:
    return render_catalog(
        language=settings.show.language, show_title=settings.show.title,
        description=settings.show.description, author=settings.show.author, cover=cover_name,
        feed=FEED_NAME,
        articles=[CatalogArticle(a.plan.article.title, f"{a.plan.folder}/{PAGE_NAME}",
                                 f"{a.plan.folder}/{EPISODE_MP3}", a.episode.duration,
                                 [c.chapter.title for c in a.chapters]) for a in articles],
    )


def _manifest(settings: Settings, articles: list[ArticleResult], synthesizer: Synthesizer,
              levelling: str, seasons: Seasons) -> str:
    data = {
        "version": MANIFEST_VERSION,
        "generator": f"gutaudio {__version__}",
        "engine": settings.voice.engine,
        "voice": synthesizer.engine.voice_name(),
        "loudness_lufs": settings.audio.loudness_lufs,
        "true_peak_dbtp": settings.audio.true_peak_dbtp,
        "last_season": seasons.highest,
        "seasons": dict(sorted(seasons.every.items(), key=lambda item: item[1])),
        "articles": [{**_article_manifest(article, levelling, settings.disclaimer.required),
                      "season": seasons.of[article.plan.folder]} for article in articles],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _article_manifest(article: ArticleResult, levelling: str, settings_required: bool) -> dict[str, Any]:
    """An article's record; levelling names what its chapters' gains depend on."""
    plan = article.plan
    episode = article.episode
    return {
        "folder": plan.folder,
        "title": plan.article.title,
        "source": plan.article.source.name,
        "author": plan.article.metadata.author,
        "disclaimer_required": settings_required,
        "episode": {
            "file": f"{plan.folder}/{EPISODE_MP3}",
            "duration": round(episode.duration, 3),
            "bytes": episode.size,
            "audio_fingerprint": episode.audio_fingerprint,
            "tags_fingerprint": episode.tags_fingerprint,
            **_loudness_fields(episode.loudness),
            "chapters": [{"start": round(m.start, 3), "end": round(m.end, 3), "title": m.title}
                         for m in episode.marks],
        },
        "chapters": {
            r.chapter.filename: {
                "index": r.chapter.index,
                "title": r.chapter.title,
                "disclaimer": r.chapter.is_disclaimer,
                "file": f"{plan.folder}/{CHAPTERS_DIR}/{r.chapter.filename}",
                "duration": round(r.duration, 3),
                "bytes": r.size,
                "gain": round(r.gain, 4),
                "levelling": levelling,
                "mp3_frames": r.mp3_frames,
                "audio_fingerprint": r.audio_fingerprint,
                "tags_fingerprint": r.tags_fingerprint,
                **_loudness_fields(r.loudness),
                "timings": [[round(s, 3), round(e, 3)] for s, e in r.timings],
                "utterances": [
                    {"start": round(start, 3), "end": round(end, 3), "text": u.display,
                     "spoken": u.spoken}
                    for u, (start, end) in zip(r.chapter.utterances, r.timings, strict=True)
                ],
            }
            for r in article.chapters
        },
    }


def _loudness_fields(loudness: Loudness | None) -> dict[str, Any]:
    if loudness is None:
        return {}
    return {"loudness": loudness.integrated, "true_peak": loudness.true_peak,
            "loudness_blocks": [list(bin_) for bin_ in loudness.blocks]}


def _complete_chapter_record(record: dict[str, Any]) -> bool:
    """Whether a chapter's record in build.json holds everything needed to keep the chapter."""
    try:
        numbers = [record["duration"], record["gain"], *(t for pair in record["timings"] for t in pair)]
        whole = [record["bytes"], record["mp3_frames"]]
    except (KeyError, TypeError, ValueError):
        return False
    return all(isinstance(n, int | float) for n in numbers) and all(isinstance(n, int) for n in whole)


def _loudness_from(record: dict[str, Any]) -> Loudness | None:
    """The loudness a manifest record holds, if it holds a well-formed one."""
    try:
        blocks = tuple((int(level), int(count)) for level, count in record.get("loudness_blocks", []))
        return Loudness(float(record["loudness"]), float(record["true_peak"]), blocks)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class TimingRow:
    """One utterance of a finished build and when it is heard within its chapter file."""

    chapter: int
    start: float
    end: float
    text: str
    article: str = ""


def read_timings(output: Path) -> list[TimingRow]:
    """Read the utterance timings of a finished build from its build.json."""
    path = output / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            TimingRow(chapter["index"], utterance["start"], utterance["end"], utterance["text"],
                      article["folder"])
            for article in data["articles"]
            for chapter in article["chapters"].values()
            for utterance in chapter["utterances"]
        ]
    except FileNotFoundError as e:
        raise OutputError(f"{path}: no finished build here; run gutaudio build first") from e
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise OutputError(f"{path}: not a gutaudio build manifest ({e})") from e
