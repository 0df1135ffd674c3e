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
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .audio import (
    ChapterAudio,
    EpisodeWriter,
    LevelledEncoder,
    assemble_chapter,
    encode_m4b,
    use_ffmpeg,
)
from .config import Settings
from .content import Article, find_articles, read_article
from .cover import Cover, generate_cover, load_cover
from .engines import Engine, create_engine
from .errors import ContentError, OutputError
from .feed import FeedItem, Transcript, build_feed, item_guid
from .site import Page, PageChapter, render_page
from .speech import Chapter, build_script
from .tags import TrackTags, write_tags
from .transcripts import ChapterMark, Cue, make_cues, to_json_chapters, to_srt, to_text, to_vtt

log = logging.getLogger(__name__)

CHAPTERS_DIR = "chapters"
FEED_NAME = "feed.xml"
MANIFEST_NAME = "build.json"
EPISODE_MP3 = "episode.mp3"
EPISODE_M4B = "episode.m4b"
PAGE_NAME = "index.html"
CHAPTERS_JSON = "chapters.json"

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
class EpisodeResult:
    """The full episode: every chapter in one file, with chapter marks."""

    path: Path
    duration: float
    size: int
    marks: tuple[ChapterMark, ...]
    m4b: bool = False


@dataclass(frozen=True)
class BuildResult:
    """What a finished build published."""

    output_dir: Path
    plan: Plan
    chapters: tuple[ChapterResult, ...]
    feed_path: Path
    cover_path: Path
    seconds: float
    extra_files: tuple[Path, ...] = ()
    """Everything else the build published besides the chapter MP3s: episode, page, feed."""

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
    return Plan(article, tuple(build_script(article, settings.audio, settings.lexicon)))


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
    cover_name = f"cover{cover.extension}"
    with _staging(output) as staging:
        episode = EpisodeWriter(staging.root / "episode.wav")
        chapters = _make_chapters(plan, settings, engine, cover, date, staging, episode,
                                  progress)
        episode_result = _make_episode(plan, settings, cover, date, staging, episode, chapters)
        staging.write(cover_name, cover.data)
        staging.write(MANIFEST_NAME, _manifest(settings, plan, chapters, episode_result, engine))
        staging.write(PAGE_NAME, _page(settings, plan, chapters, episode_result, cover_name))
        staging.write(FEED_NAME, _feed_bytes(settings, plan, chapters, episode_result,
                                             cover_name, date))
        staging.publish(output)
        extra = tuple(output / name for name in staging.files
                      if not name.startswith(f"{CHAPTERS_DIR}/"))
    final = tuple(
        ChapterResult(c.chapter, output / c.path.relative_to(staging.root), c.duration, c.size,
                      c.timings)
        for c in chapters
    )
    return BuildResult(output, plan, final, output / FEED_NAME, output / cover_name,
                       time.perf_counter() - started, extra)


def _page(settings: Settings, plan: Plan, chapters: list[ChapterResult], episode: EpisodeResult,
          cover_name: str) -> str:
    page_chapters = []
    for result in chapters:
        chapter = result.chapter
        section = plan.article.sections[chapter.index - 1]
        page_chapters.append(PageChapter(
            number=chapter.index,
            title=chapter.title,
            audio=f"{CHAPTERS_DIR}/{chapter.filename}",
            stem=f"{CHAPTERS_DIR}/{Path(chapter.filename).stem}",
            duration=result.duration,
            blocks=tuple((b.text, b.is_heading) for b in section.blocks),
            is_disclaimer=chapter.is_disclaimer,
        ))
    return render_page(Page(
        language=settings.show.language,
        show_title=settings.show.title,
        article_title=plan.article.title,
        author=settings.show.author,
        description=settings.show.description,
        cover=cover_name,
        episode_audio=EPISODE_MP3,
        episode_stem=Path(EPISODE_MP3).stem,
        episode_duration=episode.duration,
        chapters=page_chapters,
        chapters_json=CHAPTERS_JSON,
        m4b=EPISODE_M4B if episode.m4b else "",
    ))


