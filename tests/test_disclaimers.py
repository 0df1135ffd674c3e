"""Table tests for gutaudio.disclaimers: disclaimer paragraphs, ordinary text, labels, headings, speed."""

from __future__ import annotations

import ast
import inspect
import re
import time
import tomllib
from pathlib import Path

import pytest

from gutaudio import disclaimers
from gutaudio.disclaimers import (
    disclaimer_cues,
    disclaimer_label,
    disclaimer_score,
    is_disclaimer,
    is_disclaimer_heading,
)

FIXTURE = Path(__file__).parent / "fixtures" / "disclaimers.toml"
TABLE = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))
DISCLAIMERS: list[str] = TABLE["disclaimers"]
ORDINARY: list[str] = TABLE["ordinary"]
LABELS: list[dict[str, str]] = TABLE["labels"]
HEADINGS: list[str] = TABLE["headings"]
NOT_HEADINGS: list[str] = TABLE["not_headings"]

TIME_LIMIT_S = 2.0
"""Generous: the classifier takes well under 0.1 s per 100 KB; shared CI machines are noisy."""

# Typographic characters used in the table, and their ASCII forms.
ASCII = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def _ids(texts: list[str], prefix: str) -> list[str]:
    """Readable test ids: a prefix, the row number and the first words of the text."""
    ids = []
    for number, text in enumerate(texts, 1):
        words = re.findall(r"[a-z0-9]+", text.lower())[:7]
        ids.append(f"{prefix}{number:02d}-" + ("-".join(words) or "empty"))
    return ids


def _ordinary_text(size: int) -> str:
    """About `size` characters of ordinary health prose, paragraphs separated by blank lines."""
    paragraphs = []
    while sum(len(p) + 2 for p in paragraphs) < size:
        paragraphs.extend(ORDINARY)
    return "\n\n".join(paragraphs)[:size]


def test_the_table_is_big_and_clean() -> None:
    assert len(DISCLAIMERS) >= 50
    assert len(ORDINARY) >= 30
    assert len(LABELS) >= 10
    assert len(set(DISCLAIMERS)) == len(DISCLAIMERS), "a disclaimer is listed twice"
    assert len(set(ORDINARY)) == len(ORDINARY), "an ordinary text is listed twice"
    assert not set(DISCLAIMERS) & set(ORDINARY), "a text is listed as both"
    assert all(text.strip() == text and text for text in DISCLAIMERS + ORDINARY)


@pytest.mark.parametrize("text", DISCLAIMERS, ids=_ids(DISCLAIMERS, "d"))
def test_disclaimer_is_recognised(text: str) -> None:
    assert is_disclaimer(text), f"score {disclaimer_score(text)}, cues {disclaimer_cues(text)}"


@pytest.mark.parametrize("text", ORDINARY, ids=_ids(ORDINARY, "o"))
def test_ordinary_text_is_not_a_disclaimer(text: str) -> None:
    assert not is_disclaimer(text), f"score {disclaimer_score(text)}, cues {disclaimer_cues(text)}"


@pytest.mark.parametrize("text", DISCLAIMERS, ids=_ids(DISCLAIMERS, "d"))
def test_case_and_typography_do_not_matter_for_a_disclaimer(text: str) -> None:
    assert is_disclaimer(text.upper())
    assert is_disclaimer(text.translate(ASCII))
    assert is_disclaimer("  " + text.replace(" ", " \n ") + "\n")


@pytest.mark.parametrize("text", ORDINARY, ids=_ids(ORDINARY, "o"))
def test_case_and_typography_do_not_matter_for_ordinary_text(text: str) -> None:
    assert not is_disclaimer(text.upper())
    assert not is_disclaimer(text.translate(ASCII))


def test_typographic_quotes_and_dashes_are_tolerated() -> None:
    for text in (
        "This isn\u2019t medical advice.",
        "It\u2019s not a substitute for professional medical advice \u2014 ask your GP.",
        "No doctor\u2013patient relationship is created by this newsletter.",
        "No doctor\u2011patient relationship is created by this newsletter.",  # non-breaking hyphen
        "Nothing\u00a0on this site constitutes\u00a0medical advice.",  # no-break spaces
        "Not medi\u00adcal advice.",  # soft hyphen
        "Not med\u200bical ad\u200cvice.",  # zero-width space and non-joiner
        "\ufeffNot medical advice.",  # byte-order mark
        "Not \uff4dedical advice.",  # fullwidth letter, folded by NFKC
        "MEDICAL DISCLAIMER \u2014 read this first.",
    ):
        assert is_disclaimer(text), text


