"""An article's EPUB 3 talking book: its text with the article's structure, one XHTML document per
chapter, SMIL media overlays that play each sentence of the chapter MP3s with its text, the
navigation document, the cover and schema.org accessibility metadata.

Pure but for reading the chapter MP3s and writing the one file: the same inputs give the same
bytes (fixed ZIP times, dcterms:modified from the article's date). All XML is made with lxml.

Each utterance of a chapter is a span (or a heading, a table row, a code block) with an id, and
each id is the text of a SMIL <par> whose audio clip runs from the utterance's start in the
chapter file (build.json's timing) to the next one's start, so the pauses play too and the
text highlighted is the one being heard. What the voice says but the page does not show
("End of quote") plays with the text before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from .config import Settings
from .cover import Cover
from .document import (
    Block,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
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
    runs,
    speech_text,
)
from .edition import ArticleResult, Plan, article_author, publication_date, unspoken_sections
from .feed import item_guid
from .readers.assemble import DISCLAIMER_TITLE
from .script import Chapter, heading_utterances, script_section, title_utterances
from .speech import speakable, split_long, split_sentences

log = logging.getLogger(__name__)

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
SMIL = "http://www.w3.org/ns/SMIL"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACTIVE_CLASS = "-epub-media-overlay-active"
"""The class reading systems give the text being heard (media:active-class, styled in style.css)."""
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
"""Every entry's time in the ZIP, so that the same book is the same bytes."""
ROOT = "EPUB"
"""The folder of the book's files inside the container."""
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
STYLE = """\
body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.25; }
.byline { font-style: italic; }
.image-alt { font-style: italic; }
figure.quote { margin: 1em 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid #595959; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-width: 100%; max-height: 100vh; }
.-epub-media-overlay-active { background-color: #ffff00; color: #000000; }
"""


@dataclass(frozen=True)
class Clip:
    """One <par> of a chapter's media overlay: the element heard and when, in the chapter's MP3."""

    target: str
    """The id of the element in the chapter's XHTML."""
    begin: float
    end: float


@dataclass(frozen=True)
class BookChapter:
    """A chapter as the book holds it: its XHTML document and the clips of its overlay."""

    name: str
    """The file stem shared by its XHTML, SMIL and MP3 inside the book ("01-introduction")."""
    title: str
    xhtml: bytes
    clips: tuple[Clip, ...]
    audio: Path

    @property
    def duration(self) -> float:
        """How long the overlay plays: its clips back to back."""
        return round(sum(clip.end - clip.begin for clip in self.clips), 3)


def write_epub(target: Path, settings: Settings, article: ArticleResult, cover: Cover, voice: str,
               audio: Sequence[Path]) -> None:
    """Write the article's EPUB 3 talking book to target; audio: each chapter's MP3, in order."""
    chapters = book_chapters(settings, article, audio)
    plan = article.plan
    language = plan.article.metadata.language or settings.show.language
    files: list[tuple[str, bytes | Path]] = [
        ("style.css", STYLE.encode("utf-8")),
        ("cover.jpg", cover.embedded_jpeg),
        ("cover.xhtml", _cover_document(plan, language)),
        ("nav.xhtml", _nav_document(plan, language, chapters, _has_notes(plan))),
    ]
    for chapter in chapters:
        files.append((f"text/{chapter.name}.xhtml", chapter.xhtml))
        files.append((f"smil/{chapter.name}.smil", _overlay(chapter)))
        files.append((f"audio/{chapter.name}.mp3", chapter.audio))
    if _has_notes(plan):
        files.append(("text/notes.xhtml", _notes_document(plan, language)))
    package = _package(settings, article, voice, language, chapters, _has_notes(plan))
    with zipfile.ZipFile(target, "w") as book:
        _add(book, "mimetype", b"application/epub+zip", zipfile.ZIP_STORED)
        _add(book, "META-INF/container.xml", _container())
        _add(book, f"{ROOT}/package.opf", package)
        for name, data in files:
            _add(book, f"{ROOT}/{name}", data,
                 zipfile.ZIP_STORED if name.endswith((".mp3", ".jpg")) else zipfile.ZIP_DEFLATED)


