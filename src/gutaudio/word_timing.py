"""Word timing from the voice itself: where each spoken word starts and ends in a clip, from a
neural voice's phoneme alignments, and which of the author's words each spoken word says.

A voice such as Piper reports how many audio samples each phoneme of a sentence takes. The
sentence's phonemes do not split into words reliably (espeak-ng runs "in the" together as one
group), so each word is phonemized on its own and the two sequences are lined up (difflib):
every phoneme of the sentence then belongs to a word, and a word lasts from its first phoneme
to its last. Pauses and punctuation belong to no word. Where a word follows a pause, its start
is moved to where its sound begins in the clip, since the alignment can place it up to a
tenth of a second early (a silent closure before "but").

Times here are samples of the engine's own clip; the chapter writer moves them to the chapter.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .captions import TimedWord

if TYPE_CHECKING:
    import numpy as np

SILENT_PHONEMES = frozenset({"^", "$", "_", " "})
"""Piper's sentence start and end, padding, and the word separator."""
PREFIX_MARKS = frozenset({"\u02c8", "\u02cc"})
"""The stress marks (primary, secondary): part of the phoneme after them."""
SUFFIX_MARKS = frozenset({"\u02d0", "\u02b2", "\u02d1"})
"""The length, palatalization and half-length marks: part of the phoneme before them."""
ONSET_BELOW_PEAK_DB = 40.0
"""A word's sound has begun where a window is within this many dB of the clip's loudest."""
ONSET_WINDOW_S = 0.005
"""The window whose level says whether a word's sound has begun (on the given article's clips, 5 ms
windows put onsets after pauses a median 6 ms from the heard onset, 10 ms windows 8 ms)."""
PAUSE_S = 0.03
"""A gap before a word at least this long is a pause: its start is found in the sound."""
ONSET_SEARCH_S = 0.3
"""How far past its aligned start a word's sound is looked for (Piper can place a word after a
pause 0.2 s before it is heard, when it starts with a silent closure)."""

Span = tuple[int, int]


@dataclass(frozen=True)
class AlignedPhoneme:
    """A phoneme of a sentence and the samples it takes in the clip."""

    symbol: str
    start: int
    end: int


def is_speech(phoneme: str) -> bool:
    """Whether a phoneme is sound of a word (not silence, a pause, punctuation or a mark)."""
    if phoneme in SILENT_PHONEMES or phoneme in PREFIX_MARKS or phoneme in SUFFIX_MARKS:
        return False
    return not all(unicodedata.category(c)[0] in "PZS" for c in phoneme)


def aligned_phonemes(alignments: Iterable[tuple[str, int]]) -> list[AlignedPhoneme]:
    """The speech phonemes of a clip with their spans, from (phoneme, samples) pairs in order:
    silence, pauses and punctuation dropped, stress and length marks made part of their phoneme."""
    phonemes: list[AlignedPhoneme] = []
    position = 0
    pending: int | None = None  # where a stress mark before the next phoneme started
    for phoneme, samples in alignments:
        start, end = position, position + int(samples)
        position = end
        if phoneme in PREFIX_MARKS:
            pending = start if pending is None else pending
        elif phoneme in SUFFIX_MARKS:
            if phonemes and phonemes[-1].end == start:
                phonemes[-1] = AlignedPhoneme(phonemes[-1].symbol, phonemes[-1].start, end)
        elif is_speech(phoneme):
            phonemes.append(AlignedPhoneme(phoneme, start if pending is None else pending, end))
            pending = None
        else:
            pending = None
    return phonemes


def speech_symbols(phonemes: Iterable[str]) -> list[str]:
    """The phonemes of a word that are sound, in order (as aligned_phonemes keeps them)."""
    return [p for p in phonemes if is_speech(p)]


