"""A real Ray cluster on this machine for the tests and the bench: a head and more nodes, each
started with `ray start` in a session of its own, and stopped by killing its process group.

`ray stop` is never used: it kills every Ray process on the machine, whoever started it. The
nodes run the Python of this process (its virtualenv has gutaudio), so their workers can import
gutaudio; their folder is short (Ray's sockets allow 107 bytes), under /tmp.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0",
           # the head finds a node gone in about 2 s, not 16
           "RAY_health_check_period_ms": "500", "RAY_health_check_failure_threshold": "4",
           "RAY_health_check_timeout_ms": "1000", "RAY_health_check_initial_delay_ms": "1000"}
"""For the nodes and for a driver that joins them: no token (a local `ray.init()` writes one to
~/.ray, which would then be asked of every node), no usage report."""
OBJECT_STORE_BYTES = 80_000_000


@dataclass
class Node:
    """One `ray start`: the process group of its daemons."""

    pgid: int
    cpus: int

    def kill(self) -> None:
        """Kill the node at once, as a machine that leaves does (its workers end with it)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)


@dataclass
class LocalCluster:
    """A Ray head and nodes on this machine, in a folder of their own."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ray", dir="/tmp")))
    nodes: list[Node] = field(default_factory=list)
    address: str = ""

    def env(self) -> dict[str, str]:
        """The environment for a node or a driver of this cluster."""
        return {**os.environ, **RAY_ENV}

    def _start(self, *arguments: str, cpus: int) -> Node:
        process = subprocess.Popen(
            [sys.executable, "-m", "ray.scripts.scripts", "start", *arguments, f"--num-cpus={cpus}",
             f"--object-store-memory={OBJECT_STORE_BYTES}", "--disable-usage-stats"],
            env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        # `ray start` runs in a session of its own: its pid is the process group of its daemons,
        # killed by stop() even when it never finishes starting.
        node = Node(process.pid, cpus)
        self.nodes.append(node)
        output, _ = process.communicate(timeout=180)
        if process.returncode != 0:
            raise RuntimeError(f"ray start {' '.join(arguments)} failed:\n{output}")
        return node

    def start_head(self, cpus: int = 1) -> Node:
        """Start the head node; its address is then in self.address."""
        node = self._start("--head", "--port=0", f"--temp-dir={self.folder}", "--include-dashboard=false",
                           cpus=cpus)
        self.address = (self.folder / "ray_current_cluster").read_text().strip()
        return node

    def add_node(self, cpus: int = 1) -> Node:
        """Start one more node that joins the head, and wait until the head counts its cores."""
        before = self.cpus()
        node = self._start(f"--address={self.address}", cpus=cpus)
        self.wait_for_cpus(before + cpus)
        return node

    def cpus(self) -> int:
        """The cores the head counts now (nodes that left are not counted once it notices)."""
        script = ("import ray, sys; ray.init(address=sys.argv[1], logging_level='ERROR', "
                  "log_to_driver=False); print(int(ray.cluster_resources().get('CPU', 0)))")
        process = subprocess.run([sys.executable, "-c", script, self.address], env=self.env(),
                                 capture_output=True, text=True, timeout=120, check=False)
        return int(process.stdout.strip().splitlines()[-1]) if process.returncode == 0 else 0

    def wait_for_cpus(self, count: int, timeout: float = 60.0) -> None:
        """Wait until the head counts exactly count cores."""
        deadline = time.monotonic() + timeout
        while self.cpus() != count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Ray head never counted {count} cores")
            time.sleep(0.5)

    def stop(self) -> None:
        """Kill every node (the others first, then the head) and remove the folder."""
        for node in reversed(self.nodes):
            node.kill()
        self.nodes.clear()
        time.sleep(0.5)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def local_cluster(head_cpus: int = 1, node_cpus: int = 1) -> Iterator[LocalCluster]:
    """A head and a second node on this machine, stopped afterwards whatever happens."""
    cluster = LocalCluster()
    try:
        cluster.start_head(head_cpus)
        if node_cpus:
            cluster.add_node(node_cpus)
        yield cluster
    finally:
        cluster.stop()


def worker_pids(cluster: LocalCluster) -> list[int]:
    """The processes of gutaudio's chapter workers on this cluster's nodes (Ray names an actor's
    process after its class, and its parent is its node's raylet)."""
    groups = {node.pgid for node in cluster.nodes}
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            if not (proc / "cmdline").read_bytes().startswith(b"ray::ChapterWorker"):
                continue
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if os.getpgid(parent) in groups:
                pids.append(int(proc.name))
    return pids


def busy(pid: int) -> bool:
    """Whether a chapter worker is making a chapter now (Ray names its process after the method)."""
    try:
        return b"ChapterWorker.make" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
