"""Read an article file (plain text or Markdown) into an Article: title, sections and disclaimer."""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from markdown_it import MarkdownIt
from slugify import slugify

from .errors import ContentError

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
INTRODUCTION_TITLE = "Introduction"
DISCLAIMER_TITLE = "Disclaimer"
MAX_HEADING_CHARS = 120
FRONT_MATTER_KEYS = ("title", "date", "disclaimer")
MAX_SLUG_CHARS = 60

# Phrases that mark a closing paragraph as a medical or informational disclaimer.
_DISCLAIMER_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(educational|informational|information) purposes only\b",
        r"\bnot (?:intended )?(?:to be )?(?:used )?(?:as )?a substitute for\b"
        r".{0,40}\b(?:medical|professional)",
        r"\bsubstitute for,? professional medical advice\b",
        r"\bnot intended to (?:diagnose|treat|cure|prevent)\b",
        r"\bdoes not (?:constitute|provide) medical advice\b",
        r"\b(?:medical )?disclaimer\b",
    )
]
# Advice that often closes a disclaimer but, on its own, is ordinary article text.
_DISCLAIMER_HINT = re.compile(
    r"\bconsult (?:with )?(?:a|your) (?:physician|doctor|health ?care)", re.IGNORECASE
)
_DISCLAIMER_HEADING = re.compile(r"^\W*(?:medical\s+)?disclaimer\W*$", re.IGNORECASE)
# "1. Causes", "1) Causes", "Part 2: Diet", "Chapter IV - Sleep", "Section 3 Sleep".
# Roman numerals are upper case I, V and X only, so "C. diff" and "L. reuteri" are not numbers.
_NUMBERED_HEADING = re.compile(
    r"^(?:(?P<word>part|chapter|section|step)\s+)?(?P<number>\d{1,3}|(?-i:[IVX]{1,6}))"
    r"(?:[.):]|\s+[-\u2013\u2014:]|(?=\s)(?(word)|(?!)))\s*(?P<title>\S.*)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!;,:\u2026]$")
# Control characters except tab and line breaks, plus soft hyphens, zero-width and bidi formatting marks.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Control characters that are removed with a warning: all but tab, line feed, vertical tab, form feed
# and carriage return (which are line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
BINARY_SNIFF_BYTES = 8192
"""A file whose first 8 KB are more than 1% NUL bytes is binary, not text."""


@dataclass(frozen=True)
class Block:
    """One paragraph of an article, or a sub-heading inside a chapter."""

    text: str
    level: int = 0
    """Heading level (1 for a Markdown #, 2 for a plain-text heading); 0 for a paragraph."""

    @property
    def is_heading(self) -> bool:
        """True for a heading line rather than a paragraph."""
        return self.level > 0


