"""Turn an Article into a speech script: chapters of utterances, each with display and spoken text.

Each kind of block has its own rendition, a small function: paragraphs sentence by sentence,
lists with their numbers, tables row by row with their column names, quotes announced with
who said them, images announced (or skipped), code announced, never spelled out. Citation
markers and link addresses are never spoken; references and footnotes only when asked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from slugify import slugify

from .chapter import Chapter, Unspoken, Utterance
from .config import AudioSettings, SpeechSettings
from .document import (
    Article,
    Block,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
    Inline,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    SectionKind,
    Strong,
    Table,
    inline_text,
    note_refs,
    speech_text,
)
from .readers.assemble import DISCLAIMER_TITLE, MAX_SLUG_CHARS
from .readers.headings import split_heading_number
from .speech import (
    Lexicon,
    apply_lexicon,
    speak_heading,
    speakable,
    split_long,
    split_sentences,
    to_spoken,
    unit_phrase,
)

log = logging.getLogger(__name__)

NOTES_TITLE = "Notes"


@dataclass(frozen=True)
class _Context:
    """What every rendition needs: pauses and the producer's choices."""

    audio: AudioSettings
    speech: SpeechSettings


def spoken_sections(article: Article, speech: SpeechSettings) -> list[Section]:
    """The sections that become chapters: every one but references, unless asked; notes when asked."""
    sections = [s for s in article.sections if s.kind is not SectionKind.REFERENCES or speech.references]
    if speech.references and article.footnotes:
        notes = tuple(block for note in article.footnotes for block in note.blocks)
        position = len(sections) - (1 if sections and sections[-1].is_disclaimer else 0)
        sections.insert(position, Section(NOTES_TITLE, notes, kind=SectionKind.REFERENCES))
    return sections


def build_script(article: Article, audio: AudioSettings, lexicon: Lexicon = (),
                 speech: SpeechSettings | None = None) -> list[Chapter]:
    """Script every spoken section of an article as a chapter of utterances, in reading order."""
    context = _Context(audio, speech or SpeechSettings())
    scripted = []
    for section in spoken_sections(article, context.speech):
        utterances = script_section(section, audio, context.speech)
        if not scripted and context.speech.title:
            utterances = title_utterances(article, audio) + utterances
        utterances = _settled(utterances)
        if utterances:
            scripted.append((section, tuple(replace(u, spoken=apply_lexicon(u.spoken, lexicon))
                                            for u in utterances)))
        else:
            log.warning("%s: section '%s' has nothing to speak; it is left out",
                        article.source, section.title)
    slugs = unique_slugs(section.title for section, _ in scripted)
    return [
        Chapter(index=index, title=section.title, slug=slug, text=section.text, utterances=utterances,
                is_disclaimer=section.is_disclaimer, body_text=section.body_text, section=section)
        for index, ((section, utterances), slug) in enumerate(zip(scripted, slugs, strict=True), 1)
    ]


def _settled(utterances: list[Utterance]) -> list[Utterance]:
    """The chapter's last utterance has no pause after it (the tail follows)."""
    if utterances:
        utterances[-1] = replace(utterances[-1], pause_after_ms=0)
    return utterances


def title_utterances(article: Article, audio: AudioSettings) -> list[Utterance]:
    """The article's own title (not one made from its file name) and author, to start the first chapter."""
    title = article.metadata.title
    out = [Utterance(piece, speak_heading("", piece), audio.sentence_pause_ms, True, "title")
           for piece in split_long(title) if speakable(piece)]
    author = article.metadata.author
    if author and speakable(author):
        out.append(Utterance(f"By {author}", f"By {to_spoken(author).rstrip('.')}.",
                             audio.sentence_pause_ms, kind="title"))
    if out:
        out[-1] = replace(out[-1], pause_after_ms=audio.heading_pause_ms)
    return out


def script_section(section: Section, audio: AudioSettings,
                   speech: SpeechSettings | None = None) -> list[Utterance]:
    """Script one section: its spoken heading, then each block by its rendition."""
    context = _Context(audio, speech or SpeechSettings())
    utterances: list[Utterance] = []
    heading = section.heading_text
    if heading and speakable(heading):
        # Spoken from the heading as written: a disclaimer's title is renamed, its heading is not.
        utterances += heading_utterances(heading, audio, numbered=True)
    elif section.is_disclaimer:
        utterances.append(Utterance(DISCLAIMER_TITLE, f"{DISCLAIMER_TITLE}.", audio.heading_pause_ms, True,
                                    "heading"))
    for block in section.blocks:
        utterances += render_block(block, context)
    return utterances


def heading_utterances(heading: str, audio: AudioSettings, *, numbered: bool) -> list[Utterance]:
    """A heading spoken as a heading ("Part one. Causes."); a long one split, only its first part numbered."""
    pieces = [p for p in split_long(heading) if speakable(p)]
    utterances = []
    for position, piece in enumerate(pieces):
        number, title = split_heading_number(piece) if numbered and position == 0 else ("", piece)
        pause = audio.heading_pause_ms if position == len(pieces) - 1 else audio.sentence_pause_ms
        utterances.append(Utterance(piece, speak_heading(number, title), pause, True, "heading"))
    return utterances