def _add(book: zipfile.ZipFile, name: str, data: bytes | Path,
         compression: int = zipfile.ZIP_DEFLATED) -> None:
    """One entry of the ZIP with a fixed time and mode, from bytes or copied from a file."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compression
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    if isinstance(data, bytes):
        book.writestr(info, data)
        return
    with data.open("rb") as source, book.open(info, "w") as entry:
        shutil.copyfileobj(source, entry, 1 << 20)


def book_chapters(settings: Settings, article: ArticleResult, audio: Sequence[Path]) -> list[BookChapter]:
    """Each chapter's XHTML and overlay clips, timed by the chapter's own utterance timings."""
    plan = article.plan
    language = plan.article.metadata.language or settings.show.language
    chapters = []
    for result, path in zip(article.chapters, audio, strict=True):
        chapter = result.chapter
        name = Path(chapter.filename).stem
        writer = _ChapterWriter(settings, plan, chapter, f"c{chapter.index:02d}")
        body = writer.document()
        clips = _clips(writer.anchors, result.timings)
        document = _xhtml(language, f"{chapter.title} \u2013 {plan.article.title}", body, "../style.css")
        chapters.append(BookChapter(name, chapter.title, document, clips, path))
    return chapters


def _clips(anchors: Sequence[str | None], timings: Sequence[tuple[float, float]]) -> tuple[Clip, ...]:
    """The overlay's pars: each anchored utterance from its start to the next anchored one's
    start (the last to the chapter's last utterance's end); unanchored ones play with the one
    before. Times to the millisecond, as build.json keeps them; never an empty clip."""
    marks = [(anchor, round(start, 3)) for anchor, (start, _) in zip(anchors, timings, strict=True)
             if anchor is not None]
    if not marks:
        return ()
    end = round(timings[-1][1], 3)
    clips: list[Clip] = []
    for position, (anchor, start) in enumerate(marks):
        begin = round(timings[0][0], 3) if position == 0 else start
        finish = marks[position + 1][1] if position + 1 < len(marks) else end
        if finish <= begin:  # an utterance with no length: heard with the one before
            if clips:
                clips[-1] = dataclasses.replace(clips[-1], end=max(clips[-1].end, finish))
            continue
        clips.append(Clip(anchor, begin, finish))
    return tuple(clips)


# --- the chapter's XHTML, each utterance an element with an id ------------------------------------


class _Drift(Exception):
    """The book's walk through the document did not meet the chapter's utterances as scripted."""


def _x(tag: str) -> str:
    return f"{{{XHTML}}}{tag}"


def _el(parent: etree._Element | None, tag: str, text: str | None = None,
        **attributes: str) -> etree._Element:
    """An XHTML element (appended to parent when given); attribute names end in _ for keywords."""
    attrs = {_attribute(k): v for k, v in attributes.items() if v}
    element = etree.Element(_x(tag), attrs) if parent is None else etree.SubElement(parent, _x(tag), attrs)
    element.text = text
    return element


def _attribute(name: str) -> str:
    """An attribute's name from a keyword: class_ is class, epub__type epub:type, aria_label aria-label."""
    if name.startswith("epub__"):
        return f"{{{OPS}}}{name.removeprefix('epub__')}"
    return name.rstrip("_").replace("_", "-")


def _append_text(parent: etree._Element, text: str) -> None:
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


