"""The gutaudio command line: --version, --help, inspect, engines, and one-line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner, Result

from gutaudio import __version__
from gutaudio.cli import cli

from .conftest import MINIMAL_SHOW

SETTINGS = MINIMAL_SHOW

ARTICLE = textwrap.dedent('''\
    Fibre feeds the gut. It matters.

    1. Causes

    Diet is one cause.

    This is for informational purposes only.
    ''')

GOOGLE = "https://translate.google.com/"


def run(*args: str) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, list(args), prog_name="gutaudio")


def content(folder: Path, articles: dict[str, str] | None = None, settings: str = SETTINGS) -> Path:
    """Write gutaudio.toml and the articles into folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gutaudio.toml").write_text(settings, encoding="utf-8")
    for name, text in ({"gut.txt": ARTICLE} if articles is None else articles).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def assert_usage_error(result: Result, command: str, option: str, message: str) -> None:
    """The command stopped as Click stops on a bad option: usage, the option named, exit 2."""
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"Usage: gutaudio {command} [OPTIONS]\nTry 'gutaudio {command} -h' for help.\n\n"
               f"Error: Invalid value for '{option}': {message}\n")


def assert_error(result: Result, line: str, exit_code: int) -> None:
    """The command failed with exactly one line on stderr, nothing on stdout, and no traceback."""
    assert (result.exit_code, result.stdout, result.stderr) == (exit_code, "", f"Error: {line}\n")
    assert isinstance(result.exception, SystemExit)


# -- --version and --help -------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"gutaudio, version {__version__}\n")


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_group_help(option: str) -> None:
    result = run(option)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Usage: gutaudio [OPTIONS] COMMAND [ARGS]..."
    assert "  Turn written health articles into narrated, tagged, podcast-ready audio." in lines
    assert "  Quick start:" in lines
    commands = lines[lines.index("Commands:") + 1:]
    assert [line.split()[0] for line in commands] == sorted(COMMAND_HELP)


COMMAND_HELP = {
    "build": ("Usage: gutaudio build [OPTIONS]",
              "Build the narrated edition of the articles in CONTENT into OUTPUT."),
    "cache": ("Usage: gutaudio cache [OPTIONS] COMMAND [ARGS]...",
              "Inspect, prune or clear the cache of synthesized clips and chapters."),
    "check": ("Usage: gutaudio check [OPTIONS] [OUTPUT_DIR]",
              "Validate a finished build in OUTPUT and print a table of rule, file, result."),
    "engines": ("Usage: gutaudio engines [OPTIONS]",
                "List the speech engines, their voices, and whether each can run here."),
    "inspect": ("Usage: gutaudio inspect [OPTIONS]",
                "Show the chapters and the exact text each will speak; makes no audio."),
    "proof": ("Usage: gutaudio proof [OPTIONS] [OUTPUT_DIR]",
              "Hear a finished build in OUTPUT back with an offline speech recognizer."),
    "serve": ("Usage: gutaudio serve [OPTIONS] [OUTPUT_DIR]",
              "Serve a finished build over HTTP so a podcast app can subscribe to it."),
}
"""Each command's usage line and summary, as a user reads them in --help (written out, not read
from the docstrings that --help renders)."""


def test_every_command_has_its_help() -> None:
    assert sorted(cli.commands) == sorted(COMMAND_HELP)


@pytest.mark.parametrize("name", sorted(COMMAND_HELP))
def test_command_help(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [COMMAND_HELP[name][0], "", "  " + COMMAND_HELP[name][1]]
    assert "  Examples:" in lines
    examples = lines[lines.index("  Examples:") + 1:lines.index("Options:") - 1]
    assert examples, f"{name} --help has an empty Examples section"
    assert all(line.startswith(f"    gutaudio {name}") for line in examples), examples
    assert "  -h, --help  " in "\n".join(lines[lines.index("Options:"):])


# -- inspect --------------------------------------------------------------------------------------


def test_inspect(tmp_path: Path) -> None:
    folder = content(tmp_path / "content")
    result = run("inspect", "--content", str(folder))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"Gut  ({folder / 'gut.txt'})",
        "",
        "1. Introduction -> gut/chapters/01-introduction.mp3",
        "   text:   Fibre feeds the gut.",
        "   pause:  350 ms",
        "   text:   It matters.",
        "   pause:  0 ms",
        "",
        "2. Causes -> gut/chapters/02-causes.mp3",
        "   text:   1. Causes",
        "   spoken: Part one. Causes.",
        "   pause:  700 ms",
        "   text:   Diet is one cause.",
        "   pause:  0 ms",
        "",
        "3. Disclaimer -> gut/chapters/03-disclaimer.mp3  [disclaimer]",
        "   text:   Disclaimer",
        "   spoken: Disclaimer.",
        "   pause:  700 ms",
        "   text:   This is for informational purposes only.",
        "   pause:  0 ms",
    ]