def render_block(block: Block, context: _Context) -> list[Utterance]:
    """The utterances of one block, by its kind; the last one is followed by a paragraph's pause."""
    match block:
        case Paragraph(content):
            utterances = prose_utterances(speech_text(content), context.audio)
        case Heading(_, content):
            return heading_utterances(speech_text(content), context.audio, numbered=False)
        case ListBlock():
            utterances = list_utterances(block, context)
        case Table():
            utterances = table_utterances(block, context)
        case Quote():
            utterances = quote_utterances(block, context)
        case Figure():
            utterances = figure_utterances(block, context)
        case CodeBlock():
            utterances = code_utterances(block, context)
        case _:
            utterances = []
    if utterances:
        utterances[-1] = replace(utterances[-1], pause_after_ms=context.audio.paragraph_pause_ms)
    kind = _KINDS.get(type(block), "paragraph")
    return [u if u.kind != "paragraph" else replace(u, kind=kind) for u in utterances]


_KINDS = {Paragraph: "paragraph", ListBlock: "list", Table: "table", Quote: "quote", Figure: "image",
          CodeBlock: "code"}


def unspoken_parts(article: Article, chapters: Iterable[Chapter], speech: SpeechSettings) -> list[Unspoken]:
    """What the article shows but the audio does not say, and why: for `inspect` and the build's log."""
    out = [Unspoken("source", item.text, item.reason) for item in article.omitted]
    spoken = {id(c.section) for c in chapters}
    for section in article.sections:
        if id(section) not in spoken:
            reason = ("a references section: on the page and in the transcripts "
                      "([speech] references = true reads it)" if section.kind is SectionKind.REFERENCES
                      else "nothing in it can be spoken")
            out.append(Unspoken(section.title, section.body_text, reason))
            continue
        markers = [f"[{ref.label}]" for block in section.blocks for ref in _refs(block)]
        if markers:
            out.append(Unspoken(section.title, " ".join(markers), "citation and footnote markers"))
        links = [link.href for block in section.blocks for link in _links(block)]
        if links:
            out.append(Unspoken(section.title, " ".join(links), "link addresses (their text is read)"))
    if article.footnotes and not speech.references:
        out.append(Unspoken("footnotes", " ".join(f"[{n.label}]" for n in article.footnotes),
                            "footnotes: on the page and in the transcripts ([speech] references = true)"))
    return out


def _inline_runs(block: Block) -> Iterable[tuple[Inline, ...]]:
    """Every run of inline content inside a block, nested blocks included."""
    match block:
        case Paragraph(content) | Heading(_, content):
            yield content
        case ListBlock(items):
            for item in items:
                for child in item.blocks:
                    yield from _inline_runs(child)
        case Table(header, rows, caption):
            yield caption
            yield from header
            for row in rows:
                yield from row
        case Quote(blocks, attribution):
            for child in blocks:
                yield from _inline_runs(child)
            yield attribution
        case Figure(_, _, caption):
            yield caption


def _refs(block: Block) -> Iterable[NoteRef]:
    for content in _inline_runs(block):
        yield from note_refs(content)


def _links(block: Block) -> Iterable[Link]:
    def walk(items: Iterable[Inline]) -> Iterable[Link]:
        for item in items:
            if isinstance(item, Link):
                yield item
            if isinstance(item, Emphasis | Strong | Link):
                yield from walk(item.children)
    for content in _inline_runs(block):
        yield from walk(content)


def prose_utterances(text: str, audio: AudioSettings, *, first: str = "") -> list[Utterance]:
    """A paragraph sentence by sentence; first, when given, is spoken before the first sentence."""
    sentences = [s for s in split_sentences(text) if speakable(s)]
    out = [Utterance(s, to_spoken(s), audio.sentence_pause_ms) for s in sentences]
    if first and out:
        out[0] = replace(out[0], spoken=f"{first} {out[0].spoken}")
    return out


def _closed(spoken: str) -> str:
    """A list item or table row without closing punctuation gets a full stop, so the voice ends it."""
    return spoken if not spoken or spoken[-1] in ".!?:;" else f"{spoken}."


def list_utterances(block: ListBlock, context: _Context) -> list[Utterance]:
    """List items in order, ordered ones with their numbers ("Three. Eat slowly.")."""
    out: list[Utterance] = []
    for position, item in enumerate(block.items):
        number = block.start + position
        spoken_number = f"{to_spoken(str(number)).capitalize()}." if block.ordered else ""
        first = True
        for child in item.blocks:
            if isinstance(child, Paragraph):
                utterances = prose_utterances(speech_text(child.content), context.audio,
                                              first=spoken_number if first else "")
                if utterances:
                    utterances[-1] = replace(utterances[-1], spoken=_closed(utterances[-1].spoken))
                    if first and block.ordered:
                        utterances[0] = replace(utterances[0], display=f"{number}. {utterances[0].display}")
                    first = False
                out += utterances
            else:
                out += render_block(child, context)
                first = False
        if out:
            out[-1] = replace(out[-1], pause_after_ms=context.audio.sentence_pause_ms)
    return out


