"""The one place that knows the order of a build: plan everything, make audio, then publish atomically."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .audio import ChapterAudio, assemble_chapter, encode_mp3, use_ffmpeg
from .config import Settings
from .content import Article, find_articles, read_article
from .cover import Cover, generate_cover, load_cover
from .engines import Engine, create_engine
from .errors import ContentError, OutputError
from .feed import FeedItem, build_feed, item_guid
from .speech import Chapter, build_script
from .tags import TrackTags, write_tags

log = logging.getLogger(__name__)

CHAPTERS_DIR = "chapters"
FEED_NAME = "feed.xml"
MANIFEST_NAME = "build.json"

ProgressCallback = Callable[[int, int, str], None]
"""Called as progress(done, total, text) after each utterance is synthesized."""


@dataclass(frozen=True)
class Plan:
    """What a build will make, decided before any audio exists."""

    article: Article
    chapters: tuple[Chapter, ...]

    @property
    def utterance_count(self) -> int:
        """Number of utterances across all chapters."""
        return sum(len(c.utterances) for c in self.chapters)


@dataclass(frozen=True)
class ChapterResult:
    """A finished chapter file."""

    chapter: Chapter
    path: Path
    duration: float
    size: int
    timings: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class BuildResult:
    """What a finished build published."""

    output_dir: Path
    plan: Plan
    chapters: tuple[ChapterResult, ...]
    feed_path: Path
    cover_path: Path
    seconds: float

    @property
    def audio_seconds(self) -> float:
        """Total length of all chapters in seconds."""
        return sum(c.duration for c in self.chapters)


def choose_article(settings: Settings) -> Path:
    """Pick the article to build: the configured one, else the only article in content/."""
    if settings.article is not None:
        return settings.article
    articles = find_articles(settings.content_dir)
    if not articles:
        raise ContentError(f"{settings.content_dir}: no article (.txt or .md) found")
    if len(articles) > 1:
        names = ", ".join(p.name for p in articles)
        raise ContentError(
            f"{settings.content_dir}: holds {len(articles)} articles ({names}); "
            "name one with article = \"...\" in gutaudio.toml"
        )
    return articles[0]


def plan_build(settings: Settings) -> Plan:
    """Read the article and script its chapters; no audio, no files written."""
    article = read_article(choose_article(settings), disclaimer_text=settings.disclaimer_text)
    return Plan(article, tuple(build_script(article, settings.audio)))


def publication_date(settings: Settings, article: Article) -> dt.date:
    """The article's date, else the show's, else today (with a note that rebuilds will differ)."""
    date = article.date or settings.show.date
    if date is None:
        log.warning("no date in the article or [show] date; using today's date for pubDate")
        date = dt.datetime.now(dt.UTC).date()
    return date


def build(settings: Settings, progress: ProgressCallback | None = None) -> BuildResult:
    """Build the narrated edition of the article into settings.output_dir."""
    started = time.perf_counter()
    plan = plan_build(settings)
    use_ffmpeg(settings.audio.ffmpeg)
    cover = load_cover(settings.show.cover) if settings.show.cover else generate_cover(
        settings.show.title, settings.show.author
    )
    engine = create_engine(settings.voice)
    date = publication_date(settings, plan.article)
    output = settings.output_dir
    with _staging(output) as staging:
        chapters = _make_chapters(plan, settings, engine, cover, date, staging, progress)
        cover_name = f"cover{cover.extension}"
        _write(staging / cover_name, cover.data)
        feed = _feed_bytes(settings, plan, chapters, cover_name, date)
        manifest = _manifest(settings, plan, chapters, engine)
        _write(staging / MANIFEST_NAME, manifest)
        _write(staging / FEED_NAME, feed)
        _publish(staging, output, [c.path.relative_to(staging) for c in chapters],
                 [Path(cover_name), Path(MANIFEST_NAME)])
    final = tuple(
        ChapterResult(c.chapter, output / c.path.relative_to(staging), c.duration, c.size,
                      c.timings)
        for c in chapters
    )
    return BuildResult(output, plan, final, output / FEED_NAME, output / cover_name,
                       time.perf_counter() - started)


def _make_chapters(
    plan: Plan,
    settings: Settings,
    engine: Engine,
    cover: Cover,
    date: dt.date,
    staging: Path,
    progress: ProgressCallback | None,
) -> list[ChapterResult]:
    total = plan.utterance_count
    done = 0
    disclaimer = plan.article.disclaimer
    (staging / CHAPTERS_DIR).mkdir()
    results = []
    for chapter in plan.chapters:
        clips = []
        for utterance in chapter.utterances:
            clips.append(engine.synthesize(utterance.spoken))
            done += 1
            if progress:
                progress(done, total, utterance.display)
        audio: ChapterAudio = assemble_chapter(
            clips, [u.pause_after_ms for u in chapter.utterances], settings.audio
        )
        path = staging / CHAPTERS_DIR / chapter.filename
        encode_mp3(audio.segment, path, settings.audio)
        write_tags(path, TrackTags(
            title=chapter.title,
            artist=settings.show.author,
            album=plan.article.title,
            track=chapter.index,
            total=len(plan.chapters),
            genre=settings.show.genre,
            date=date,
            language=settings.show.language,
            text=chapter.text,
            comment=disclaimer.text if disclaimer else "",
            link=settings.show.link,
            copyright=settings.show.copyright,
            cover_jpeg=cover.embedded_jpeg,
        ))
        results.append(ChapterResult(chapter, path, audio.duration, path.stat().st_size,
                                     audio.timings))
        log.info("chapter %d/%d: %s (%.1f s)", chapter.index, len(plan.chapters),
                 chapter.title, audio.duration)
    return results


def _feed_bytes(
    settings: Settings, plan: Plan, chapters: list[ChapterResult], cover_name: str,
    date: dt.date,
) -> bytes:
    base = settings.show.base_url
    noon = dt.datetime.combine(date, dt.time(12, 0), tzinfo=dt.UTC)
    items = [
        FeedItem(
            title=result.chapter.title,
            guid=item_guid(settings.show.link, plan.article.slug, result.chapter.slug),
            url=f"{base}{CHAPTERS_DIR}/{result.chapter.filename}",
            length=result.size,
            duration=result.duration,
            episode=result.chapter.index,
            # One minute apart in reading order, so apps that sort by date keep the order.
            published=noon + dt.timedelta(minutes=result.chapter.index - 1),
            description=result.chapter.text,
        )
        for result in chapters
    ]
    built = items[-1].published if items else noon
    return build_feed(settings.show, feed_url=settings.feed_url, image_url=base + cover_name,
                      items=items, built=built)


def _manifest(
    settings: Settings, plan: Plan, chapters: list[ChapterResult], engine: Engine
) -> bytes:
    data = {
        "generator": f"gutaudio {__version__}",
        "article": {"title": plan.article.title, "source": plan.article.source.name},
        "engine": engine.name,
        "voice": engine.voice_name(),
        "chapters": [
            {
                "index": r.chapter.index,
                "title": r.chapter.title,
                "file": f"{CHAPTERS_DIR}/{r.chapter.filename}",
                "duration": round(r.duration, 3),
                "bytes": r.size,
                "utterances": [
                    {"start": round(start, 3), "end": round(end, 3), "text": u.display,
                     "spoken": u.spoken}
                    for u, (start, end) in zip(r.chapter.utterances, r.timings, strict=True)
                ],
            }
            for r in chapters
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from e


@contextmanager
def _staging(output: Path) -> Iterator[Path]:
    """A scratch folder inside output/, removed afterwards whether the build succeeds or not."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".gutaudio-staging-", dir=output))
    except OSError as e:
        raise OutputError(f"{output}: cannot create the output folder: {e.strerror or e}") from e
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, output: Path, chapter_files: list[Path], others: list[Path]) -> None:
    """Move finished files into place, the feed last, then drop chapters the feed no longer lists."""
    try:
        (output / CHAPTERS_DIR).mkdir(exist_ok=True)
        for relative in [*chapter_files, *others, Path(FEED_NAME)]:
            os.replace(staging / relative, output / relative)
        keep = {p.name for p in chapter_files}
        for stale in (output / CHAPTERS_DIR).glob("*.mp3"):
            if stale.name not in keep:
                stale.unlink()
    except OSError as e:
        raise OutputError(f"{output}: cannot publish the build: {e.strerror or e}") from e
