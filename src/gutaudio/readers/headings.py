"""What a heading says: the author's numbering ("1.", "Part 2:", "Chapter IV -") and whether a line is one."""

from __future__ import annotations

import re

MAX_HEADING_CHARS = 120

# "1. Causes", "1) Causes", "Part 2: Diet", "Chapter IV - Sleep", "Section 3 Sleep".
# Roman numerals are upper case I, V and X only, so "C. diff" and "L. reuteri" are not numbers.
_NUMBERED_HEADING = re.compile(
    r"^(?:(?P<word>part|chapter|section|step)\s+)?(?P<number>\d{1,3}|(?-i:[IVX]{1,6}))"
    r"(?:[.):]|\s+[-\u2013\u2014:]|(?=\s)(?(word)|(?!)))\s*(?P<title>\S.*)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!;,:\u2026]$")


def _match_numbered(line: str) -> re.Match[str] | None:
    match = _NUMBERED_HEADING.match(line)
    if match and not match.group("word") and not match.group("number").isdigit() \
            and match.group("title")[0].islower():
        return None  # "V. cholerae infection": a species name, not a section number
    return match


def is_numbered(line: str) -> bool:
    """Whether a line starts with a section number ("1. Causes", "Part 2: Diet")."""
    return _match_numbered(line.strip()) is not None


def split_heading_number(heading: str) -> tuple[str, str]:
    """Split "1. Causes of Leaky Gut" into ("1", "Causes of Leaky Gut"); keep a word: ("Part 2", "Diet")."""
    match = _match_numbered(heading.strip())
    if match and match.group("title").strip():
        number = " ".join(g for g in (match.group("word"), match.group("number")) if g)
        return number, match.group("title").strip()
    return "", heading.strip()


def looks_like_heading(line: str) -> bool:
    """Tell whether a lone line of plain text reads as a section heading."""
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS:
        return False
    if _match_numbered(line) and not _SENTENCE_END.search(line):
        return True
    words = line.split()
    if _SENTENCE_END.search(line) or len(words) > 12:
        return False
    if line.endswith("?"):
        return len(words) <= 10
    return line[0].isupper() or line[0].isdigit()
