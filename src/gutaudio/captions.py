"""Captions to caption standards: sentences cut into short cues of at most two balanced lines by word timing.

Where to cut is an optimisation, not greedy filling: every place between two words has a cost by what is on
either side (best after sentence punctuation, then after , ; : and dashes, then before a conjunction or after
a bracket or quote; worst after an article, determiner or preposition, between a number and its unit, or
after a conjunction). Dynamic programming chooses the cues of a sentence, and the lines of a cue, minimising
those costs plus penalties for unbalanced lines, unfilled or lopsided cues, a short word left alone and cues
shorter than the minimum duration. Nothing here reads or writes files.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .config import CaptionSettings
from .transcripts import Cue


@dataclass(frozen=True)
class TimedWord:
    """Words of the author's text and when the voice says them, in seconds (real timing from the voice)."""

    text: str  # one author word, or a group the voice said as other words ("5 mg" said "five milligrams")
    start: float
    end: float


@dataclass(frozen=True)
class TimedUtterance:
    """One sentence as listeners read it, when it is heard, and its words' times from the voice, if any."""

    text: str  # the author's text of the sentence (what captions show)
    start: float
    end: float
    words: tuple[TimedWord, ...] | None  # None: the engine gives no word timing (sentence timing only)


# -- the cost of a break between two words -----------------------------------------------------------
# Lower is better. A cue break costs CUE_BREAK_WEIGHT times a line break at the same place: the reader
# sees both lines of a cue at once, but a cue break interrupts reading.

AFTER_SENTENCE_END = 0.0  # "... in the gut." | "Leaky gut ..."
AFTER_CLAUSE_MARK = 1.0  # after ; : or a dash
AFTER_COMMA = 2.0
AT_BRACKET_OR_QUOTE = 3.0  # after a closing bracket or quote, or before an opening one
BEFORE_CONJUNCTION = 3.0  # "... antibiotics" | "and medications ..."
BEFORE_PREPOSITION = 4.5  # "... into contact" | "with antibiotics"
BETWEEN_WORDS = 6.0  # any other place between two words
AFTER_FUNCTION_WORD = 10.0  # added: "the" | "body", "of" | "the", "into" | "contact"
AFTER_CONJUNCTION = 5.0  # added: "and" | "medications"
INSIDE_QUANTITY = 10.0  # added: "25" | "grams"
BEFORE_PUNCTUATION = 20.0  # added: a token that is only punctuation belongs with the word before it

# -- the cost of a cue or a line -----------------------------------------------------------------------
CUE_BREAK_WEIGHT = 2.0
CUE_COST = 2.0  # each cue: fewer cues when the rest is equal
UNFILLED_CUE = 10.0  # times (1 - fill)^2, fill = the larger share of the cue's characters or seconds
LINE_IMBALANCE = 12.0  # times ((length - mean length) / max_line_chars)^2 per line
TOP_HEAVY = 1.5  # factor on the imbalance of a top line longer than the mean (or a bottom line shorter)
LONE_SHORT_WORD = 10.0  # a line or cue of one word shorter than a third of a line, when there are others
SHORT_CUE = 1000.0  # a cue under min_seconds, when its sentence could be cut without one

SENTENCE_MARKS = ".!?…"
CLAUSE_MARKS = ";:\u2014\u2013"  # and the em and en dashes
CLOSERS = ")]}\"'\u201d\u2019\u00bb"  # and the closing curly quotes and guillemet
OPENERS = "([{\"'\u201c\u2018\u00ab"
DASHES = frozenset({"-", "--", "\u2014", "\u2013"})

CONJUNCTIONS = frozenset({
    "and", "but", "or", "nor", "so", "because", "which", "that", "while", "when", "if", "though",
    "although", "unless", "whereas", "whether", "where", "who",
})
DETERMINERS = frozenset({
    "a", "an", "the", "my", "your", "its", "our", "their", "his", "her", "this", "these", "those", "each",
    "every",
})
PREPOSITIONS = frozenset({
    "of", "to", "in", "on", "for", "with", "at", "by", "from", "about", "as", "into", "per", "than",
    "through", "during", "without", "within", "between", "onto", "upon", "via", "like", "over", "under",
    "after", "before",
})
FUNCTION_WORDS = DETERMINERS | PREPOSITIONS
BINDS_BACK = frozenset({"of"})  # "25 grams of fibre": no bonus before it, unlike other prepositions
ABBREVIATIONS = frozenset({
    "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "vs.", "approx.", "fig.", "no.", "cf.", "ca.", "e.g.",
    "i.e.",
})
INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")
LIST_MARKER = re.compile(r"\(?\d{1,2}[.)]")
NUMBER = re.compile("[-+\u2212\u00b1~\u2248<>\u2264\u2265]?[$\u20ac\u00a3]?"  # a sign, a currency
                    "\\d[\\d,.]*(?:[-\u2013]\\d[\\d,.]*)?")  # 25, 1,000, 2.5, 10-15
