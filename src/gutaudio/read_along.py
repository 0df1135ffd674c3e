"""Read-along: each utterance of a chapter found in the text its page shows, and marked there, so
that the page can highlight the sentence and the word being heard and play from any sentence.

The page shows the author's text as the document model renders it (site.py); each utterance carries
the author's text of one sentence as the script cut it (script.py). The two differ in small ways:
the numbers of an ordered list are drawn by the browser, a table row is said with its column
names, a heading keeps the author's numbering, citation markers are shown but not said. So words
are compared by their letters and digits alone, and a chapter's words are lined up with the page's
in order, all at once (difflib). An utterance too little of which is found is left unmarked (no
highlight while it is heard): nothing is guessed, and the text is never changed, only wrapped in
<span> elements with data- attributes. Nothing here reads or writes files.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from .captions import TimedUtterance

SENTENCE_ATTRIBUTE = "data-s"
"""On each piece of the page that shows an utterance: the utterance's index in its chapter."""
WORD_ATTRIBUTE = "data-w"
"""On each piece of the page that shows a timed word: "<utterance index>.<word index>"."""
CONTAINER_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "th", "td", "caption", "figcaption"})
"""Elements whose inline content is text that is read (a span may only wrap inline content)."""
UNREAD_ANCESTORS = frozenset({"pre", "thead"})
"""Text under these is shown, never read as written: code is announced, a header is said in each row."""
MIN_FOUND = 0.5
"""An utterance is marked when at least this share of its words' letters-and-digits tokens is found."""
MATCH_BATCH = 200
"""Spoken words lined up with the page at a time: a chapter is matched batch by batch, each against
the shown words from where the last batch ended, so the time grows with the chapter's length, not
its square (one matcher over a whole chapter took 2 s on 33,000 words and 115 s on an 800-row table)."""
MATCH_WINDOW = 3
MATCH_SLACK = 100
"""A batch is looked for in the next MATCH_WINDOW times its length plus MATCH_SLACK shown words."""

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Token:
    """A word of the shown text: in which container, where (character offsets), what it compares as."""

    container: int
    start: int
    end: int
    key: str


@dataclass(frozen=True)
class Placement:
    """Where an utterance is shown: its sentence's ranges, and each located word's ranges, by word index."""

    sentence: tuple[tuple[int, int, int], ...]
    """(container, start, end) for each container the sentence is shown in."""
    words: tuple[tuple[int, tuple[tuple[int, int, int], ...]], ...] = ()


def token_key(word: str) -> str:
    """What a word compares as: its letters and digits, compatibility-normalized and case-folded
    ("Fibre," -> "fibre"; a heading said "Medical disclaimer" is shown "Disclaimer")."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", word).casefold() if ch.isalnum())


def word_spans(text: str, breaks: Iterable[int] = ()) -> list[tuple[int, int]]:
    """Where the words of a text are: runs of non-space characters, also cut at the given offsets."""
    cuts = sorted(set(breaks))
    spans = []
    for match in _WORD.finditer(text):
        start = match.start()
        for cut in cuts:
            if start < cut < match.end():
                spans.append((start, cut))
                start = cut
        spans.append((start, match.end()))
    return spans


def _is_opaque(element: etree._Element) -> bool:
    """Whether an element's content is no part of the read text (line breaks, images, note markers)."""
    return (not isinstance(element.tag, str) or element.tag in ("br", "img")
            or "note-ref" in (element.get("class") or "").split())


def _length(element: etree._Element, known: dict[etree._Element, int]) -> int:
    """How many characters of read text an element holds (its tail not included); known keeps the
    answers (wrapping an element's text in spans does not change how much it holds)."""
    if element not in known:
        known[element] = 0 if _is_opaque(element) else len(element.text or "") + sum(
            _length(child, known) + len(child.tail or "") for child in element)
    return known[element]