def _transcript_files(staging: _Staging, stem: str, title: str, sections: list[tuple[str, str]],
                      cues: list[Cue]) -> None:
    staging.write(f"{stem}.vtt", to_vtt(cues))
    staging.write(f"{stem}.srt", to_srt(cues))
    staging.write(f"{stem}.txt", to_text(title, sections))


def _make_chapters(
    plan: Plan,
    settings: Settings,
    engine: Engine,
    cover: Cover,
    date: dt.date,
    staging: _Staging,
    episode: EpisodeWriter,
    progress: ProgressCallback | None,
) -> list[ChapterResult]:
    total = plan.utterance_count
    done = 0
    results = []
    encoder = LevelledEncoder(settings.audio)
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
        path = staging.reserve(f"{CHAPTERS_DIR}/{chapter.filename}")
        episode.add(encoder.encode(audio.segment, path))
        write_tags(path, _track_tags(settings, plan, chapter.title, chapter.index,
                                     len(plan.chapters), chapter.text, cover, date))
        cues = make_cues([u.display for u in chapter.utterances], audio.timings)
        _transcript_files(staging, f"{CHAPTERS_DIR}/{Path(chapter.filename).stem}",
                          plan.article.title, [(chapter.title, chapter.text)], cues)
        results.append(ChapterResult(chapter, path, audio.duration, path.stat().st_size,
                                     audio.timings))
        log.info("chapter %d/%d: %s (%.1f s)", chapter.index, len(plan.chapters),
                 chapter.title, audio.duration)
    return results


def _make_episode(
    plan: Plan,
    settings: Settings,
    cover: Cover,
    date: dt.date,
    staging: _Staging,
    episode: EpisodeWriter,
    chapters: list[ChapterResult],
) -> EpisodeResult:
    """Encode the full episode with CHAP marks, its transcripts and its JSON chapters."""
    marks: list[ChapterMark] = []
    position = 0.0
    cues: list[Cue] = []
    for result in chapters:
        marks.append(ChapterMark(position, position + result.duration, result.chapter.title))
        cues += make_cues([u.display for u in result.chapter.utterances], result.timings,
                          offset=position)
        position += result.duration
    path = staging.reserve(EPISODE_MP3)
    episode.encode(path, settings.audio)
    full_text = "\n\n".join(c.chapter.text for c in chapters)
    tags = _track_tags(settings, plan, plan.article.title, 1, 1, full_text, cover, date)
    write_tags(path, replace(tags, chapters=tuple((m.start, m.end, m.title) for m in marks)))
    _transcript_files(staging, "episode", plan.article.title,
                      [(c.chapter.title, c.chapter.text) for c in chapters], cues)
    staging.write(CHAPTERS_JSON, to_json_chapters(marks))
    if settings.audio.m4b:
        encode_m4b(episode.path, staging.reserve(EPISODE_M4B), marks, cover.data,
                   {"title": plan.article.title, "artist": settings.show.author,
                    "album": plan.article.title, "genre": "Audiobook",
                    "date": date.isoformat(), "comment": tags.comment},
                   settings.audio)
    return EpisodeResult(path, episode.duration, path.stat().st_size, tuple(marks),
                         settings.audio.m4b)


def _track_tags(settings: Settings, plan: Plan, title: str, track: int, total: int, text: str,
                cover: Cover, date: dt.date) -> TrackTags:
    disclaimer = plan.article.disclaimer
    return TrackTags(
        title=title,
        artist=settings.show.author,
        album=plan.article.title,
        track=track,
        total=total,
        genre=settings.show.genre,
        date=date,
        language=settings.show.language,
        text=text,
        comment=disclaimer.text if disclaimer else "",
        link=settings.show.link,
        copyright=settings.show.copyright,
        cover_jpeg=cover.embedded_jpeg,
    )


def _transcript_links(base: str, stem: str, language: str) -> tuple[Transcript, ...]:
    return (
        Transcript(f"{base}{stem}.vtt", "text/vtt", language, "captions"),
        Transcript(f"{base}{stem}.srt", "application/x-subrip", language, "captions"),
        Transcript(f"{base}{stem}.txt", "text/plain", language, ""),
    )