@dataclass(frozen=True)
class Section:
    """A chapter-to-be: a title, the author's numbering, and its paragraphs."""

    title: str
    blocks: tuple[Block, ...]
    number: str = ""
    """The author's own numbering of the heading: "1" in "1. Causes" (spoken "Part one."),
    "Chapter IV" in "Chapter IV - Sleep" (spoken "Chapter four.")."""
    heading: str = ""
    """The heading exactly as the author wrote it; empty for the untitled introduction."""
    is_disclaimer: bool = False

    @property
    def text(self) -> str:
        """The section's author text, paragraphs separated by blank lines."""
        parts = [self.heading] if self.heading else []
        parts += [b.text for b in self.blocks]
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Article:
    """A parsed article: pure data, ready to be scripted for speech."""

    source: Path
    slug: str
    title: str
    sections: tuple[Section, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    date: dt.date | None = None

    @property
    def disclaimer(self) -> Section | None:
        """The disclaimer section, which is always last when present."""
        last = self.sections[-1] if self.sections else None
        return last if last is not None and last.is_disclaimer else None


def find_articles(content_dir: Path) -> list[Path]:
    """List the article files in content_dir, sorted by name."""
    return sorted(
        p for p in content_dir.iterdir()
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )


def read_article(path: Path, *, disclaimer_text: str = "") -> Article:
    """Read and parse one article file; disclaimer_text, when given, replaces any found in it."""
    text = decode_text(_read_bytes(path), path)
    return parse_article(text, path, disclaimer_text=disclaimer_text)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as e:
        raise ContentError(f"{path}: is a folder, not an article file") from e
    except OSError as e:
        raise ContentError(f"{path}: cannot be read: {e.strerror or e}") from e


def decode_text(data: bytes, path: Path) -> str:
    """Decode article bytes: UTF-8 (with or without BOM), else Windows-1252 with a warning."""
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


def parse_article(text: str, source: Path, *, disclaimer_text: str = "") -> Article:
    """Parse article text (plain text or Markdown, optional YAML front matter) into an Article."""
    metadata, body = _split_front_matter(text, source)
    if source.suffix.lower() in (".md", ".markdown"):
        blocks = list(markdown_blocks(body))
    else:
        blocks = list(plain_text_blocks(body))
    title = str(metadata.get("title") or "").strip()
    if blocks and blocks[0].level == 1 and [b.level for b in blocks].count(1) == 1:
        # The single leading "# Title" names the article (front matter may rename it).
        title = title or blocks[0].text
        blocks.pop(0)
    if not any(b.text.strip() for b in blocks):
        raise ContentError(f"{source}: has no text to speak")
    if not title:
        title = _title_from_filename(source)

    sections = group_sections(blocks)
    configured = disclaimer_text or str(metadata.get("disclaimer") or "").strip()
    sections = attach_disclaimer(sections, " ".join(configured.split()))
    if not any(s.is_disclaimer for s in sections):
        log.warning(
            "%s: no medical disclaimer found; the audio will ship without one "
            "(add [disclaimer] text to gutaudio.toml)", source
        )
    for section in sections:
        if not section.blocks:
            log.warning("%s: section '%s' has a heading but no text", source, section.title)
    return Article(
        source=source,
        slug=slugify(source.stem, max_length=MAX_SLUG_CHARS) or "article",
        title=title,
        sections=tuple(sections),
        metadata=metadata,
        date=_as_date(metadata.get("date"), source),
    )


def _split_front_matter(text: str, source: Path) -> tuple[dict[str, Any], str]:
    if not text.lstrip("\n").startswith("---"):
        return {}, text
    # python-frontmatter itself silently drops front matter that is not a mapping (and the
    # author's words in it), so split and load with its YAML handler here.
    handler = frontmatter.YAMLHandler()
    parts = handler.FM_BOUNDARY.split(text.strip(), 2)
    if len(parts) != 3 or parts[0].strip():
        return {}, text
    try:
        metadata = handler.load(parts[1])
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ContentError(f"{source}: front matter is not valid YAML{where}") from e
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ContentError(f"{source}: front matter must be a set of 'key: value' lines")
    unused = [str(key) for key in metadata if key not in FRONT_MATTER_KEYS]
    if unused:
        log.warning("%s: front matter %s not used and not spoken (known: %s)", source,
                    ", ".join(f"'{key}'" for key in unused) + (" is" if len(unused) == 1 else " are"),
                    ", ".join(FRONT_MATTER_KEYS))
    return dict(metadata), parts[2]


def _as_date(value: Any, source: Path) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise ContentError(f"{source}: front matter date {value!r} is not YYYY-MM-DD") from e


def _title_from_filename(source: Path) -> str:
    words = re.split(r"[-_\s]+", source.stem)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "Untitled"


def plain_text_blocks(text: str) -> Iterable[Block]:
    """Split plain text into paragraphs at blank lines; a short, unpunctuated line is a heading."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    for index, para in enumerate(paragraphs):
        lines = [line.strip() for line in para.strip().split("\n")]
        has_next = index + 1 < len(paragraphs)
        if len(lines) == 1 and has_next and looks_like_heading(lines[0]):
            yield Block(lines[0], level=2)
        else:
            yield Block(" ".join(" ".join(lines).split()))


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


def markdown_blocks(text: str) -> Iterable[Block]:
    """Turn Markdown into blocks of plain text; headings keep their level."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    heading_level = 0
    row: list[str] | None = None
    for token in tokens:
        if token.type == "heading_open":
            heading_level = int(token.tag[1:])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            # A table is read row by row, its cells joined like a list.
            cells = [cell for cell in row if cell]
            if cells:
                yield Block(", ".join(cells) + ("" if cells[-1][-1] in ".!?" else "."))
            row = None
        elif token.type == "inline":
            words = " ".join(_inline_text(token.children or []).split())
            if row is not None:
                row.append(words)
                continue
            if not words:
                continue
            if heading_level:
                yield Block(words, level=heading_level)
            else:
                yield Block(words)
        elif token.type in ("fence", "code_block"):
            code = " ".join(token.content.split())
            if code:
                yield Block(code)
        elif token.type == "html_block":
            log.debug("skipping an HTML block in Markdown: %.40r", token.content)


def _inline_text(children: list[Any]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []) or child.content)
    return "".join(parts)


