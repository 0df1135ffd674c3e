"""Tests that need a program from Debian (or root) skip with the package's name when it is missing,
and fail instead under GUTAUDIO_REQUIRE_ALL_TESTS=1, as scripts/test (so CI) runs them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from .conftest import NEEDS, REQUIRE_ALL

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]

# The hooks of tests/conftest.py in a pytest run of its own, with the markers pyproject.toml registers.
CONFTEST = """
import pytest
from tests.conftest import pytest_collection_modifyitems, pytest_runtest_setup, pytest_sessionfinish

@pytest.fixture
def project():
    return "a project folder, whose build speaks with espeak"
"""
TESTS = '''
import pytest

@pytest.mark.mp3val
def test_needs_mp3val():
    pass

@pytest.mark.gpodder
@pytest.mark.espeak
def test_needs_two():
    pass

def test_needs_nothing():
    pass

def test_uses_the_project_fixture(project):
    pass
'''


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A small test suite using the real hooks, on a machine where no program is on PATH."""
    monkeypatch.syspath_prepend(str(REPO))
    monkeypatch.setenv("PATH", str(pytester.mkdir("empty-bin")))
    monkeypatch.delenv(REQUIRE_ALL, raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\naddopts = --strict-markers\nmarkers =\n"
                     + "".join(f"    {name}: {reason}\n" for name, (_, reason) in NEEDS.items()))
    pytester.makepyfile(test_tools=TESTS)
    return pytester


def test_a_test_whose_program_is_missing_is_skipped_naming_the_package(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=3)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([
        "SKIPPED [[]1[]] test_tools.py:*: needs mp3val (apt-get install mp3val)",
        "SKIPPED [[]1[]] test_tools.py:*: needs espeak-ng (apt-get install espeak-ng); "
        "needs gPodder's gpo (apt-get install gpodder)",
        "SKIPPED [[]1[]] test_tools.py*: needs espeak-ng (apt-get install espeak-ng)",  # by its fixture
    ])


def test_under_require_all_a_missing_program_is_a_failure(suite: pytest.Pytester,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ALL, "1")
    result = suite.runpytest()
    result.assert_outcomes(passed=1, errors=3)  # failed in setup, before any fixture of the test
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        f"*needs mp3val (apt-get install mp3val); {REQUIRE_ALL}=1 lets no test skip*"])


def test_under_require_all_any_other_skip_fails_the_run(pytester: pytest.Pytester,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_skip='''
        import pytest

        def test_skips():
            pytest.skip("for a reason of its own")

        def test_passes():
            pass
    ''')
    monkeypatch.delenv(REQUIRE_ALL, raising=False)
    assert pytester.runpytest().ret == pytest.ExitCode.OK  # a skip is no failure by hand
    monkeypatch.setenv(REQUIRE_ALL, "1")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"{REQUIRE_ALL}=1: 1 skipped, and no test may skip"])


def test_a_present_program_runs_the_test(suite: pytest.Pytester, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("mp3val", "gpo", "espeak-ng"):
        (tools / name).write_text("#!/bin/sh\n", encoding="utf-8")
        (tools / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv(REQUIRE_ALL, "1")
    result = suite.runpytest()
    result.assert_outcomes(passed=4)


def test_every_marker_is_registered_and_unknown_markers_are_errors() -> None:
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    registered = {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
                  for line in options["ini_options"]["markers"]}
    assert set(registered) == set(NEEDS) == {"espeak", "chromium", "mp3val", "gpodder", "root", "java"}
    assert "--strict-markers" in options["ini_options"]["addopts"].split()  # a misspelt marker fails


def test_scripts_test_requires_every_test_to_run() -> None:
    script = (REPO / "scripts" / "test").read_text(encoding="utf-8")
    (pytest_line,) = [line for line in script.splitlines()
                      if "-m pytest" in line and not line.startswith("#")]
    assert pytest_line == f'{REQUIRE_ALL}=1 "$VENV/bin/python" -m pytest "$@"'
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()[-1] == "bash scripts/test"
