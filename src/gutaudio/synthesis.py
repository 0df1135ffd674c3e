"""Synthesize each utterance once: clips come from the cache, or from engines working in parallel."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import ClipCache, clip_key, default_cache_dir
from .config import Settings, VoiceSettings
from .engines import Engine, default_jobs, make_engine, runs_in_processes
from .engines.base import Clip
from .errors import EngineUnavailableError, GutaudioError, SynthesisError
from .layout import MANIFEST_NAME

log = logging.getLogger(__name__)

@dataclass
class SynthesisStats:
    """What a build reused from the cache and what it had to synthesize."""

    reused: int = 0
    made: int = 0


@dataclass(frozen=True)
class _Worker:
    """What a synthesis job needs: the engine that speaks and the cache its clip goes into."""

    engine: Engine
    cache: ClipCache


def _synthesize_into_cache(worker: _Worker, key: str, text: str) -> int:
    clip = worker.engine.synthesize(text)
    if clip.frames == 0:
        raise SynthesisError(f"{worker.engine.name} made no audio for {text[:60]!r}")
    worker.cache.put(key, clip)
    return clip.frames


_process_worker: _Worker | None = None
"""The engine and cache of this process, when it is a worker process of a synthesizer's pool.

Set only by _start_worker_process, the pool's initializer, in each worker process as it starts
(the usual way to give a process pool's workers state that cannot travel with each job, such
as a loaded voice); a pool's processes serve that one synthesizer, so one voice per process.
It stays None in the process that builds: thread-mode synthesizers hand their own _Worker to
each job, so two of them in one process never share an engine.
"""


def _engine_with_cache(voice: VoiceSettings, cache: ClipCache, threads: int = 0) -> Engine:
    """An engine for the voice, given the cache for files it derives from its voice, if it keeps any."""
    engine = make_engine(voice, threads)
    use_cache = getattr(engine, "use_cache", None)
    if callable(use_cache):
        use_cache(cache)
    return engine


def prepared_engine(voice: VoiceSettings, cache: ClipCache, threads: int = 0) -> Engine:
    """An engine for the voice with its voice loaded, ready to synthesize (a worker's, kept for its life)."""
    engine = _engine_with_cache(voice, cache, threads)
    engine.prepare()
    return engine


def _start_worker_process(voice: VoiceSettings, cache_root: Path, threads: int) -> None:
    global _process_worker
    cache = ClipCache(cache_root)
    _process_worker = _Worker(prepared_engine(voice, cache, threads), cache)


def _synthesize_in_worker_process(key: str, text: str) -> int:
    if _process_worker is None:
        raise SynthesisError("not a synthesis worker process: its engine was never started")
    return _synthesize_into_cache(_process_worker, key, text)


def _ready() -> None:
    """A task that does nothing: submitting it makes the pool start its workers."""


class Synthesizer:
    """Hands out the clip of each spoken text, synthesizing missing ones ahead in parallel."""

    def __init__(self, voice: VoiceSettings, cache: ClipCache, jobs: int | None = None) -> None:
        """Check the engine can run, and work out its identity for the cache keys."""
        self.voice = voice
        self.cache = cache
        self.jobs = jobs or default_jobs(voice.engine)
        self.engine = _engine_with_cache(voice, cache)
        if runs_in_processes(voice.engine):
            status = self.engine.status()
            if not status.available:
                raise EngineUnavailableError(f"{voice.engine}: {status.reason}")
        else:
            self.engine.prepare()
        self.stats = SynthesisStats()
        self._pending: dict[str, Future[int]] = {}
        self._executor: Executor | None = None
        self._worker = _Worker(self.engine, self.cache)
        """This synthesizer's own engine and cache, handed to each job run in a thread."""
        self._keys: set[str] = set()

    @functools.cached_property
    def identity(self) -> dict[str, Any]:
        """What decides the sound of a clip: the engine, the voice files' digests, the settings."""
        return self.engine.identity(self.cache.file_digest)

    def key(self, text: str) -> str:
        """The cache key of a spoken text with this engine and voice."""
        return clip_key(self.identity, text)

    def _executor_for_work(self) -> Executor:
        if self._executor is None:
            if runs_in_processes(self.voice.engine):
                threads = max(1, (os.cpu_count() or 1) // self.jobs)
                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
                self._executor = ProcessPoolExecutor(
                    self.jobs, mp_context=context, initializer=_start_worker_process,
                    initargs=(self.voice, self.cache.root, threads))
            else:
                self._executor = ThreadPoolExecutor(self.jobs, thread_name_prefix="gutaudio-tts")
        return self._executor

    def _submit(self, key: str, text: str) -> Future[int]:
        """Synthesize text into the cache under key: in a worker process, with the engine it
        started with, or in a thread, with this synthesizer's own engine."""
        executor = self._executor_for_work()
        if isinstance(executor, ProcessPoolExecutor):
            return executor.submit(_synthesize_in_worker_process, key, text)
        return executor.submit(_synthesize_into_cache, self._worker, key, text)

    def start_workers(self) -> None:
        """Start the worker processes now, so they load the voice while other work goes on."""
        if runs_in_processes(self.voice.engine):
            self._executor_for_work().submit(_ready)

    def start(self, texts: Iterable[str]) -> None:
        """Queue every text whose clip is not cached yet, in order, each only once."""
        for text in texts:
            key = self.key(text)
            self._keys.add(key)
            if key in self._pending or self.cache.has(key):
                continue
            self._pending[key] = self._submit(key, text)

    def clip(self, text: str) -> Clip:
        """The clip of one spoken text, waiting for its synthesis if it is under way."""
        key = self.key(text)
        future = self._pending.get(key)
        if future is not None:
            try:
                future.result()
            except GutaudioError as e:
                raise type(e)(f"{e} ({self._progress()})") from e
            except BrokenProcessPool as e:
                raise SynthesisError(f"a synthesis worker stopped unexpectedly, perhaps out of "
                                     f"memory ({self._progress()})") from e
            self.stats.made += 1
            del self._pending[key]
        clip = self.cache.get(key)
        if clip is None:  # removed or damaged after it was made: make it again, here
            clip = _engine_with_cache(self.voice, self.cache).synthesize(text)
            self.cache.put(key, clip)
            self.stats.made += 1
        elif future is None:
            self.stats.reused += 1
            self.cache.touch(key)
        return clip

    def _progress(self) -> str:
        finished = sum(1 for key in self._keys if self.cache.has(key))
        return (f"{finished} of {len(self._keys)} utterances are finished and cached; "
                "run the build again to resume")

    def close(self) -> None:
        """Stop the workers, dropping work not started."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Synthesizer:
        """Use as a context manager so workers always stop."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers."""
        self.close()


def early_synthesizer(settings: Settings, force: bool = False) -> Synthesizer | None:
    """A synthesizer whose workers are already loading the voice, if the build will likely need them.

    Started before the rest of gutaudio is imported and the articles are read, the workers
    load the voice meanwhile. It is only done with force or when a file in the content folder
    (an article, gutaudio.toml, the lexicon) is newer than the last build's build.json, so a
    build with nothing to do starts no workers. Command-line options are not looked at: a
    build they change starts its workers when it finds what to synthesize, a moment later.
    """
    if not runs_in_processes(settings.voice.engine) or not (force or _changed_since_last_build(settings)):
        return None
    synthesizer = Synthesizer(settings.voice, ClipCache(settings.build.cache_dir or default_cache_dir()),
                              settings.build.jobs or None)
    synthesizer.start_workers()
    return synthesizer


def _changed_since_last_build(settings: Settings) -> bool:
    try:
        built = (settings.output_dir / MANIFEST_NAME).stat().st_mtime
        sources = [path for path in settings.content_dir.iterdir() if path.is_file()]
        if settings.article is not None:
            sources.append(settings.article)
        return any(path.stat().st_mtime >= built for path in sources)
    except OSError:
        return True