UNIT_SYMBOLS = "%°µ‰"


def _key(token: str) -> str:
    return token.strip(OPENERS + CLOSERS + SENTENCE_MARKS + CLAUSE_MARKS + ",").lower()


def _is_punctuation(token: str) -> bool:
    return not any(char.isalnum() for char in token)


def _punctuation_cost(left: str, right: str) -> float | None:
    core = left.rstrip(CLOSERS)
    last = core[-1:]
    if left in DASHES or last in CLAUSE_MARKS:
        return AFTER_CLAUSE_MARK
    if last in SENTENCE_MARKS:
        abbreviation = core.lower() in ABBREVIATIONS or INITIALISM.fullmatch(core)
        return BETWEEN_WORDS if abbreviation or LIST_MARKER.fullmatch(core) else AFTER_SENTENCE_END
    if last == ",":
        return AFTER_COMMA
    if core != left or right[:1] in OPENERS:
        return AT_BRACKET_OR_QUOTE
    return None


@functools.lru_cache(maxsize=1 << 16)
def break_cost(left: str, right: str) -> float:
    """The cost of a caption break (between cues or lines) after the word left, before the word right."""
    cost = _punctuation_cost(left, right)
    if cost is None:
        right_key = _key(right)
        cost = (BEFORE_CONJUNCTION if right_key in CONJUNCTIONS
                else BEFORE_PREPOSITION if right_key in PREPOSITIONS - BINDS_BACK else BETWEEN_WORDS)
    if LIST_MARKER.fullmatch(left):
        cost += AFTER_FUNCTION_WORD
    elif left[-1:].isalnum():
        left_key = left.lower()
        if left_key in FUNCTION_WORDS:
            cost += AFTER_FUNCTION_WORD
        elif left_key in CONJUNCTIONS:
            cost += AFTER_CONJUNCTION
        elif NUMBER.fullmatch(left) and (right[:1].isalpha() or right[:1] in UNIT_SYMBOLS):
            cost += INSIDE_QUANTITY
    if _is_punctuation(right):
        cost += BEFORE_PUNCTUATION
    return cost


# -- lines ---------------------------------------------------------------------------------------------

def _span_chars(widths: Sequence[int], start: int, stop: int) -> int:
    return sum(widths[start:stop]) + (stop - start - 1)


def _fewest_lines(widths: Sequence[int], max_line_chars: int) -> int:
    lines, used = 0, 0
    for width in widths:
        if lines and used + 1 + width <= max_line_chars:
            used += 1 + width
        else:
            lines, used = lines + 1, width
    return lines


def _line_plan(tokens: Sequence[str], max_line_chars: int,
               max_lines: int | None) -> tuple[float, list[int]] | None:
    """The cheapest breaks of tokens into the fewest lines (None if more than max_lines), and its cost."""
    plan = _cached_line_plan(tuple(tokens), max_line_chars, max_lines)
    return None if plan is None else (plan[0], list(plan[1]))


@functools.lru_cache(maxsize=1 << 14)
def _cached_line_plan(tokens: tuple[str, ...], max_line_chars: int,
                      max_lines: int | None) -> tuple[float, tuple[int, ...]] | None:
    """_line_plan, remembered: a sentence's spans are planned again for the episode's captions."""
    widths = [len(token) for token in tokens]
    count = _fewest_lines(widths, max_line_chars)
    if max_lines is not None and count > max_lines:
        return None
    if count <= 1:
        return 0.0, ()
    mean = (_span_chars(widths, 0, len(tokens)) - (count - 1)) / count
    prefix = [0, *itertools.accumulate(widths)]
    if count == 2:
        return _two_lines(tokens, widths, prefix, mean, max_line_chars)
    alone = len(tokens) > 1
    # best[lines][stop]: the cost of tokens[:stop] in that many lines, and where its last line starts
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}] + [{} for _ in range(count)]
    for lines in range(1, count + 1):
        last = lines == count
        for stop in range(lines, len(tokens) + 1):
            if last and stop != len(tokens):
                continue
            for begin in range(stop - 1, -1, -1):
                chars = prefix[stop] - prefix[begin] + (stop - begin - 1)  # _span_chars, in O(1)
                if chars > max_line_chars and stop - begin > 1:
                    break
                if begin not in best[lines - 1]:
                    continue
                cost = best[lines - 1][begin][0] + _line_cost(chars, mean, last, max_line_chars)
                if stop - begin == 1 and alone and chars < max_line_chars / 3:
                    cost += LONE_SHORT_WORD
                if begin:
                    cost += break_cost(tokens[begin - 1], tokens[begin])
                if stop not in best[lines] or cost < best[lines][stop][0]:
                    best[lines][stop] = (cost, begin)
    total = best[count][len(tokens)][0]
    starts, stop = [], len(tokens)
    for lines in range(count, 1, -1):
        stop = best[lines][stop][1]
        starts.append(stop)
    return total, tuple(starts[::-1])


