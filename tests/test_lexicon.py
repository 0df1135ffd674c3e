"""The pronunciation lexicon: whole words of the spoken text only."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gutaudio.cli import cli
from gutaudio.config import read_lexicon
from gutaudio.errors import ConfigError
from gutaudio.speech import apply_lexicon

from .conftest import write_content

LEXICON = (("Hippocrates", "hippo-crateez"), ("celiac", "seelee-ak"), ("Crohn", "krone"),
           ("Crohn's", "krones"), ("IBS", "eye-bee-ess"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("As Hippocrates said.", "As hippo-crateez said."),
        ("Celiac, CELIAC and celiac.", "seelee-ak, seelee-ak and seelee-ak."),
        ("non-celiac gluten sensitivity", "non-seelee-ak gluten sensitivity"),
        ("Crohn's disease and Crohn disease", "krones disease and krone disease"),
        ("Crohnsville and celiacs stay", "Crohnsville and celiacs stay"),
        ("IBS, not IBSA.", "eye-bee-ess, not IBSA."),
        ("Crohn\u2019s disease", "krone\u2019s disease"),
        ("", ""),
    ],
)
def test_apply_lexicon(text: str, expected: str) -> None:
    assert apply_lexicon(text, LEXICON) == expected


def test_empty_lexicon_changes_nothing() -> None:
    assert apply_lexicon("Celiac", ()) == "Celiac"


def test_read_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text('[words]\ncaecum = "see-kum"\n"Crohn\'s" = "krones"\n', encoding="utf-8")
    assert read_lexicon(path) == (("caecum", "see-kum"), ("Crohn's", "krones"))
    assert read_lexicon(tmp_path / "missing.toml") == ()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('[words]\ncaecum = ""\n', "'caecum' must map to a non-empty respelling in quotes"),
        ("[words]\ncaecum = 3\n", "'caecum' must map to a non-empty respelling in quotes"),
        ('[words]\n"two words" = "x"\n', "'two words' must be a single word"),
    ],
)
def test_bad_lexicon_entries_are_named(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_lexicon(path)
    assert str(error.value) == f"{path}: {problem}"


def test_inspect_shows_the_spoken_form_after_the_lexicon(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", article=(
        "Celiac disease is common.\n\nThis site offers information designed for educational "
        "purposes only.\n"))
    (content / "lexicon.toml").write_text('[words]\nceliac = "seelee-ak"\n', encoding="utf-8")
    result = CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--content", str(content)])
    assert result.exit_code == 0, result.stderr
    assert "   text:   Celiac disease is common.\n" \
           "   spoken: seelee-ak disease is common.\n" in result.output


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('[word]\ncaecum = "see-kum"\n', "unknown table [word]; did you mean [words]?"),
        ('[Words]\ncaecum = "see-kum"\n', "unknown table [Words]; did you mean [words]?"),
        ('[words]\ncaecum = "see-kum"\n[extra]\nx = "y"\n',
         "unknown table [extra]; a lexicon has only a [words] table"),
        ('[wrods]\na = "b"\n[names]\nc = "d"\n', "unknown table [wrods]; did you mean [words]?; "
         "unknown table [names]; a lexicon has only a [words] table"),
    ],
)
def test_an_unknown_lexicon_table_is_named(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_lexicon(path)
    assert str(error.value) == f"{path}: {problem}"


def test_a_misnamed_lexicon_table_is_one_error_line(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content")
    (content / "lexicon.toml").write_text('[word]\nceliac = "seelee-ak"\n', encoding="utf-8")
    result = CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--content", str(content)])
    assert (result.exit_code, result.output) == (2, "")
    assert result.stderr == (
        f"Error: {content / 'lexicon.toml'}: unknown table [word]; did you mean [words]?\n")


def test_a_lexicon_without_a_table_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text('caecum = "see-kum"\n', encoding="utf-8")
    assert read_lexicon(path) == (("caecum", "see-kum"),)


def _settings(tmp_path: Path, voice: str = "", speech: str = "", own: str = ""):
    from gutaudio.config import load_settings

    from .conftest import MINIMAL_SHOW

    content = tmp_path / "content"
    content.mkdir()
    (content / "gutaudio.toml").write_text(MINIMAL_SHOW + voice + speech, encoding="utf-8")
    if own:
        (content / "lexicon.toml").write_text(own, encoding="utf-8")
    return load_settings(content, tmp_path / "output")


def test_the_health_lexicon_is_used_with_the_bundled_voice_and_the_article_s_own_entries_win(
        tmp_path: Path) -> None:
    from gutaudio.config import health_lexicon

    shipped = health_lexicon()
    assert shipped, "gutaudio's own lexicon has entries"
    assert all(said.startswith("[[") and said.endswith("]]") for _, said in shipped)  # phonemes for Piper
    word, _ = shipped[0]
    settings = _settings(tmp_path, own=f'[words]\n"{word.upper()}" = "my own way"\n')
    assert settings.lexicon[0] == (word.upper(), "my own way")
    assert [w for w, _ in settings.lexicon if w.casefold() == word.casefold()] == [word.upper()]
    assert set(settings.lexicon[1:]) == set(shipped[1:])


@pytest.mark.parametrize(("voice", "speech"), [
    ('\n[voice]\nengine = "espeak"\n', ""),
    ("", "\n[speech]\nhealth_lexicon = false\n"),
])
def test_the_health_lexicon_is_not_used_for_other_engines_or_when_turned_off(
        tmp_path: Path, voice: str, speech: str) -> None:
    own = '[words]\ncaecum = "see-kum"\n'
    assert _settings(tmp_path, voice, speech, own).lexicon == (("caecum", "see-kum"),)