def test_invisible_characters_inside_a_word_are_ignored() -> None:
    assert is_disclaimer("This is not med\u00adical ad\u200bvice.")
    assert not is_disclaimer("This is not med\u00adical tre\u200batment.")


def test_empty_and_blank_text() -> None:
    assert not is_disclaimer("")
    assert not is_disclaimer(" \n\t ")
    assert disclaimer_score("") == 0
    assert disclaimer_cues("") == ()
    assert disclaimer_label("") == 0


# --- the score: strong cues alone, weak cues together, a length guard ---

WEAK_ONLY = "Individual results may vary; speak with your doctor before making changes to your diet."
STRONG_SENTENCE = "This article is not a substitute for professional medical advice."
FILLER = (
    "The large intestine absorbs water and salts from what is left of the food we eat, and the "
    "bacteria that live there ferment fibre into short-chain fatty acids that feed the cells of "
    "the gut lining. "
)


def test_a_strong_cue_alone_is_enough() -> None:
    assert disclaimer_cues("Not medical advice.") == ("not-medical-advice",)
    assert disclaimer_score("Not medical advice.") == disclaimers.STRONG
    assert is_disclaimer("Not medical advice.")


def test_one_weak_cue_is_not_enough_but_several_are() -> None:
    assert disclaimer_cues("Talk to your doctor if the pain lasts more than a week.") == ("consult",)
    assert disclaimer_score("Talk to your doctor before starting any new supplement.") < disclaimers.THRESHOLD
    assert not is_disclaimer("Talk to your doctor before starting any new supplement.")
    assert set(disclaimer_cues(WEAK_ONLY)) == {"results-vary", "consult", "before-changes"}
    assert disclaimer_score(WEAK_ONLY) >= disclaimers.THRESHOLD
    assert is_disclaimer(WEAK_ONLY)


def test_a_long_paragraph_needs_a_strong_cue() -> None:
    long_paragraph = FILLER * 8 + WEAK_ONLY
    assert disclaimer_score(long_paragraph) == disclaimer_score(WEAK_ONLY)
    assert not is_disclaimer(long_paragraph), "the length guard let a long ordinary paragraph through"
    assert is_disclaimer(FILLER * 8 + STRONG_SENTENCE), "a strong cue must count whatever the length"


def test_the_length_guard_scales_with_the_score() -> None:
    score = disclaimer_score(WEAK_ONLY)
    room = disclaimers.WORDS_PER_POINT * score - len(WEAK_ONLY.split())
    filler_words = FILLER.split()
    just_fits = " ".join((filler_words * 10)[:room]) + " " + WEAK_ONLY
    one_too_many = " ".join((filler_words * 10)[: room + 1]) + " " + WEAK_ONLY
    assert disclaimer_score(just_fits) == score
    assert is_disclaimer(just_fits)
    assert not is_disclaimer(one_too_many)


def test_cues_are_counted_once() -> None:
    once = "Talk to your doctor."
    assert disclaimer_score(once * 5) == disclaimer_score(once) == disclaimers.WEAK
    assert not is_disclaimer(" ".join([once] * 5))


def test_cues_are_listed_strong_first() -> None:
    cues = disclaimer_cues("Disclaimer: talk to your doctor. Results may vary. This is not medical advice.")
    assert cues == ("label", "not-medical-advice", "disclaimer-word", "results-vary", "consult")


def test_gates_never_hide_a_match() -> None:
    """A cue's gate words are an optimisation only: every text its pattern matches contains one."""
    probes = [*DISCLAIMERS, *ORDINARY, *(c["text"] for c in LABELS), WEAK_ONLY, STRONG_SENTENCE, FILLER]
    for text in probes:
        lower = disclaimers._flatten(text).lower()
        for cue in disclaimers._CUES:
            if cue.gate and re.search(cue.source, lower):
                assert any(word in lower for word in cue.gate), f"{cue.name} matched {text!r} past its gate"


