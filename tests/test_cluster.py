"""Builds on a real Ray cluster on this machine (a head and a second node, started here and
stopped afterwards): the same files as a local build, the same reuse, and builds that finish
through a worker killed, a node that leaves and a driver killed; a cluster that cannot be
reached fails in seconds. Each build runs `gutaudio build` in a process of its own, as a
publisher runs it (Ray's driver threads stay out of the test process)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import SETTINGS_TOML, SHORT_ARTICLE, write_content
from .ray_nodes import LocalCluster, busy, local_cluster, worker_pids

pytestmark = pytest.mark.espeak

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
CATALOG = ("txt-hard-wrapped.txt", "md-lists-tables.md", "html-news-page.html")
"""Fixture articles in three of the forms publishers have, besides the short article."""
ESPEAK_TOML = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A head with one core and a second node with one, for this module's tests."""
    with local_cluster(head_cpus=1, node_cpus=1) as started:
        yield started


SISTER_ARTICLE = SHORT_ARTICLE.replace("Gut health matters.", "Sleep matters too.").replace(
    "Diet and Sleep", "Rest and Light")
"""An article that ends with the same disclaimer as the short article: one new text in two chapters."""


def catalog(folder: Path, settings: str = ESPEAK_TOML, articles: tuple[str, ...] = CATALOG,
            sister: bool = False) -> Path:
    """A content folder: the short article and the fixture articles named (and the sister article)."""
    write_content(folder, settings=settings)
    for name in articles:
        shutil.copy(FIXTURES / name, folder / name)
    if sister:
        (folder / "sister-article.txt").write_text(SISTER_ARTICLE, encoding="utf-8")
    return folder


@contextlib.contextmanager
def running(command: list[str], **options: object) -> Iterator[subprocess.Popen[str]]:
    """A build started in a process of its own, killed if the test ends before it does."""
    process = subprocess.Popen(command, env=_env(), text=True, **options)  # type: ignore[call-overload]
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def gutaudio_build(content: Path, output: Path, cache: Path, *options: str,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `gutaudio build -v` in a process of its own; fail the test if it fails."""
    result = subprocess.run(_command(content, output, cache, *options), env=env or _env(),
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _command(content: Path, output: Path, cache: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "gutaudio", "build", "--content", str(content), "--output", str(output),
            "--cache-dir", str(cache), "-v", *options]


def _env() -> dict[str, str]:
    return {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


def files_of(output: Path) -> dict[str, bytes]:
    """Every file of a build by its path inside the output folder."""
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in sorted(output.rglob("*")) if path.is_file()}


def clips(stdout: str) -> tuple[int, int]:
    """The summary's clips synthesized and clips from the cache."""
    found = re.search(r"Clips: (\d+) synthesized, (\d+) from the cache", stdout)
    assert found, stdout[-2000:]
    return int(found.group(1)), int(found.group(2))


def cluster_line(stderr: str) -> re.Match[str]:
    """The build's log line of what the cluster made."""
    found = re.search(r"cluster \S+: (\d+) chapters made by (\d+) workers \((\d+) handed out again\)", stderr)
    assert found, stderr[-3000:]
    return found


def captions_per_file(output: Path) -> dict[str, int]:
    """The number of cues in each WebVTT file."""
    return {path.relative_to(output).as_posix(): path.read_text(encoding="utf-8").count(" --> ")
            for path in sorted(output.rglob("*.vtt"))}


def durations(output: Path) -> dict[str, float]:
    """Each chapter's duration, as build.json records it."""
    import json

    data = json.loads((output / "build.json").read_text(encoding="utf-8"))
    return {f"{a['folder']}/{name}": chapter["duration"]
            for a in data["articles"] for name, chapter in a["chapters"].items()}


def test_an_espeak_catalog_built_on_the_cluster_is_the_local_build_to_the_byte(
        cluster: LocalCluster, tmp_path: Path) -> None:
    content = catalog(tmp_path / "content", sister=True)
    local = gutaudio_build(content, tmp_path / "local", tmp_path / "local-cache", "--m4b")
    remote = gutaudio_build(content, tmp_path / "remote", tmp_path / "remote-cache",
                            "--cluster", cluster.address, "--m4b")
    made, workers, _ = cluster_line(remote.stderr).groups()
    assert int(workers) == 2 and int(made) >= 10  # five articles, at least two chapters each
    # The disclaimer both short articles end with is synthesized once, as in the local build.
    assert clips(remote.stdout) == clips(local.stdout)
    local_files, remote_files = files_of(tmp_path / "local"), files_of(tmp_path / "remote")
    assert local_files.keys() == remote_files.keys()
    assert sum(name.endswith(".m4b") for name in remote_files) == 5  # from the levelled FLACs
    assert [name for name in local_files if local_files[name] != remote_files[name]] == []

    # A rebuild with nothing changed sends no work: it builds even with no cluster at the address.
    closed = _closed_port()
    again = gutaudio_build(content, tmp_path / "remote", tmp_path / "remote-cache",
                           "--cluster", f"127.0.0.1:{closed}", "--m4b")
    assert clips(again.stdout) == (0, 0) and "cluster" not in again.stderr

    # An edit sends one utterance, and the result is still the local build's, to the byte.
    article = content / "short-article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("every day", "each morning"),
                       encoding="utf-8")
    edited = gutaudio_build(content, tmp_path / "remote", tmp_path / "remote-cache",
                            "--cluster", cluster.address, "--m4b")
    assert clips(edited.stdout)[0] == 1
    assert cluster_line(edited.stderr).group(1) == "1"
    gutaudio_build(content, tmp_path / "local", tmp_path / "local-cache", "--m4b")
    assert files_of(tmp_path / "remote") == files_of(tmp_path / "local")


