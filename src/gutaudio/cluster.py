"""Chapters made on a Ray cluster: connecting to it, a worker (actor) per core that keeps its
voice loaded, and handing out jobs until every one is done, through workers that die and
nodes that leave.

Only a build given a cluster imports this module, and with it Ray (gutaudio[ray]). Ray restarts
a dead worker by itself (max_restarts=-1); its calls are not retried by Ray but put back in the
queue here, so a job whose worker died goes to the next worker free, and one whose node left
waits for none. Every result is fetched as soon as it is ready (a node that leaves takes the
objects it holds with it) and handed to the build, which keeps its clips in the cache at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from .chapter_work import ChapterJob, ChapterMade, ChapterWorker
from .config import VoiceSettings
from .errors import ClusterError, GutaudioError

log = logging.getLogger(__name__)

FAST_FAILURE = {"RAY_gcs_server_port_wait_time_s": "2", "RAY_py_gcs_connect_timeout_s": "3",
                "RAY_gcs_rpc_server_connect_timeout_s": "1"}
"""Ray's own settings for an address that accepts connections but does not answer as a Ray head:
fail in seconds, not after 14 minutes of retries. Set only for a HOST:PORT address (an `auto`
head needs Ray's own, longer, start-up waits), before Ray is imported (its core reads them then),
and never over a value already in the environment."""
CONNECT_TIMEOUT_S = 3.0
"""How long the address may take to accept a connection at all."""
NO_WORKER_TIMEOUT_S = float(os.environ.get("GUTAUDIO_CLUSTER_NO_WORKER_TIMEOUT_S", "120"))
"""How long a build waits while not one of its workers is up (each restarting, or their nodes gone)."""
START_GRACE_S = 15.0
"""Once one worker has started, how long the others may take before the build goes on without them
(the cluster had no room for them after all)."""
IN_FLIGHT_PER_WORKER = 2
"""Jobs queued at each worker: the next one is there when the last finishes."""
ATTEMPTS = 4
"""How many workers a job may lose (die under it) before the build stops."""
PING_INTERVAL_S = 1.0
"""How often a worker that lost a job is asked whether it is up again (and the loop's longest wait)."""


class JobSource(Protocol):
    """The chapters to make, handed out one by one as they can go."""

    def take(self) -> ChapterJob | None:
        """The next job that can go now; None when none can until a job in flight is done."""

    def empty(self) -> bool:
        """Whether every job has been taken."""


def _ray(address: str) -> Any:
    """Ray, imported with the fast-failure settings when address is a HOST:PORT."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address != "auto" and not address.startswith("ray://"):
        for name, value in FAST_FAILURE.items():
            os.environ.setdefault(name, value)
    try:
        import ray
    except ImportError as e:
        raise ClusterError(f"building on a cluster needs Ray: pip install 'gutaudio[ray]' ({e})") from e
    return ray


def _check_reachable(address: str) -> None:
    """Fail at once, naming the address, when nothing there accepts a connection."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
        raise ClusterError(f"cluster {address}: cannot be reached ({reason})") from e


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Hide what Ray's core writes straight to file descriptor 2 while connecting (retry notices)."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _ray_notices_to_log(ray: Any) -> Callable[[], None]:
    """Send the notices Ray prints for its cluster ("a worker died", "node marked dead") to our log,
    not the terminal; return the function that puts Ray's own printing back.

    Ray prints them whatever log_to_driver says (ray-project/ray#28216); the function replaced is
    private, so when it is not there Ray's printing is left as it is.
    """
    worker = getattr(getattr(ray, "_private", None), "worker", None)
    original = getattr(worker, "print_to_stdstream", None)
    if original is None:
        return lambda: None

    def to_log(data: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        for line in data.get("lines", ()) if isinstance(data, dict) else ():
            log.debug("ray: %s", line)

    worker.print_to_stdstream = to_log

    def restore() -> None:
        worker.print_to_stdstream = original

    return restore


def reason(error: BaseException) -> str:
    """What a Ray error says went wrong, in one line: its cause's message, or the last line of a
    worker's traceback that names an exception, or its first line."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException) and cause is not error and str(cause).strip():
        return f"{type(cause).__name__}: {str(cause).strip().splitlines()[0]}"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in reversed(lines):  # "gutaudio.errors.SynthesisError: ..." -> "SynthesisError: ..."
        name, colon, message = line.partition(": ")
        if colon and re.fullmatch(r"[\w.]*(Error|Exception)", name):
            return f"{name.rsplit('.', 1)[-1]}: {message}"
    return lines[0] if lines else type(error).__name__


def connect(address: str) -> tuple[Any, bool]:
    """Connect this process to the Ray cluster at address ("auto": the one running here, else a
    new local one); return the ray module and whether this call started the session (a program
    that already uses Ray keeps its own). An address that does not answer fails in seconds."""
    ray = _ray(address)
    if ray.is_initialized():
        return ray, False
    options = {"log_to_driver": False, "logging_level": logging.ERROR, "namespace": "gutaudio"}
    if address != "auto":
        _check_reachable(address)
    try:
        with _quiet_stderr():
            ray.init(address=address, **options)
    except ConnectionError as e:
        if address != "auto":
            raise ClusterError(f"cluster {address}: no Ray cluster answers there ({reason(e)})") from e
        try:
            with _quiet_stderr():  # none running here: start one with this machine's cores
                ray.init(include_dashboard=False, **options)
        except Exception as e:
            raise ClusterError(f"cluster auto: cannot start Ray here ({reason(e)})") from e
    except Exception as e:  # Ray's own errors (a version mismatch, a refused client)
        raise ClusterError(f"cluster {address}: cannot connect ({reason(e)})") from e
    return ray, True


@dataclass(eq=False)
class _Slot:
    """One worker, and how it stands (each its own: compared and hashed by identity)."""

    actor: Any
    busy: int = 0
    up: bool = True
    next_ping: float = 0.0


@dataclass
class _Pending:
    job: ChapterJob
    slot: _Slot
    attempt: int = 1


@dataclass
class ClusterStats:
    """What the cluster did for a build."""

    workers: int = 0
    jobs: int = 0
    lost: int = 0
    """Jobs whose worker died (or left with its node) and that were handed out again."""


class WorkerPool:
    """Workers on a Ray cluster, each with the build's voice loaded, making chapters' audio."""

    def __init__(self, address: str, voice: VoiceSettings, identity: dict[str, Any],
                 workers: int = 0, at_most: int | None = None) -> None:
        """Connect, start a worker per free core of the cluster (or workers of them, at most
        at_most), and check that each runs the same gutaudio and voice as this build (identity)."""
        self.address = address
        self.slots: list[_Slot] = []
        self._pings: dict[Any, _Slot] = {}
        self.stats = ClusterStats()
        self._sigterm = signal.getsignal(signal.SIGTERM)
        self.ray, self._owns_session = connect(address)
        self._restore = _ray_notices_to_log(self.ray)
        try:
            free = int(self.ray.available_resources().get("CPU", 0))
            count = max(1, min(workers or free or 1, at_most or free or 1))
            actor = self.ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(ChapterWorker)
            self._start([_Slot(actor.remote(voice)) for _ in range(count)], identity)
        except BaseException:
            self.close()
            raise
        self.stats.workers = len(self.slots)

    def _start(self, starting: list[_Slot], identity: dict[str, Any]) -> None:
        """Wait for the workers to load the voice and check each; go on with those that started."""
        ray = self.ray
        self.slots = starting
        waiting = {slot.actor.identity.remote(): slot for slot in starting}
        started: list[_Slot] = []
        deadline = time.monotonic() + NO_WORKER_TIMEOUT_S
        while waiting and time.monotonic() < deadline:
            done, _ = ray.wait(list(waiting), num_returns=1, timeout=deadline - time.monotonic())
            for ref in done:
                slot = waiting.pop(ref)
                try:
                    theirs = ray.get(ref)
                except ray.exceptions.RayError as e:
                    raise ClusterError(f"cluster {self.address}: a worker cannot start: {reason(e)}") from e
                self._compare(theirs, identity)
                started.append(slot)
                deadline = min(deadline, time.monotonic() + START_GRACE_S)
        if not started:
            raise ClusterError(f"cluster {self.address}: no worker started within "
                               f"{NO_WORKER_TIMEOUT_S:.0f} s (is there a free CPU?)")
        for slot in waiting.values():  # never placed: the cluster had no room for them
            with contextlib.suppress(Exception):
                ray.kill(slot.actor)
        if waiting:
            log.info("cluster %s: %d of %d workers started; going on with those", self.address,
                     len(started), len(starting))
        self.slots = started

    def _compare(self, theirs: dict[str, Any], identity: dict[str, Any]) -> None:
        for what in identity:
            if theirs.get(what) != identity[what]:
                raise ClusterError(
                    f"cluster {self.address}: a node has another {what} than this machine "
                    f"({theirs.get(what)!r} there, {identity[what]!r} here); install the same "
                    "gutaudio, libraries and voice on every node")

    def run(self, source: JobSource, made: Callable[[ChapterMade], None]) -> None:
        """Make every chapter the source hands out, calling made(result) on this thread as each
        one is done (in the order they finish); a job whose worker dies is handed out again."""
        try:
            self._run(source, made)
        except GutaudioError:
            raise
        except (ConnectionError, self.ray.exceptions.RayError) as e:
            raise ClusterError(f"cluster {self.address}: {reason(e)} ({self.stats.jobs} chapters were "
                               "made and their clips cached; run the build again to resume)") from e

    def _run(self, source: JobSource, made: Callable[[ChapterMade], None]) -> None:
        ray = self.ray
        again = deque[_Pending]()
        pending: dict[Any, _Pending] = {}
        last_up = time.monotonic()
        while True:
            self._hand_out(source, again, pending)
            if not pending and not again and source.empty():
                return
            if not pending and not again and any(slot.up for slot in self.slots):
                raise ClusterError("a chapter can never be handed out (a bug in gutaudio)")
            if any(slot.up for slot in self.slots):
                last_up = time.monotonic()
            elif time.monotonic() - last_up > NO_WORKER_TIMEOUT_S:
                raise ClusterError(
                    f"cluster {self.address}: no worker has been up for {NO_WORKER_TIMEOUT_S:.0f} s "
                    f"({self.stats.jobs} chapters were made and their clips cached; run the build "
                    "again to resume)")
            waiting = [*pending, *self._pings]
            ready = ray.wait(waiting, num_returns=1, timeout=PING_INTERVAL_S)[0] if waiting else []
            if not waiting:
                time.sleep(PING_INTERVAL_S / 4)
            for ref in ready:
                entry = pending.pop(ref, None)
                if entry is None:
                    self._pinged(ref)
                    continue
                entry.slot.busy -= 1
                result = self._result(ref, entry)
                if result is None:
                    again.appendleft(entry)
                else:
                    self.stats.jobs += 1
                    made(result)
            self._ping_down()

    def _hand_out(self, source: JobSource, again: deque[_Pending], pending: dict[Any, _Pending]) -> None:
        """Give each worker that is up jobs until it holds IN_FLIGHT_PER_WORKER (jobs handed out
        again first), while the source has jobs that can go."""
        for slot in sorted((s for s in self.slots if s.up), key=lambda s: s.busy):
            while slot.busy < IN_FLIGHT_PER_WORKER:
                if again:
                    entry = again.popleft()
                    entry.slot = slot
                else:
                    job = None if source.empty() else source.take()
                    if job is None:
                        return
                    entry = _Pending(job, slot)
                pending[slot.actor.make.remote(entry.job)] = entry
                slot.busy += 1

    def _result(self, ref: Any, entry: _Pending) -> ChapterMade | None:
        """The job's result; None when its worker died and it must go to another."""
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as e:  # raised by the job itself, in the worker
            raise _job_error(entry.job.file, e) from None
        except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError,
                ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as e:
            self.stats.lost += 1
            log.info("%s: its worker on the cluster stopped (%s); handed out again",
                     entry.job.file, type(e).__name__)
            self._down(entry.slot)
            entry.attempt += 1
            if entry.attempt > ATTEMPTS:
                raise ClusterError(f"{entry.job.file}: {ATTEMPTS} cluster workers stopped while making "
                                   "it (out of memory?); run the build again to resume") from e
            return None

    def _down(self, slot: _Slot) -> None:
        """Take a worker out of the rotation until it answers a ping (Ray restarts it meanwhile)."""
        slot.up = False
        slot.next_ping = time.monotonic() + PING_INTERVAL_S

    def _ping_down(self) -> None:
        now = time.monotonic()
        asked = set(self._pings.values())
        for slot in self.slots:
            if not slot.up and slot not in asked and now >= slot.next_ping:
                self._pings[slot.actor.ping.remote()] = slot

    def _pinged(self, ref: Any) -> None:
        slot = self._pings.pop(ref, None)
        if slot is None:
            return
        try:
            self.ray.get(ref)
        except self.ray.exceptions.RayError:
            slot.next_ping = time.monotonic() + PING_INTERVAL_S
        else:
            slot.up = True

    def close(self) -> None:
        """Stop the workers and disconnect (a cluster this build did not start keeps running, and
        a Ray session the program had before stays open)."""
        ray = getattr(self, "ray", None)
        if ray is None:
            return
        for slot in self.slots:
            with contextlib.suppress(Exception):
                ray.kill(slot.actor)
        with contextlib.suppress(Exception):
            self._restore()
        if self._owns_session:
            with contextlib.suppress(Exception), _quiet_stderr():
                ray.shutdown()
            with contextlib.suppress(ValueError, TypeError):  # ray.init put a handler of its own
                signal.signal(signal.SIGTERM, self._sigterm)

    def __enter__(self) -> WorkerPool:
        """Use in a with block, so the workers always stop."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers and disconnect."""
        self.close()


def _job_error(file: str, error: Any) -> GutaudioError:
    """The one-line error for a job that failed in its worker: gutaudio's own error as it was
    raised there (with the chapter named), else a ClusterError saying what was raised."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, GutaudioError):
        message = str(cause) if str(cause).startswith(file) else f"{file}: {cause}"
        try:
            return type(cause)(message)
        except TypeError:  # an error class that takes other arguments
            return ClusterError(message)
    return ClusterError(f"{file}: a cluster worker failed: {reason(error)}")
