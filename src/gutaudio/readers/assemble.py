"""The steps every reader's Draft goes through: boilerplate, title, sections and the disclaimer.

The disclaimer is found wherever it stands (its own section, a labelled or recognisable
paragraph anywhere, the page's markup, front matter) and moved to be the final section; the
configured one replaces it, the show's default stands in for a missing one, and an article
with none fails unless the settings allow it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

from slugify import slugify

from ..config import DisclaimerSettings
from ..disclaimers import disclaimer_label, is_disclaimer, is_disclaimer_heading
from ..document import (
    Article,
    Block,
    Emphasis,
    Figure,
    Heading,
    Inline,
    Link,
    ListBlock,
    Metadata,
    Omission,
    Paragraph,
    Quote,
    Section,
    SectionKind,
    Strong,
    Text,
    block_text,
    inline_text,
    speech_text,
)
from ..errors import ContentError
from ..speech import split_sentences
from .base import Draft, text_runs
from .boilerplate import boilerplate_reason, is_related_label, parse_byline
from .headings import split_heading_number

log = logging.getLogger(__name__)

INTRODUCTION_TITLE = "Introduction"
DISCLAIMER_TITLE = "Disclaimer"
MAX_SLUG_CHARS = 60
BYLINE_BLOCKS = 4
"""A byline is looked for in the first blocks after the title only."""

# Advice that often closes a disclaimer: taken with it when it directly follows one, never on its own.
_ADVICE = re.compile(r"\b(?:consult|talk to|speak (?:with|to)|ask|check with|seek the advice of)\b.{0,40}"
                     r"\b(?:physician|doctor|health ?care|pharmacist|GP|provider|professional)",
                     re.IGNORECASE)
_REFERENCES = re.compile(
    r"^(?:(?:scientific |selected |key )?references?(?: and (?:further reading|resources|notes))?|sources?"
    r"(?: and (?:further reading|references))?|bibliography|works cited|citations?|literature(?: cited)?|"
    r"end ?notes|foot ?notes|notes|further reading)$",
    re.IGNORECASE,
)


def assemble(draft: Draft, source: Path, policy: DisclaimerSettings) -> Article:
    """Turn a reader's Draft into an Article: title, sections, boilerplate dropped, disclaimer last."""
    blocks, metadata, omitted = drop_boilerplate(list(draft.blocks), draft.metadata)
    omitted = [*draft.omitted, *omitted]
    blocks, metadata = take_title(blocks, metadata, source)
    if not any(block_text(b).strip() for b in [*blocks, *draft.disclaimers]):
        raise ContentError(f"{source}: has no text to speak")
    sections = group_sections(blocks)
    marked, unmarked = [], []
    for block in draft.disclaimers:
        (marked if _reads_as_disclaimer(block_text(block)) else unmarked).append(block)
    omitted += [Omission(block_text(b), "marked as a disclaimer but not a medical one") for b in unmarked]
    sections, found = take_disclaimer(sections, tuple(marked))
    disclaimer, replaced = choose_disclaimer(found, metadata, policy, source)
    omitted += [Omission(block_text(b), "replaced by the configured disclaimer") for b in replaced]
    if disclaimer is not None:
        sections.append(disclaimer)
    for item in omitted:
        log.warning("%s: not spoken (%s): %s", source, item.reason, _quote(item.text))
    for section in sections:
        if not section.blocks:
            log.warning("%s: section '%s' has a heading but no text", source, section.title)
    return Article(
        source=source,
        slug=slugify(source.stem, max_length=MAX_SLUG_CHARS) or "article",
        metadata=metadata,
        sections=tuple(sections),
        footnotes=draft.footnotes,
        omitted=tuple(omitted),
    )


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= limit else f'"{text[:limit - 1].rstrip()}\u2026"'


# --- boilerplate ------------------------------------------------------------------------------


def _line_of(block: Block) -> str | None:
    """The text of a one-line block that could be page furniture; None for anything else."""
    if isinstance(block, Paragraph | Heading):
        text = inline_text(block.content)
        return text if len(text) <= 240 else None
    return None


