"""Shared fixtures: small articles and settings files written into tmp folders."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from click.testing import CliRunner, Result
from scipy.signal import resample_poly

from gutaudio.cli import cli

# -- tests that need a program from Debian, or root ------------------------------------------------

REQUIRE_ALL = "GUTAUDIO_REQUIRE_ALL_TESTS"
"""Set to 1 (scripts/test does, so CI does): a test whose program is missing fails instead of skipping."""

NEEDS: dict[str, tuple[Callable[[], bool], str]] = {
    "espeak": (lambda: shutil.which("espeak-ng") is not None,
               "needs espeak-ng (apt-get install espeak-ng)"),
    "chromium": (lambda: _chromium_path() is not None, "needs Chromium (apt-get install chromium)"),
    "mp3val": (lambda: shutil.which("mp3val") is not None, "needs mp3val (apt-get install mp3val)"),
    "gpodder": (lambda: shutil.which("gpo") is not None,
                "needs gPodder's gpo (apt-get install gpodder)"),
    "root": (lambda: os.geteuid() == 0, "needs root, to mount a tmpfs (CI runs as root)"),
    "java": (lambda: shutil.which("java") is not None,
             "needs Java for EPUBCheck (apt-get install default-jre-headless)"),
}
"""Each marker (registered in pyproject.toml) with its test of this machine and the reason it gives."""

FIXTURE_NEEDS = {"project": "espeak"}
"""Fixtures that bring a need with them: a test that uses one gets its marker."""


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _missing(item: pytest.Item) -> str:
    """Why item cannot run here ("" when all it needs is here)."""
    return "; ".join(reason for marker, (present, reason) in NEEDS.items()
                     if item.get_closest_marker(marker) is not None and not present())


def _require_all() -> bool:
    return os.environ.get(REQUIRE_ALL) == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests whose fixtures bring a need; skip, with the reason, those that cannot run here."""
    for item in items:
        for fixture, marker in FIXTURE_NEEDS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        if (missing := _missing(item)) and not _require_all():
            item.add_marker(pytest.mark.skip(reason=missing))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under REQUIRE_ALL, a test that cannot run here fails, before any of its fixtures is set up."""
    if _require_all() and (missing := _missing(item)):
        pytest.fail(f"{missing}; {REQUIRE_ALL}=1 lets no test skip", pytrace=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under REQUIRE_ALL, a run in which any test skipped (for whatever reason) fails."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if _require_all() and skipped and session.exitstatus == pytest.ExitCode.OK:
        if reporter is not None:
            reporter.write_line(f"{REQUIRE_ALL}=1: {skipped} skipped, and no test may skip", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


MINIMAL_SHOW = textwrap.dedent('''\
    [show]
    title = "Test Show"
    author = "Test Author"
    description = "A show for the tests."
    link = "https://example.org/show"
    owner_email = "owner@example.org"
    base_url = "https://cdn.example.org/audio"
    ''')
"""The smallest valid gutaudio.toml: only the required [show] settings."""

SETTINGS_TOML = textwrap.dedent('''\
    [show]
    title = "Test Show & <Friends>"
    author = "Test Author"
    description = "A show used by the test suite."
    language = "en"
    category = "Health & Fitness"
    subcategory = "Medicine"
    explicit = false
    link = "https://example.org/show"
    owner_email = "owner@example.org"
    base_url = "https://cdn.example.org/audio"
    copyright = "(c) 2026 Test Author"
    date = 2026-01-15

    [voice]
    engine = "piper"
    ''')

SHORT_ARTICLE = textwrap.dedent('''\
    Gut health matters. It shapes how we feel every day.

    1. Diet and Sleep

    Eat 25-30 g of fibre daily, e.g. oats.

    This site offers information designed for educational purposes only. Always consult your physician.
    ''')


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI points the gutaudio logger at the runner's stderr; put it back after each test."""
    logger = logging.getLogger("gutaudio")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    yield
    logger.handlers[:], logger.propagate, logger.level = saved