def _two_lines(tokens: tuple[str, ...], widths: Sequence[int], prefix: Sequence[int], mean: float,
               max_line_chars: int) -> tuple[float, tuple[int, ...]]:
    """The cheapest break of tokens into two lines: what the general plan finds for two lines
    (ties go to the later break, as there), in one pass over the places to break."""
    alone = len(tokens) > 1
    best: tuple[float, int] | None = None
    for begin in range(len(tokens) - 1, 0, -1):
        first, second = prefix[begin] + begin - 1, prefix[-1] - prefix[begin] + (len(tokens) - begin - 1)
        if (first > max_line_chars and begin > 1) or (second > max_line_chars and len(tokens) - begin > 1):
            continue
        cost = _line_cost(first, mean, False, max_line_chars)
        if begin == 1 and alone and first < max_line_chars / 3:
            cost += LONE_SHORT_WORD
        cost += _line_cost(second, mean, True, max_line_chars)
        if len(tokens) - begin == 1 and alone and second < max_line_chars / 3:
            cost += LONE_SHORT_WORD
        cost += break_cost(tokens[begin - 1], tokens[begin])
        if best is None or cost < best[0]:
            best = (cost, begin)
    assert best is not None  # two lines were found to be enough
    return best[0], (best[1],)


def _line_cost(chars: int, mean: float, last: bool, max_line_chars: int) -> float:
    excess = chars - mean
    lopsided = excess < 0 if last else excess > 0
    return LINE_IMBALANCE * (excess / max_line_chars) ** 2 * (TOP_HEAVY if lopsided else 1.0)


def _join_lines(tokens: Sequence[str], starts: Sequence[int]) -> str:
    bounds = [0, *starts, len(tokens)]
    return "\n".join(" ".join(tokens[a:b]) for a, b in itertools.pairwise(bounds))


def break_lines(text: str, limits: CaptionSettings) -> list[str]:
    """A cue's text broken in the fewest lines of at most max_line_chars, at the best places."""
    tokens = text.split()
    if not tokens:
        return []
    plan = _line_plan(tokens, limits.max_line_chars, None)
    assert plan is not None  # without a line limit there is always a plan
    return _join_lines(tokens, plan[1]).split("\n")


# -- cues ----------------------------------------------------------------------------------------------

def _word_timing_usable(utterance: TimedUtterance) -> bool:
    words = utterance.words
    if not words:
        return False
    if any(word.text != " ".join(word.text.split()) or not word.text for word in words):
        return False
    if " ".join(word.text for word in words) != " ".join(utterance.text.split()):
        return False
    if not all(math.isfinite(word.start) and math.isfinite(word.end) and word.start <= word.end
               for word in words):
        return False
    return all(a.start <= b.start and a.end <= b.end for a, b in itertools.pairwise(words))


def _cue_cost(words: Sequence[TimedWord], texts: tuple[str, ...], prefix: Sequence[int], begin: int,
              stop: int, limits: CaptionSettings) -> float | None:
    """The cost of words[begin:stop] as one cue, or None if it breaks the limits (texts: the words'
    texts; prefix: the running sum of their lengths)."""
    seconds = words[stop - 1].end - words[begin].start
    single = stop - begin == 1
    if seconds > limits.max_seconds and not single:
        return None
    plan = _cached_line_plan(texts[begin:stop], limits.max_line_chars, limits.max_lines)
    if plan is None:
        if not single:
            return None
        plan = (0.0, ())
    chars = prefix[stop] - prefix[begin] + (stop - begin - 1)
    fill = min(1.0, max(chars / (limits.max_lines * limits.max_line_chars), seconds / limits.max_seconds))
    cost = CUE_COST + UNFILLED_CUE * (1.0 - fill) ** 2 + plan[0]
    whole = stop - begin == len(words)
    if single and not whole and chars < limits.max_line_chars / 3:
        cost += LONE_SHORT_WORD
    if seconds < limits.min_seconds and not whole:
        cost += SHORT_CUE
    return cost