def shown_text(element: etree._Element) -> tuple[str, tuple[int, ...]]:
    """The read text inside an element, and the offsets of its line breaks (words end there)."""
    parts: list[str] = []
    breaks: list[int] = []
    size = 0

    def walk(node: etree._Element) -> None:
        nonlocal size
        parts.append(node.text or "")
        size += len(node.text or "")
        for child in node:
            if child.tag == "br":
                breaks.append(size)
            elif not _is_opaque(child):
                walk(child)
            parts.append(child.tail or "")
            size += len(child.tail or "")

    walk(element)
    return "".join(parts), tuple(breaks)


def text_containers(root: etree._Element) -> list[etree._Element]:
    """The elements under root (root included) whose text is read, in document order."""
    def read(element: etree._Element) -> bool:
        return (isinstance(element.tag, str) and element.tag in CONTAINER_TAGS
                and not any(a.tag in UNREAD_ANCESTORS or a.tag in CONTAINER_TAGS
                            for a in element.iterancestors()))
    return [element for element in root.iter() if read(element)]


def page_tokens(containers: Sequence[etree._Element]) -> list[Token]:
    """Every word shown in the containers, in order."""
    tokens = []
    for index, container in enumerate(containers):
        text, breaks = shown_text(container)
        tokens += [Token(index, start, end, token_key(text[start:end]))
                   for start, end in word_spans(text, breaks)]
    return tokens


def _ranges(tokens: Sequence[Token], first: int, last: int) -> tuple[tuple[int, int, int], ...]:
    """The text from token first to token last (inclusive) as one range per container."""
    ranges: dict[int, tuple[int, int]] = {}
    for token in tokens[first:last + 1]:
        start, end = ranges.get(token.container, (token.start, token.end))
        ranges[token.container] = (min(start, token.start), max(end, token.end))
    return tuple((container, start, end) for container, (start, end) in ranges.items())


def locate(utterances: Sequence[TimedUtterance], tokens: Sequence[Token]) -> list[Placement | None]:
    """Where each utterance of a chapter is in its shown words (None: not found well enough)."""
    said: list[tuple[int, int, str]] = []  # (utterance, word, key) per comparable token
    for u_index, utterance in enumerate(utterances):
        words = [w.text for w in utterance.words] if utterance.words is not None else [utterance.text]
        said += [(u_index, w_index, key) for w_index, word in enumerate(words)
                 for key in map(token_key, word.split()) if key]
    shown = [index for index, token in enumerate(tokens) if token.key]
    found: dict[int, list[tuple[int, int]]] = {}  # utterance -> [(word, token index)]
    cursor = 0  # the shown words before it are matched already
    step = MATCH_BATCH // 2
    for begin in range(0, max(1, len(said)), step):
        batch = said[begin:begin + MATCH_BATCH]
        # Only the first half of a batch is taken (all of the last one): the end of a batch can match
        # words further on by chance (a table repeats its words in every row), which the next batch,
        # starting there, lines up with what follows them.
        final = begin + MATCH_BATCH >= len(said)
        taken = len(batch) if final else step
        window = shown[cursor:cursor + MATCH_WINDOW * len(batch) + MATCH_SLACK]
        matcher = difflib.SequenceMatcher(None, [key for _, _, key in batch],
                                          [tokens[i].key for i in window], autojunk=False)
        matched, last = 0, 0
        for a, b, size in matcher.get_matching_blocks():
            for offset in range(min(size, taken - a)):
                u_index, w_index, _ = batch[a + offset]
                found.setdefault(u_index, []).append((w_index, window[b + offset]))
                matched, last = matched + 1, b + offset + 1
        if matched >= MIN_FOUND * taken:  # else the half is not on the page: look again from here
            cursor += last
        if final:
            break
    counts: dict[int, int] = {}
    for u_index, _, _ in said:
        counts[u_index] = counts.get(u_index, 0) + 1
    return [_placement(tokens, sorted(found.get(index, []), key=lambda pair: pair[1]), counts.get(index, 0),
                       utterance.words is not None)
            for index, utterance in enumerate(utterances)]


