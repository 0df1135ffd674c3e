"""`gutaudio proof`: a build heard back by faster-whisper (Whisper tiny.en, from its PyPI package),
its words lined up with the author's text; the comparison itself with words given by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gutaudio.captions import TimedWord
from gutaudio.cli import cli
from gutaudio.manifest import ChapterRecord, UtteranceRecord
from gutaudio.proof import ChapterProof, ProofReport, proof_chapter
from gutaudio.recognizer import HeardWord

from .conftest import SHORT_ARTICLE, write_content


def _chapter(*utterances: UtteranceRecord) -> ChapterRecord:
    return ChapterRecord(filename="01-intro.mp3", index=1, title="Intro", disclaimer=False,
                         file="article/chapters/01-intro.mp3", duration=60.0, bytes=1, gain=0.0,
                         levelling="", mp3_frames=1, audio_fingerprint="", tags_fingerprint="",
                         loudness=None, timings=tuple((u.start, u.end) for u in utterances),
                         utterances=utterances)


def _heard(text: str, start: float = 0.0) -> list[HeardWord]:
    return [HeardWord(word, start + n * 0.3, start + n * 0.3 + 0.25, 0.9)
            for n, word in enumerate(text.split())]


@pytest.mark.parametrize(("text", "spoken", "heard"), [
    ("Take 5 mg daily.", "Take five milligrams daily.", "Take five milligrams daily."),
    ("Take 5 mg daily.", "Take five milligrams daily.", "Take 5mg daily."),
    ("See a healthcare professional.", "See a healthcare professional.", "See a health care professional."),
    ("Ask Dr. Okafor.", "Ask doctor Okafor.", "Ask Doctor Okafor."),
    ("Eat more fibre, e.g. oats.", "Eat more fibre, for example oats.", "Eat more fiber, for example, oats."),
    ("About 50% of us.", "About fifty percent of us.", "About 50 percent of us."),
])
def test_the_same_words_written_otherwise_are_heard(text: str, spoken: str, heard: str) -> None:
    proof = proof_chapter("article", _chapter(UtteranceRecord(0.0, 3.0, text, spoken)), _heard(heard))
    assert (proof.missed_words, proof.missed) == (0, ())
    assert proof.words == len(text.split())  # the author's words, however they are compared


def test_a_word_heard_as_another_is_missed_with_its_time_sentence_and_what_was_heard() -> None:
    words = (TimedWord("Crohn's", 1.2, 1.7), TimedWord("disease", 1.7, 2.3), TimedWord("flares.", 2.3, 2.9))
    utterance = UtteranceRecord(1.0, 3.0, "Crohn's disease flares.", "krones disease flares.", words)
    proof = proof_chapter("article", _chapter(utterance), _heard("Chrome's disease flares.", 1.2),
                          phonemes=lambda text: f"/{text}/")
    assert proof.missed_words == 1 and proof.words == 3
    [missed] = proof.missed
    assert (missed.word, missed.time, missed.heard, missed.spoken, missed.phonemes) == (
        "Crohn's", 1.2, "Chrome's", "krones", "/krones/")
    assert missed.sentence == "Crohn's disease flares." and missed.chapter == "01-intro.mp3"
    assert proof.missed_percent == pytest.approx(100 / 3)


def test_a_word_given_as_phonemes_has_those_phonemes() -> None:
    ipa = "o\u028am\u02c8\u025bp\u0279\u0259zo\u028al"  # stress marks: escaped, as ruff asks
    utterance = UtteranceRecord(0, 2, "Take omeprazole.", f"Take [[{ipa}]].")
    proof = proof_chapter("article", _chapter(utterance), _heard("Take omepsil."),
                          phonemes=lambda text: f"/{text}/")
    [missed] = proof.missed
    assert (missed.word, missed.spoken, missed.phonemes) == ("omeprazole.", f"[[{ipa}]].", ipa)


def test_a_word_not_heard_at_all_is_missed_and_without_word_times_has_its_sentence_start() -> None:
    utterance = UtteranceRecord(4.5, 6.0, "Stress matters too.", "Stress matters too.")
    proof = proof_chapter("article", _chapter(utterance), _heard("matters too.", 4.6))
    [missed] = proof.missed
    assert (missed.word, missed.heard, missed.time) == ("Stress", "", 4.5)


def test_a_longer_word_heard_in_place_of_a_short_one_is_missed() -> None:
    proof = proof_chapter("article", _chapter(UtteranceRecord(0, 2, "The gut heals.", "The gut heals.")),
                          _heard("The gutter heals."))
    assert [m.word for m in proof.missed] == ["gut"]


def test_nothing_heard_misses_every_word_and_the_report_adds_chapters_up() -> None:
    first = proof_chapter("a", _chapter(UtteranceRecord(0, 2, "Gut health matters.", "Gut health matters.")),
                          [])
    second = proof_chapter("a", _chapter(UtteranceRecord(0, 2, "Sleep well.", "Sleep well.")),
                           _heard("Sleep well."))
    report = ProofReport("tiny.en", 5, (first, second))
    assert (report.words, report.missed_words) == (5, 3)
    assert report.missed_percent == pytest.approx(60.0)
    assert report.passed(None) and report.passed(60) and not report.passed(59.9)
    data = report.as_json()
    assert data["missed_percent"] == 60.0 and [c["missed_words"] for c in data["chapters"]] == [3, 0]
    assert ChapterProof("a", "x.mp3", "X", 0, 0, (), "").missed_percent == 0.0


# -- the real recognizer on real builds ---------------------------------------------------------------

def _run(*args: str) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, list(args), prog_name="gutaudio")


@pytest.fixture(scope="module")
def mispronounced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The short article built with a deliberately bad lexicon entry: fibre said as 'zorbleflax'."""
    root = tmp_path_factory.mktemp("proof")
    content = write_content(root / "content", SHORT_ARTICLE)
    (content / "lexicon.toml").write_text('[words]\nfibre = "zorbleflax"\n', encoding="utf-8")
    result = _run("build", "-q", "--content", str(content), "--output", str(root / "output"))
    assert result.exit_code == 0, result.output + result.stderr
    return root


