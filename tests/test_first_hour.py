"""A new user's first hour: safe output folders, options blamed for their own errors, a lock that
leaves a checkout clean, one check with one count, and a summary and progress that tell the truth."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gutaudio.cli import _ProgressBar, cli
from gutaudio.config import load_settings
from gutaudio.errors import OptionError
from gutaudio.output_folder import lock_path, unsafe_output_reason

from .conftest import SETTINGS_TOML

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')
USAGE = "Usage: gutaudio build [OPTIONS]\nTry 'gutaudio build -h' for help.\n\n"
REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, list(args), prog_name="gutaudio")


@pytest.fixture
def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tripwire: should a refusal ever fail, no build may start (least of all into /)."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build started for an output folder that must be refused")

    monkeypatch.setattr("gutaudio.recipe.build", refuse)
    monkeypatch.setattr("gutaudio.cli.early_synthesizer", refuse)


# --- 6: an option's error names the option, a file's error names the file -----------------------

@pytest.mark.parametrize(("option", "value", "message"), [
    ("--rate", "3", "3.0 is out of range (valid: 0.5 to 2.0, 1.0 is normal)"),
    ("--base-url", "notaurl", "'notaurl' is not an http:// or https:// URL"),
    ("--voice", "/etc/hostname", "voice model '/etc/hostname' is not a Piper .onnx file"),
    ("--content", "nowhere", "nowhere: content folder does not exist"),
])
def test_a_bad_option_value_is_a_usage_error_naming_the_option(
        project: Path, option: str, value: str, message: str) -> None:
    result = run("build", option, value)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"{USAGE}Error: Invalid value for '{option}': {message}\n"
    assert not (project / "output").exists()


def test_a_bad_setting_in_the_file_still_names_the_file(project: Path) -> None:
    settings = project / "content" / "gutaudio.toml"
    settings.write_text(ESPEAK + "rate = 3.0\n", encoding="utf-8")
    result = run("build")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"Error: {Path('content') / 'gutaudio.toml'}: voice.rate 3.0 is out of "
                             "range (valid: 0.5 to 2.0, 1.0 is normal)\n")


def test_an_option_overrides_a_bad_value_in_the_file_and_is_blamed_only_for_its_own(
        project: Path) -> None:
    content = project / "content"
    (content / "gutaudio.toml").write_text(ESPEAK + "rate = 3.0\n", encoding="utf-8")
    assert load_settings(content, project / "output", rate=1.5).voice.rate == 1.5
    with pytest.raises(OptionError) as raised:
        load_settings(content, project / "output", rate=1.5, base_url="ftp://example.org/")
    assert (raised.value.option, raised.value.message) == (
        "base_url", "'ftp://example.org/' is not an http:// or https:// URL")


# --- 3: folders a build must never write into are refused before any work ------------------------

@pytest.mark.parametrize(("output", "reason"), [
    ("content", "content: is the content folder; build into a folder of its own, such as output"),
    (".", ".: contains the content folder {project}/content; build into a folder of its own, "
          "such as output"),
    ("content/audio", "content/audio: is inside the content folder {project}/content; build into "
                      "a folder beside it"),
    ("/", "/: is the root of the filesystem; build into a folder of its own"),
])
def test_dangerous_output_folders_are_refused_in_one_line(project: Path, no_build: None,
                                                          output: str, reason: str) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run("build", "--output", output)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"{USAGE}Error: Invalid value for '--output': "
                             f"{reason.format(project=project)}\n")
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before  # nothing made
    assert not Path("/..gutaudio.lock").exists()


@pytest.mark.parametrize(("output", "reason"), [
    ("home/me", "is your home folder; build into a folder of its own"),
    ("home", "holds your home folder; build into a folder of its own"),
])
def test_the_home_folder_and_its_parents_are_refused_even_with_force(
        project: Path, no_build: None, monkeypatch: pytest.MonkeyPatch, output: str,
        reason: str) -> None:
    (project / "home" / "me").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(project / "home" / "me"))
    result = run("build", "--output", str(project / output), "--force")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for '--output': {project / output}: "
                                  f"{reason}\n")


def test_the_working_folder_and_a_project_folder_are_refused_even_with_force(
        project: Path, no_build: None, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = project / "elsewhere"
    (elsewhere / "repo" / ".git").mkdir(parents=True)
    (elsewhere / "repo" / "README.md").write_text("a checkout\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    content = str(project / "content")
    here = run("build", "--content", content, "--output", ".", "--force")
    assert here.stderr.endswith("Error: Invalid value for '--output': .: is the working folder; "
                                "build into a folder of its own, such as output\n")
    repo = run("build", "--content", content, "--output", "repo", "--force")
    assert repo.stderr.endswith("Error: Invalid value for '--output': repo: is a project folder "
                                "(it has .git); build into a folder of its own\n")
    assert (here.exit_code, repo.exit_code) == (2, 2)


def test_a_folder_holding_only_what_file_browsers_leave_counts_as_empty(project: Path) -> None:
    (project / "output").mkdir()
    (project / "output" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (project / "output" / ".gitkeep").write_text("", encoding="utf-8")
    result = run("build", "-q")
    assert result.exit_code == 0, result.stderr
    assert (project / "output" / ".gitkeep").exists()  # kept, as other files are


def test_without_a_settings_file_an_option_is_not_blamed_for_the_missing_settings(
        project: Path) -> None:
    (project / "content" / "gutaudio.toml").unlink()
    result = run("build", "--engine", "gtts", "--base-url", "https://example.org/audio/")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"Error: {Path('content') / 'gutaudio.toml'}: file not found; [show] is "
                             "missing required settings: title, author, description, link, "
                             "owner_email\n")


def test_a_folder_of_other_files_needs_force_and_keeps_them(project: Path) -> None:
    public = project / "public"
    public.mkdir()
    (public / "notes.md").write_text("the publisher's own file\n", encoding="utf-8")
    refused = run("build", "-q", "--output", "public")
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"{USAGE}Error: Invalid value for '--output': public: holds files that gutaudio did not make "
        "(it has no build.json); build into an empty or new folder, or use --force to build into it "
        "anyway (its files are kept)\n")
    assert sorted(p.name for p in public.iterdir()) == ["notes.md"]
    forced = run("build", "-q", "--output", "public", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (public / "notes.md").read_text(encoding="utf-8") == "the publisher's own file\n"
    again = run("build", "-q", "--output", "public")  # now a gutaudio build: no --force needed
    assert again.exit_code == 0, again.stderr


def test_the_rules_for_output_folders() -> None:
    content, home = Path("/p/content"), Path("/home/me")
    missing = Path(tempfile.gettempdir()) / "gutaudio-no-such-folder" / "out"
    assert unsafe_output_reason(missing, content, home) is None  # a new folder: fine
    assert unsafe_output_reason(Path("/p"), content, home).startswith("contains the content")
    assert unsafe_output_reason(Path("/p/content"), content, home).startswith("is the content")
    assert unsafe_output_reason(Path("/p/content/x"), content, home).startswith("is inside")
    assert unsafe_output_reason(Path("/"), content, home).startswith("is the root")
    assert unsafe_output_reason(home, content, home).startswith("is your home")


# --- 4: the lock file does not dirty a checkout; .gitignore covers what a build leaves -----------

def test_a_build_leaves_nothing_beside_its_output(project: Path) -> None:
    result = run("build", "-q")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["content", "output"]  # the lock is gone
    assert lock_path(Path("output")) == project / ".output.gutaudio.lock"
    assert lock_path(Path("output")) == lock_path(project / "output")  # one lock per real folder


def test_a_symlinked_output_folder_is_built_into_its_target(project: Path) -> None:
    target = project / "site"
    (project / "output").symlink_to(target, target_is_directory=True)
    first = run("build", "-q")
    assert first.exit_code == 0, first.stderr
    assert (project / "output").is_symlink() and (target / "feed.xml").is_file()
    again = run("build", "-q")
    assert again.exit_code == 0, again.stderr
    assert (project / "output").is_symlink() and (target / "build.json").is_file()
    assert sorted(p.name for p in project.iterdir()) == ["content", "output", "site"]


def test_the_projects_gitignore_covers_what_a_build_leaves(tmp_path: Path) -> None:
    git = shutil.which("git")
    assert git, "git is needed to read .gitignore as git does"
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True)
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    leftovers = ["output/feed.xml", ".gutaudio-build-output-k2j4/feed.xml",
                 ".output.gutaudio-old/feed.xml", ".output.gutaudio.lock", ".venv/bin/python"]
    for name in leftovers:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    status = subprocess.run([git, "-C", str(tmp_path), "status", "--porcelain", "--untracked=all"],
                            capture_output=True, text=True, check=True).stdout
    assert status.splitlines() == ["?? .gitignore"]


# --- 7 and 10: one check, each file once, the same counts; a summary that names every file -------

def _check_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Check: ")).removeprefix(
        "Check: ")


def test_check_lists_each_file_once_and_agrees_with_the_build(project: Path) -> None:
    built = run("build")
    assert built.exit_code == 0, built.stderr
    mp3s = sorted(Path("output").rglob("*.mp3"))
    for folder in ("output", "output/", str(project / "output")):
        checked = run("check", folder)
        assert checked.exit_code == 0, checked.stdout
        rows = [line.split()[2] if line.startswith("MP3 stream") else None
                for line in checked.stdout.splitlines()]
        assert sorted(r for r in rows if r) == sorted(p.relative_to("output").as_posix() for p in mp3s)
        assert checked.stdout.splitlines()[-1] == _check_line(built.stdout)
    rebuilt = run("build")  # a no-op build checks the same files the same way
    assert _check_line(rebuilt.stdout) == _check_line(built.stdout)


def test_the_summary_names_each_file_in_aligned_columns(project: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(("  made ", "  kept "))]
    chapters = sorted(str(p) for p in Path("output/short-article/chapters").glob("*.mp3"))
    paths = [row.split()[1] for row in rows]
    assert paths == [*chapters, "output/short-article/episode.mp3",
                     "output/short-article/index.html", "output/short-article/short-article.epub"]
    assert rows[-3].endswith(f"whole article, {len(chapters)} chapter marks")
    assert rows[-2].endswith("page")
    book = Path("output/short-article/short-article.epub").stat().st_size
    assert rows[-1].endswith(f"{book:,} bytes  EPUB 3 talking book")
    durations = [re.search(r"\d+\.\d s", row) for row in rows]
    assert len({m.end() for m in durations if m}) == 1  # the durations end in one column
    sizes = [re.search(r"[\d,]+ bytes", row) for row in rows]
    assert len({m.end() for m in sizes if m}) == 1
    assert len({row.index("output/") for row in rows}) == 1
    assert "Feed: output/feed.xml" in lines and "Page: output/index.html" in lines


# --- 10: without a terminal, progress is a line now and then ------------------------------------

def test_progress_without_a_terminal_prints_a_line_each_tenth(project: Path) -> None:
    result = run("build")  # CliRunner's stderr is not a terminal
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Synthesizing")]
    assert 1 <= len(lines) <= 10
    total = int(re.match(r"Synthesizing: \d+/(\d+) clips", lines[-1]).group(1))
    assert lines[-1] == f"Synthesizing: {total}/{total} clips (100%)"
    assert "\r" not in result.stderr


class _Log:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_progress_lines_come_at_least_every_half_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("gutaudio.cli.time.monotonic", lambda: now[0])
    log = _Log()
    bar = _ProgressBar("Synthesizing", log)
    for done in range(1, 1001):
        now[0] += 0.1 if done != 50 else 40.0  # one slow clip at 50
        bar.update(done, 1000, "text")
    assert log.text.splitlines() == [
        "Synthesizing: 50/1000 clips (5%)",
        *(f"Synthesizing: {n}/1000 clips ({n // 10}%)" for n in range(100, 1001, 100)),
    ]


def test_progress_on_a_terminal_stays_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    log = _Log()
    monkeypatch.setattr(log, "isatty", lambda: True)
    bar = _ProgressBar("Synthesizing", log)
    bar.update(5, 10, "text")
    bar.close()
    assert "Synthesizing" in log.text and "5/10" in log.text and "clips (" not in log.text


def test_check_reports_an_mp3_linked_from_outside_the_build_without_a_traceback(
        project: Path) -> None:
    assert run("build", "-q").exit_code == 0
    outside = project / "elsewhere.mp3"
    shutil.copy(next(Path("output").rglob("01-*.mp3")), outside)
    (project / "output" / "extra.mp3").symlink_to(outside)
    checked = run("check")
    assert checked.exit_code == 1 and isinstance(checked.exception, SystemExit), checked.exception
    assert f"{outside}" in checked.stdout
    assert "error: a link out of this build: publish the file itself" in checked.stdout


def test_an_undated_article_is_warned_about_once(project: Path) -> None:
    settings = project / "content" / "gutaudio.toml"
    settings.write_text(ESPEAK.replace("date = 2026-01-15\n", ""), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "no date" in line]
    assert warnings == [f"Warning: {Path('content') / 'short-article.txt'}: no date in the article "
                        "or [show] date; using today's date for pubDate"]
