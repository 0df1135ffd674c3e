"""The plain-text reader: paragraphs at blank lines, heading lines, a title line, simple lists."""

from __future__ import annotations

import re
from pathlib import Path

from ..document import Block, Heading, ListBlock, ListItem, Paragraph
from .base import Draft, decode_text, text_runs
from .boilerplate import boilerplate_reason, is_related_label, parse_byline
from .front_matter import metadata_from, split_front_matter
from .headings import is_numbered, looks_like_heading

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_BULLET = re.compile(r"^(?:[-*\u2022\u25aa\u25e6\u2013]\s+)(?P<text>\S.*)$")
_NUMBERED_ITEM = re.compile(r"^(?P<number>\d{1,3})[.)]\s+(?P<text>\S.*)$")


class TextReader:
    """Reads .txt articles, including text copied from a web page."""

    suffixes = (".txt", ".text")

    def read(self, data: bytes, source: Path) -> Draft:
        """Read a plain-text article."""
        front, body = split_front_matter(decode_text(data, source), source)
        return Draft(metadata_from(front, source), tuple(text_blocks(body)))


def text_blocks(text: str) -> list[Block]:
    """Split plain text into blocks: a title line, heading lines, lists and paragraphs."""
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    blocks: list[Block] = []
    for index, para in enumerate(paragraphs):
        lines = [line.strip() for line in para.strip().split("\n") if line.strip()]
        has_next = index + 1 < len(paragraphs)
        if len(lines) == 1 and has_next and looks_like_heading(lines[0]):
            # A first lone line that is not a numbered heading is the article's title.
            level = 1 if not blocks and not is_numbered(lines[0]) else 2
            blocks.append(Heading(level, text_runs(lines[0])))
            continue
        blocks += _paragraph_blocks(lines)
    return blocks


def _paragraph_blocks(lines: list[str]) -> list[Block]:
    """One paragraph's lines: a list when every line is an item, else prose (hard wraps joined).

    A line of page furniture (a byline, a share bar) inside a paragraph becomes a block of its own,
    so that it can be dropped without losing the prose around it.
    """
    if len(lines) > 2 and not _item(lines[0]) and all(_item(line) for line in lines[1:]):
        # "Tips for the week:" and its list
        return [Paragraph(text_runs(lines[0])), *_paragraph_blocks(lines[1:])]
    if len(lines) > 1 and all(_BULLET.match(line) for line in lines):
        return [ListBlock(tuple(ListItem((Paragraph(text_runs(_BULLET.match(line)["text"])),))
                                for line in lines))]
    numbered = [_NUMBERED_ITEM.match(line) for line in lines]
    if len(lines) > 1 and all(numbered):
        start = int(numbered[0]["number"])
        return [ListBlock(tuple(ListItem((Paragraph(text_runs(m["text"])),)) for m in numbered if m),
                          ordered=True, start=start)]
    blocks: list[Block] = []
    prose: list[str] = []
    listing = False  # after "Related posts", each line is a post's title
    for line in lines:
        if listing or (len(lines) > 1 and (parse_byline(line) or boilerplate_reason(line)
                                          or is_related_label(line))):
            if prose:
                blocks.append(_prose(prose))
                prose = []
            blocks.append(Paragraph(text_runs(line)))
            listing = listing or is_related_label(line)
        else:
            prose.append(line)
    if prose:
        blocks.append(_prose(prose))
    return blocks


def _item(line: str) -> bool:
    return bool(_BULLET.match(line) or _NUMBERED_ITEM.match(line))


def _prose(lines: list[str]) -> Paragraph:
    return Paragraph(text_runs(" ".join(" ".join(lines).split())))