def write_content(folder: Path, article: str = SHORT_ARTICLE, name: str = "short-article.txt",
                  settings: str = SETTINGS_TOML) -> Path:
    """Write an article and a gutaudio.toml into folder and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(article, encoding="utf-8")
    (folder / "gutaudio.toml").write_text(settings, encoding="utf-8")
    return folder


def write_distribution(site: Path, name: str, entry_points: str) -> None:
    """Write the metadata of an installed distribution (version 1.0) into site, as pip would, with
    its entry_points.txt; put site on sys.path for it to be found."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def rst_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A third party's reader of .rst files ("Title\\n====\\nbody"), installed on sys.path as pip
    installs a distribution, with its entry point; gone again after the test. Yields its folder."""
    from gutaudio import readers

    site = tmp_path / "rst-site"
    site.mkdir()
    (site / "rstreader.py").write_text(textwrap.dedent('''\
        from gutaudio.document import Heading, Metadata, Paragraph, runs
        from gutaudio.readers import Draft, decode_text


        class RstReader:
            suffixes = (".rst",)

            def read(self, data, source):
                title, _, body = decode_text(data, source).partition("\\n====\\n")
                return Draft(Metadata(), (Heading(1, runs(title)), Paragraph(runs(body.strip()))))
        '''))
    write_distribution(site, "rstreader", "[gutaudio.readers]\nrst = rstreader:RstReader\n")
    monkeypatch.syspath_prepend(str(site))
    readers.forget_readers()
    try:
        yield site
    finally:
        monkeypatch.undo()
        sys.modules.pop("rstreader", None)
        readers.forget_readers()


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A content folder with the short test article and its settings."""
    return write_content(tmp_path / "content")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """Build the short article once per test run with the real Piper voice, through the CLI."""
    root = tmp_path_factory.mktemp("e2e")
    content = write_content(root / "content")
    output = root / "output"
    result = CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--content", str(content), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output + result.stderr
    return output, result


@contextlib.contextmanager
def serving(output: Path) -> Iterator[str]:
    """`gutaudio serve` of output on a free loopback port, in a thread; yields its base URL."""
    from gutaudio.serve import create_server

    instance = create_server(output, "127.0.0.1", 0)
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{instance.server_port}/"
    finally:
        instance.shutdown()
        instance.server_close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (the working directory) holding content/ with the short article, espeak
    (a test that uses it is marked espeak: see FIXTURE_NEEDS)."""
    write_content(tmp_path / "content",
                  settings=SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"'))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def manifest_of(output: Path, article: int = 0) -> dict:
    """One article's part of a finished build's build.json, its chapters as a list."""
    data = json.loads((output / "build.json").read_text(encoding="utf-8"))
    entry = dict(data["articles"][article])
    entry["chapters"] = list(entry["chapters"].values())
    return entry


@pytest.fixture(autouse=True, scope="session")
def _private_clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the tests' clips out of the user's cache folder."""
    previous = os.environ.get("GUTAUDIO_CACHE_DIR")
    os.environ["GUTAUDIO_CACHE_DIR"] = str(tmp_path_factory.mktemp("clip-cache"))
    yield
    if previous is None:
        os.environ.pop("GUTAUDIO_CACHE_DIR", None)
    else:
        os.environ["GUTAUDIO_CACHE_DIR"] = previous


def lufs(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness by pyloudnorm: a second, independent BS.1770 meter for the tests."""
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def true_peak_dbtp(samples: np.ndarray) -> float:
    """True peak: the highest sample after 4x oversampling (BS.1770 annex 2), in dB."""
    peak = float(np.max(np.abs(resample_poly(samples, 4, 1))))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def assert_split_between_words(text: str, pieces: list[str], max_chars: int) -> None:
    """The pieces are text in order, cut at spaces, or inside a word longer than max_chars."""
    assert all(0 < len(piece) <= max_chars for piece in pieces)
    position = 0
    for piece in pieces:
        assert text.startswith(piece, position), (position, piece)
        position += len(piece)
        if text.startswith(" ", position):
            position += 1
        elif position < len(text):
            word = text[text.rfind(" ", 0, position) + 1:].split(" ", 1)[0]
            assert len(word) > max_chars, f"cut inside {word!r}"
    assert position == len(text)


def parse_article(text: str, source: Path, *, disclaimer_text: str = "", required: bool = False):
    """Read article text as gutaudio would the file named source; by default, as if the settings said
    [disclaimer] required = false, so that tests of other things need not carry a disclaimer."""
    from gutaudio.config import DisclaimerSettings
    from gutaudio.readers import parse_text

    return parse_text(text, source, DisclaimerSettings(text=disclaimer_text, required=required))


def read_article(path: Path, *, disclaimer_text: str = "", required: bool = False):
    """Read an article file as parse_article reads text."""
    from gutaudio import readers
    from gutaudio.config import DisclaimerSettings

    return readers.read_article(path, DisclaimerSettings(text=disclaimer_text, required=required))


TONE_ENGINE = Path(__file__).parent / "fixtures" / "engine-plugin"
"""A third party's engine package (gutaudio-tone), as a newcomer would write one."""


@pytest.fixture(scope="session")
def tone_engine_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's engine package, installed by pip from its folder (no index, no network)."""
    target = tmp_path_factory.mktemp("tone-site")
    work = tmp_path_factory.mktemp("tone-build")
    source = shutil.copytree(TONE_ENGINE, work / "gutaudio-tone")  # setuptools writes beside it
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-index", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        capture_output=True, text=True, check=False, cwd=work,
        env={**os.environ, "PIP_NO_CACHE_DIR": "1"})
    assert installed.returncode == 0, installed.stderr
    assert (target / "gutaudio_tone.py").is_file()
    assert (target / "gutaudio_tone-1.0.dist-info" / "entry_points.txt").is_file()
    return target
