"""The cluster figures of scripts/bench: a catalog built with Piper here and on a two-node Ray
cluster on this same machine, and what that says about an archive on many machines.

Both builds use all of this machine's cores (the local build a Piper worker per core, the
cluster a head and a second node sharing them, a worker per core), so their ratio is what going
through Ray costs. CPU time is counted for the whole machine (/proc/stat,
the machine otherwise idle) and for the build's own process and its children (wait4), which is
the driver's share; the cluster's is the rest: its workers, raylets and GCS.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ray_nodes import RAY_ENV, local_cluster  # noqa: E402

PIPER_SETTINGS = (REPO / "content" / "gutaudio.toml").read_text(encoding="utf-8")
ARCHIVE = 10_000
CORES_PER_NODE = 2


def machine_cpu_seconds() -> float:
    """CPU time every core of this machine has spent busy since boot (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed_build(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a build; its wall time, its own CPU time (with its children) and the machine's."""
    with tempfile.TemporaryFile() as errors:
        machine, started = machine_cpu_seconds(), time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(command)}\n{errors.read().decode()[-2000:]}")
    return {"wall_s": wall, "driver_cpu_s": usage.ru_utime + usage.ru_stime,
            "machine_cpu_s": machine_cpu_seconds() - machine}


def bench_cluster(work: Path, articles: int, repeats: int, synthetic_article: Any,
                  audio_seconds: Any) -> dict[str, float | str]:
    """Build the same catalog with Piper here and on a two-node cluster here, interleaved, each
    from an empty cache; the medians, their ratio, and the projection for an archive."""
    content = work / "cluster-catalog"
    content.mkdir()
    (content / "gutaudio.toml").write_text(PIPER_SETTINGS.replace('article = "leaky-gut.txt"\n', ""),
                                           encoding="utf-8")
    for number in range(articles):
        (content / f"article-{number:03d}.txt").write_text(synthetic_article(70, seed=number),
                                                         encoding="utf-8")
    cores = os.cpu_count() or 2
    runs: dict[str, list[dict[str, float]]] = {"local": [], "cluster": []}
    with local_cluster(head_cpus=cores // 2, node_cpus=cores - cores // 2) as cluster:
        env = {**os.environ, **RAY_ENV}
        for round_number in range(repeats):
            for kind in ("local", "cluster") if round_number % 2 == 0 else ("cluster", "local"):
                output = work / f"cluster-{kind}-{round_number}"
                cache = work / f"cluster-cache-{kind}-{round_number}"
                command = [sys.executable, "-m", "gutaudio", "build", "-q", "--content", str(content),
                           "--output", str(output), "--cache-dir", str(cache)]
                if kind == "cluster":
                    command += ["--cluster", cluster.address]
                figures = timed_build(command, env)
                figures["audio_s"] = audio_seconds(output)
                runs[kind].append(figures)
                print(f"  {kind} round {round_number + 1}: {figures['wall_s']:.1f} s", flush=True)
    return _figures(articles, runs)


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _figures(articles: int, runs: dict[str, list[dict[str, float]]]) -> dict[str, float | str]:
    local, remote = runs["local"], runs["cluster"]
    audio = _median(remote, "audio_s")
    driver, machine = _median(remote, "driver_cpu_s"), _median(remote, "machine_cpu_s")
    worker = max(machine - driver, 1e-9)  # the cluster's own: workers, raylets, GCS
    per_article_driver, per_article_worker = driver / articles, worker / articles
    limit_cores = per_article_worker / per_article_driver
    figures: dict[str, float | str] = {
        "articles": articles,
        "audio_min": round(audio / 60, 1),
        "local_wall_s": round(_median(local, "wall_s"), 1),
        "cluster_wall_s": round(_median(remote, "wall_s"), 1),
        "cluster_over_local": round(_median(remote, "wall_s") / _median(local, "wall_s"), 3),
        "local_audio_s_per_cpu_s": round(_median(local, "audio_s") / _median(local, "machine_cpu_s"), 2),
        "cluster_audio_s_per_cpu_s": round(audio / machine, 2),
        "driver_cpu_s": round(driver, 1),
        "cluster_cpu_s": round(worker, 1),
        "driver_share_pct": round(100 * driver / machine, 2),
        "driver_cpu_s_per_article": round(per_article_driver, 3),
        "cluster_cpu_s_per_article": round(per_article_worker, 3),
        "driver_limits_at_cores": round(limit_cores),
        "driver_limits_at_nodes": round(limit_cores / CORES_PER_NODE),
    }
    for nodes in (10, 100):  # an archive: the workers' share spread over the nodes, the driver's not
        cores = nodes * CORES_PER_NODE
        workers_h = ARCHIVE * per_article_worker / cores / 3600
        driver_h = ARCHIVE * per_article_driver / 3600
        figures[f"archive_{nodes}_nodes_h"] = round(max(workers_h, driver_h), 2)
        figures[f"archive_{nodes}_nodes_bound_by"] = "driver" if driver_h > workers_h else "workers"
    return figures