@pytest.fixture(scope="module")
def piper_local(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The short article and one fixture article built locally with Piper: content, output, cache."""
    root = tmp_path_factory.mktemp("piper")
    content = catalog(root / "content", SETTINGS_TOML, ("txt-short-disclaimer.txt",))
    gutaudio_build(content, root / "output", root / "cache")
    return content, root / "output", root / "cache"


def test_piper_on_the_cluster_gives_the_local_structure_and_from_cached_clips_the_same_bytes(
        cluster: LocalCluster, piper_local: tuple[Path, Path, Path], tmp_path: Path) -> None:
    content, local, local_cache = piper_local
    fresh = gutaudio_build(content, tmp_path / "fresh", tmp_path / "fresh-cache",
                           "--cluster", cluster.address)
    assert clips(fresh.stdout)[0] >= 10  # synthesized on the cluster, into an empty cache
    assert files_of(tmp_path / "fresh").keys() == files_of(local).keys()
    assert captions_per_file(tmp_path / "fresh") == captions_per_file(local)
    ours, theirs = durations(tmp_path / "fresh"), durations(local)
    assert ours.keys() == theirs.keys()
    for name, seconds in theirs.items():  # Piper's noise: each synthesis differs a little
        assert ours[name] == pytest.approx(seconds, rel=0.1), name

    # From the same cache (the local build's clips, and what its leveller measured), a build on the
    # cluster and one here make the same files to the byte.
    shutil.copytree(local_cache, tmp_path / "cache-here")
    shutil.copytree(local_cache, tmp_path / "cache-there")
    cached = gutaudio_build(content, tmp_path / "there", tmp_path / "cache-there",
                            "--cluster", cluster.address)
    assert clips(cached.stdout)[0] == 0
    gutaudio_build(content, tmp_path / "here", tmp_path / "cache-here")
    assert files_of(tmp_path / "there") == files_of(tmp_path / "here")


def _kill_busy_worker(cluster: LocalCluster, among: set[int] | None = None, timeout: float = 120.0) -> None:
    """Kill one of the cluster's chapter workers while it is making a chapter."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in worker_pids(cluster):
            if (among is None or pid in among) and busy(pid):
                time.sleep(0.2)  # into its synthesis
                if busy(pid):
                    os.kill(pid, signal.SIGKILL)
                    return
        time.sleep(0.05)
    raise AssertionError("no chapter worker became busy")


def _finish(process: subprocess.Popen[str]) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stdout[-3000:] + stderr[-3000:]
    return stdout, stderr


def test_a_worker_killed_mid_build_is_replaced_and_the_build_completes(
        cluster: LocalCluster, piper_local: tuple[Path, Path, Path], tmp_path: Path) -> None:
    content, local, _ = piper_local
    command = _command(content, tmp_path / "out", tmp_path / "cache", "--cluster", cluster.address)
    with running(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        _kill_busy_worker(cluster)
        stdout, stderr = _finish(process)
    assert int(cluster_line(stderr).group(3)) >= 1  # its job was handed out again
    assert files_of(tmp_path / "out").keys() == files_of(local).keys()
    assert captions_per_file(tmp_path / "out") == captions_per_file(local)
    assert "Check: " in stdout and " 0 errors" in stdout


def _workers_of(cluster: LocalCluster, node_pgid: int) -> set[int]:
    """The chapter workers a node's raylet started."""
    found = set()
    for pid in worker_pids(cluster):
        with contextlib.suppress(OSError, ValueError):
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if os.getpgid(parent) == node_pgid:
                found.add(pid)
    return found


def test_a_node_that_leaves_mid_build_loses_nothing(
        cluster: LocalCluster, piper_local: tuple[Path, Path, Path], tmp_path: Path) -> None:
    content, local, _ = piper_local
    leaving = cluster.add_node(1)
    command = _command(content, tmp_path / "out", tmp_path / "cache", "--cluster", cluster.address)
    try:
        with running(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
            deadline = time.monotonic() + 120
            while not (theirs := _workers_of(cluster, leaving.pgid)) and time.monotonic() < deadline:
                time.sleep(0.1)
            while not any(busy(pid) for pid in theirs) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)
            # The machine goes: its node's daemons and its worker (in a process group of its own).
            leaving.kill()
            for pid in theirs:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            _, stderr = _finish(process)
    finally:
        leaving.kill()
        cluster.nodes.remove(leaving)
    assert int(cluster_line(stderr).group(3)) >= 1
    assert files_of(tmp_path / "out").keys() == files_of(local).keys()
    assert captions_per_file(tmp_path / "out") == captions_per_file(local)
    cluster.wait_for_cpus(2)


def test_a_driver_killed_mid_build_leaves_the_last_build_and_the_next_one_resumes(
        cluster: LocalCluster, tmp_path: Path) -> None:
    content = catalog(tmp_path / "content", SETTINGS_TOML, ())
    output, cache = tmp_path / "out", tmp_path / "cache"
    gutaudio_build(content, output, cache)
    published = files_of(output)
    shutil.copy(FIXTURES / "html-news-page.html", content)
    made_before = set((cache / "clips").rglob("*.wav"))
    command = _command(content, output, cache, "--cluster", cluster.address)
    with running(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        deadline = time.monotonic() + 180
        while not set((cache / "clips").rglob("*.wav")) - made_before:  # a chapter has come back
            assert process.poll() is None, "the build ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.kill()
        process.wait()
    assert files_of(output) == published  # the last build, as it was
    resumed = gutaudio_build(content, output, cache, "--cluster", cluster.address)
    synthesized, from_cache = clips(resumed.stdout)
    assert from_cache >= 1 and synthesized >= 1
    assert "html-news-page" in {name.split("/")[0] for name in files_of(output)}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("listening", [False, True], ids=["nothing-there", "not-ray"])
def test_a_cluster_that_cannot_be_reached_fails_in_seconds_naming_it(tmp_path: Path, listening: bool) -> None:
    content = write_content(tmp_path / "content", SHORT_ARTICLE, settings=ESPEAK_TOML)
    with socket.socket() as silent:  # accepts connections and never says a word
        silent.bind(("127.0.0.1", 0))
        if listening:
            silent.listen()
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        result = subprocess.run(_command(content, tmp_path / "out", tmp_path / "cache", "--cluster", address),
                                env=_env(), capture_output=True, text=True, timeout=120, check=False)
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and address in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 30, elapsed
    assert not (tmp_path / "out").exists()


def test_a_local_build_never_imports_ray(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", SHORT_ARTICLE, settings=ESPEAK_TOML)
    script = ("import sys\nfrom gutaudio.cli import main\n"
              "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
              "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))\n")
    result = subprocess.run([sys.executable, "-c", script, "build", "-q", "--content", str(content),
                             "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"),
                             "--cluster", "local"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "short-article" / "episode.mp3").is_file()


def test_an_error_raised_in_a_worker_is_one_line_naming_the_chapter(cluster: LocalCluster) -> None:
    script = textwrap.dedent("""\
        import sys
        from gutaudio.chapter_work import ChapterJob, worker_identity
        from gutaudio.cluster import WorkerPool
        from gutaudio.config import AudioSettings, VoiceSettings
        from gutaudio.engines import make_engine
        from gutaudio.errors import GutaudioError
        voice = VoiceSettings(engine="espeak")
        identity = worker_identity(make_engine(voice).identity(lambda path: ""))
        jobs = [ChapterJob("a/chapters/01-nothing.mp3", (), {}, AudioSettings(), -0.3, 0.5)]
        with WorkerPool(sys.argv[1], voice, identity) as pool:
            try:
                pool.run(type("Source", (), {"take": lambda self: jobs.pop() if jobs else None,
                                             "empty": lambda self: not jobs})(), print)
            except GutaudioError as e:
                print(type(e).__name__, "|", e)
        """)
    result = subprocess.run([sys.executable, "-c", script, cluster.address], env=_env(),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    line = result.stdout.strip().splitlines()[-1]
    assert line == "ContentError | a/chapters/01-nothing.mp3: the chapter has nothing to speak", line


@pytest.mark.parametrize("address", ["nonsense", "ray://head:99999", "head:", ":6379", "two words:1"])
def test_a_malformed_cluster_address_is_one_line_naming_the_option_or_the_setting(
        tmp_path: Path, address: str) -> None:
    from click.testing import CliRunner

    from gutaudio.cli import cli

    content = write_content(tmp_path / "content", SHORT_ARTICLE, settings=ESPEAK_TOML)
    given = CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--content", str(content), "--output", str(tmp_path / "out"), "--cluster", address])
    assert given.exit_code == 2
    assert given.stderr.strip().splitlines()[-1].startswith("Error: Invalid value for '--cluster'")
    (content / "gutaudio.toml").write_text(f'{ESPEAK_TOML}\n[build]\ncluster = "{address}"\n',
                                           encoding="utf-8")
    configured = CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--content", str(content), "--output", str(tmp_path / "out")])
    assert configured.exit_code == 2
    error = configured.stderr.strip().splitlines()
    assert len(error) == 1 and "gutaudio.toml" in error[0] and "build.cluster" in error[0], error
    assert not (tmp_path / "out").exists()


def test_a_cluster_address_is_checked_and_local_means_none() -> None:
    from gutaudio.config import BuildSettings, cluster_address_problem

    for good in ("auto", "local", "", "10.0.0.5:6379", "ray://head.example.org:10001", "[::1]:6379"):
        assert cluster_address_problem(good) is None, good
    assert BuildSettings(cluster="local").cluster_address is None
    assert BuildSettings().cluster_address is None
    assert BuildSettings(cluster=" head:6379 ").cluster_address == "head:6379"