class _ChapterWriter:
    """Walks a chapter's section as the script did, giving each utterance its element's id."""

    def __init__(self, settings: Settings, plan: Plan, chapter: Chapter, prefix: str) -> None:
        self.settings = settings
        self.plan = plan
        self.chapter = chapter
        self.prefix = prefix
        self.displays = [u.display for u in chapter.utterances]
        self.anchors: list[str | None] = []
        self.count = 0

    def document(self) -> etree._Element:
        """The chapter's <section>; anchors then holds each utterance's element id (or None)."""
        try:
            section = self._walk()
            if len(self.anchors) != len(self.displays):
                raise _Drift(f"{len(self.anchors)} of {len(self.displays)} utterances placed")
            return section
        except _Drift as e:
            log.warning("%s: chapter %d shown sentence by sentence in the EPUB (%s)",
                        self.plan.article.source, self.chapter.index, e)
            return self._plain()

    # -- bookkeeping

    def _new_id(self) -> str:
        self.count += 1
        return f"{self.prefix}-{self.count:04d}"

    def _take(self, element: etree._Element | None, expected: str | None = None) -> None:
        """The next utterance is heard while element (None: no element of its own) is shown."""
        position = len(self.anchors)
        if position >= len(self.displays):
            raise _Drift("more text than utterances")
        if expected is not None and expected != self.displays[position]:
            raise _Drift(f"utterance {position + 1} is not {expected!r}")
        if element is None:
            self.anchors.append(None)
            return
        if element.get("id") is None:
            element.set("id", self._new_id())
        self.anchors.append(element.get("id"))

    def _expect(self, utterances: Iterable[str]) -> None:
        """The displays the script gives next must be these (checked after a block is placed)."""
        wanted = list(utterances)
        start = len(self.anchors) - len(wanted)
        if start < 0 or self.displays[start:len(self.anchors)] != wanted:
            raise _Drift("a block's utterances differ from the script's")

    # -- the walk

    def _walk(self) -> etree._Element:
        chapter, section = self.chapter, self.chapter.section
        if section is None:
            raise _Drift("the chapter has no section")
        root = _el(None, "section", epub__type="chapter", role="doc-chapter",
                   aria_labelledby=f"{self.prefix}-title")
        level = 2
        if chapter.index == 1:
            self._title(root)
        heading = section.heading_text
        if heading and speakable(heading):
            wanted = [u.display for u in heading_utterances(heading, self.settings.audio, numbered=True)]
            element = _el(root, f"h{level}", id=f"{self.prefix}-title")
            self._sentences(element, section.heading, wanted, markers=True)
            self._expect(wanted)
        elif section.is_disclaimer:
            element = _el(root, f"h{level}", id=f"{self.prefix}-title")
            self._take(_el(element, "span", DISCLAIMER_TITLE), DISCLAIMER_TITLE)
        else:
            _el(root, f"h{level}", chapter.title, id=f"{self.prefix}-title")
        offset = level - section.level
        for block in section.blocks:
            before = len(self.anchors)
            self._block(root, block, offset)
            if isinstance(block, Paragraph | Heading):
                continue  # each sentence was checked against its utterance as it was placed
            wanted = [u.display for u in script_section(Section(section.title, (block,)),
                                                        self.settings.audio, self.settings.speech)]
            if len(self.anchors) - before != len(wanted):
                raise _Drift(f"a {type(block).__name__} placed {len(self.anchors) - before} of "
                             f"{len(wanted)} utterances")
            self._expect(wanted)
        return root

    def _title(self, root: etree._Element) -> None:
        """The article's title and author, spoken at the start of the first chapter when asked."""
        article = self.plan.article
        header = _el(root, "header")
        title = _el(header, "h1")
        wanted = [u.display for u in title_utterances(article, self.settings.audio)] \
            if self.settings.speech.title else []
        spoken = wanted and self.displays[:1] == wanted[:1]
        pieces = [p for p in split_long(article.metadata.title) if speakable(p)] if spoken else []
        if pieces:
            self._sentences(title, runs(article.metadata.title), pieces, markers=False)
        else:
            title.text = article.title
        author = article_author(self.settings, article)
        if author:
            byline = _el(header, "p", class_="byline")
            if spoken and article.metadata.author and speakable(article.metadata.author):
                self._take(_el(byline, "span", f"By {author}"), f"By {author}")
            else:
                byline.text = f"By {author}"
        if spoken:
            self._expect(wanted)

    def _block(self, parent: etree._Element, block: Block, offset: int) -> None:
        match block:
            case Paragraph(content):
                self._prose(_el(parent, "p"), content)
            case Heading(level, content):
                pieces = [p for p in split_long(speech_text(content)) if speakable(p)]
                element = _el(parent, f"h{min(6, max(3, level + offset))}")
                self._sentences(element, content, pieces, markers=False)
            case ListBlock(items, ordered, start):
                element = _el(parent, "ol" if ordered else "ul",
                              start=str(start) if ordered and start != 1 else "")
                for item in items:
                    li = _el(element, "li")
                    for child in item.blocks:
                        if isinstance(child, Paragraph):
                            self._prose(_el(li, "p"), child.content, check=False)
                        else:
                            self._block(li, child, offset)
            case Table():
                self._table(parent, block)
            case Quote(blocks, attribution):
                figure = _el(parent, "figure", class_="quote")
                quote = _el(figure, "blockquote")
                inner = [u for child in blocks for u in script_section(
                    Section("", (child,)), self.settings.audio, self.settings.speech)]
                if inner:
                    self._take(quote)  # "Quote from ...:" while the quotation is shown
                for child in blocks:
                    self._block(quote, child, offset)
                if attribution:
                    self._inlines(_el(figure, "figcaption", "\u2014 "), attribution)
                if inner:
                    self._take(None, "End of quote")
            case Figure(_, alt, caption):
                self._figure(parent, alt, caption)
            case CodeBlock(text, language):
                pre = _el(parent, "pre")
                _el(pre, "code", text, class_=f"language-{language}" if language else "")
                if self.settings.speech.code != "skip" and text.strip():
                    self._take(pre)

    def _prose(self, element: etree._Element, content: tuple[Inline, ...], *, check: bool = True) -> None:
        sentences = [s for s in split_sentences(speech_text(content)) if speakable(s)]
        self._sentences(element, content, sentences, markers=False, check=check)

    def _table(self, parent: etree._Element, table: Table) -> None:
        element = _el(parent, "table")
        if table.caption:
            caption = _el(element, "caption")
            text = speech_text(table.caption)
            sentences = [s for s in split_sentences(text) if speakable(s)] if speakable(text) else []
            self._sentences(caption, table.caption, sentences, markers=False, check=False)
        if table.header:
            row = _el(_el(element, "thead"), "tr")
            for cell in table.header:
                self._inlines(_el(row, "th", scope="col"), cell)
        body = _el(element, "tbody")
        for cells in table.rows:
            row = _el(body, "tr")
            for column, cell in enumerate(cells):
                tag = "th" if column == 0 and table.header and len(cells) > 1 else "td"
                self._inlines(_el(row, tag, scope="row" if tag == "th" else ""), cell)
            heard = script_section(Section("", (Table(table.header, (cells,)),)),
                                   self.settings.audio, self.settings.speech)
            for _ in heard:
                self._take(row)

    def _figure(self, parent: etree._Element, alt: str, caption: tuple[Inline, ...]) -> None:
        """An image, which the book does not hold, shown by its alternative text and caption."""
        figure = _el(parent, "figure")
        alt = " ".join(alt.split())
        announced = self.settings.speech.images != "skip"
        if alt:
            shown = _el(figure, "p", class_="image-alt")
            if announced and speakable(alt):
                self._take(_el(shown, "span", f"[Image: {alt}]"), f"[Image: {alt}]")
            else:
                shown.text = f"[Image: {alt}]"
        if caption:
            element = _el(figure, "figcaption")
            text = speech_text(caption)
            sentences = [s for s in split_sentences(text) if speakable(s)] \
                if announced and speakable(text) else []
            self._sentences(element, caption, sentences, markers=False, check=False)

    def _sentences(self, element: etree._Element, content: Sequence[Inline], sentences: Sequence[str],
                   *, markers: bool, check: bool = True) -> None:
        """The inline content in element, one span with an id per sentence; each takes one utterance
        (check: its display must be the sentence)."""
        if not sentences:
            self._inlines(element, content)
            return
        pieces = _split_leaves(_leaves(content), sentences, markers)
        if pieces is None:  # the sentences are not found in the runs: shown as the voice has them
            log.debug("sentences shown as plain text in chapter %d", self.chapter.index)
            for position, sentence in enumerate(sentences):
                if position:
                    _append_text(element, " ")
                span = _el(element, "span", sentence)
                self._take(span, sentence if check else None)
            return
        for sentence, piece in zip(sentences, pieces, strict=True):
            span = _el(element, "span")
            _append_leaves(span, piece)
            self._take(span, sentence if check else None)

    def _inlines(self, element: etree._Element, content: Sequence[Inline]) -> None:
        _append_leaves(element, _leaves(content))

    def _plain(self) -> etree._Element:
        """The chapter as its utterances, one paragraph each: when the walk went wrong."""
        self.anchors = []
        root = _el(None, "section", epub__type="chapter", role="doc-chapter",
                   aria_labelledby=f"{self.prefix}-title")
        _el(root, "h2", self.chapter.title, id=f"{self.prefix}-title")
        for position, display in enumerate(self.displays, 1):
            span = _el(_el(root, "p"), "span", display, id=f"{self.prefix}-p{position:04d}")
            self.anchors.append(span.get("id"))
        return root


