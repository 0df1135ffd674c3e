"""What every reader shares: the Reader protocol, the Draft it returns, decoding and inline helpers."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..document import Block, Footnote, Inline, Metadata, NoteRef, Omission, Text
from ..errors import ContentError

log = logging.getLogger(__name__)

BINARY_SNIFF_BYTES = 8192
"""A file whose first 8 KB are more than 1% NUL bytes is binary, not text."""

# Control characters except tab and line breaks, plus soft hyphens, zero-width and bidi formatting marks.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Control characters that are removed with a warning: all but tab, line feed, vertical tab, form feed
# and carriage return (which are line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Draft:
    """What a reader found in a file, before the steps every format shares.

    Those steps (in gutaudio.readers.assemble) choose the title, group the blocks into sections
    under their headings, drop boilerplate, and find the disclaimer wherever it stands.
    """

    metadata: Metadata
    blocks: tuple[Block, ...]
    """The body in reading order; Heading blocks mark where sections start."""
    footnotes: tuple[Footnote, ...] = ()
    omitted: tuple[Omission, ...] = ()
    """What the reader itself dropped (navigation, comments, ...), and why."""
    disclaimers: tuple[Block, ...] = field(default=())
    """Disclaimer blocks the reader recognised by their markup, already taken out of blocks."""


@runtime_checkable
class Reader(Protocol):
    """Reads one file format into a Draft. Registered in the `gutaudio.readers` entry-point group."""

    suffixes: tuple[str, ...]
    """File name endings this reader takes, lower case with the dot: (".md", ".markdown")."""

    def read(self, data: bytes, source: Path) -> Draft:
        """Read the file's bytes; raise ContentError (naming source) for what cannot be read."""
        ...


def decode_text(data: bytes, path: Path) -> str:
    """Decode article bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM, else Windows-1252."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    head = data[:BINARY_SNIFF_BYTES]
    nuls = head.count(b"\x00")
    if not utf16 and nuls * 100 > len(head):
        raise ContentError(f"{path}: looks like a binary file, not text ({nuls} NUL bytes in the "
                           f"first {len(head)})")
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as e:
        if utf16:
            raise ContentError(f"{path}: is not valid UTF-16 text (byte {e.start}); save it as UTF-8") from e
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ContentError(
                f"{path}: is not UTF-8 text (byte {e.start}); save it as UTF-8"
            ) from e
        log.warning("%s: not UTF-8 (byte %d); read as Windows-1252", path, e.start)
    text = _unify_line_endings(text)
    first = _CONTROL.search(text)
    if first is not None:
        count = len(_CONTROL.findall(text))
        log.warning("%s: %d control character%s removed (the first on line %d)", path, count,
                    "" if count == 1 else "s", text.count("\n", 0, first.start()) + 1)
    return normalize_text(text)


def _unify_line_endings(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize_text(text: str) -> str:
    """Unify line endings and Unicode forms and strip invisible control characters."""
    text = _unify_line_endings(text).replace("\x0b", "\n").replace("\x0c", "\n")
    # Invisible characters go first, so that a letter and its accent they separated can be composed.
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")


# "[1]", "[2, 3]", "[4-6]", "[7\u20139]" after a word or punctuation, and superscript digits right
# after a word or closing punctuation ("fibre\u00b9", "studies.\u00b2\u00b3"). A bracketed number that
# opens a line ("[1] Smith J ...", a reference list entry) is the author's text, not a marker.
_CITATION = re.compile(
    r"(?<=[\w.,;:!?)\"'\u2019\u201d])\s?\[(?P<label>\d{1,3}(?:\s*[-\u2013,]\s*\d{1,3})*)\]"
    r"|(?<=[A-Za-z.,;:!?)\"'\u2019\u201d])(?P<sup>[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+"
    r"(?:[,\u2013-][\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+)*)(?![\w\u00b9\u00b2\u00b3\u2070\u2074-\u2079])"
)
_UNIT_BEFORE = re.compile(r"(?:^|[\s\d/(])(?:m|cm|mm|km|\u00b5m|ft|in|mi|yd)$")
_SUPERSCRIPT_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",
                                    "0123456789")


_SPACES = re.compile(r"\s+")


def text_runs(text: str) -> tuple[Inline, ...]:
    """Turn author text into runs, spaces collapsed, with citation markers ("[1]", "\u00b9") as NoteRefs."""
    text = _SPACES.sub(" ", text)
    out: list[Inline] = []
    cursor = 0
    for match in _CITATION.finditer(text):
        if match.group("sup") and _UNIT_BEFORE.search(text, 0, match.start()):
            continue  # "m\u00b2", "kg/m\u00b2": a power of a unit, not a marker
        if match.start() > cursor:
            out.append(Text(text[cursor:match.start()]))
        label = match.group("label") or match.group("sup").translate(_SUPERSCRIPT_DIGITS)
        out.append(NoteRef(" ".join(label.split())))
        cursor = match.end()
    if cursor < len(text):
        out.append(Text(text[cursor:]))
    return tuple(out)


ATTRIBUTION_DASHES = ("\u2014", "\u2015", "--", "\u2013", "~")
"""What opens a quotation's attribution line: "\u2014 Dr. Amara Osei"."""


def strip_attribution_dash(content: Sequence[Inline]) -> tuple[Inline, ...]:
    """An attribution's runs without the dash that opens them ("\u2014 Dr. Osei" -> "Dr. Osei")."""
    runs = list(content)
    while runs and isinstance(runs[0], Text):
        text = runs[0].text.lstrip()
        for dash in ATTRIBUTION_DASHES:
            if text.startswith(dash):
                text = text[len(dash):].lstrip()
                break
        if text:
            runs[0] = Text(text)
            break
        runs.pop(0)
    return tuple(runs)