_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<paren>[^()]{1,12})\)|\[(?P<bracket>[^\[\]]{1,12})\]"
                          r"|,\s*(?P<comma>[^\s,]{1,8}))$")


def header_unit(header: str) -> tuple[str, str]:
    """Split a column header into its name and unit: "Fiber (g)" -> ("Fiber", "g"); none -> (header, "")."""
    match = _HEADER_UNIT.match(header.strip())
    if match:
        unit = match.group("paren") or match.group("bracket") or match.group("comma") or ""
        if unit_phrase("2", unit) is not None and match.group("name"):
            return match.group("name"), unit
    return header.strip(), ""


def _cell_spoken(cell: str, unit: str) -> str:
    if unit:
        phrase = unit_phrase(cell.strip(), unit)
        if phrase is not None:
            return to_spoken(phrase)
    return to_spoken(cell)


def table_utterances(table: Table, context: _Context) -> list[Utterance]:
    """A table row by row with its column names ("Chia seeds: serving, 2 tablespoons; fiber, 8.3 grams")."""
    out: list[Utterance] = []
    caption = speech_text(table.caption)
    if caption and speakable(caption):
        label = "" if caption.lower().startswith("table") else "Table:"
        out += prose_utterances(caption, context.audio, first=label)
    headers = [header_unit(speech_text(cell)) for cell in table.header]
    for row in table.rows:
        cells = [speech_text(cell) for cell in row]
        if not any(speakable(c) for c in cells):
            continue
        display, spoken = _row_text(cells, headers)
        for piece_display, piece_spoken in _pieces(display, spoken):
            out.append(Utterance(piece_display, piece_spoken, context.audio.sentence_pause_ms))
    return out


def _row_text(cells: list[str], headers: list[tuple[str, str]]) -> tuple[str, str]:
    """One row's display and spoken text: the first cell names the row, each other cell its column."""
    if not headers:
        shown = [c for c in cells if c.strip()]
        return ", ".join(shown), _closed(", ".join(to_spoken(c) for c in shown))
    if not speakable(cells[0]):
        # A row without a label is read cell by cell with their column names.
        cells, headers = ["", *cells], [("", ""), *headers]
    label, rest = cells[0], list(enumerate(cells))[1:]
    shown_parts, spoken_parts = [], []
    for column, cell in rest:
        if not speakable(cell):
            continue
        name, unit = headers[column] if column < len(headers) else ("", "")
        value = _cell_spoken(cell, unit)
        header_display = f"{name} ({unit})" if unit else name
        shown_parts.append(f"{header_display}, {cell}" if name else cell)
        spoken_parts.append(f"{to_spoken(name).lower()}, {value}" if name else value)
    if not speakable(label):
        return "; ".join(shown_parts), _closed("; ".join(spoken_parts))
    display = f"{label}: {'; '.join(shown_parts)}" if shown_parts else label
    spoken = f"{to_spoken(label)}: {'; '.join(spoken_parts)}" if shown_parts else to_spoken(label)
    return display.strip(), _closed(spoken.strip())


def _pieces(display: str, spoken: str) -> list[tuple[str, str]]:
    """A row too long for one utterance is split; each piece spoken on its own."""
    pieces = split_long(display)
    if len(pieces) == 1:
        return [(display, spoken)]
    return [(piece, _closed(to_spoken(piece))) for piece in pieces]


def quote_utterances(quote: Quote, context: _Context) -> list[Utterance]:
    """A quotation announced ("Quote from Dr. Osei:"), read, and closed ("End of quote.")."""
    inner = [u for block in quote.blocks for u in render_block(block, context)]
    if not inner:
        return []
    who = speech_text(quote.attribution)
    opening = Utterance(f"\u2014 {inline_text(quote.attribution)}" if who else "Quote",
                        f"Quote from {to_spoken(who).rstrip('.')}:" if who else "Quote:",
                        context.audio.sentence_pause_ms)
    closing = Utterance("End of quote", "End of quote.", context.audio.sentence_pause_ms)
    inner[-1] = replace(inner[-1], pause_after_ms=context.audio.sentence_pause_ms)
    return [opening, *inner, closing]


def figure_utterances(figure: Figure, context: _Context) -> list[Utterance]:
    """An image announced by its alt text and caption ("Image: ..."), or nothing when images are skipped."""
    if context.speech.images == "skip":
        return []
    alt, caption = " ".join(figure.alt.split()), speech_text(figure.caption)
    out = []
    if alt and speakable(alt):
        out.append(Utterance(f"[Image: {alt}]", f"Image: {_closed(to_spoken(alt))}",
                             context.audio.sentence_pause_ms))
    if caption and speakable(caption):
        out += prose_utterances(caption, context.audio, first="" if out else "Image:")
    return out


def code_utterances(block: CodeBlock, context: _Context) -> list[Utterance]:
    """A code block is announced, never read character by character (or skipped)."""
    if context.speech.code == "skip" or not block.text.strip():
        return []
    return [Utterance("[Code shown on the page]", "A code example is shown on the page.",
                      context.audio.sentence_pause_ms)]


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


