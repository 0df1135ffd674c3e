"""The accessible web page of a build: Jinja2 with autoescaping, one section per chapter."""

from __future__ import annotations

import contextlib
import functools
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, select_autoescape
from jinja2.bccache import Bucket
from lxml import etree
from markupsafe import Markup, escape

from . import __version__
from .captions import TimedUtterance
from .document import (
    Block,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Footnote,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    Strong,
    Table,
    Text,
)
from .durations import clock, spoken_length
from .read_along import chapter_timing, mark_utterances, text_containers


@dataclass(frozen=True)
class PageChapter:
    """What the page shows for one chapter."""

    number: int
    title: str
    audio: str
    """Relative URL of the chapter's MP3."""
    stem: str
    """Relative URL of the chapter's files without extension (.vtt, .srt, .txt)."""
    duration: float
    section: Section
    """The part of the article this chapter reads: its text is shown under its player."""
    is_disclaimer: bool = False
    utterances: Sequence[TimedUtterance] = ()
    """What the chapter says and when, in its own time: the page highlights it as it is heard."""
    offset: float = 0.0
    """Where the chapter starts in the episode, in seconds."""


@dataclass(frozen=True)
class ChapterText:
    """A chapter's heading and text as HTML, the utterances found in them marked for read-along."""

    heading: Markup
    text: Markup
    marked: int = 0
    """How many of the chapter's utterances are marked."""


@dataclass(frozen=True)
class Page:
    """Everything index.html needs."""

    language: str
    show_title: str
    article_title: str
    author: str
    description: str
    cover: str
    episode_audio: str
    episode_stem: str
    episode_duration: float
    chapters: Sequence[PageChapter]
    feed: str = "feed.xml"
    home: str = ""
    """Relative URL of the show's page listing every article."""
    chapters_json: str = "chapters.json"
    m4b: str = ""
    unspoken: Sequence[Section] = ()
    """Sections shown but not spoken (references, sources), placed before the disclaimer."""
    footnotes: Sequence[Footnote] = ()
    subtitle: str = ""


@dataclass(frozen=True)
class CatalogArticle:
    """One article on the show's page."""

    title: str
    page: str
    episode: str
    duration: float
    chapters: Sequence[str]


