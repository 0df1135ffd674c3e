"""The one place that knows the order of a build, as a recipe read top to bottom:

plan (read and script every article), decide (the planner compares what each file must be
with what the last build made), synthesize (only the clips of chapters to make), render (the
chapter MP3s and episodes, in a staging tree), write the captions, pages, feed and build.json,
check the whole staged tree, and swap it in for the output folder in one step. A build whose
check fails publishes nothing: the last build stays as it was.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import PIL

from . import __version__
from .audio import Leveller, ffmpeg_executable
from .cache import ClipCache, default_cache_dir
from .check import Level, Report, check_build
from .config import Settings
from .cover import Cover, generate_cover, load_cover, readable_jpeg
from .document import Article
from .edition import ArticleResult, ChapterResult, Plan
from .errors import CheckFailedError, ContentError, GutaudioError, OutputError
from .layout import (
    CHAPTERS_DIR,
    COVER_NAMES,
    EPISODE_M4B,
    EPISODE_MP3,
    FEED_NAME,
    MANIFEST_NAME,
    PAGE_NAME,
    epub_name,
)
from .manifest import EpubRecord, Manifest, manifest_json, read_manifest
from .output_folder import refuse_unsafe_output
from .pages import article_page, catalog_page
from .plan_memo import plan_key, remembered_plan
from .planner import BuildSteps, WantedArticle, decide, epub_fingerprint, fingerprint, keep_epub
from .readers import article_suffixes, built_in_reader, find_articles, parse_bytes, read_bytes
from .render import ArticleRenderer, ProgressCallback
from .seasons import Seasons, number_seasons
from .show_feed import feed_xml
from .staging import StagedTree, staged_tree
from .synthesis import Synthesizer
from .text_memo import article_text_files
from .texts import article_texts
from .wanted import WantedFiles, codec_fingerprint


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
    epubs_made: int = 0
    epubs_reused: int = 0


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


def plan_article(path: Path, settings: Settings, cache: ClipCache | None = None, reuse: bool = True) -> Plan:
    """Read one article and script its chapters; no audio, no files written. With a cache, the
    plan kept there for the same bytes, settings and code is used (plan_memo; not with reuse=False),
    else the plan is kept there."""
    data = read_bytes(path)

    def make() -> Plan:
        return script_article(parse_bytes(data, path, settings.disclaimer), settings)

    if cache is None or not built_in_reader(path):
        return make()
    return remembered_plan(cache, plan_key(path, data, settings), make, reuse)


def script_article(article: Article, settings: Settings) -> Plan:
    """Script an article already read (from a file, or from text by readers.parse_text)."""
    from .script import build_script  # the text rules: not loaded when every plan was kept

    return Plan(article, tuple(build_script(article, settings.audio, settings.lexicon, settings.speech)))


def plan_build(settings: Settings, articles: Sequence[Article] | None = None,
               cache: ClipCache | None = None, reuse: bool = True) -> list[Plan]:
    """Plan every article of the build (the given ones, else content/'s, with plans kept in cache
    when one is given, and used unless reuse is False), checking that their folders do not collide."""
    if articles is not None and not articles:
        raise ContentError("no article to build: give build() at least one, or none to build content/")
    plans = [script_article(article, settings) for article in articles] if articles is not None \
        else [plan_article(path, settings, cache, reuse) for path in choose_articles(settings)]
    seen: dict[str, Path] = {}
    for plan in plans:
        if plan.folder in seen:
            other = seen[plan.folder]
            taken = "another article of the same name" if other == plan.article.source else other.name
            raise ContentError(f"{plan.article.source}: its folder name '{plan.folder}' is "
                               f"already taken by {taken}; rename one of them")
        seen[plan.folder] = plan.article.source
    return plans


def build(settings: Settings, progress: ProgressCallback | None = None, *,
          force: bool = False, synthesizer: Synthesizer | None = None,
          articles: Sequence[Article] | None = None) -> BuildResult:
    """Build the narrated edition of every article into settings.output_dir.

    progress: called as progress(done, total, text) as each sentence's audio is ready.
    force: make every file again, and build into a folder that holds files of its own.
    synthesizer: one already started (see early_synthesizer), which the caller owns and
    closes (use it in a with block); without one, the build makes its own and closes it.
    articles: build these (read by readers.read_article or parse_text) instead of content/'s.
    """
    try:
        return _build(settings, progress, force, synthesizer, articles)
    except GutaudioError:
        raise
    except OSError as e:  # a full disk, a lost folder: say which file, never a traceback
        where = e.filename or settings.output_dir
        raise OutputError(f"{where}: {e.strerror or e}") from e


def _build(settings: Settings, progress: ProgressCallback | None, force: bool,
           started_synthesizer: Synthesizer | None, articles: Sequence[Article] | None) -> BuildResult:
    started = time.perf_counter()
    output = settings.output_dir
    refuse_unsafe_output(output, settings.content_dir, force=force)
    cache = ClipCache(settings.build.cache_dir or default_cache_dir())
    plans = plan_build(settings, articles, cache, reuse=not force)
    ffmpeg_executable(settings.audio.ffmpeg)  # a configured ffmpeg that is missing: said first
    published = read_manifest(output)
    cover = load_cover(settings.show.cover) if settings.show.cover else _generated_cover(settings, cache)
    with staged_tree(output) as staging, contextlib.ExitStack() as owned:
        synthesizer = started_synthesizer or owned.enter_context(
            Synthesizer(settings.voice, cache, settings.build.jobs or None))
        # Decide: what each file must be, against what the last build made (all of it, with --force).
        maker = WantedFiles(settings, synthesizer, cover)
        wanted = [maker.wanted(plan) for plan in plans]
        sizes = _published_sizes(output, published)
        steps = decide(wanted, None if force else published, sizes,
                       _levelled_in_cache(cache, wanted), maker.voice_fingerprint)
        # Synthesize: the clips of chapters to make start now; everything else is done while they run.
        address = settings.build.cluster_address
        synthesizer.start(steps.texts if address is None else steps.level_again_texts)
        # Render: the chapter MP3s and the episodes, in the staging tree (the new chapters' audio
        # on the cluster first, when there is one).
        leveller = Leveller(settings.audio,
                            cache.remembered("codec_shift", codec_fingerprint(settings.audio)),
                            cache.remembered("limiter_share", maker.voice_fingerprint))
        # (On a cluster the progress is the cluster's: the renderer then only joins and tags.)
        renderer = ArticleRenderer(maker, staging, leveller, len(steps.texts),
                                   progress if address is None else None)
        pairs = list(zip(plans, steps.articles, strict=True))
        if address is None:
            articles = [renderer.render(plan, article_steps) for plan, article_steps in pairs]
        else:
            from .cluster_build import ClusterChapters  # Ray is imported only for a cluster build

            articles = ClusterChapters(settings, steps, synthesizer, leveller, staging, progress,
                                       renderer.premade).make(address, lambda i: renderer.render(*pairs[i]))
        _remember_levelling(cache, leveller, settings, maker.voice_fingerprint)
        articles = [_in_place(article, staging.root, output) for article in articles]
        # Write: captions and transcripts, pages, the feed and build.json.
        seasons = number_seasons(output, [plan.folder for plan in plans])
        epubs = _stage_epubs(staging, settings, articles, cover, None if force else published, sizes,
                             synthesizer.engine.voice_name())
        names = _stage_other_files(staging, settings, articles, cover, seasons,
                                   _manifest(settings, articles, synthesizer, maker.voice_fingerprint,
                                             seasons, epubs), cache, force)
        names |= {record.file for record in epubs.values()}
        ours = {a.plan.folder for a in articles} | set(COVER_NAMES)
        ours |= {a.folder for a in published.articles} if published else set()
        written = staging.complete(output, names, ours)
        # Check the whole staged tree, then swap it in: a failing check publishes nothing.
        report = _check_staged(settings, staging.root, articles, cache,
                               frozenset(r.file for r in epubs.values()) & set(written))
        if not report.passed():
            raise CheckFailedError(report, _not_published(output, report, set(written)))
        staging.publish(output)
    counts = _counts(steps, renderer, synthesizer, written, len(staging.unchanged))
    counts.epubs_made = sum(record.file in written for record in epubs.values())
    counts.epubs_reused = len(epubs) - counts.epubs_made
    return BuildResult(output, tuple(articles), output / FEED_NAME, time.perf_counter() - started,
                       counts, tuple(output / name for name in written), report)


def _published_sizes(output: Path, published: Manifest | None) -> dict[str, int]:
    """The size of each audio file the last build published that is still there."""
    if published is None:
        return {}
    names = published.files() | {f"{a.folder}/{EPISODE_M4B}" for a in published.articles}
    names |= {a.epub.file for a in published.articles if a.epub is not None}
    sizes = {}
    for name in names:
        with contextlib.suppress(OSError):
            sizes[name] = (output / name).stat().st_size
    return sizes


def _levelled_in_cache(cache: ClipCache, wanted: Iterable[WantedArticle]) -> set[str]:
    """The chapters whose levelled audio the cache holds, for articles that make an M4B."""
    return {c.audio_fingerprint for article in wanted if article.m4b_file is not None
            for c in article.chapters if cache.chapter_path(c.audio_fingerprint).is_file()}


def _remember_levelling(cache: ClipCache, leveller: Leveller, settings: Settings, voice: str) -> None:
    """Keep what the leveller measured (the encoder's shift, the limiter's share) for later builds."""
    if leveller.codec_shift is not None:
        cache.remember("codec_shift", codec_fingerprint(settings.audio), leveller.codec_shift)
    share = leveller.remembered_share()
    if share is not None:
        cache.remember("limiter_share", voice, share)


def _stage_other_files(staging: StagedTree, settings: Settings, articles: list[ArticleResult], cover: Cover,
                 seasons: Seasons, manifest: Manifest, cache: ClipCache, force: bool) -> set[str]:
    """Stage every file besides the audio (captions and transcripts, pages, the cover, build.json
    and the feed; the text files kept in the cache unless force); return the names of every file
    the build publishes."""
    cover_name = f"cover{cover.extension}"
    names = {name for article in articles for name in _audio_files(article, settings)}
    for article in articles:
        texts = article_text_files(cache, article, settings, cover_name,
                                   functools.partial(_article_texts, article, settings, cover_name,
                                                     cache.templates),
                                   force=force)
        for name, text in texts.items():
            staging.write(name, text)
        names |= texts.keys()
    staging.write(cover_name, cover.data)
    staging.write(PAGE_NAME, catalog_page(settings, articles, cover_name, cache.templates))
    staging.write(MANIFEST_NAME, manifest_json(manifest))
    staging.write(FEED_NAME, feed_xml(settings, articles, cover_name, seasons))
    return names | {cover_name, PAGE_NAME, MANIFEST_NAME, FEED_NAME}


def _article_texts(article: ArticleResult, settings: Settings, cover_name: str,
                   compiled: Path) -> dict[str, str]:
    """An article's captions, transcripts and page, by path inside the output folder (compiled: the
    folder that keeps compiled templates)."""
    texts = article_texts(article, settings.captions)
    texts[f"{article.plan.folder}/{PAGE_NAME}"] = article_page(settings, article, cover_name, compiled)
    return texts


def _stage_epubs(staging: StagedTree, settings: Settings, articles: list[ArticleResult], cover: Cover,
                 published: Manifest | None, sizes: dict[str, int], voice: str) -> dict[str, EpubRecord]:
    """Each article's EPUB (when asked for), by article folder: the last build's file is kept when
    everything in it is unchanged (its fingerprint), else it is made in the staging tree."""
    if not settings.build.epub:
        return {}
    records: dict[str, EpubRecord] = {}
    for article in articles:
        folder = article.plan.folder
        name, wanted = epub_name(folder), epub_fingerprint(settings, article, voice)
        old = published.article(folder) if published else None
        if old is not None and old.epub is not None and keep_epub(name, wanted, old.epub, sizes):
            records[folder] = old.epub
            continue
        audio = []
        for result in article.chapters:  # a chapter made or tagged by this build is in the staging tree
            chapter = f"{folder}/{CHAPTERS_DIR}/{result.chapter.filename}"
            staged = staging.root / chapter
            audio.append(staged if staged.is_file() else staging.output / chapter)
        from .epub import write_epub  # loaded only when an EPUB is made

        target = staging.reserve(name)
        write_epub(target, settings, article, cover, voice, audio)
        records[folder] = EpubRecord(name, target.stat().st_size, wanted)
    return records


def _manifest(settings: Settings, articles: list[ArticleResult], synthesizer: Synthesizer,
              levelling: str, seasons: Seasons, epubs: dict[str, EpubRecord]) -> Manifest:
    """The new build.json; levelling names what the chapters' gains depend on."""
    return Manifest(
        generator=f"gutaudio {__version__}", engine=settings.voice.engine,
        voice=synthesizer.engine.voice_name(), loudness_lufs=settings.audio.loudness_lufs,
        true_peak_dbtp=settings.audio.true_peak_dbtp, last_season=seasons.highest,
        seasons=dict(sorted(seasons.every.items(), key=lambda item: item[1])),
        articles=tuple(replace(a.record(levelling, settings.disclaimer.required, seasons.of[a.plan.folder]),
                               epub=epubs.get(a.plan.folder)) for a in articles),
    )