# --- inline runs cut at sentence boundaries -----------------------------------------------------

Leaf = tuple[tuple[Inline, ...], Inline]
"""A run without children (text, code, a marker, a line break) and the runs it sits in, outermost first."""


def _leaves(items: Iterable[Inline], around: tuple[Inline, ...] = ()) -> list[Leaf]:
    out: list[Leaf] = []
    for item in items:
        if isinstance(item, Emphasis | Strong | Link):
            out += _leaves(item.children, (*around, item))
        else:
            out.append((around, item))
    return out


def _leaf_text(leaf: Inline, markers: bool) -> str:
    """What a leaf gives the text sentences are found in."""
    match leaf:
        case Text(text) | Code(text):
            return text
        case NoteRef(label, _):
            return f"[{label}]" if markers else ""
    return ""


def _split_leaves(leaves: list[Leaf], sentences: Sequence[str], markers: bool) -> list[list[Leaf]] | None:
    """The leaves cut where each sentence starts (found in order, white space ignored), one list
    per sentence; None when a sentence is not found."""
    stream: list[tuple[int, int]] = []  # (leaf, offset) of each character that is not white space
    chars: list[str] = []
    for number, (_, leaf) in enumerate(leaves):
        for offset, char in enumerate(_leaf_text(leaf, markers)):
            if not char.isspace():
                stream.append((number, offset))
                chars.append(char)
    text = "".join(chars)
    cursor, cuts = 0, []
    for sentence in sentences:
        wanted = "".join(sentence.split())
        found = text.find(wanted, cursor) if wanted else -1
        if found < 0:
            return None
        cuts.append(stream[found])
        cursor = found + len(wanted)
    pieces: list[list[Leaf]] = [[] for _ in sentences]
    cut_at = {cut: position for position, cut in enumerate(cuts[1:], 1)}
    current = 0
    for number, (around, leaf) in enumerate(leaves):
        if not isinstance(leaf, Text | Code):
            if (number, 0) in cut_at:
                current = cut_at[(number, 0)]
            pieces[current].append((around, leaf))
            continue
        value = leaf.text
        starts = sorted(offset for (n, offset) in cut_at if n == number)
        begin = 0
        for offset in starts:
            if offset > begin:
                pieces[current].append((around, dataclasses.replace(leaf, text=value[begin:offset])))
            current, begin = cut_at[(number, offset)], offset
        if begin < len(value) or not value:
            pieces[current].append((around, dataclasses.replace(leaf, text=value[begin:])))
    return pieces


