"""A build's new chapters made on a Ray cluster: a job for each from the planner's steps, and each
result put where a local build would have put it (the MP3 in the staging tree, the clips and the
levelled FLAC in the cache) as soon as it comes back, so a build stopped half-way resumes from
the cache. Each article is then rendered (tagged, its episode joined) as soon as its chapters and
every article's before it are back; the rest of the build is the local one.

Chapters are handed out in reading order, but held back while what they depend on is not known,
so that each chapter's audio is the one a local build makes:
- the leveller's two learnt numbers (audio.Leveller): while the codec shift is not known, one
  chapter at a time; while the limiter share is not known, the first chapter levelled from
  scratch goes alone among those levelled from scratch (a chapter starting from its last gain
  does not use it);
- a clip another chapter in flight is synthesizing: the chapter waits for it, so each new text is
  synthesized once (as locally) and every chapter saying it uses the same clip.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .audio import ChapterAudio, Leveller
from .cache import ClipCache
from .chapter_work import ChapterJob, ChapterMade, worker_identity
from .config import Settings
from .edition import ArticleResult
from .planner import BuildSteps, ChapterAction, ChapterStep
from .render import MadeAudio, ProgressCallback
from .staging import StagedTree
from .synthesis import Synthesizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Todo:
    article: int
    """The article's place in the build."""
    step: ChapterStep

    @property
    def from_scratch(self) -> bool:
        """Whether its levelling starts from the limiter share (it has no gain from the last build)."""
        return self.step.start_gain is None


class ClusterChapters:
    """Makes the chapters a build's steps call for on the cluster, and receives them (the jobs'
    source for cluster.WorkerPool.run)."""

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
        todo = [_Todo(index, step) for index, article in enumerate(steps.articles)
                for step in article.chapters if step.action is ChapterAction.MAKE]
        self._queue = deque(todo)
        self._by_file = {t.step.wanted.file: t for t in todo}
        self._flying: dict[str, tuple[_Todo, frozenset[str]]] = {}
        """Each job in flight, by file, with the keys of the clips it synthesizes."""
        self.needs_levelled = [article.needs_levelled for article in steps.articles]
        self.total = sum(len(t.step.wanted.chapter.utterances) for t in todo)
        self.done = 0
        self._left = [sum(1 for t in todo if t.article == index) for index in range(len(steps.articles))]
        self._articles = sum(1 for left in self._left if left)
        self._rendered: list[ArticleResult] = []
        self._render: Callable[[int], ArticleResult] | None = None
        self.workers = self.lost = 0

    def make(self, address: str, render: Callable[[int], ArticleResult]) -> list[ArticleResult]:
        """Make every new chapter on the cluster at address (no connection when there is none),
        calling render(index) for each article, in order, once its chapters are all back; return
        what render returned."""
        self._render = render
        self._render_ready()
        if self._queue:
            from .cluster import WorkerPool  # imports Ray

            with WorkerPool(address, self.settings.voice, worker_identity(self.synthesizer.identity),
                            self.settings.build.jobs, at_most=len(self._queue)) as pool:
                pool.run(self, self._receive)
            self.workers, self.lost = pool.stats.workers, pool.stats.lost
            log.info("cluster %s: %d chapters made by %d workers (%d handed out again)", address,
                     pool.stats.jobs, self.workers, self.lost)
        self._render_ready()
        return self._rendered

    def empty(self) -> bool:
        """Whether every chapter has been handed out."""
        return not self._queue

    def take(self) -> ChapterJob | None:
        """The first chapter, in reading order, that can go now (see the module's rules); None
        while each must wait for one in flight."""
        for place, todo in enumerate(self._queue):
            blocked, keys = self._blocked(todo)
            if blocked is None:
                del self._queue[place]
                self._flying[todo.step.wanted.file] = (todo, keys)
                return self._job(todo)
            if blocked:  # no chapter after this one may go before it
                return None
        return None

    def _blocked(self, todo: _Todo) -> tuple[bool | None, frozenset[str]]:
        """None when the chapter can go (with the keys of the clips it will synthesize); else
        True when no chapter after it may go either (it would learn from a number this one is to
        learn), False when only it must wait (for a clip)."""
        if self.leveller.codec_shift is None and self._flying:
            return True, frozenset()
        if todo.from_scratch and self.leveller.limiter_share is None and any(
                flying.from_scratch for flying, _ in self._flying.values()):
            return False, frozenset()  # it waits for the one in flight, which learns it
        keys = frozenset(self.synthesizer.key(u.spoken) for u in todo.step.wanted.chapter.utterances)
        missing = frozenset(key for key in keys if not self.cache.has(key))
        if any(missing & making for _, making in self._flying.values()):
            learner = todo.from_scratch and self.leveller.limiter_share is None
            return learner, frozenset()
        return None, missing

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
        todo, _ = self._flying.pop(made.file)
        wanted = todo.step.wanted
        for key, clip in made.new_clips.items():
            self.cache.put(key, clip)
        uses = len(wanted.chapter.utterances)  # counted as a local build counts them
        self.synthesizer.stats.made += len(made.new_clips)
        self.synthesizer.stats.reused += uses - len(made.new_clips)
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
        self.done += uses
        self._left[todo.article] -= 1
        if self.progress:
            finished = sum(1 for left in self._left if not left) - (len(self._left) - self._articles)
            self.progress(min(self.done, self.total), self.total, f"{finished} of {self._articles} articles")
        self._render_ready()

    def _render_ready(self) -> None:
        """Render the articles, in order, whose chapters are all back."""
        assert self._render is not None
        while len(self._rendered) < len(self._left) and not self._left[len(self._rendered)]:
            self._rendered.append(self._render(len(self._rendered)))
