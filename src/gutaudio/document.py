"""The document model of an article: metadata, sections and blocks of inline runs.

Every later stage reads this one model: the speech script, the page, the transcripts, the feed's
descriptions and the ID3 text. Readers (one per input format) produce it; nothing here does I/O.
The text kept here is always the author's own; only the speech script normalizes it.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

# --- inline runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Plain text of the author's."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """Emphasised text (Markdown *x*, HTML <em>)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    """Strongly emphasised text (Markdown **x**, HTML <strong>)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """A link: its text is read, its address is shown, never spoken."""

    children: tuple[Inline, ...]
    href: str


@dataclass(frozen=True)
class Code:
    """Inline code, shown in a monospace font."""

    text: str


@dataclass(frozen=True)
class NoteRef:
    """A citation or footnote marker ("[1]", "[^note]", a superscript number): shown, not spoken."""

    label: str
    footnote: bool = False
    """True when it points at one of the article's footnotes (the page links to it)."""


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


Inline = Text | Emphasis | Strong | Link | Code | NoteRef | LineBreak


def runs(text: str) -> tuple[Inline, ...]:
    """Plain text as inline runs (one Text run, or none for empty text)."""
    return (Text(text),) if text else ()


def inline_text(items: Iterable[Inline]) -> str:
    """The author's text of inline runs as one line; markers shown as "[1]"."""
    parts: list[str] = []
    for item in items:
        match item:
            case Text(text) | Code(text):
                parts.append(text)
            case Emphasis(children) | Strong(children) | Link(children, _):
                parts.append(inline_text(children))
            case NoteRef(label, _):
                parts.append(f"[{label}]")
            case LineBreak():
                parts.append(" ")
    return " ".join("".join(parts).split())


def speech_text(items: Iterable[Inline]) -> str:
    """The words of inline runs that are meant to be heard: markers and addresses left out."""
    parts: list[str] = []
    for item in items:
        match item:
            case Text(text) | Code(text):
                parts.append(text)
            case Emphasis(children) | Strong(children) | Link(children, _):
                parts.append(speech_text(children))
            case LineBreak():
                parts.append(" ")
    return " ".join("".join(parts).split())


def note_refs(items: Iterable[Inline]) -> Iterator[NoteRef]:
    """Every citation or footnote marker in inline runs, in order."""
    for item in items:
        match item:
            case NoteRef():
                yield item
            case Emphasis(children) | Strong(children) | Link(children, _):
                yield from note_refs(children)


# --- blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline runs."""

    content: tuple[Inline, ...]

    @property
    def text(self) -> str:
        """The paragraph's author text on one line."""
        return inline_text(self.content)


@dataclass(frozen=True)
class Heading:
    """A heading; inside a section, a sub-heading spoken within its chapter."""

    level: int
    content: tuple[Inline, ...]

    @property
    def text(self) -> str:
        """The heading's author text."""
        return inline_text(self.content)


@dataclass(frozen=True)
class ListItem:
    """One item of a list: its blocks (paragraphs, nested lists)."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    """An ordered or unordered list."""

    items: tuple[ListItem, ...]
    ordered: bool = False
    start: int = 1
    """The number of the first item of an ordered list."""


@dataclass(frozen=True)
class Table:
    """A table: header cells, rows of cells, and an optional caption."""

    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    caption: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A block quotation and who said it."""

    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Figure:
    """An image with its alternative text and caption."""

    src: str
    alt: str = ""
    caption: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class CodeBlock:
    """Preformatted code or data, shown as written and not read character by character."""

    text: str
    language: str = ""


Block = Paragraph | Heading | ListBlock | Table | Quote | Figure | CodeBlock


class SectionKind(Enum):
    """What a section is to the listener."""

    BODY = "body"
    """A chapter of the article."""
    REFERENCES = "references"
    """References, sources or a bibliography: on the page and in transcripts, spoken only if asked."""
    DISCLAIMER = "disclaimer"
    """The medical disclaimer: always the final chapter."""


@dataclass(frozen=True)
class Section:
    """A part of the article under one heading (or the untitled introduction)."""

    title: str
    """The chapter title: the heading without the author's numbering, or "Introduction"."""
    blocks: tuple[Block, ...]
    heading: tuple[Inline, ...] = ()
    """The heading as the author wrote it; empty for the untitled introduction."""
    number: str = ""
    """The author's numbering of the heading: "1" in "1. Causes", "Chapter IV" in "Chapter IV - Sleep"."""
    level: int = 2
    kind: SectionKind = SectionKind.BODY

    @property
    def is_disclaimer(self) -> bool:
        """True for the article's disclaimer."""
        return self.kind is SectionKind.DISCLAIMER

    @property
    def heading_text(self) -> str:
        """The heading as plain text, or an empty string."""
        return inline_text(self.heading)

    @property
    def body_text(self) -> str:
        """The section's author text without its heading, as plain text (lists numbered, tables laid out)."""
        return blocks_text(self.blocks)

    @property
    def text(self) -> str:
        """The section's author text with its heading, as plain text."""
        return "\n\n".join(part for part in (self.heading_text, self.body_text) if part)