def _placement(tokens: Sequence[Token], found: list[tuple[int, int]], said: int,
               timed: bool) -> Placement | None:
    """An utterance's placement from its found tokens ((word, token index), in order), or None."""
    if not found or len(found) < MIN_FOUND * said:
        return None
    first, last = found[0][1], found[-1][1]
    if last - first + 1 > 2 * len(found) + 4:  # spread over the page: a coincidence, not the sentence
        return None
    words: dict[int, list[int]] = {}
    for w_index, token in found:
        words.setdefault(w_index, []).append(token)
    return Placement(_ranges(tokens, first, last), tuple(
        (w_index, _ranges(tokens, at[0], at[-1])) for w_index, at in words.items()) if timed else ())


def wrap_range(element: etree._Element, start: int, end: int, attributes: dict[str, str],
               known: dict[etree._Element, int] | None = None) -> None:
    """Wrap the read text of element from start to end in <span>s with attributes: one span where the
    range lies within one level, else one per inline element whose edge it crosses (valid nesting)."""
    if start >= end:
        return
    known = {} if known is None else known
    children = list(element)
    bounds = []
    position = len(element.text or "")
    for child in children:
        bounds.append((position, position + _length(child, known)))
        position = bounds[-1][1] + len(child.tail or "")
    for child, (a, b) in zip(children, bounds, strict=True):
        if a < b and a <= start and end <= b:
            wrap_range(child, start - a, end - a, attributes, known)
            return
    for child, (a, b) in zip(children, bounds, strict=True):
        if a < start < b:
            wrap_range(child, start - a, b - a, attributes, known)
            start = b
        if a < end < b:
            wrap_range(child, 0, end - a, attributes, known)
            end = a
    if start < end:
        _wrap_level(element, children, bounds, start, end, attributes)


def _wrap_level(element: etree._Element, children: list[etree._Element], bounds: list[tuple[int, int]],
                start: int, end: int, attributes: dict[str, str]) -> None:
    """Wrap element's content from start to end, neither inside a child, in one span."""
    slots = [(0, len(element.text or ""))] + [(b, b + len(c.tail or ""))
                                              for c, (_, b) in zip(children, bounds, strict=True)]
    first = max(k for k, (a, b) in enumerate(slots) if a <= start <= b)
    last = min(k for k, (a, b) in enumerate(slots) if a <= end <= b)

    def text(k: int) -> str:
        return (element.text if k == 0 else children[k - 1].tail) or ""

    def put(k: int, value: str) -> None:
        if k == 0:
            element.text = value or None
        else:
            children[k - 1].tail = value or None

    span = etree.Element("span", attributes)
    head, cut = text(first), start - slots[first][0]
    if first == last:
        span.text = head[cut:end - slots[first][0]]
        span.tail = head[end - slots[first][0]:] or None
        put(first, head[:cut])
    else:
        span.text = head[cut:] or None
        put(first, head[:cut])
        rest, cut_end = text(last), end - slots[last][0]
        span.tail = rest[cut_end:] or None
        put(last, rest[:cut_end])
        for child in children[first:last]:
            span.append(child)  # moves the child with its tail
    element.insert(first, span)


def mark_utterances(containers: Sequence[etree._Element], utterances: Sequence[TimedUtterance]) -> int:
    """Mark each utterance found in the containers (sentence spans, word spans inside); how many were."""
    placements = locate(utterances, page_tokens(containers))
    known: dict[etree._Element, int] = {}
    for index, placement in enumerate(placements):
        if placement is None:
            continue
        for container, start, end in placement.sentence:
            wrap_range(containers[container], start, end, {SENTENCE_ATTRIBUTE: str(index)}, known)
        for word, ranges in placement.words:
            for container, start, end in ranges:
                wrap_range(containers[container], start, end, {WORD_ATTRIBUTE: f"{index}.{word}"}, known)
    return sum(placement is not None for placement in placements)


def chapter_timing(number: int, offset: float, utterances: Sequence[TimedUtterance]) -> dict:
    """A chapter's timing for the page's script: its number, where it starts in the episode, and each
    utterance's start and end and its words' [start, end] (null where the voice timed none), in seconds."""
    return {"chapter": number, "offset": round(offset, 3), "sentences": [
        {"start": u.start, "end": u.end,
         "words": None if u.words is None else [[w.start, w.end] for w in u.words]}
        for u in utterances]}