def _feed_bytes(
    settings: Settings, plan: Plan, chapters: list[ChapterResult], episode: EpisodeResult,
    cover_name: str, date: dt.date,
) -> bytes:
    base = settings.show.base_url
    language = settings.show.language
    noon = dt.datetime.combine(date, dt.time(12, 0), tzinfo=dt.UTC)
    if settings.show.feed_items == "episode":
        contents = "\n".join(f"{c.chapter.index}. {c.chapter.title}" for c in chapters)
        items = [FeedItem(
            title=plan.article.title,
            guid=item_guid(settings.show.link, plan.article.slug, "episode"),
            url=base + EPISODE_MP3,
            length=episode.size,
            duration=episode.duration,
            episode=1,
            published=noon,
            description=f"{chapters[0].chapter.text}\n\nChapters:\n{contents}",
            transcripts=_transcript_links(base, Path(EPISODE_MP3).stem, language),
            chapters_url=base + CHAPTERS_JSON,
        )]
    else:
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
                transcripts=_transcript_links(
                    base, f"{CHAPTERS_DIR}/{Path(result.chapter.filename).stem}", language),
            )
            for result in chapters
        ]
    built = items[-1].published if items else noon
    return build_feed(settings.show, feed_url=settings.feed_url, image_url=base + cover_name,
                      items=items, built=built)


def _manifest(settings: Settings, plan: Plan, chapters: list[ChapterResult],
              episode: EpisodeResult, engine: Engine) -> bytes:
    data = {
        "generator": f"gutaudio {__version__}",
        "loudness_lufs": settings.audio.loudness_lufs,
        "true_peak_dbtp": settings.audio.true_peak_dbtp,
        "article": {"title": plan.article.title, "source": plan.article.source.name},
        "engine": engine.name,
        "voice": engine.voice_name(),
        "episode": {
            "file": EPISODE_MP3,
            "duration": round(episode.duration, 3),
            "bytes": episode.size,
            "chapters": [{"start": round(m.start, 3), "end": round(m.end, 3), "title": m.title}
                         for m in episode.marks],
        },
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


class _Staging:
    """A scratch folder inside output/ that remembers what was made there, to publish it whole."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[str] = []

    def reserve(self, relative: str) -> Path:
        """Register a file that another tool (ffmpeg, mutagen) will write; return its path."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(relative)
        return path

    def write(self, relative: str, data: bytes | str) -> Path:
        """Write a finished file into the staging folder."""
        path = self.reserve(relative)
        try:
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8", newline="\n")
            else:
                path.write_bytes(data)
        except OSError as e:
            raise OutputError(f"{path}: cannot write: {e.strerror or e}") from e
        return path

    def publish(self, output: Path) -> None:
        """Move every file into output/, the feed last; then drop chapter files no longer made."""
        ordered = sorted(self.files, key=lambda name: name == FEED_NAME)
        try:
            for relative in ordered:
                (output / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.root / relative, output / relative)
            made = set(self.files)
            chapters = output / CHAPTERS_DIR
            for old in chapters.iterdir() if chapters.is_dir() else ():
                if f"{CHAPTERS_DIR}/{old.name}" not in made and old.is_file():
                    old.unlink()
        except OSError as e:
            raise OutputError(f"{output}: cannot publish the build: {e.strerror or e}") from e


@contextmanager
def _staging(output: Path) -> Iterator[_Staging]:
    """A scratch folder inside output/, removed afterwards whether the build succeeds or not."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix=".gutaudio-staging-", dir=output))
    except OSError as e:
        raise OutputError(f"{output}: cannot create the output folder: {e.strerror or e}") from e
    try:
        yield _Staging(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class TimingRow:
    """One utterance of a finished build and when it is heard within its chapter file."""

    chapter: int
    start: float
    end: float
    text: str


def read_timings(output: Path) -> list[TimingRow]:
    """Read the utterance timings of a finished build from its build.json."""
    path = output / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            TimingRow(chapter["index"], utterance["start"], utterance["end"], utterance["text"])
            for chapter in data["chapters"]
            for utterance in chapter["utterances"]
        ]
    except FileNotFoundError as e:
        raise OutputError(f"{path}: no finished build here; run gutaudio build first") from e
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise OutputError(f"{path}: not a gutaudio build manifest ({e})") from e