@dataclass(frozen=True)
class Footnote:
    """A footnote the article refers to by label."""

    label: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Metadata:
    """What the article says about itself (front matter, a page's head, a byline)."""

    title: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    updated: dt.date | None = None
    description: str = ""
    language: str = ""
    image: str = ""
    tags: tuple[str, ...] = ()
    canonical: str = ""
    disclaimer: str = ""
    """A disclaimer given as metadata (front matter, a page's markup)."""

    @property
    def author(self) -> str:
        """The authors as one line: "A", "A and B", "A, B and C"."""
        names = list(self.authors)
        return names[0] if len(names) == 1 else (", ".join(names[:-1]) + f" and {names[-1]}" if names else "")


@dataclass(frozen=True)
class Omission:
    """Something in the source that is not spoken and not shown (a share bar, a footer), and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Article:
    """A read article: pure data for the script, the page, the transcripts and the feed."""

    source: Path
    slug: str
    metadata: Metadata
    sections: tuple[Section, ...]
    footnotes: tuple[Footnote, ...] = ()
    omitted: tuple[Omission, ...] = ()
    """What the reader dropped from the source, said in a warning and by `inspect`."""

    @property
    def title(self) -> str:
        """The article's title: its own, else one made from its file name ("leaky-gut.txt": "Leaky Gut")."""
        return self.metadata.title or title_from_filename(self.source)

    @property
    def date(self) -> dt.date | None:
        """The article's publication date, when it gives one."""
        return self.metadata.date

    @property
    def disclaimer(self) -> Section | None:
        """The disclaimer section, which is always last when present."""
        last = self.sections[-1] if self.sections else None
        return last if last is not None and last.is_disclaimer else None


def title_from_filename(source: Path) -> str:
    """A title made from a file name: "leaky-gut.txt" -> "Leaky Gut"."""
    words = re.split(r"[-_\s]+", source.stem)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "Untitled"


# --- the plain-text rendition (transcripts, ID3 text, feed descriptions) ----------------------


def blocks_text(blocks: Iterable[Block]) -> str:
    """Render blocks as readable plain text: list numbers kept, tables laid out in columns."""
    return "\n\n".join(text for text in (block_text(b) for b in blocks) if text)


def block_text(block: Block) -> str:
    """Render one block as readable plain text."""
    match block:
        case Paragraph(content) | Heading(_, content):
            return inline_text(content)
        case ListBlock():
            return "\n".join(_list_lines(block, 0))
        case Table():
            return _table_text(block)
        case Quote(blocks, attribution):
            lines = [f"> {line}" if line else ">" for line in blocks_text(blocks).split("\n")]
            if attribution:
                lines.append(f"> \u2014 {inline_text(attribution)}")
            return "\n".join(lines)
        case Figure(_, alt, caption):
            parts = [f"[Image: {alt}]" if alt else "[Image]"]
            if caption:
                parts.append(inline_text(caption))
            return " ".join(parts)
        case CodeBlock(text, _):
            return textwrap.indent(text.rstrip("\n"), "    ")
    return ""


def list_marker(block: ListBlock, position: int) -> str:
    """The marker of a list's item at 0-based position: "3." in an ordered list, "-" otherwise."""
    return f"{block.start + position}." if block.ordered else "-"


def _list_lines(block: ListBlock, depth: int) -> list[str]:
    lines: list[str] = []
    indent = "   " * depth
    for position, item in enumerate(block.items):
        marker = list_marker(block, position)
        first = True
        for child in item.blocks:
            if isinstance(child, ListBlock):
                lines += _list_lines(child, depth + 1)
                continue
            for line in block_text(child).split("\n"):
                prefix = f"{marker} " if first else " " * (len(marker) + 1)
                lines.append(f"{indent}{prefix}{line}")
                first = False
        if first:
            lines.append(f"{indent}{marker}")
    return lines


def _table_text(table: Table) -> str:
    rows = [[inline_text(cell) for cell in row] for row in ((table.header,) if table.header else ())]
    rows += [[inline_text(cell) for cell in row] for row in table.rows]
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(width)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    if table.header and lines:
        lines.insert(1, "  ".join("-" * w for w in widths))
    if table.caption:
        lines.insert(0, inline_text(table.caption))
    return "\n".join(lines)


__all__ = [
    "Article", "Block", "Code", "CodeBlock", "Emphasis", "Figure", "Footnote", "Heading", "Inline",
    "LineBreak", "Link", "ListBlock", "ListItem", "Metadata", "NoteRef", "Omission", "Paragraph",
    "Quote", "Section", "SectionKind", "Strong", "Table", "Text", "block_text", "blocks_text",
    "inline_text", "list_marker", "note_refs", "runs", "speech_text",
]