def _element(tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.Element(tag, {k.rstrip("_"): v for k, v in attributes.items() if v})
    element.text = text
    return element


def _append_text(parent: etree._Element, text: str) -> None:
    """Append text after parent's last child (lxml keeps such text in that child's tail)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _inlines(parent: etree._Element, items: Iterable[Inline]) -> etree._Element:
    """Append inline runs to parent as HTML: emphasis, links with their address, note markers."""
    for item in items:
        match item:
            case Text(text):
                _append_text(parent, text)
            case Emphasis(children):
                parent.append(_inlines(_element("em"), children))
            case Strong(children):
                parent.append(_inlines(_element("strong"), children))
            case Link(children, href):
                parent.append(_inlines(_element("a", href=href), children))
            case Code(text):
                parent.append(_element("code", text))
            case NoteRef(label, footnote):
                sup = _element("sup", None, class_="note-ref")
                if footnote:
                    sup.append(_element("a", f"[{label}]", href=f"#note-{label}", id=f"ref-{label}"))
                else:
                    sup.text = f"[{label}]"
                parent.append(sup)
            case LineBreak():
                parent.append(_element("br"))
    return parent


def _blocks(parent: etree._Element, blocks: Iterable[Block], heading_offset: int) -> etree._Element:
    for block in blocks:
        parent.append(_block(block, heading_offset))
    return parent


def _block(block: Block, heading_offset: int) -> etree._Element:
    """One block as an HTML element (headings shifted so they nest under the chapter's h2)."""
    match block:
        case Paragraph(content):
            return _inlines(_element("p"), content)
        case Heading(level, content):
            return _inlines(_element(f"h{min(6, max(3, level + heading_offset))}"), content)
        case ListBlock(items, ordered, start):
            element = _element("ol" if ordered else "ul",
                               start=str(start) if ordered and start != 1 else "")
            for item in items:
                element.append(_blocks(_element("li"), item.blocks, heading_offset))
            return element
        case Table(header, rows, caption):
            element = _element("table")
            if caption:
                element.append(_inlines(_element("caption"), caption))
            if header:
                head = etree.SubElement(etree.SubElement(element, "thead"), "tr")
                for cell in header:
                    head.append(_inlines(_element("th", scope="col"), cell))
            body = etree.SubElement(element, "tbody")
            for row in rows:
                tr = etree.SubElement(body, "tr")
                for column, cell in enumerate(row):
                    # The first cell names its row when the table has a header row.
                    tag = "th" if column == 0 and header and len(row) > 1 else "td"
                    tr.append(_inlines(_element(tag, scope="row" if tag == "th" else ""), cell))
            return element
        case Quote(blocks, attribution):
            figure = _element("figure", class_="quote")
            figure.append(_blocks(_element("blockquote"), blocks, heading_offset))
            if attribution:
                caption = _element("figcaption", "\u2014 ")
                figure.append(_inlines(caption, attribution))
            return figure
        case Figure(src, alt, caption):
            figure = _element("figure")
            figure.append(_element("img", src=src, alt=alt or "", loading="lazy"))
            if not alt:
                figure[-1].set("alt", "")
            if caption:
                figure.append(_inlines(_element("figcaption"), caption))
            return figure
        case CodeBlock(text, language):
            pre = _element("pre")
            pre.append(_element("code", text, class_=f"language-{language}" if language else ""))
            return pre
    return _element("div")


def blocks_html(blocks: Iterable[Block], heading_offset: int = 0) -> Markup:
    """Render document blocks as HTML (escaped by lxml) for a page."""
    wrapper = _blocks(_element("div"), blocks, heading_offset)
    return Markup("".join(lxml.html.tostring(child, encoding="unicode") for child in wrapper))


def footnotes_html(footnotes: Iterable[Footnote]) -> Markup:
    """Render an article's footnotes as an ordered list, each linking back to its marker."""
    listing = _element("ol", class_="footnotes")
    for note in footnotes:
        item = _blocks(_element("li", id=f"note-{note.label}"), note.blocks, 1)
        back = _element("a", "\u21a9", href=f"#ref-{note.label}")
        back.append(_element("span", f" back to the text of note {note.label}", class_="visually-hidden"))
        item.append(back)
        listing.append(item)
    return Markup(lxml.html.tostring(listing, encoding="unicode"))


def section_html(section: Section) -> Markup:
    """A section's blocks as HTML, its sub-headings nested under the chapter's h2."""
    return blocks_html(section.blocks, 2 - section.level)


def _inner_html(element: etree._Element) -> Markup:
    """An element's content as HTML (its text escaped, its children serialized by lxml)."""
    return escape(element.text or "") + Markup("".join(
        lxml.html.tostring(child, encoding="unicode") for child in element))


def chapter_text(chapter: PageChapter) -> ChapterText:
    """A chapter's heading and the text of its section as HTML, with every utterance of the chapter
    that can be found in them wrapped in spans for read-along (read_along.py); the rest as it is."""
    section = chapter.section
    body = _blocks(_element("div"), section.blocks, 2 - section.level)
    try:
        heading = _element("h2", chapter.title)
    except ValueError:  # a character lxml cannot hold: shown as it is (Jinja escapes it), not marked
        return ChapterText(escape(chapter.title), _inner_html(body))
    marked = (mark_utterances([heading, *text_containers(body)], chapter.utterances)
              if chapter.utterances else 0)
    return ChapterText(_inner_html(heading), _inner_html(body), marked)


def read_along_timing(chapters: Iterable[PageChapter]) -> list[dict]:
    """Every timed chapter's timing for the page's read-along script (serialized by Jinja's tojson)."""
    return [chapter_timing(c.number, c.offset, c.utterances) for c in chapters if c.utterances]


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's compiled templates, kept in a folder of the cache (Jinja checks each against its
    template's source and its own version); best effort: a cache that cannot be written only costs
    the time of compiling again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        """Load the compiled template, if the folder has it whole (a damaged one is compiled again)."""
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the compiled template for the next build."""
        with contextlib.suppress(OSError):
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)


@functools.lru_cache(maxsize=4)
def _environment(compiled: Path | None = None) -> Environment:
    """The Jinja environment: made once, so each template is compiled once per build, and not at
    all when the compiled templates are kept in the folder compiled (the cache)."""
    env = Environment(loader=PackageLoader("gutaudio", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=_CompiledTemplates(str(compiled)) if compiled else None)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}  # compact
    env.filters["clock"] = clock
    env.filters["spoken_length"] = spoken_length
    env.filters["section_html"] = section_html
    env.filters["footnotes_html"] = footnotes_html
    env.filters["chapter_text"] = chapter_text
    env.filters["read_along_timing"] = read_along_timing
    return env


def render_page(page: Page, compiled: Path | None = None) -> str:
    """Render index.html for a build (compiled: the folder that keeps compiled templates)."""
    return _environment(compiled).get_template("index.html.j2").render(page=page, version=__version__)


def render_catalog(*, language: str, show_title: str, description: str, author: str, cover: str,
                   feed: str, articles: Sequence[CatalogArticle], compiled: Path | None = None) -> str:
    """Render the show's index.html: every article with a link to its page and its audio."""
    return _environment(compiled).get_template("catalog.html.j2").render(
        language=language, show_title=show_title, description=description, author=author,
        cover=cover, feed=feed, articles=articles, version=__version__)