def _append_leaves(parent: etree._Element, leaves: Iterable[Leaf]) -> None:
    """Append leaves to parent, opening an element for each run around them (em, strong, a)."""
    stack: list[tuple[Inline, etree._Element]] = []
    for around, leaf in leaves:
        common = 0
        while common < min(len(stack), len(around)) and stack[common][0] is around[common]:
            common += 1
        del stack[common:]
        for run in around[common:]:
            holder = stack[-1][1] if stack else parent
            stack.append((run, _run_element(holder, run)))
        holder = stack[-1][1] if stack else parent
        match leaf:
            case Text(text):
                _append_text(holder, text)
            case Code(text):
                _el(holder, "code", text)
            case NoteRef(label, _):
                _el(holder, "sup", f"[{label}]", class_="note-ref")
            case LineBreak():
                _el(holder, "br")


def _run_element(parent: etree._Element, run: Inline) -> etree._Element:
    match run:
        case Emphasis():
            return _el(parent, "em")
        case Strong():
            return _el(parent, "strong")
        case Link(_, href) if urlsplit(href).scheme in {"http", "https", "mailto"}:
            return _el(parent, "a", href=href)
    return _el(parent, "span")  # a link to a page of the article's site, which the book does not hold


# --- the other documents -------------------------------------------------------------------------


def _xhtml(language: str, title: str, content: etree._Element | Sequence[etree._Element], css: str,
           *, body_class: str = "") -> bytes:
    """A complete XHTML content document whose body holds content."""
    html = etree.Element(_x("html"), {XML_LANG: language, "lang": language}, nsmap={None: XHTML, "epub": OPS})
    head = _el(html, "head")
    _el(head, "meta", charset="utf-8")
    _el(head, "title", title)
    _el(head, "link", rel="stylesheet", type="text/css", href=css)
    body = _el(html, "body", class_=body_class)
    body.extend([content] if isinstance(content, etree._Element) else list(content))
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


def _cover_document(plan: Plan, language: str) -> bytes:
    section = _el(None, "section", epub__type="cover", class_="cover")
    _el(section, "img", src="cover.jpg", role="doc-cover", alt=f"Cover: {plan.article.title}")
    return _xhtml(language, plan.article.title, section, "style.css")


