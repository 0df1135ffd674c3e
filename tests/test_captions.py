"""Captions to caption standards (captions.py): fixed cues for real sentences, properties, VTT and SRT."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
import re

import pytest
import srt
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gutaudio.captions import (
    TimedUtterance,
    TimedWord,
    break_cost,
    break_lines,
    caption_cues,
)
from gutaudio.config import CaptionSettings
from gutaudio.transcripts import Cue, to_srt, to_vtt

LIMITS = CaptionSettings()
MILLISECOND = dt.timedelta(milliseconds=1)
PROPERTY = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

TOXINS = ("Humans regularly come into contact with antibiotics, pesticides, contaminated tap water, and "
          "medications that the body may see as toxins.")
FIBRE = ("Most adults need about 25 grams of fibre a day (women) and 38 grams (men), according to the "
         "Institute of Medicine.")
SYMPTOMS = ("Common symptoms include: bloating, gas, cramps, food sensitivities, fatigue, headaches, and "
            "skin problems such as eczema.")
URL = "https://www.example.org/health/digestive-system/leaky-gut-syndrome-overview-2024"
GUIDANCE = f"Read the full guidance at {URL} before you start."
MELATONIN = ("For adults, the usual dose is 5 mg of melatonin taken one hour before bed, although some "
             "people need as little as 0.5 mg to fall asleep.")
WATER = ("Drink plenty of water through the day, eat more fibre from vegetables and whole grains, and sleep "
         "well.")
GRAINS = "Eat more fibre from vegetables, fruit, beans and whole grains every day, and sleep well."


def spoken(text: str, start: float, seconds: float, groups: tuple[str, ...] = ()) -> TimedUtterance:
    """Hand-made word times as a voice gives them: each word's time by its length, pauses at punctuation.

    A pause of 0.3 s follows . ; : ! ? and 0.15 s follows , or ); groups (such as "5 mg", said "five
    milligrams") are one TimedWord. Times are in whole ms.
    """
    tokens = text.split()
    for group in groups:
        parts = group.split()
        at = next(i for i in range(len(tokens)) if tokens[i:i + len(parts)] == parts)
        tokens[at:at + len(parts)] = [group]
    pauses = [0.3 if token[-1] in ".;:!?" else 0.15 if token[-1] in ",)" else 0.0 for token in tokens]
    weights = [len(token) + 1 for token in tokens]
    per_char = (seconds - sum(pauses[:-1])) / sum(weights)
    words, clock = [], start
    for token, weight, pause in zip(tokens, weights, pauses, strict=True):
        words.append(TimedWord(token, round(clock, 3), round(clock + weight * per_char, 3)))
        clock += weight * per_char + pause
    return TimedUtterance(text, start, round(start + seconds, 3), tuple(words))


# -- fixed cues for real sentences ----------------------------------------------------------------------

def test_the_137_character_sentence_read_in_8_6_seconds_becomes_two_balanced_cues() -> None:
    assert len(TOXINS) == 137
    assert caption_cues([spoken(TOXINS, 3.2, 8.6)]) == [
        Cue(3.2, 7.189, "Humans regularly come into contact\nwith antibiotics, pesticides,"),
        Cue(7.339, 11.8, "contaminated tap water, and medications\nthat the body may see as toxins."),
    ]


def test_numbers_stay_with_their_units_and_parentheses_close_a_phrase() -> None:
    assert caption_cues([spoken(FIBRE, 0.0, 7.0)]) == [
        Cue(0.0, 4.52, "Most adults need about 25 grams of fibre\na day (women) and 38 grams (men),"),
        Cue(4.67, 7.0, "according to the Institute of Medicine."),
    ]


def test_a_list_is_cut_after_its_colon_and_commas_and_before_and() -> None:
    assert caption_cues([spoken(SYMPTOMS, 0.0, 7.5)]) == [
        Cue(0.0, 3.079, "Common symptoms include:\nbloating, gas, cramps,"),
        Cue(3.229, 7.5, "food sensitivities, fatigue, headaches,\nand skin problems such as eczema."),
    ]


def test_an_unbreakable_address_longer_than_a_line_has_a_line_of_its_own() -> None:
    assert caption_cues([spoken(GUIDANCE, 0.0, 6.0)]) == [
        Cue(0.0, 1.248, "Read the full guidance at"),
        Cue(1.248, 6.0, f"{URL}\nbefore you start."),
    ]


def test_a_group_said_as_other_words_is_never_split() -> None:
    words = (TimedWord("Take", 0.0, 0.21), TimedWord("5 mg", 0.21, 0.98), TimedWord("of", 0.98, 1.06),
             TimedWord("zinc", 1.06, 1.38), TimedWord("with", 1.38, 1.52), TimedWord("food,", 1.52, 1.85),
             TimedWord("twice", 2.02, 2.31), TimedWord("a", 2.31, 2.36), TimedWord("day.", 2.36, 2.7))
    zinc = TimedUtterance("Take 5 mg of zinc with food, twice a day.", 0.0, 2.7, words)
    assert caption_cues([zinc]) == [Cue(0.0, 2.7, "Take 5 mg of zinc with food, twice a day.")]
    # In lines of 6 characters the text alone would be cut "Take 5 / mg of"; the group stays whole.
    narrow = CaptionSettings(max_line_chars=6)
    assert break_lines(zinc.text, narrow)[:2] == ["Take 5", "mg of"]
    assert caption_cues([zinc], narrow) == [
        Cue(0.0, 0.98, "Take\n5 mg"),
        Cue(0.98, 1.38, "of\nzinc"),
        Cue(1.38, 2.02, "with\nfood,"),
        Cue(2.02, 3.02, "twice\na day."),
    ]
    assert caption_cues([spoken(MELATONIN, 0.0, 8.0, ("5 mg", "0.5 mg"))]) == [
        Cue(0.0, 4.365, "For adults, the usual dose is 5 mg\nof melatonin taken one hour before bed,"),
        Cue(4.515, 8.0, "although some people need\nas little as 0.5 mg to fall asleep."),
    ]


def test_a_very_short_sentence_lasts_min_seconds_but_never_into_the_next_cue() -> None:
    yes = TimedUtterance("Yes.", 4.0, 4.4, (TimedWord("Yes.", 4.0, 4.4),))
    assert caption_cues([yes]) == [Cue(4.0, 5.0, "Yes.")]
    soon = spoken("It can heal.", 4.7, 1.1)
    assert caption_cues([yes, soon]) == [Cue(4.0, 4.7, "Yes."), Cue(4.7, 5.8, "It can heal.")]


def test_a_sentence_is_cut_so_that_no_cue_is_shorter_than_min_seconds_where_it_can_be() -> None:
    assert caption_cues([spoken(GRAINS, 0.0, 4.6)]) == [
        Cue(0.0, 1.969, "Eat more fibre from vegetables, fruit,"),
        Cue(2.119, 4.6, "beans and whole grains every day,\nand sleep well."),
    ]
    assert caption_cues([spoken(GRAINS, 0.0, 4.6)], CaptionSettings(min_seconds=2.0)) == [
        Cue(0.0, 2.398, "Eat more fibre from vegetables,\nfruit, beans"),
        Cue(2.398, 4.6, "and whole grains every day,\nand sleep well."),
    ]


def test_where_no_cut_avoids_a_short_cue_it_is_lengthened_into_the_silence_after_it() -> None:
    # 102 characters said in 1.6 s: two cues are needed, the second one 0.575 s long.
    assert caption_cues([spoken(WATER, 0.0, 1.6), spoken("Yes.", 2.0, 0.3)]) == [
        Cue(0.0, 1.025, "Drink plenty of water through the day,\neat more fibre from vegetables"),
        Cue(1.025, 2.0, "and whole grains, and sleep well."),
        Cue(2.0, 3.0, "Yes."),
    ]


def test_the_limits_are_settings() -> None:
    narrow = CaptionSettings(max_line_chars=32, max_seconds=4.0)
    assert caption_cues([spoken(TOXINS, 3.2, 8.6)], narrow) == [
        Cue(3.2, 6.33, "Humans regularly come\ninto contact with antibiotics,"),
        Cue(6.48, 8.756, "pesticides,\ncontaminated tap water,"),
        Cue(8.906, 11.8, "and medications\nthat the body may see as toxins."),
    ]
    with pytest.raises(ValueError, match="line"):
        CaptionSettings(max_lines=0)
    with pytest.raises(ValueError, match="line"):
        CaptionSettings(max_line_chars=0)
    with pytest.raises(ValueError, match="min_seconds"):
        CaptionSettings(min_seconds=8.0)
    with pytest.raises(ValueError, match="min_seconds"):
        CaptionSettings(min_seconds=-1.0)


def test_offset_shifts_every_cue_in_whole_ms() -> None:
    assert caption_cues([spoken(TOXINS, 3.2, 8.6)], offset=61.0004) == [
        Cue(64.2, 68.189, "Humans regularly come into contact\nwith antibiotics, pesticides,"),
        Cue(68.339, 72.8, "contaminated tap water, and medications\nthat the body may see as toxins."),
    ]


# -- without word timing, or with word timing that does not fit the text ---------------------------------

def test_without_word_timing_a_sentence_is_one_cue_with_its_real_times_in_as_many_lines_as_it_needs() -> None:
    sentence = TimedUtterance(TOXINS, 1.0, 9.6, None)
    assert caption_cues([sentence], offset=2.5) == [Cue(3.5, 12.1, (
        "Humans regularly come into contact\nwith antibiotics, pesticides,\n"
        "contaminated tap water, and medications\nthat the body may see as toxins."))]


ZINC = "Take zinc daily."


@pytest.mark.parametrize("words", [
    (),
    (TimedWord("Take", 0.0, 0.3), TimedWord("daily.", 0.6, 1.2)),  # a word missing
    (TimedWord("Take", 0.0, 0.3), TimedWord("zinc", 0.3, 0.6), TimedWord("with", 0.6, 0.8),
     TimedWord("daily.", 0.8, 1.2)),  # a word too many
    (TimedWord("Take", 0.0, 0.3), TimedWord(" zinc ", 0.3, 0.6), TimedWord("daily.", 0.6, 1.2)),
    (TimedWord("Take zinc", 0.0, 0.6), TimedWord("", 0.6, 0.6), TimedWord("daily.", 0.6, 1.2)),
    (TimedWord("Take", 0.5, 0.8), TimedWord("zinc", 0.0, 0.4), TimedWord("daily.", 0.8, 1.2)),  # out of order
    (TimedWord("Take", 0.0, 0.3), TimedWord("zinc", 0.6, 0.4), TimedWord("daily.", 0.8, 1.2)),  # ends first
    (TimedWord("Take", 0.0, 0.3), TimedWord("zinc", math.nan, 0.4), TimedWord("daily.", 0.8, 1.2)),
])
def test_word_timing_that_does_not_fit_the_sentence_falls_back_to_sentence_timing(
        words: tuple[TimedWord, ...]) -> None:
    assert caption_cues([TimedUtterance(ZINC, 0.0, 1.2, words)]) == [Cue(0.0, 1.2, ZINC)]


def test_utterances_without_text_or_times_give_no_cue_and_bad_order_is_put_right() -> None:
    first, second = spoken("Sleep well.", 0.0, 0.8), spoken("Eat well.", 0.8, 1.4)
    empty = TimedUtterance("  ", 3.0, 3.5, ())
    timeless = TimedUtterance("Rest.", math.nan, math.nan, None)
    overlapping = TimedUtterance("Move.", 1.5, 2.4, None)
    assert caption_cues([second, empty, first, timeless, overlapping]) == [
        Cue(0.0, 0.8, "Sleep well."), Cue(0.8, 1.5, "Eat well."), Cue(1.5, 2.5, "Move."),
    ]


# -- lines and break costs ----------------------------------------------------------------------------

def test_break_lines_uses_the_fewest_lines_at_phrase_boundaries() -> None:
    assert break_lines("", LIMITS) == []
    assert break_lines("Yes.", LIMITS) == ["Yes."]
    assert break_lines("More research is needed to prove this.", LIMITS) == [
        "More research is needed to prove this."]
    assert break_lines("Leaky gut plays a role in some diseases of the intestinal tract.", LIMITS) == [
        "Leaky gut plays a role", "in some diseases of the intestinal tract."]
    assert break_lines("Whether or not it can cause problems outside the gut is unproven.", LIMITS) == [
        "Whether or not it can cause problems", "outside the gut is unproven."]
    assert break_lines("Leaky gut plays a role in some diseases of the intestinal tract, such as Celiac and "
                       "Crohn's disease.", LIMITS) == [
        "Leaky gut plays a role", "in some diseases of the intestinal tract,",
        "such as Celiac and Crohn's disease."]
    assert break_lines(TOXINS, LIMITS) == [
        "Humans regularly come into contact", "with antibiotics, pesticides,",
        "contaminated tap water, and medications", "that the body may see as toxins."]
    assert break_lines("Take 25 grams of fibre daily with plenty of water and regular exercise for best "
                       "results overall.", LIMITS) == [
        "Take 25 grams of fibre daily", "with plenty of water and regular exercise",
        "for best results overall."]
    assert break_lines(f"See {URL} today.", LIMITS) == ["See", URL, "today."]


def test_break_costs_rank_phrase_boundaries() -> None:
    ranked = [
        break_cost('gut."', "Leaky"),  # after a sentence
        break_cost("health;", "as"),  # after ; : or a dash
        break_cost("antibiotics,", "pesticides,"),  # after a comma
        break_cost("medications", "that"),  # before a conjunction
        break_cost("contact", "with"),  # before a preposition
        break_cost("tap", "water,"),  # between other words
        break_cost("and", "medications"),  # after a conjunction
        break_cost("the", "body"),  # after an article
    ]
    assert ranked == sorted(set(ranked))
    assert break_cost("(women)", "and") == break_cost("medications", "and")
    assert break_cost("into", "contact") > break_cost("tap", "water,")
    assert break_cost("25", "grams") > break_cost("tap", "water,")
    assert break_cost("e.g.", "gluten") == break_cost("tap", "water,")  # an abbreviation ends no sentence
    assert break_cost("1.", "Causes") > break_cost("tap", "water,")  # a list number stays with its item
    assert break_cost("grams", "of") == break_cost("tap", "water,")  # "of" binds back to its noun


# -- properties over a generated variety ------------------------------------------------------------

VOCABULARY = ["the", "gut", "lining", "may", "become", "inflamed", "and", "bacteria", "of", "a", "with",
              "probiotics", "fibre,", "sugar,", "(women)", "(see", "below)", "\u201cleaky", "gut\u201d",
              "because", "which", "intestinal", "permeability", "immunoglobulin", "25", "grams", "per",
              "day;", "about", "5 mg", "0.5 mg", "10\u201315 minutes", "twice", "daily:", "e.g.", "Dr.",
              "Smith", "\u2014", "ultra-processed", "foods", "in", "to", "at", "research.", "yes.", "if",
              "so", "gastroenterologist", "x", URL]


@st.composite
def utterance_lists(draw: st.DrawFn) -> tuple[list[TimedUtterance], float]:
    utterances, clock = [], draw(st.floats(0, 5, allow_nan=False))
    for _ in range(draw(st.integers(1, 5))):
        tokens = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=45))
        tokens[-1] = tokens[-1].rstrip(".,;:") + "."
        words, start = [], clock
        for token in tokens:
            length = draw(st.floats(0.02, 0.9 if token != URL else 9.0))
            words.append(TimedWord(token, round(clock, 3), round(clock + length, 3)))
            clock += length + draw(st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.6]))
        text = " ".join(tokens)
        timed = draw(st.booleans()) or draw(st.booleans())
        timing = tuple(words) if timed else None
        utterances.append(TimedUtterance(text, round(start, 3), words[-1].end, timing))
        clock += draw(st.sampled_from([0.0, 0.1, 0.5, 1.5]))
    return utterances, draw(st.sampled_from([0.0, 12.3456]))


@PROPERTY
@given(utterance_lists())
def test_cues_keep_to_the_limits_and_the_words(case: tuple[list[TimedUtterance], float]) -> None:
    utterances, offset = case
    cues = caption_cues(utterances, LIMITS, offset)
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start <= earlier.end <= later.start
    pending = list(cues)
    for utterance in utterances:
        sentence_cues = []
        while pending and len(" ".join(cue.text.replace("\n", " ") for cue in sentence_cues)) < len(
                utterance.text):
            sentence_cues.append(pending.pop(0))
        assert " ".join(cue.text.replace("\n", " ") for cue in sentence_cues) == utterance.text
        if utterance.words is None:
            assert len(sentence_cues) == 1
            assert sentence_cues[0].start == round(utterance.start + offset, 3)
            assert all(len(line) <= LIMITS.max_line_chars or " " not in line
                       for line in sentence_cues[0].text.split("\n"))
            continue
        words = list(utterance.words)
        for cue in sentence_cues:
            taken = []
            while " ".join(word.text for word in taken) != cue.text.replace("\n", " "):
                taken.append(words.pop(0))  # fails (IndexError) if a cue split a word or a group
            assert cue.start == round(taken[0].start + offset, 3)
            natural_end = round(taken[-1].end + offset, 3)
            assert cue.end == natural_end or natural_end - cue.start < LIMITS.min_seconds
            lines = cue.text.split("\n")
            single = len(taken) == 1
            assert len(lines) <= LIMITS.max_lines or single
            texts = {word.text for word in taken}
            assert all(len(line) <= LIMITS.max_line_chars or line in texts for line in lines)
            assert cue.end - cue.start <= LIMITS.max_seconds or single
        assert not words
    assert not pending


def test_long_sentences_at_the_voices_pace_all_fit_the_limits() -> None:
    """The article's long sentences (and others here) at the joe voice's pace, 15.9 characters a second."""
    sentences = [
        TOXINS, FIBRE, SYMPTOMS, MELATONIN, WATER,
        "The theory is that particles enter the bloodstream through a leaky gut and may activate the immune "
        "system and cause or worsen autoimmune diseases.",
        "This imbalance can begin at birth, due to the mother's gut bacteria during pregnancy, though too "
        "many prescription antibiotics can also adversely affect the gut biome.",
        "You should not rely on any information on this site as a substitute for professional medical "
        "advice, diagnosis, treatment, or as a substitute for, professional counseling care, advice, "
        "diagnosis, or treatment.",
    ]
    clock, utterances = 0.0, []
    for sentence in sentences:
        utterances.append(spoken(sentence, clock, round(len(sentence) / 15.9, 3)))
        clock = utterances[-1].end + 0.4
    cues = caption_cues(utterances)
    assert len(cues) == 18
    assert max(len(cue.text.replace("\n", " ")) for cue in cues) <= 84
    assert max(cue.end - cue.start for cue in cues) <= 7.0
    assert min(cue.end - cue.start for cue in cues) >= 1.0


# -- rendered and parsed back ----------------------------------------------------------------------------

def _milliseconds(stamp: str) -> int:
    hours, minutes, seconds, millis = map(int, re.split(r"[:.,]", stamp))
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def test_multi_line_cues_survive_webvtt_and_srt_exactly() -> None:
    cues = caption_cues([spoken(TOXINS, 3.2, 8.6), spoken("Yes.", 12.1, 0.3),
                         spoken("Celiac & Crohn's disease are <not> the same.", 13.5, 2.9),
                         TimedUtterance(FIBRE, 17.0, 24.0, None)], offset=3600.0)
    assert len(cues) == 5
    assert [cue.text.count("\n") for cue in cues] == [1, 1, 0, 1, 2]
    expected = [(round(cue.start * 1000), round(cue.end * 1000), cue.text) for cue in cues]
    parsed_vtt = [(_milliseconds(caption.start), _milliseconds(caption.end), html.unescape(caption.text))
                  for caption in webvtt.from_string(to_vtt(cues))]
    assert parsed_vtt == expected
    parsed_srt = [(subtitle.start // MILLISECOND, subtitle.end // MILLISECOND, subtitle.content)
                  for subtitle in srt.parse(to_srt(cues))]
    assert parsed_srt == expected