def test_inspect_configured_disclaimer_and_article(tmp_path: Path) -> None:
    settings = 'article = "b.md"\n' + SETTINGS + '\n[disclaimer]\ntext = "Not advice."\n'
    folder = content(tmp_path, {"a.txt": "Other.\n", "b.md": "# Sleep\n\nSleep 8 h.\n"}, settings)
    result = run("inspect", "--content", str(folder))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"Sleep  ({folder / 'b.md'})",
        "",
        "1. Introduction -> b/chapters/01-introduction.mp3",
        "  [title]",
        "   text:   Sleep",
        "   spoken: Sleep.",
        "   pause:  700 ms",
        "   text:   Sleep 8 h.",
        "   spoken: Sleep eight hours.",
        "   pause:  0 ms",
        "",
        "2. Disclaimer -> b/chapters/02-disclaimer.mp3  [disclaimer]",
        "   text:   Disclaimer",
        "   spoken: Disclaimer.",
        "   pause:  700 ms",
        "   text:   Not advice.",
        "   pause:  0 ms",
    ]


def test_an_article_without_a_disclaimer_fails_naming_it_and_both_fixes(tmp_path: Path) -> None:
    folder = content(tmp_path / "content",
                     {"gut.txt": "Fibre feeds the gut. Talk to your doctor about it.\n"})
    for command in ("inspect", "build"):
        result = run(command, "--content", str(folder), "--output", str(tmp_path / "out"))
        assert_error(result, f"{folder / 'gut.txt'}: no medical disclaimer found; add one to the article, "
                     'or give every article a default with [disclaimer] default = "..." in gutaudio.toml '
                     "([disclaimer] required = false builds without one)", 1)
    assert not (tmp_path / "out").exists()


def test_required_false_warns_on_stderr(tmp_path: Path) -> None:
    folder = content(tmp_path, {"gut.txt": "Fibre feeds the gut.\n"},
                     SETTINGS + "\n[disclaimer]\nrequired = false\n")
    result = run("inspect", "--content", str(folder))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-3:] == [
        "1. Introduction -> gut/chapters/01-introduction.mp3",
        "   text:   Fibre feeds the gut.",
        "   pause:  0 ms",
    ]
    assert result.stderr == (
        f"Warning: {folder / 'gut.txt'}: no medical disclaimer found; the audio will ship without "
        "one ([disclaimer] required = false)\n"
    )


def test_a_show_default_disclaimer_stands_in_only_where_an_article_has_none(tmp_path: Path) -> None:
    folder = content(tmp_path, {
        "a.txt": "Fibre feeds the gut.\n",
        "b.txt": "Sleep well.\n\nThis article is for informational purposes only.\n",
    }, SETTINGS + '\n[disclaimer]\ndefault = "Our show\'s standard disclaimer: not medical advice."\n')
    result = run("inspect", "--content", str(folder))
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert "   text:   Our show's standard disclaimer: not medical advice." in lines
    assert "   text:   This article is for informational purposes only." in lines
    assert lines.count("   text:   Our show's standard disclaimer: not medical advice.") == 1


# -- errors: one line, non-zero exit, no traceback ------------------------------------------------


def test_missing_content_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert_usage_error(run("inspect", "--content", str(missing)), "inspect", "--content",
                       f"{missing}: content folder does not exist")


def test_invalid_config(tmp_path: Path) -> None:
    folder = content(tmp_path, settings=SETTINGS.replace('"owner@example.org"', '"owner"')
                     + "[audio]\nbitrate_kbps = 100\n")
    assert_error(
        run("inspect", "--content", str(folder)),
        f"{folder / 'gutaudio.toml'}: show.owner_email 'owner' is not an e-mail address; "
        "audio.bitrate_kbps 100 is not an MPEG-1 Layer III bitrate (valid: 32, 40, 48, 56, 64, 80, "
        "96, 112, 128, 160, 192, 224, 256, 320)",
        2,
    )


