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
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .chapter_work import ChapterJob, ChapterMade, ChapterWorker
from .config import VoiceSettings
from .errors import ClusterError, GutaudioError

log = logging.getLogger(__name__)

FAST_FAILURE = {"RAY_gcs_server_port_wait_time_s": "1", "RAY_py_gcs_connect_timeout_s": "2",
                "RAY_gcs_rpc_server_connect_timeout_s": "1", "RAY_USAGE_STATS_ENABLED": "0"}
"""Ray's own settings for a cluster that does not answer: fail in seconds, not after 14 minutes
of retries (read by Ray's core when it is imported; a value already in the environment wins)."""
CONNECT_TIMEOUT_S = 3.0
"""How long the address may take to accept a connection at all."""
NO_WORKER_TIMEOUT_S = float(os.environ.get("GUTAUDIO_CLUSTER_NO_WORKER_TIMEOUT_S", "120"))
"""How long a build waits while not one of its workers is up (each restarting, or their nodes gone)."""
IN_FLIGHT_PER_WORKER = 2
"""Jobs queued at each worker: the next one is there when the last finishes."""
ATTEMPTS = 4
"""How many workers a job may lose (die under it) before the build stops."""
PING_INTERVAL_S = 1.0


def _ray() -> Any:
    """Ray, imported with the fast-failure settings."""
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
    not the terminal; return the function that puts Ray's own printing back."""
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


def connect(address: str) -> Any:
    """Connect this process to the Ray cluster at address ("auto": the one running here, else a
    new local one); return the ray module. An address that does not answer fails in seconds."""
    ray = _ray()
    if ray.is_initialized():
        ray.shutdown()
    options = {"log_to_driver": False, "logging_level": logging.ERROR, "namespace": "gutaudio"}
    if address != "auto":
        _check_reachable(address)
    try:
        with _quiet_stderr():
            ray.init(address=address, **options)
    except ConnectionError as e:
        if address != "auto":
            raise ClusterError(f"cluster {address}: no Ray cluster answers there ({e})") from e
        with _quiet_stderr():  # none running here: start one of this machine's cores
            ray.init(include_dashboard=False, **options)
    except Exception as e:  # Ray's own errors (a version mismatch, a refused client)
        raise ClusterError(f"cluster {address}: cannot connect ({type(e).__name__}: {e})") from e
    return ray


@dataclass
class _Slot:
    """One worker, and how it stands."""

    actor: Any
    busy: int = 0
    up: bool = True
    ping: Any = None
    """A ping under way while the worker is on probation (it lost a job)."""
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
    worker_cpu_seconds: float = 0.0
    connect_seconds: float = 0.0
    resubmitted: list[str] = field(default_factory=list)