def test_proof_catches_a_deliberately_bad_lexicon_entry(mispronounced: Path) -> None:
    result = _run("proof", str(mispronounced / "output"), "--content", str(mispronounced / "content"),
                  "--model", "tiny.en", "--json")
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(result.output)
    assert report["model"] == "tiny.en" and report["beam_size"] == 5
    assert [c["chapter"] for c in report["chapters"]] == [
        "01-introduction.mp3", "02-diet-and-sleep.mp3", "03-disclaimer.mp3"]
    assert report["words"] == sum(c["words"] for c in report["chapters"]) > 20
    [bad] = [m for c in report["chapters"] for m in c["missed"] if m["word"].startswith("fibre")]
    assert bad["spoken"] == "zorbleflax" and bad["phonemes"]  # what the voice was given, as phonemes
    assert "25-30 g of fibre daily" in bad["sentence"]
    assert bad["heard"] != "fibre"


def test_max_missed_gates_the_exit_code_and_the_table_lists_every_chapter(mispronounced: Path) -> None:
    output, content = str(mispronounced / "output"), str(mispronounced / "content")
    failed = _run("proof", output, "--content", content, "--model", "tiny.en", "--max-missed", "0")
    assert failed.exit_code == 1
    assert "of the author's words were not heard, over the limit of 0%" in failed.stderr
    assert "short-article/02-diet-and-sleep.mp3" in failed.output and "'fibre'" in failed.output
    assert failed.output.splitlines()[-1].startswith("Not heard: ")
    assert "Whisper tiny.en, beam 5" in failed.output
    passed = _run("proof", output, "--content", content, "--model", "tiny.en", "--max-missed", "100")
    assert passed.exit_code == 0


def test_a_model_that_is_not_a_model_folder_is_a_usage_error_naming_the_option(
        mispronounced: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for model in (str(tmp_path / "missing"), str(tmp_path / "empty")):
        result = _run("proof", str(mispronounced / "output"), "--content", str(mispronounced / "content"),
                      "--model", model)
        assert result.exit_code == 2
        assert "Invalid value for '--model'" in result.stderr and "Traceback" not in result.stderr
    assert "has no model.bin or config.json" in result.stderr


def test_a_folder_without_a_build_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    result = _run("proof", str(tmp_path / "output"), "--content", str(tmp_path / "nothing"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'output' / 'build.json'}: no finished build here; run gutaudio build first"]