def _nav_document(plan: Plan, language: str, chapters: Sequence[BookChapter], notes: bool) -> bytes:
    wrapper = _el(None, "div")
    toc = _el(wrapper, "nav", epub__type="toc", role="doc-toc", id="toc", aria_labelledby="toc-title")
    _el(toc, "h1", "Contents", id="toc-title")
    listing = _el(toc, "ol")
    entries = [(f"text/{c.name}.xhtml", c.title) for c in chapters]
    if notes:
        place = len(entries) - (1 if plan.chapters and plan.chapters[-1].is_disclaimer else 0)
        entries.insert(place, ("text/notes.xhtml", "Notes and references"))
    for href, title in entries:
        _el(_el(listing, "li"), "a", title, href=href)
    landmarks = _el(wrapper, "nav", epub__type="landmarks", hidden="hidden",
                    aria_labelledby="landmarks-title")
    _el(landmarks, "h2", "Landmarks", id="landmarks-title")
    marks = _el(landmarks, "ol")
    for kind, href, title in (("cover", "cover.xhtml", "Cover"), ("toc", "nav.xhtml#toc", "Contents"),
                              ("bodymatter", entries[0][0], "Start of the article")):
        _el(_el(marks, "li"), "a", title, href=href, epub__type=kind)
    return _xhtml(language, f"Contents \u2013 {plan.article.title}", list(wrapper), "style.css")


def _has_notes(plan: Plan) -> bool:
    """Whether the article has sections or footnotes that are shown but not spoken."""
    spoken = {c.section.title for c in plan.chapters if c.section is not None}
    return bool(unspoken_sections(plan)) or (bool(plan.article.footnotes) and "Notes" not in spoken)


def _notes_document(plan: Plan, language: str) -> bytes:
    """The sections and footnotes the voice does not read (references, sources), for the reader."""
    section = _el(None, "section", epub__type="backmatter", aria_labelledby="notes-title")
    _el(section, "h2", "Notes and references", id="notes-title")
    writer = _PlainWriter()
    for unspoken in unspoken_sections(plan):
        part = _el(section, "section", aria_label=unspoken.title)
        _el(part, "h3", unspoken.title)
        for block in unspoken.blocks:
            writer.block(part, block, 3 - unspoken.level)
    if plan.article.footnotes:
        notes = _el(section, "section", aria_label="Notes")
        _el(notes, "h3", "Notes")
        listing = _el(notes, "ol")
        for note in plan.article.footnotes:
            item = _el(listing, "li")
            _el(item, "p", f"[{note.label}]")
            for block in note.blocks:
                writer.block(item, block, 2)
    return _xhtml(language, f"Notes \u2013 {plan.article.title}", section, "../style.css")


class _PlainWriter:
    """Blocks as XHTML with no utterances to place (the notes document)."""

    def block(self, parent: etree._Element, block: Block, offset: int) -> None:
        """Append one block to parent."""
        match block:
            case Paragraph(content):
                _append_leaves(_el(parent, "p"), _leaves(content))
            case Heading(level, content):
                _append_leaves(_el(parent, f"h{min(6, max(4, level + offset))}"), _leaves(content))
            case ListBlock(items, ordered, start):
                element = _el(parent, "ol" if ordered else "ul",
                              start=str(start) if ordered and start != 1 else "")
                for item in items:
                    li = _el(element, "li")
                    for child in item.blocks:
                        self.block(li, child, offset)
            case Table(header, rows, caption):
                table = _el(parent, "table")
                if caption:
                    _append_leaves(_el(table, "caption"), _leaves(caption))
                if header:
                    row = _el(_el(table, "thead"), "tr")
                    for cell in header:
                        _append_leaves(_el(row, "th", scope="col"), _leaves(cell))
                body = _el(table, "tbody")
                for cells in rows:
                    row = _el(body, "tr")
                    for cell in cells:
                        _append_leaves(_el(row, "td"), _leaves(cell))
            case Quote(blocks, attribution):
                figure = _el(parent, "figure", class_="quote")
                quote = _el(figure, "blockquote")
                for child in blocks:
                    self.block(quote, child, offset)
                if attribution:
                    _append_leaves(_el(figure, "figcaption", "\u2014 "), _leaves(attribution))
            case Figure(_, alt, caption):
                figure = _el(parent, "figure")
                if alt:
                    _el(figure, "p", f"[Image: {' '.join(alt.split())}]", class_="image-alt")
                if caption:
                    _append_leaves(_el(figure, "figcaption"), _leaves(caption))
            case CodeBlock(text, _):
                _el(_el(parent, "pre"), "code", text)