class WorkerPool:
    """Workers on a Ray cluster, each with the build's voice loaded, making chapters' audio."""

    def __init__(self, address: str, voice: VoiceSettings, identity: dict[str, Any],
                 workers: int = 0, at_most: int | None = None) -> None:
        """Connect, start a worker per core of the cluster (or workers of them, at most at_most),
        and check that each runs the same gutaudio and voice as this build (identity)."""
        started = time.perf_counter()
        self.address = address
        self.ray = connect(address)
        self._restore = _ray_notices_to_log(self.ray)
        self.stats = ClusterStats()
        try:
            cores = int(self.ray.cluster_resources().get("CPU", 1)) or 1
            count = max(1, min(workers or cores, at_most or cores))
            actor = self.ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(ChapterWorker)
            self.slots = [_Slot(actor.remote(voice)) for _ in range(count)]
            self._check(identity)
        except BaseException:
            self.close()
            raise
        self.stats.workers = len(self.slots)
        self.stats.connect_seconds = time.perf_counter() - started

    def _check(self, identity: dict[str, Any]) -> None:
        ray = self.ray
        try:
            found = ray.get([slot.actor.identity.remote() for slot in self.slots],
                            timeout=NO_WORKER_TIMEOUT_S)
        except GutaudioError as e:
            raise ClusterError(f"cluster {self.address}: a worker cannot start: {e}") from e
        except ray.exceptions.GetTimeoutError as e:
            raise ClusterError(f"cluster {self.address}: its workers did not start within "
                               f"{NO_WORKER_TIMEOUT_S:.0f} s (is there a free CPU?)") from e
        except ray.exceptions.RayError as e:
            raise ClusterError(f"cluster {self.address}: a worker cannot start: {_cause(e)}") from e
        for theirs in found:
            for what, name in (("gutaudio", "gutaudio version"), ("code", "gutaudio code"),
                               ("voice", "voice")):
                if theirs[what] != identity[what]:
                    raise ClusterError(
                        f"cluster {self.address}: a node has another {name} than this machine "
                        f"({theirs[what]!r} there, {identity[what]!r} here); install the same "
                        "gutaudio and voice on every node")

    def run(self, jobs: Iterable[ChapterJob], made: Callable[[ChapterMade], None]) -> None:
        """Make every job's chapter, calling made(result) on this thread as each one is done (in
        the order they finish); a job whose worker dies is handed out again."""
        ray = self.ray
        source, again = iter(jobs), deque[_Pending]()
        pending: dict[Any, _Pending] = {}
        exhausted, last_up = False, time.monotonic()
        while True:
            exhausted = self._hand_out(source, again, pending, exhausted)
            if not pending and not again and exhausted:
                return
            if any(slot.up for slot in self.slots):
                last_up = time.monotonic()
            elif time.monotonic() - last_up > NO_WORKER_TIMEOUT_S:
                raise ClusterError(
                    f"cluster {self.address}: no worker has been up for {NO_WORKER_TIMEOUT_S:.0f} s "
                    f"({self.stats.jobs} chapters were made and their clips cached; run the build "
                    "again to resume)")
            waiting = list(pending) + [slot.ping for slot in self.slots if slot.ping is not None]
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
                    self.stats.worker_cpu_seconds += result.cpu_seconds
                    made(result)
            self._ping_down()

    def _hand_out(self, source: Iterator[ChapterJob], again: deque[_Pending],
                  pending: dict[Any, _Pending], exhausted: bool) -> bool:
        """Give each worker that is up jobs until it holds IN_FLIGHT_PER_WORKER; return whether
        the jobs have all been taken from source."""
        for slot in sorted((s for s in self.slots if s.up), key=lambda s: s.busy):
            while slot.up and slot.busy < IN_FLIGHT_PER_WORKER:
                if again:
                    entry = again.popleft()
                    entry.slot = slot
                else:
                    job = None if exhausted else next(source, None)
                    if job is None:
                        return True
                    entry = _Pending(job, slot)
                pending[slot.actor.make.remote(entry.job)] = entry
                slot.busy += 1
        return exhausted

    def _result(self, ref: Any, entry: _Pending) -> ChapterMade | None:
        """The job's result; None when its worker died and it must go to another."""
        ray = self.ray
        try:
            return ray.get(ref)
        except GutaudioError:  # raised in the worker: the job's own error (Ray re-raises it as such)
            raise
        except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError,
                ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as e:
            self.stats.lost += 1
            self.stats.resubmitted.append(entry.job.file)
            log.info("%s: its worker on the cluster stopped (%s); handed out again",
                     entry.job.file, type(e).__name__)
            self._down(entry.slot)
            entry.attempt += 1
            if entry.attempt > ATTEMPTS:
                raise ClusterError(f"{entry.job.file}: {ATTEMPTS} cluster workers stopped while making "
                                   "it (out of memory?); run the build again to resume") from e
            return None
        except ray.exceptions.RayError as e:
            raise ClusterError(f"{entry.job.file}: the cluster failed to make it: {_cause(e)}") from e

    def _down(self, slot: _Slot) -> None:
        """Take a worker out of the rotation until it answers a ping (Ray restarts it meanwhile)."""
        slot.up = False
        slot.next_ping = time.monotonic() + PING_INTERVAL_S

    def _ping_down(self) -> None:
        now = time.monotonic()
        for slot in self.slots:
            if not slot.up and slot.ping is None and now >= slot.next_ping:
                slot.ping = slot.actor.ping.remote()

    def _pinged(self, ref: Any) -> None:
        for slot in self.slots:
            if slot.ping is ref:
                slot.ping = None
                try:
                    self.ray.get(ref)
                except self.ray.exceptions.RayError:
                    slot.next_ping = time.monotonic() + PING_INTERVAL_S
                else:
                    slot.up = True
                return

    def close(self) -> None:
        """Stop the workers and disconnect (a cluster this build did not start keeps running)."""
        with contextlib.suppress(Exception):
            for slot in getattr(self, "slots", ()):
                self.ray.kill(slot.actor)
        with contextlib.suppress(Exception):
            self._restore()
        with contextlib.suppress(Exception), _quiet_stderr():
            self.ray.shutdown()

    def __enter__(self) -> WorkerPool:
        """Use in a with block, so the workers always stop."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers and disconnect."""
        self.close()


def _cause(error: Exception) -> str:
    """The first line of what a Ray error says."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