def _is_post_title(block: Block) -> bool:
    if isinstance(block, ListBlock | Heading):
        return True
    line = _line_of(block)
    return line is not None and len(line.split()) <= 16 and not line.endswith(".") \
        and not is_disclaimer(line) and boilerplate_reason(line) is None


def drop_boilerplate(blocks: list[Block], metadata: Metadata) -> tuple[list[Block], Metadata, list[Omission]]:
    """Take bylines as metadata and drop share bars, related-post lists and copyright footers."""
    kept: list[Block] = []
    omitted: list[Omission] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        line = _line_of(block)
        index += 1
        if line is None or _reads_as_disclaimer(line):
            kept.append(block)
            continue
        if len(kept) < BYLINE_BLOCKS and (byline := parse_byline(line)) is not None:
            metadata = replace(
                metadata, authors=metadata.authors or byline.authors,
                date=metadata.date or byline.date, updated=metadata.updated or byline.updated)
            omitted.append(Omission(line, "byline"))
            continue
        if is_related_label(line):
            titles = [line]
            while index < len(blocks) and _is_post_title(blocks[index]) and not (
                    isinstance(block, Heading) and isinstance(blocks[index], Heading)
                    and blocks[index].level <= block.level):
                titles.append(block_text(blocks[index]))
                index += 1
            omitted.append(Omission(" | ".join(t.replace("\n", " | ") for t in titles), "related posts"))
            continue
        reason = boilerplate_reason(line)
        if reason is not None:
            omitted.append(Omission(line, reason))
            continue
        kept.append(block)
    return kept, metadata, omitted


# --- title and sections -----------------------------------------------------------------------


def take_title(blocks: list[Block], metadata: Metadata, source: Path) -> tuple[list[Block], Metadata]:
    """The single leading level-1 heading names the article (metadata may rename it).

    Leading: the first block, or the first heading with only page-top boxes before it (a quote,
    such as a callout or a disclaimer box, or a figure); those stay where they are.
    """
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    at = next((i for i, b in enumerate(blocks) if not isinstance(b, Quote | Figure)), None)
    first = blocks[at] if at is not None else None
    if isinstance(first, Heading) and first.level == 1 and levels.count(1) == 1:
        blocks = blocks[:at] + blocks[at + 1:]
        if not metadata.title:
            metadata = replace(metadata, title=inline_text(first.content))
    return blocks, metadata


def group_sections(blocks: list[Block]) -> list[Section]:
    """Group blocks into sections: opening blocks form the Introduction, then one per top heading."""
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    top = min(levels) if levels else 0
    sections: list[Section] = []
    heading: Heading | None = None
    current: list[Block] = []

    def close() -> None:
        if heading is None:
            if current:
                sections.append(Section(INTRODUCTION_TITLE, tuple(current)))
            return
        text = speech_text(heading.content)  # the chapter's title: no citation marker
        number, title = split_heading_number(text)
        kind = SectionKind.REFERENCES if _REFERENCES.match(title.strip(" :.")) else SectionKind.BODY
        sections.append(Section(title or text, tuple(current), heading=heading.content, number=number,
                                level=heading.level, kind=kind))

    for block in blocks:
        if isinstance(block, Heading) and block.level == top:
            close()
            heading, current = block, []
        else:
            current.append(block)
    close()
    return sections


# --- the disclaimer ---------------------------------------------------------------------------


def take_disclaimer(sections: list[Section],
                    marked: tuple[Block, ...]) -> tuple[list[Section], Section | None]:
    """Take the article's disclaimer out of wherever it stands; return the rest and the disclaimer."""
    headed = next((i for i, s in enumerate(sections)
                   if s.heading and s.kind is SectionKind.BODY and is_disclaimer_heading(s.title)), None)
    if headed is not None and not any(block_text(b).strip() for b in sections[headed].blocks):
        headed = None  # "## Disclaimer" with nothing under it: no disclaimer (the default may stand in)
    if headed is not None:
        found = sections.pop(headed)
        extra = [*marked, *_take_paragraphs(sections)]
        return sections, Section(DISCLAIMER_TITLE, tuple(_without_label(_unique([*found.blocks, *extra]))),
                                 heading=found.heading, level=found.level, kind=SectionKind.DISCLAIMER)
    blocks = _unique([*marked, *_take_paragraphs(sections)])
    if not blocks:
        return sections, None
    return sections, _labelled_disclaimer(blocks)