def word_spans(sentence: Sequence[AlignedPhoneme], words: Sequence[Sequence[str]]) -> list[Span] | None:
    """Each word's (start, end) in samples, from the sentence's aligned phonemes and each word's own
    phonemes; None when some word gets no sound or the words come out of order."""
    labels = [index for index, phonemes in enumerate(words) for _ in speech_symbols(phonemes)]
    symbols = [s for phonemes in words for s in speech_symbols(phonemes)]
    if not sentence or not symbols:
        return None
    owners: list[int | None] = [None] * len(sentence)
    matcher = difflib.SequenceMatcher(None, [p.symbol for p in sentence], symbols, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for k in range(i1, i2):
                owners[k] = labels[j1 + (k - i1) * (j2 - j1) // (i2 - i1)]
    _fill_unowned(owners)
    spans: dict[int, Span] = {}
    for phoneme, owner in zip(sentence, owners, strict=True):
        if owner is not None:
            start, end = spans.get(owner, (phoneme.start, phoneme.end))
            spans[owner] = (min(start, phoneme.start), max(end, phoneme.end))
    if len(spans) != len(words):
        return None
    ordered = [spans[index] for index in range(len(words))]
    if any(later[0] < earlier[0] for earlier, later in itertools.pairwise(ordered)):
        return None
    return [(start, min(end, ordered[i + 1][0]) if i + 1 < len(ordered) else end)
            for i, (start, end) in enumerate(ordered)]


def _fill_unowned(owners: list[int | None]) -> None:
    """Give a phoneme no word claimed (one the sentence has and the words do not) to the word
    before it, else to the word after it."""
    previous = None
    for k, owner in enumerate(owners):
        if owner is None:
            owners[k] = previous
        previous = owners[k]
    following = None
    for k in range(len(owners) - 1, -1, -1):
        if owners[k] is None:
            owners[k] = following
        following = owners[k]


def snap_onsets(samples: np.ndarray, rate: int, spans: Sequence[Span]) -> list[Span]:
    """Word spans whose starts after a pause are moved to where the word's sound begins.

    A pause is a run of quiet ONSET_WINDOW_S windows (in 1 ms steps; quiet: more than ONSET_BELOW_PEAK_DB
    under the clip's loudest window) at least PAUSE_S long, starting before the aligned start
    (and after the word before ends); of those up to ONSET_SEARCH_S past the aligned start, the
    one ending nearest it is the pause before the word, which starts in the middle of the first
    loud window after it. The fading end of the word before, or a silent closure inside the
    word itself ("b" of "but" comes after one), is so not taken for its start. A word with no
    pause before it keeps its aligned start. The first word starts with the clip's first sound
    (Piper can give the sentence's start a few tens of ms of sound it counts as silence).
    """

    if not spans or samples.size == 0:
        return list(spans)
    window, hop = max(1, round(ONSET_WINDOW_S * rate)), max(1, rate // 1000)
    levels = _window_levels(samples, window, hop)
    threshold = levels.max() * 10 ** (-ONSET_BELOW_PEAK_DB / 20)
    shortest = max(1, (int(PAUSE_S * rate) - window) // hop)  # windows wholly inside a PAUSE_S gap
    snapped: list[Span] = []
    for index, (start, end) in enumerate(spans):
        before = snapped[index - 1][1] if index else 0
        low = -(-before // hop)  # windows wholly after the word before
        high = min(end, start + int(ONSET_SEARCH_S * rate)) // hop
        quiet = levels[low:high] <= threshold
        pauses = [(first, last) for first, last in _quiet_runs(quiet)
                  if last - first >= shortest and (low + first) * hop <= start]
        if index == 0 and not quiet.all():  # the clip's first sound, whether silence comes first or not
            start = min(int(quiet.argmin()) * hop + window // 2, end - 1)
        elif pauses:
            _, last = min(pauses, key=lambda run: abs((low + run[1]) * hop - start))
            if low + last < high:  # sound after the pause, within the search
                start = min(max((low + last) * hop + window // 2, before), end - 1)
        snapped.append((start, end))
    return snapped


def _quiet_runs(quiet: np.ndarray) -> list[tuple[int, int]]:
    """The runs of quiet windows: (first, one past the last) of each."""
    runs, first = [], None
    for index, is_quiet in enumerate(quiet.tolist()):
        if is_quiet and first is None:
            first = index
        elif not is_quiet and first is not None:
            runs.append((first, index))
            first = None
    if first is not None:
        runs.append((first, len(quiet)))
    return runs


def _window_levels(samples: np.ndarray, window: int, hop: int) -> np.ndarray:
    """The RMS level of each window of the samples, one per hop, from the window at 0 on."""
    import numpy as np

    energy = np.concatenate(([0.0], np.cumsum(samples.astype(np.float64) ** 2)))
    starts = np.arange(0, max(1, samples.size - window + 1), hop)
    ends = np.minimum(starts + window, samples.size)
    return np.sqrt((energy[ends] - energy[starts]) / np.maximum(1, ends - starts))


def trimmed_spans(spans: Sequence[Span], start: int, end: int) -> tuple[Span, ...]:
    """Word spans of a clip after it was cut to samples start..end, kept inside the cut."""
    length = end - start
    return tuple((min(max(0, s - start), length), min(max(0, e - start), length)) for s, e in spans)


_WORD_CHARACTERS = re.compile(r"[\w']+")


def _comparable(token: str) -> str:
    """A token as words are compared: lower case, letters and digits only."""
    return "".join(_WORD_CHARACTERS.findall(token.casefold().replace("\u2019", "'")))


def author_groups(display: str, spoken: str) -> list[tuple[str, range]]:
    """Which spoken words say which of the author's words: groups of the author's words (as
    written, joined by spaces) each with the range of spoken word indices that say them.

    Words said as written pair one to one; the rest pair as runs ("5 mg" said "five milligrams").
    Author words nothing says (a citation mark) join the group before them (else after); spoken
    words that stand for nothing written ("for example" for "e.g." is still a pair) join theirs.
    Every author word is in a group and the spoken ranges cover every spoken word, in order.
    """
    shown, said = display.split(), spoken.split()
    matcher = difflib.SequenceMatcher(None, [_comparable(t) for t in shown],
                                      [_comparable(t) for t in said], autojunk=False)
    groups: list[tuple[list[str], list[int]]] = []
    waiting_words: list[str] = []  # written before any group: they join the first
    waiting_said: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                groups.append(([shown[i1 + k]], [j1 + k]))
        elif tag == "replace":
            groups.append((list(shown[i1:i2]), list(range(j1, j2))))
        elif tag == "delete":  # written, not said
            (groups[-1][0] if groups else waiting_words).extend(shown[i1:i2])
        else:  # insert: said, standing for nothing written
            (groups[-1][1] if groups else waiting_said).extend(range(j1, j2))
        if groups and (waiting_words or waiting_said):
            groups[0] = (waiting_words + groups[0][0], waiting_said + groups[0][1])
            waiting_words, waiting_said = [], []
    if waiting_words:
        groups.append((waiting_words, waiting_said))
    return [(" ".join(words), range(min(said_ids), max(said_ids) + 1) if said_ids else range(0, 0))
            for words, said_ids in groups]


def timed_words(display: str, spoken: str,
                spans: Sequence[tuple[float, float]]) -> tuple[TimedWord, ...] | None:
    """The author's words of an utterance with when the voice says them (to the millisecond): each
    group from its first spoken word's start to its last one's end; None when the spans are not
    one per spoken word."""
    if len(spans) != len(spoken.split()):
        return None
    words = []
    for text, said in author_groups(display, spoken):
        if not said:
            return None
        words.append(TimedWord(text, round(spans[said.start][0], 3), round(spans[said.stop - 1][1], 3)))
    return tuple(words)