# --- labels ---


@pytest.mark.parametrize("case", LABELS, ids=_ids([c["text"] for c in LABELS], "l"))
def test_label(case: dict[str, str]) -> None:
    text, label = case["text"], case["label"]
    assert text.startswith(label), "bad table row: the label must be a prefix of the text"
    assert text[: disclaimer_label(text)] == label


@pytest.mark.parametrize("case", [c for c in LABELS if c["label"]],
                         ids=_ids([c["text"] for c in LABELS if c["label"]], "l"))
def test_a_labelled_paragraph_is_a_disclaimer(case: dict[str, str]) -> None:
    assert is_disclaimer(case["text"])


def test_stripping_the_label_leaves_the_text() -> None:
    text = "Medical disclaimer \u2014   This podcast is not a substitute for your GP."
    assert text[disclaimer_label(text):] == "This podcast is not a substitute for your GP."


# --- headings ---


@pytest.mark.parametrize("title", HEADINGS, ids=_ids(HEADINGS, "h"))
def test_disclaimer_heading(title: str) -> None:
    assert is_disclaimer_heading(title)
    assert is_disclaimer_heading(title.upper())


@pytest.mark.parametrize("title", NOT_HEADINGS, ids=_ids(NOT_HEADINGS, "n"))
def test_not_a_disclaimer_heading(title: str) -> None:
    assert not is_disclaimer_heading(title)


# --- speed: linear time, no catastrophic backtracking ---


def test_100_kb_of_ordinary_text_is_classified_quickly() -> None:
    text = _ordinary_text(100_000)
    assert len(text) == 100_000
    paragraphs = text.split("\n\n")
    start = time.perf_counter()
    whole = is_disclaimer(text)
    any_paragraph = any(is_disclaimer(p) for p in paragraphs)
    elapsed = time.perf_counter() - start
    assert not whole, "100 KB of ordinary text passed the length guard"
    assert not any_paragraph
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.2f} s for 100 KB"


PATHOLOGICAL = {
    "not-a": "not a " * 17_000,
    "no-substitute": "not substitute for " * 5_300,
    "filler": "not " + "be " * 33_000,
    "object-gap": "no substitute for the the a a your own " * 2_500,
    "nothing": "nothing is " * 9_100,
    "relationship": "doctor-patient relationship " * 3_600,
    "own-risk": "use information at your own " * 3_600,
    "treat": "not to diagnose or treat or cure " * 3_000,
    "label": "medical " * 12_500,
    "no-punctuation": "a" * 100_000,
    "punctuation": ", - . " * 16_700,
    "one-long-gap": "not " + "x" * 99_980 + " substitute for advice",
    "gate-words": "advice not purpose only relationship risk warrant responsible disclaimer vary general "
    * 1_100,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_text_is_classified_quickly(text: str) -> None:
    assert len(text) >= 90_000
    start = time.perf_counter()
    is_disclaimer(text)
    disclaimer_score(text)
    disclaimer_label(text)
    is_disclaimer_heading(text)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.2f} s for {len(text)} characters"


# --- the module stays pure ---


def test_the_module_is_pure() -> None:
    tree = ast.parse(inspect.getsource(disclaimers))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no imports from the rest of gutaudio"
            imported.add(node.module or "")
        elif isinstance(node, ast.Name):
            assert node.id not in {"open", "print", "input", "exec", "eval"}, f"I/O or eval: {node.id}"
    assert imported <= {"__future__", "re", "unicodedata", "collections.abc", "typing", "functools"}, imported


def test_public_functions_have_one_line_docstrings() -> None:
    public = [obj for name, obj in vars(disclaimers).items()
              if inspect.isfunction(obj) and not name.startswith("_")
              and obj.__module__ == disclaimers.__name__]
    assert {f.__name__ for f in public} >= {"is_disclaimer", "disclaimer_label", "is_disclaimer_heading"}
    for function in public:
        doc = function.__doc__ or ""
        assert doc and "\n" not in doc.strip(), f"{function.__name__} needs a one-line docstring"