def _take_paragraphs(sections: list[Section]) -> list[Block]:
    """Remove every disclaimer paragraph (and a disclaimer sub-heading's blocks) from the sections.

    A quotation or note box whose paragraphs read as a disclaimer is taken whole; a long paragraph
    that ends with disclaimer sentences gives up only those; short advice right after a disclaimer
    paragraph ("Always consult your physician.") goes with it.
    """
    taken: list[Block] = []
    for position, section in enumerate(sections):
        kept: list[Block] = []
        mine: list[Block] = []
        under: int | None = None  # level of a disclaimer sub-heading whose blocks are being taken
        after_disclaimer = False
        for block in section.blocks:
            if isinstance(block, Heading):
                if under is not None and block.level <= under:
                    under = None
                if under is None and is_disclaimer_heading(inline_text(block.content)):
                    under = block.level
                    mine.append(block)
                    continue
            if under is not None:
                mine.append(block)
                continue
            found = _disclaimer_part(block, after_disclaimer)
            if found is None:
                kept.append(block)
                after_disclaimer = False
                continue
            body, disclaimer = found
            if body is not None:
                kept.append(body)
            mine += disclaimer
            after_disclaimer = True
        if mine:
            if not kept and section.heading and not isinstance(mine[0], Heading):
                # The whole section is the disclaimer: it keeps the heading its author gave it.
                mine.insert(0, Heading(section.level, section.heading))
                sections[position] = replace(section, blocks=(), heading=())
            else:
                sections[position] = replace(section, blocks=tuple(kept))
            taken += mine
    sections[:] = [s for s in sections if s.blocks or s.heading]
    return _unique(taken)


MAX_ADVICE_WORDS = 25
"""Advice after a disclaimer goes with it only when it is one sentence of at most this many words."""


def _disclaimer_part(block: Block, after_disclaimer: bool) -> tuple[Block | None, list[Block]] | None:
    """The disclaimer a block holds, as (what stays in the body, the disclaimer blocks); None if none."""
    if isinstance(block, Quote):
        taken = [b for b in block.blocks
                 if isinstance(b, Paragraph) and _reads_as_disclaimer(inline_text(b.content))]
        if not taken:
            return None
        rest = tuple(b for b in block.blocks if b not in taken)
        # What else the quote holds (and who said it) stays where the author put it.
        return (Quote(rest, block.attribution) if rest or block.attribution else None), taken
    if not isinstance(block, Paragraph):
        return None
    text = inline_text(block.content)
    if not text:
        return None
    if after_disclaimer and _ADVICE.search(text) and len(text.split()) <= MAX_ADVICE_WORDS \
            and len(split_sentences(text)) == 1:
        return None, [block]
    if not _reads_as_disclaimer(text):
        return None
    return _split_trailing_disclaimer(block, text)


def _split_trailing_disclaimer(block: Paragraph, text: str) -> tuple[Block | None, list[Block]]:
    """A paragraph of prose that ends with disclaimer sentences keeps the prose; the rest is taken.

    Only a paragraph of plain runs is split (its links and emphasis would otherwise be cut);
    one whose disclaimer sentences do not close it is taken whole, as written.
    """
    sentences = split_sentences(text, max_chars=10_000)
    plain = all(isinstance(r, Text) for r in block.content)
    if len(sentences) < 3 or disclaimer_label(text) or not plain:
        return None, [block]
    first = len(sentences)
    while first > 0 and _reads_as_disclaimer(" ".join(sentences[first - 1:])) and \
            _reads_as_disclaimer(sentences[first - 1]):
        first -= 1
    if first in (0, len(sentences)) or _reads_as_disclaimer(" ".join(sentences[:first])):
        return None, [block]
    body, disclaimer = " ".join(sentences[:first]), " ".join(sentences[first:])
    return Paragraph(text_runs(body)), [Paragraph(text_runs(disclaimer))]


def _unique(blocks: list[Block]) -> list[Block]:
    """The same disclaimer given twice (in the article and in the page's footer) is kept once."""
    seen: set[str] = set()
    out = []
    for block in blocks:
        key = " ".join(block_text(block).casefold().split())
        if isinstance(block, Heading):
            out.append(block)
            continue
        if key and key in seen:
            continue
        seen.add(key)
        out.append(block)
    return out


