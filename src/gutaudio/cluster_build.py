"""A build's new chapters made on a Ray cluster: a job for each from the planner's steps, and each
result put where a local build would have put it (the MP3 in the staging tree, the clips and the
levelled FLAC in the cache) as soon as it comes back, so a build stopped half-way resumes from
the cache. The rest of the build (tags, episodes, pages, the feed, the check) is the local one.

The leveller's two learnt numbers make a chapter's audio depend on the chapters before it until
they are known (audio.Leveller): until then chapters go to the cluster one at a time, in reading
order, exactly as a local build renders them; after that, all at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .audio import ChapterAudio, Leveller
from .cache import ClipCache
from .chapter_work import ChapterJob, ChapterMade, worker_identity
from .config import Settings
from .edition import ArticleResult
from .planner import BuildSteps, ChapterAction, ChapterStep
from .render import MadeAudio, ProgressCallback
from .staging import StagedTree
from .synthesis import Synthesizer

if TYPE_CHECKING:
    from .cluster import ClusterStats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Todo:
    article: int
    """The article's place in the build."""
    step: ChapterStep


class ClusterChapters:
    """Makes the chapters a build's steps call for on the cluster, and receives them; each article
    is rendered (tagged, its episode joined) as soon as it and every article before it are back."""

    def __init__(self, settings: Settings, steps: BuildSteps, synthesizer: Synthesizer,
                 leveller: Leveller, staging: StagedTree, progress: ProgressCallback | None,
                 made: dict[str, MadeAudio]) -> None:
        """made: where each chapter made goes, by file (the renderer's premade chapters)."""
        self.settings = settings
        self.synthesizer = synthesizer
        self.cache: ClipCache = synthesizer.cache
        self.leveller = leveller
        self.staging = staging
        self.progress = progress
        self.made = made
        self.todo = [_Todo(index, step) for index, article in enumerate(steps.articles)
                     for step in article.chapters if step.action is ChapterAction.MAKE]
        self.needs_levelled = [article.needs_levelled for article in steps.articles]
        self.total = len(steps.texts)
        self.done = 0
        self._left = [sum(1 for t in self.todo if t.article == index) for index in range(len(steps.articles))]
        self._articles = sum(1 for left in self._left if left)
        self._by_file = {t.step.wanted.file: t for t in self.todo}
        self._rendered: list[ArticleResult] = []
        self._render: Callable[[int], ArticleResult] = lambda index: NotImplemented
        self.stats: ClusterStats | None = None
        """What the cluster did, once make has run."""

    def make(self, address: str, render: Callable[[int], ArticleResult]) -> list[ArticleResult]:
        """Make every new chapter on the cluster at address (no connection when there is none),
        calling render(index) for each article, in order, once its chapters are all back; return
        what render returned."""
        self._render = render
        self._render_ready()
        if self.todo:
            from .cluster import WorkerPool  # imports Ray

            with WorkerPool(address, self.settings.voice, worker_identity(self.synthesizer.identity),
                            self.settings.build.jobs, at_most=len(self.todo)) as pool:
                first = 0
                while first < len(self.todo) and self.leveller.learning(
                        any(t.step.start_gain is None for t in self.todo[first:])):
                    pool.run([self._job(self.todo[first])], self._receive)
                    first += 1
                pool.run(self._jobs(first), self._receive)
                self.stats = pool.stats
            log.info("cluster %s: %d chapters made by %d workers (%d handed out again)", address,
                     pool.stats.jobs, pool.stats.workers, pool.stats.lost)
        self._render_ready()
        return self._rendered

    def _render_ready(self) -> None:
        """Render the articles, in order, whose chapters are all back."""
        while len(self._rendered) < len(self._left) and not self._left[len(self._rendered)]:
            self._rendered.append(self._render(len(self._rendered)))

    def _jobs(self, first: int) -> Iterator[ChapterJob]:
        """The jobs from first on, each made as it is handed out (its cached clips read then)."""
        for todo in self.todo[first:]:
            yield self._job(todo)

    def _job(self, todo: _Todo) -> ChapterJob:
        utterances = tuple((self.synthesizer.key(u.spoken), u.spoken, u.pause_after_ms)
                           for u in todo.step.wanted.chapter.utterances)
        clips = {}
        for key, _, _ in utterances:
            if key not in clips and (clip := self.cache.get(key)) is not None:
                clips[key] = clip
                self.cache.touch(key)
        return ChapterJob(todo.step.wanted.file, utterances, clips, self.settings.audio,
                          self.leveller.codec_shift, self.leveller.limiter_share,
                          todo.step.start_gain, self.needs_levelled[todo.article])

    def _receive(self, made: ChapterMade) -> None:
        """Keep a chapter the cluster made: its clips in the cache, its MP3 staged."""
        todo = self._by_file[made.file]
        wanted = todo.step.wanted
        for key, clip in made.made.items():
            self.cache.put(key, clip)
        keys = {self.synthesizer.key(u.spoken) for u in wanted.chapter.utterances}
        self.synthesizer.stats.made += len(made.made)
        self.synthesizer.stats.reused += len(keys) - len(made.made)
        path = self.staging.reserve(made.file)
        path.write_bytes(made.mp3)
        flac = None
        if made.flac is not None:
            kept = self.staging.work / f"{wanted.audio_fingerprint}.flac"
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(made.flac)
            flac = self.cache.keep_chapter(wanted.audio_fingerprint, kept)
        raw = ChapterAudio(path, made.sample_rate, made.frames, made.timings, made.words)
        self.made[made.file] = MadeAudio(path, raw, made.gain, made.loudness, flac)
        self.leveller.learnt(made.codec_shift, made.limiter_shares)
        self.done += len(wanted.chapter.utterances)
        self._left[todo.article] -= 1
        if self.progress:
            finished = sum(1 for left in self._left if not left) - (len(self._left) - self._articles)
            self.progress(min(self.done, self.total), self.total, f"{finished} of {self._articles} articles")
        self._render_ready()
