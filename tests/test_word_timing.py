# ruff: noqa: RUF001, RUF003 - the phonemes are IPA letters, not look-alikes
"""Word timing from a voice's phoneme alignments, on its own: fixed phonemes, fixed samples."""

from __future__ import annotations

import numpy as np

from gutaudio.captions import TimedWord
from gutaudio.word_timing import (
    AlignedPhoneme,
    aligned_phonemes,
    author_groups,
    snap_onsets,
    timed_words,
    trimmed_spans,
    word_spans,
)

PRIMARY = "\u02c8"  # the stress mark before a stressed vowel
LONG = "\u02d0"  # the length mark after a long vowel


def test_silence_pauses_and_punctuation_belong_to_no_phoneme_and_marks_to_theirs() -> None:
    pairs = [("^", 100), ("t", 10), (PRIMARY, 5), ("e", 20), ("k", 10), (",", 200), (" ", 50),
             ("f", 10), ("u", 30), (LONG, 15), ("d", 10), (".", 40), ("$", 60)]
    assert aligned_phonemes(pairs) == [
        AlignedPhoneme("t", 100, 110), AlignedPhoneme("e", 110, 135), AlignedPhoneme("k", 135, 145),
        AlignedPhoneme("f", 395, 405), AlignedPhoneme("u", 405, 450), AlignedPhoneme("d", 450, 460)]


def _sentence(*symbols_and_samples: tuple[str, int]) -> list[AlignedPhoneme]:
    return aligned_phonemes(symbols_and_samples)


def test_words_the_voice_ran_together_are_told_apart_by_their_own_phonemes() -> None:
    # espeak-ng says "in the gut" as two groups, "ɪnðə" and "ɡʌt": counting groups would give two words.
    sentence = _sentence(("^", 50), ("ɪ", 10), ("n", 10), ("ð", 10), ("ə", 10), (" ", 20),
                         ("ɡ", 10), ("ʌ", 20), ("t", 10), ("$", 30))
    assert word_spans(sentence, [["ɪ", "n"], ["ð", "ə"], ["ɡ", "ʌ", "t"]]) == [
        (50, 70), (70, 90), (110, 150)]


def test_a_word_said_a_little_differently_alone_still_gets_its_sound() -> None:
    # Alone, "the" is "ðiː"; in the sentence it is "ðə": the odd phoneme goes with its neighbours.
    sentence = _sentence(("ð", 10), ("ə", 10), (" ", 5), ("ɡ", 10), ("ʌ", 10), ("t", 10))
    assert word_spans(sentence, [["ð", "i", LONG], ["ɡ", "ʌ", "t"]]) == [(0, 20), (25, 55)]


def test_a_word_with_no_sound_of_its_own_gives_no_word_timing() -> None:
    sentence = _sentence(("ɡ", 10), ("ʌ", 10), ("t", 10))
    assert word_spans(sentence, [["ɡ", "ʌ", "t"], []]) is None
    assert word_spans([], [["a"]]) is None


def test_word_ends_never_run_past_the_next_words_start() -> None:
    sentence = [AlignedPhoneme("a", 0, 30), AlignedPhoneme("b", 20, 40)]
    assert word_spans(sentence, [["a"], ["b"]]) == [(0, 20), (20, 40)]


def test_a_word_after_a_pause_starts_where_its_sound_does() -> None:
    rate = 22050
    samples = np.zeros(rate, dtype=np.int16)
    samples[1000:4000] = 8000  # the first word's sound
    samples[9000:12000] = 8000  # the second word's, after a pause; the alignment says 7000
    snapped = snap_onsets(samples, rate, [(900, 4000), (7000, 12000)])
    window = rate // 100
    # The first window past the threshold is the one that reaches the sound; its middle is the onset.
    assert abs(snapped[1][0] - 9000) <= window // 2 + rate // 1000
    assert snapped[1][1] == 12000
    assert abs(snapped[0][0] - 1000) <= window // 2 + rate // 1000


def test_a_gap_just_over_30_ms_is_a_pause() -> None:
    # "intestinal tract" in the given article: 32 ms of quiet (the closure of "t") between the words,
    # and the aligned start 37 ms after the burst that is heard first.
    rate = 22050
    samples = np.zeros(rate, dtype=np.int16)
    samples[1000:4000] = 8000
    burst = 4000 + round(0.032 * rate)
    samples[burst:12000] = 8000
    snapped = snap_onsets(samples, rate, [(1000, 4000), (burst + round(0.037 * rate), 12000)])
    assert abs(snapped[1][0] - burst) <= round(0.005 * rate)


def test_a_word_with_no_pause_before_it_keeps_its_aligned_start() -> None:
    rate = 22050
    samples = np.full(rate, 8000, dtype=np.int16)
    assert snap_onsets(samples, rate, [(0, 5000), (5100, 9000)])[1] == (5100, 9000)


def test_word_spans_move_with_the_trim_and_stay_inside_it() -> None:
    assert trimmed_spans([(50, 120), (130, 400), (410, 900)], 100, 800) == ((0, 20), (30, 300), (310, 700))


def test_the_authors_words_are_matched_to_what_the_voice_says() -> None:
    groups = author_groups("Take 5 mg of zinc daily, e.g. with food.",
                           "Take five milligrams of zinc daily, for example, with food.")
    assert groups == [("Take", range(0, 1)), ("5 mg", range(1, 3)), ("of", range(3, 4)),
                      ("zinc", range(4, 5)), ("daily,", range(5, 6)), ("e.g.", range(6, 8)),
                      ("with", range(8, 9)), ("food.", range(9, 10))]
    # A respelling from the lexicon; a citation mark nobody says stays with its word.
    assert author_groups("Celiac disease[3] is common.", "seelee-ak disease is common.") == [
        ("Celiac disease[3]", range(0, 2)), ("is", range(2, 3)), ("common.", range(3, 4))]
    assert author_groups("\u201cYes,\u201d she said.", "Yes, she said.") == [
        ("\u201cYes,\u201d", range(0, 1)), ("she", range(1, 2)), ("said.", range(2, 3))]


def test_every_author_word_is_in_a_group_in_order() -> None:
    for display, spoken in [("[1] Fibre helps.", "Fibre helps."), ("Fibre helps [1]", "Fibre helps"),
                            ("A B C", "x y z w"), ("Fibre.", "Dietary fibre, in short.")]:
        groups = author_groups(display, spoken)
        assert " ".join(text for text, _ in groups) == display
        covered = [i for _, said in groups for i in said]
        assert covered == list(range(len(spoken.split())))


def test_timed_words_run_from_their_first_spoken_words_start_to_their_last_ones_end() -> None:
    spans = [(0.5, 0.7), (0.72, 0.95), (1.0, 1.5), (1.6, 1.8)]
    assert timed_words("Take 5 mg daily.", "Take five milligrams daily.", spans) == (
        TimedWord("Take", 0.5, 0.7), TimedWord("5 mg", 0.72, 1.5), TimedWord("daily.", 1.6, 1.8))
    assert timed_words("Take it.", "Take it.", spans) is None  # not one span per spoken word