def group_sections(blocks: list[Block]) -> list[Section]:
    """Group blocks into sections: opening paragraphs form the Introduction, then one per heading."""
    levels = [b.level for b in blocks if b.is_heading]
    top = min(levels) if levels else 0
    sections: list[Section] = []
    title, number, heading = INTRODUCTION_TITLE, "", ""
    current: list[Block] = []

    def close() -> None:
        if heading or current:
            sections.append(Section(title, tuple(current), number=number, heading=heading))

    for block in blocks:
        if block.is_heading and block.level == top:
            close()
            heading = block.text
            number, title = split_heading_number(block.text)
            current = []
        else:
            current.append(block)
    close()
    return sections


def _match_numbered(line: str) -> re.Match[str] | None:
    match = _NUMBERED_HEADING.match(line)
    if match and not match.group("word") and not match.group("number").isdigit() \
            and match.group("title")[0].islower():
        return None  # "V. cholerae infection": a species name, not a section number
    return match


def split_heading_number(heading: str) -> tuple[str, str]:
    """Split "1. Causes of Leaky Gut" into ("1", "Causes of Leaky Gut"); keep a word: ("Part 2", "Diet")."""
    match = _match_numbered(heading.strip())
    if match and match.group("title").strip():
        number = " ".join(g for g in (match.group("word"), match.group("number")) if g)
        return number, match.group("title").strip()
    return "", heading.strip()


def is_disclaimer_text(text: str) -> bool:
    """Tell whether a paragraph reads as a medical or informational disclaimer."""
    return any(p.search(text) for p in _DISCLAIMER_PATTERNS)


def _is_disclaimer_like(text: str) -> bool:
    return is_disclaimer_text(text) or bool(_DISCLAIMER_HINT.search(text))


def attach_disclaimer(sections: list[Section], configured: str) -> list[Section]:
    """Move the article's disclaimer into its own final section, or add the configured one."""
    sections = list(sections)
    found: Section | None = None
    for index, section in enumerate(sections):
        if section.heading and _DISCLAIMER_HEADING.match(section.title):
            found = sections.pop(index)
            found = Section(DISCLAIMER_TITLE, found.blocks, heading=found.heading,
                            is_disclaimer=True)
            break
    if found is None and sections and sections[-1].blocks:
        last = sections[-1]
        blocks = list(last.blocks)
        tail: list[Block] = []
        while len(blocks) > (0 if last.heading else 1) and not blocks[-1].is_heading \
                and _is_disclaimer_like(blocks[-1].text):
            tail.insert(0, blocks.pop())
        # The disclaimer starts at its first real disclaimer paragraph; advice before it stays put.
        while tail and not is_disclaimer_text(tail[0].text):
            blocks.append(tail.pop(0))
        if tail and blocks:
            sections[-1] = Section(last.title, tuple(blocks), number=last.number,
                                   heading=last.heading)
            found = Section(DISCLAIMER_TITLE, tuple(tail), is_disclaimer=True)
        elif tail:
            # The whole section is the disclaimer: it keeps the heading the author gave it.
            sections.pop()
            found = Section(DISCLAIMER_TITLE, tuple(tail), heading=last.heading,
                            is_disclaimer=True)
    if configured:
        if found is not None:
            log.info("using the configured disclaimer instead of the article's own")
        found = Section(DISCLAIMER_TITLE, (Block(configured),), is_disclaimer=True)
    sections = [s for s in sections if s.heading or s.blocks]
    if found is not None:
        sections.append(found)
    return sections


def unique_slugs(titles: Iterable[str], make: Callable[[str], str] | None = None) -> list[str]:
    """Turn titles into file-safe slugs, unique within the list and at most 60 characters."""
    # save_order: cut at the first word that does not fit; by default slugify skips it and goes on
    # with shorter words, so "Fibre permeability and ..." became "fibre-and-and".
    make = make or (lambda t: slugify(t, max_length=MAX_SLUG_CHARS, word_boundary=True, save_order=True))
    used: set[str] = set()
    counts: dict[str, int] = {}  # the last number given to each base, so 5,000 "Diet"s take no time
    slugs = []
    for title in titles:
        base = make(title) or "chapter"
        slug, count = base, counts.get(base, 1)
        while slug in used:  # "Diet", "Diet" and "Diet 2" must not both become diet-2
            count += 1
            suffix = f"-{count}"
            slug = base[:MAX_SLUG_CHARS - len(suffix)].rstrip("-") + suffix
        counts[base] = count
        used.add(slug)
        slugs.append(slug)
    return slugs