def _clock(seconds: float) -> str:
    """A SMIL clock value to the millisecond: 0:01:02.345."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _overlay(chapter: BookChapter) -> bytes:
    smil = etree.Element(f"{{{SMIL}}}smil", {"version": "3.0"}, nsmap={None: SMIL, "epub": OPS})
    body = etree.SubElement(smil, f"{{{SMIL}}}body")
    seq = etree.SubElement(body, f"{{{SMIL}}}seq", {"id": f"seq-{chapter.name}",
                                                      f"{{{OPS}}}textref": f"../text/{chapter.name}.xhtml",
                                                      f"{{{OPS}}}type": "chapter"})
    for number, clip in enumerate(chapter.clips, 1):
        par = etree.SubElement(seq, f"{{{SMIL}}}par", {"id": f"par-{number:04d}"})
        etree.SubElement(par, f"{{{SMIL}}}text", {"src": f"../text/{chapter.name}.xhtml#{clip.target}"})
        etree.SubElement(par, f"{{{SMIL}}}audio", {"src": f"../audio/{chapter.name}.mp3",
                                                   "clipBegin": _clock(clip.begin),
                                                   "clipEnd": _clock(clip.end)})
    return etree.tostring(smil, xml_declaration=True, encoding="utf-8")


def _container() -> bytes:
    root = etree.Element(f"{{{CONTAINER}}}container", {"version": "1.0"}, nsmap={None: CONTAINER})
    files = etree.SubElement(root, f"{{{CONTAINER}}}rootfiles")
    etree.SubElement(files, f"{{{CONTAINER}}}rootfile", {"full-path": f"{ROOT}/package.opf",
                                                         "media-type": "application/oebps-package+xml"})
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _package(settings: Settings, article: ArticleResult, voice: str, language: str,
             chapters: Sequence[BookChapter], notes: bool) -> bytes:
    plan = article.plan
    show, metadata = settings.show, plan.article.metadata
    package = etree.Element(f"{{{OPF}}}package", {"version": "3.0", "unique-identifier": "pub-id",
                                                  XML_LANG: language}, nsmap={None: OPF})
    meta = etree.SubElement(package, f"{{{OPF}}}metadata", nsmap={"dc": DC})

    def dc(name: str, text: str, **attributes: str) -> None:
        if text:
            etree.SubElement(meta, f"{{{DC}}}{name}", attributes).text = text

    def prop(name: str, text: str, refines: str = "") -> None:
        attributes = {"property": name, **({"refines": refines} if refines else {})}
        etree.SubElement(meta, f"{{{OPF}}}meta", attributes).text = text

    dc("identifier", item_guid(show.link, plan.folder, "epub"), id="pub-id")
    dc("title", plan.article.title)
    dc("language", language)
    dc("creator", article_author(settings, plan.article), id="creator")
    dc("publisher", show.title)
    date = publication_date(settings, plan.article)
    dc("date", date.isoformat())
    dc("description", metadata.description or show.description)
    dc("rights", show.copyright)
    dc("source", metadata.canonical)
    modified = metadata.updated if metadata.updated and metadata.updated > date else date
    prop("dcterms:modified", dt.datetime.combine(modified, dt.time(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    prop("media:duration", _clock(sum(c.duration for c in chapters)))
    for chapter in chapters:
        prop("media:duration", _clock(chapter.duration), f"#mo-{chapter.name}")
    prop("media:narrator", voice)
    prop("media:active-class", ACTIVE_CLASS)
    for name, value in _accessibility(plan):
        prop(name, value)
    prop("a11y:certifiedBy", show.author)

    manifest = etree.SubElement(package, f"{{{OPF}}}manifest")

    def item(ident: str, href: str, media: str, **extra: str) -> None:
        etree.SubElement(manifest, f"{{{OPF}}}item", {"id": ident, "href": href, "media-type": media,
                                                      **{k.replace("_", "-"): v for k, v in extra.items()}})

    item("nav", "nav.xhtml", "application/xhtml+xml", properties="nav")
    item("cover", "cover.xhtml", "application/xhtml+xml")
    item("cover-image", "cover.jpg", "image/jpeg", properties="cover-image")
    item("style", "style.css", "text/css")
    for chapter in chapters:
        item(f"x-{chapter.name}", f"text/{chapter.name}.xhtml", "application/xhtml+xml",
             media_overlay=f"mo-{chapter.name}")
        item(f"mo-{chapter.name}", f"smil/{chapter.name}.smil", "application/smil+xml")
        item(f"a-{chapter.name}", f"audio/{chapter.name}.mp3", "audio/mpeg")
    if notes:
        item("notes", "text/notes.xhtml", "application/xhtml+xml")
    spine = etree.SubElement(package, f"{{{OPF}}}spine")
    order = ["cover", "nav", *(f"x-{c.name}" for c in chapters)]
    if notes:
        order.insert(len(order) - (1 if plan.chapters and plan.chapters[-1].is_disclaimer else 0), "notes")
    for ident in order:
        etree.SubElement(spine, f"{{{OPF}}}itemref", {"idref": ident})
    return etree.tostring(package, xml_declaration=True, encoding="utf-8")


def _accessibility(plan: Plan) -> list[tuple[str, str]]:
    """The book's schema.org accessibility metadata and its conformance claim."""
    chapters = plan.chapters
    # The voice reads everything but what the notes document holds, link addresses and code.
    heard_whole = not _has_notes(plan) and not any(u.kind == "code" for c in chapters for u in c.utterances)
    sufficient = ["textual", "textual,auditory", *(["auditory"] if heard_whole else [])]
    features = ["synchronizedAudioText", "structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability", "alternativeText"]
    summary = ("The full text of the article, with its headings, lists and tables, and a narration "
               "of every chapter synchronized sentence by sentence with the text (EPUB media "
               "overlays): it can be read, listened to, or both, with the sentence being heard "
               "highlighted. Navigation by chapter from the table of contents. No hazards."
               + ("" if heard_whole else " Notes, references, link addresses and code are in the "
                  "text but not read aloud."))
    return [
        ("schema:accessMode", "textual"), ("schema:accessMode", "auditory"),
        *(("schema:accessModeSufficient", mode) for mode in sufficient),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
        ("dcterms:conformsTo", CONFORMS_TO),
    ]