def _cue_spans(words: Sequence[TimedWord], limits: CaptionSettings) -> list[tuple[int, int]]:
    """The cheapest way to cut a sentence's words into cues, as (begin, stop) index pairs."""
    reach = limits.max_lines * max(limits.max_line_chars, max(len(word.text) for word in words))
    texts = tuple(word.text for word in words)
    prefix = [0, *itertools.accumulate(len(text) for text in texts)]
    best: list[tuple[float, int]] = [(0.0, 0)]
    for stop in range(1, len(words) + 1):
        candidates = []
        chars = -1
        for begin in range(stop - 1, -1, -1):
            chars += len(words[begin].text) + 1
            if chars > reach and stop - begin > 1:
                break
            if words[stop - 1].end - words[begin].start > limits.max_seconds and stop - begin > 1:
                break
            cost = _cue_cost(words, texts, prefix, begin, stop, limits)
            if cost is None:
                continue
            if begin:
                cost += CUE_BREAK_WEIGHT * break_cost(words[begin - 1].text, words[begin].text)
            candidates.append((best[begin][0] + cost, begin))
        best.append(min(candidates))  # the one-word cue words[stop-1:stop] is always a candidate
    spans, stop = [], len(words)
    while stop:
        begin = best[stop][1]
        spans.append((begin, stop))
        stop = begin
    return spans[::-1]


@functools.lru_cache(maxsize=1 << 12)
def _cut_sentence(words: tuple[TimedWord, ...],
                  limits: CaptionSettings) -> tuple[tuple[float, float, str], ...]:
    """A sentence's cues (start, end, lines joined by new lines), from its words' times."""
    cues = []
    for begin, stop in _cue_spans(words, limits):
        tokens = [word.text for word in words[begin:stop]]
        plan = _line_plan(tokens, limits.max_line_chars, limits.max_lines)
        text = _join_lines(tokens, plan[1]) if plan else " ".join(tokens)
        cues.append((words[begin].start, words[stop - 1].end, text))
    return tuple(cues)


def _sentence_cues(utterance: TimedUtterance, limits: CaptionSettings, offset: float) -> list[Cue]:
    if utterance.words is not None and _word_timing_usable(utterance):
        # Shifted and rounded first, so that the limits hold for the times the cues show; cut from
        # times relative to the first word, so that a sentence cut for its chapter's captions is
        # not cut again for the episode's.
        words = [TimedWord(word.text, round(word.start + offset, 3), round(word.end + offset, 3))
                 for word in utterance.words]
        origin = words[0].start
        relative = tuple(TimedWord(w.text, round(w.start - origin, 3), round(w.end - origin, 3))
                         for w in words)
        return [Cue(round(origin + start, 3), round(origin + end, 3), text)
                for start, end, text in _cut_sentence(relative, limits)]
    if not (math.isfinite(utterance.start) and math.isfinite(utterance.end)):
        return []
    start = round(utterance.start + offset, 3)
    end = max(start, round(utterance.end + offset, 3))
    return [Cue(start, end, "\n".join(break_lines(utterance.text, limits)))]


def caption_cues(utterances: Sequence[TimedUtterance], limits: CaptionSettings | None = None,
                 offset: float = 0.0) -> list[Cue]:
    """Caption cues for the utterances, to the limits, shifted by offset seconds, in whole ms, in time order.

    A cue is whole words of one sentence, at most max_lines lines of max_line_chars and at most max_seconds,
    from its first word's start to its last word's end (a word longer than a line has a line of its own,
    one longer than max_seconds a cue of its own). Where the voice gave no usable word timing (words None,
    or words that do not join back to the sentence's text), the sentence is one cue with its own timing,
    in as many lines as it needs: times inside a sentence are never invented. A sentence is cut so that no
    cue is shorter than min_seconds wherever the limits allow it (the short piece goes with a neighbour of
    its sentence, or the cut moves); a cue still shorter is extended into the silence after it, up to
    min_seconds but never past the next cue's start (of any sentence given here), so cues never overlap
    (a cue of an utterance that overlaps the next one ends where the next cue starts). Pass a whole
    episode's utterances at once to keep that true across chapters. Utterances without text, or without
    finite times, give no cue.
    """
    limits = limits or CaptionSettings()
    cues = sorted((cue for utterance in utterances if utterance.text.strip()
                   for cue in _sentence_cues(utterance, limits, offset)), key=lambda cue: cue.start)
    settled = []
    for index, cue in enumerate(cues):
        following = cues[index + 1].start if index + 1 < len(cues) else math.inf
        end = min(cue.end, following)
        if end - cue.start < limits.min_seconds:
            end = min(cue.start + limits.min_seconds, following)
        settled.append(Cue(cue.start, round(max(cue.start, end), 3), cue.text))
    return settled
