"""Checked suggestions: pronunciations tried in the word's sentence and heard again before they are
proposed; the lexicon file they are written to keeps everything else in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gutaudio.cli import cli
from gutaudio.config import read_lexicon
from gutaudio.engines.base import Clip
from gutaudio.manifest import UtteranceRecord
from gutaudio.recognizer import HeardWord
from gutaudio.suggest import (
    arpabet_to_ipa,
    candidates,
    check_candidate,
    lexicon_key,
    restressed,
    write_lexicon,
)


def test_cmudict_phones_become_the_voice_s_ipa() -> None:
    assert arpabet_to_ipa(["F", "AY1", "B", "ER0"]) == "fˈaɪbɚ"
    assert arpabet_to_ipa(["HH", "IH0", "P", "AO1", "K", "R", "AH0", "T", "IY0", "Z"]) == "hɪpˈɔːkɹətiz"
    with pytest.raises(ValueError, match="not an ARPAbet phone"):
        arpabet_to_ipa(["QQ1"])


def test_candidates_come_from_cmudict_compounds_and_the_voice_restressed() -> None:
    assert candidates("fibre", "zˈɔːɹbəlflæks")[0] == ("fˈaɪbɚ", "CMUdict")
    undigested = candidates("undigested", "ʌndaɪdʒˈɛstᵻd")
    assert undigested[0] == ("ˌʌndˈaɪdʒˌɛstɪd", "CMUdict un + digested")
    assert ("ʌndˈaɪdʒɛstᵻd", "the voice's phonemes, stressed otherwise") in undigested
    assert all(ipa != "ʌndaɪdʒˈɛstᵻd" for ipa, _ in undigested)  # never what the voice said already
    assert restressed("bˈaɪoʊm") == ["baɪˈoʊm"]
    assert len(candidates("hippocrates", None)) == 2


def test_a_lexicon_key_is_one_word_without_punctuation() -> None:
    assert [lexicon_key(w) for w in ["Hippocrates,", "5 mg", "Crohn's", "25", "\u201cOkafor.\u201d"]] == [
        "Hippocrates", None, "Crohn's", None, "Okafor"]


def _fake(heard: list[str]):
    """A synthesizer that says nothing, and a recognizer that hears the given texts in turn."""
    said: list[str] = []

    def synthesize(text: str) -> Clip:
        said.append(text)
        return Clip(b"\x00\x00" * 100, 22050)

    def hear(clip: Clip) -> list[HeardWord]:
        return [HeardWord(w, 0.0, 0.1, 1.0) for w in heard[len(said) - 1].split()]

    return synthesize, hear, said


def test_a_candidate_is_proposed_only_when_it_is_heard_right_every_time() -> None:
    utterance = UtteranceRecord(0, 2, "Eat more fibre daily.", "Eat more zorbleflax daily.")
    spoken = "Eat more [[fˈaɪbɚ]] daily."
    synthesize, hear, said = _fake(["Eat more fiber daily.", "Eat more fiber daily."])
    assert check_candidate(utterance, 2, spoken, synthesize, hear) == (
        "Eat more fiber daily.", "Eat more fiber daily.")
    assert said == [spoken, spoken]  # synthesized and heard twice
    synthesize, hear, said = _fake(["Eat more fiber daily.", "Eat more fighter daily."])
    assert check_candidate(utterance, 2, spoken, synthesize, hear) is None  # heard wrong the second time
    synthesize, hear, _ = _fake(["Eat fiber daily.", "Eat fiber daily."])
    assert check_candidate(utterance, 2, spoken, synthesize, hear) is None  # it cost another word
    synthesize, hear, _ = _fake(["Eat fiber daily.", "Eat fiber daily."])
    assert check_candidate(utterance, 2, spoken, synthesize, hear, others_lost=1) is not None


def test_written_entries_replace_the_same_word_and_keep_the_rest(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('# our house style\n[words]\nFibre = "zorbleflax"  # a bad one\ncaecum = "see-kum"\n',
                       encoding="utf-8")
    write_lexicon(lexicon, {"fibre": "[[fˈaɪbɚ]]", "biome": "[[bˈaɪoʊm]]"})
    text = lexicon.read_text(encoding="utf-8")
    assert text.startswith("# our house style\n")
    assert read_lexicon(lexicon) == (("Fibre", "[[fˈaɪbɚ]]"), ("caecum", "see-kum"), ("biome", "[[bˈaɪoʊm]]"))
    fresh = tmp_path / "new" / "lexicon.toml"
    fresh.parent.mkdir()
    write_lexicon(fresh, {"biome": "[[bˈaɪoʊm]]"})
    assert read_lexicon(fresh) == (("biome", "[[bˈaɪoʊm]]"),)


def test_a_suggestion_for_a_bad_lexicon_entry_is_heard_again_and_written(tmp_path_factory) -> None:
    from .conftest import SHORT_ARTICLE, write_content

    root = tmp_path_factory.mktemp("suggest")
    content = write_content(root / "content", SHORT_ARTICLE)
    lexicon = content / "lexicon.toml"
    lexicon.write_text('[words]\n# a deliberately bad entry\nfibre = "zorbleflax"\n', encoding="utf-8")
    runner = CliRunner(mix_stderr=False)
    built = runner.invoke(cli, ["build", "-q", "--content", str(content), "--output", str(root / "out")])
    assert built.exit_code == 0, built.stderr
    result = runner.invoke(cli, ["proof", str(root / "out"), "--content", str(content), "--model", "tiny.en",
                                 "--write-lexicon", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.output)
    [fibre] = [s for s in data["suggestions"] if s["word"].startswith("fibre")]
    assert fibre["proposed"] == "[[fˈaɪbɚ]]" and fibre["source"] == "CMUdict"
    assert len(fibre["heard"]) == 2 and all("fib" in h.lower() for h in fibre["heard"])
    assert data["lexicon_written"] == str(lexicon)
    assert dict(read_lexicon(lexicon))["fibre"] == "[[fˈaɪbɚ]]"
    assert lexicon.read_text(encoding="utf-8").count("# a deliberately bad entry") == 1