def _counts(steps: BuildSteps, renderer: ArticleRenderer, synthesizer: Synthesizer,
            written: list[str], unchanged: int) -> BuildCounts:
    """What the build made and what it kept."""
    return BuildCounts(
        synthesized=synthesizer.stats.made, clips_reused=synthesizer.stats.reused,
        chapters_encoded=renderer.chapters_made, chapters_reused=renderer.chapters_kept,
        episodes_encoded=renderer.episodes_made, episodes_reused=renderer.episodes_kept,
        files_written=len(written), files_unchanged=unchanged,
    )


def _not_published(output: Path, report: Report, written: set[str]) -> str:
    """The one line for a build its check stopped; --force suggested when kept files failed."""
    errors = report.count(Level.ERROR)
    kept = {f.file for f in report.findings if f.level is Level.ERROR} - written - {FEED_NAME}
    hint = ("; files kept from the last build failed too: `gutaudio build --force` makes them "
            "again" if any(name.endswith(".mp3") for name in kept) else "")
    return (f"{output}: the check found {errors} error{'s' if errors != 1 else ''}; nothing was "
            f"published (the previous build is as it was){hint}")


def _check_staged(settings: Settings, root: Path, articles: list[ArticleResult],
                  cache: ClipCache, epubs: frozenset[str]) -> Report:
    """Check the complete new tree before it is published, with the loudness the build measured
    (problems of MP3s its build.json does not list, a publisher's own, are warnings; of the EPUBs,
    those it made)."""
    measured = {f"{a.plan.folder}/{CHAPTERS_DIR}/{c.chapter.filename}": c.loudness
                for a in articles for c in a.chapters if c.loudness}
    measured |= {f"{a.plan.folder}/{EPISODE_MP3}": a.episode.loudness
                 for a in articles if a.episode.loudness}
    return check_build(root, settings.audio.loudness_lufs, settings.audio.true_peak_dbtp,
                       measured={name: (m.integrated, m.true_peak) for name, m in measured.items()},
                       memo_dir=cache.root, ffmpeg=settings.audio.ffmpeg, epubs=epubs)


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


def _audio_files(article: ArticleResult, settings: Settings) -> list[str]:
    """The audio files of an article, by path inside the output folder."""
    folder = article.plan.folder
    names = [f"{folder}/{CHAPTERS_DIR}/{c.chapter.filename}" for c in article.chapters]
    names.append(f"{folder}/{EPISODE_MP3}")
    if settings.audio.m4b:
        names.append(f"{folder}/{EPISODE_M4B}")
    return names