def _reads_as_disclaimer(text: str) -> bool:
    return disclaimer_label(text) > 0 or is_disclaimer(text)


def _labelled_disclaimer(blocks: list[Block]) -> Section:
    """A disclaimer made of paragraphs; a leading "Medical disclaimer:" label becomes its heading."""
    heading: tuple[Inline, ...] = ()
    first = blocks[0]
    if isinstance(first, Heading):
        return Section(DISCLAIMER_TITLE, tuple(_without_label(blocks[1:])), heading=first.content,
                       level=first.level, kind=SectionKind.DISCLAIMER)
    if isinstance(first, Paragraph):
        text = inline_text(first.content)
        length = disclaimer_label(text)
        if length:
            label = text[:length].strip().rstrip(":.-\u2013\u2014 ").strip()
            rest = drop_leading(first.content, length)
            heading = (Text(label),)
            blocks = ([Paragraph(rest)] if inline_text(rest) else []) + blocks[1:]
    return Section(DISCLAIMER_TITLE, tuple(blocks), heading=heading, kind=SectionKind.DISCLAIMER)


def _without_label(blocks: list[Block]) -> list[Block]:
    """Under a disclaimer heading, a first paragraph's own "Disclaimer:" label would be said twice."""
    first = blocks[0] if blocks else None
    if isinstance(first, Paragraph) and (length := disclaimer_label(inline_text(first.content))):
        rest = drop_leading(first.content, length)
        return ([Paragraph(rest)] if inline_text(rest) else []) + list(blocks[1:])
    return list(blocks)


def drop_leading(content: tuple[Inline, ...], count: int) -> tuple[Inline, ...]:
    """Inline runs without their first count characters (of their whitespace-collapsed text)."""
    out: list[Inline] = []
    remaining = count
    at_start = True  # inline_text strips the paragraph's leading space: so does the count
    for item in content:
        if remaining <= 0:
            out.append(item)
            continue
        if isinstance(item, Text):
            text = re.sub(r"\s+", " ", item.text)
            if at_start:
                text = text.lstrip()
            if text:
                at_start = False
            if len(text) <= remaining:
                remaining -= len(text)
                continue
            out.append(Text(text[remaining:]))
            remaining = 0
        elif isinstance(item, Emphasis | Strong | Link):
            inner = inline_text(item.children)
            at_start = at_start and not inner
            if len(inner) <= remaining:
                remaining -= len(inner)
                continue
            out.append(replace(item, children=drop_leading(item.children, remaining)))
            remaining = 0
        else:  # a line break, code or a marker: counted by the text inline_text gives it
            length = len(inline_text((item,))) or (0 if at_start else 1)
            if length <= remaining:
                remaining -= length
                continue
            out.append(item)
            remaining = 0
    while out and isinstance(out[0], Text) and not out[0].text.strip(" :.-\u2013\u2014"):
        out.pop(0)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip(" :.-\u2013\u2014"))
    return tuple(out)


def choose_disclaimer(found: Section | None, metadata: Metadata, policy: DisclaimerSettings,
                      source: Path) -> tuple[Section | None, list[Block]]:
    """The disclaimer to speak, and the article's own blocks it replaces (if any)."""
    configured = " ".join((policy.text or metadata.disclaimer).split())
    if configured:
        replaced = list(found.blocks) if found is not None else []
        if replaced:
            log.info("%s: using the %s disclaimer instead of the article's own", source,
                     "configured" if policy.text else "front matter's")
        return _labelled_disclaimer([Paragraph(text_runs(configured))]), replaced
    if found is not None:
        return found, []
    if policy.default:
        return _labelled_disclaimer([Paragraph(text_runs(" ".join(policy.default.split())))]), []
    if policy.required:
        raise ContentError(
            f"{source}: no medical disclaimer found; add one to the article, or give every article a "
            f"default with [disclaimer] default = \"...\" in gutaudio.toml "
            f"([disclaimer] required = false builds without one)")
    log.warning("%s: no medical disclaimer found; the audio will ship without one "
                "([disclaimer] required = false)", source)
    return None, []