def test_invalid_toml(tmp_path: Path) -> None:
    folder = content(tmp_path, settings="[show\n")
    assert_error(
        run("inspect", "--content", str(folder)),
        f"{folder / 'gutaudio.toml'}: not valid TOML: Expected ']' at the end of a table declaration "
        "(at line 1, column 6)",
        2,
    )


def test_missing_config(tmp_path: Path) -> None:
    folder = content(tmp_path)
    (folder / "gutaudio.toml").unlink()
    assert_error(
        run("inspect", "--content", str(folder)),
        f"{folder / 'gutaudio.toml'}: file not found; [show] is missing required settings: title, "
        "author, description, link, owner_email, base_url",
        2,
    )


def test_error_is_one_line_even_when_a_value_spans_lines(tmp_path: Path) -> None:
    folder = content(tmp_path, settings=SETTINGS + 'language = """e\nn"""\n')
    assert_error(
        run("inspect", "--content", str(folder)),
        f"{folder / 'gutaudio.toml'}: show.language 'e n' is not an ISO 639 code such as en or en-us",
        2,
    )


def test_unknown_engine_option(tmp_path: Path) -> None:
    folder = content(tmp_path)
    result = run("inspect", "--content", str(folder), "--engine", "festival")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--engine': unknown engine 'festival' (valid: piper, gtts, espeak)"
    )
    assert "Traceback" not in result.stderr


def test_missing_voice_option(tmp_path: Path) -> None:
    folder = content(tmp_path)
    voice = tmp_path / "voices" / "x.onnx"
    assert_usage_error(run("inspect", "--content", str(folder), "--voice", str(voice)), "inspect",
                       "--voice", f"voice model '{voice}' does not exist")


def test_no_article(tmp_path: Path) -> None:
    folder = content(tmp_path, {"notes.pdf": "x"})
    assert_error(run("inspect", "--content", str(folder)),
                 f"{folder}: no article (.docx, .htm, .html, .markdown, .md, .text, .txt) found", 1)


def test_two_articles_are_both_inspected_in_name_order(tmp_path: Path) -> None:
    folder = content(tmp_path, {"b.txt": ARTICLE, "a.md": ARTICLE})
    result = run("inspect", "--content", str(folder))
    assert result.exit_code == 0, result.stderr
    titles = [line for line in result.stdout.splitlines() if line.endswith(".md)") or
              line.endswith(".txt)")]
    assert titles == [f"A  ({folder / 'a.md'})", f"B  ({folder / 'b.txt'})"]
    assert "1. Introduction -> a/chapters/01-introduction.mp3" in result.stdout.splitlines()
    assert "1. Introduction -> b/chapters/01-introduction.mp3" in result.stdout.splitlines()


def test_empty_article(tmp_path: Path) -> None:
    folder = content(tmp_path, {"gut.txt": ""})
    assert_error(run("inspect", "--content", str(folder)), f"{folder / 'gut.txt'}: has no text to speak", 1)


def test_blank_article(tmp_path: Path) -> None:
    folder = content(tmp_path, {"gut.md": "\n  \n\t\n"})
    assert_error(run("inspect", "--content", str(folder)), f"{folder / 'gut.md'}: has no text to speak", 1)


# -- engines --------------------------------------------------------------------------------------


@responses.activate
def test_engines_with_network() -> None:
    responses.add(responses.HEAD, GOOGLE, status=200)
    result = run("engines")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:2] == [
        "piper   available    en_US-joe-medium  (offline neural voice)",
        "gtts    available    en via translate.google.com  (online voice from translate.google.com)",
    ]
    assert result.stdout.splitlines()[2].startswith("espeak  ")
    assert [call.request.url for call in responses.calls] == [GOOGLE]


@responses.activate
def test_engines_without_network() -> None:
    responses.add(responses.HEAD, GOOGLE, body=requests.ConnectionError("network is unreachable"))
    result = run("engines")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:2] == [
        "piper   available    en_US-joe-medium  (offline neural voice)",
        "gtts    unavailable  en via translate.google.com  (needs the network; translate.google.com "
        "is not reachable (ConnectionError))",
    ]
    assert len(responses.calls) == 1


@responses.activate
def test_engines_with_a_missing_voice(tmp_path: Path) -> None:
    responses.add(responses.HEAD, GOOGLE, status=200)
    voice = tmp_path / "en_GB-alan-medium.onnx"
    result = run("engines", "--voice", str(voice))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] == f"piper   unavailable  en_GB-alan-medium  ({voice} is missing)"