# --- reading a book back (the build's check) ------------------------------------------------------


def clock_seconds(value: str) -> float:
    """Seconds from a SMIL clock value: 0:01:02.345, 01:02.345, 62.345s or 62.345."""
    text = value.strip()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    if text.endswith("s"):
        return float(text[:-1])
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def overlay_problems(book: zipfile.ZipFile, durations: dict[str, float]) -> tuple[int, list[str]]:
    """How many overlay clips a book has, and which are empty, end after their MP3 or show no element.

    durations: each chapter MP3's length in seconds, by its name inside the book ("01-intro").
    """
    problems: list[str] = []
    names = book.namelist()
    if not names or names[0] != "mimetype" or book.getinfo("mimetype").compress_type != zipfile.ZIP_STORED:
        problems.append("mimetype is not the first entry, stored")
    clips = 0
    for smil_name in sorted(n for n in names if n.startswith(f"{ROOT}/smil/") and n.endswith(".smil")):
        try:
            smil = etree.fromstring(book.read(smil_name))
        except etree.XMLSyntaxError as e:
            problems.append(f"{smil_name}: {e}")
            continue
        pages: dict[str, set[str]] = {}
        for par in smil.iter(f"{{{SMIL}}}par"):
            clips += 1
            text, audio = par.find(f"{{{SMIL}}}text"), par.find(f"{{{SMIL}}}audio")
            if text is None or audio is None:
                problems.append(f"{smil_name}: a par without text and audio")
                continue
            page, _, target = text.get("src", "").partition("#")
            page_name = _resolved(smil_name, page)
            if page_name not in pages:
                try:
                    pages[page_name] = {e.get("id") for e in etree.fromstring(book.read(page_name)).iter()
                                        if e.get("id")}
                except (KeyError, etree.XMLSyntaxError):
                    pages[page_name] = set()
            if target not in pages[page_name]:
                problems.append(f"{smil_name}: {text.get('src')} is no element of its page")
            begin, end = clock_seconds(audio.get("clipBegin", "0")), clock_seconds(audio.get("clipEnd", "0"))
            length = durations.get(Path(audio.get("src", "")).stem)
            if not begin < end:
                problems.append(f"{smil_name}: a clip from {begin:.3f} s to {end:.3f} s is empty")
            elif length is None or end > length + 0.001:
                problems.append(f"{smil_name}: a clip ends at {end:.3f} s, after its MP3 "
                                f"({'missing' if length is None else f'{length:.3f} s'})")
    return clips, problems


def _resolved(base: str, href: str) -> str:
    """A relative reference inside the ZIP, resolved against the entry that makes it."""
    parts = base.split("/")[:-1]
    for part in href.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in {"", "."}:
            parts.append(part)
    return "/".join(parts)
