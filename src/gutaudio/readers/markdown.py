"""The Markdown reader: markdown-it-py (CommonMark, GFM tables, strikethrough) with footnotes from
mdit-py-plugins, walked as a syntax tree into the document model.

Front matter is split off first by the same rules as plain text's (python-frontmatter's
boundaries), so an article reads the same whichever of the two it is written in.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin

from ..disclaimers import is_disclaimer
from ..document import (
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
    ListItem,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    inline_text,
)
from .base import ATTRIBUTION_DASHES, Draft, decode_text, strip_attribution_dash, text_runs
from .front_matter import metadata_from, split_front_matter

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\d{1,3}(?:\s*[-\u2013,]\s*\d{1,3})*")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (MarkdownIt("commonmark").enable(["table", "strikethrough"])
            .use(footnote_plugin))


class MarkdownReader:
    """Reads .md and .markdown articles."""

    suffixes = (".md", ".markdown")

    def read(self, data: bytes, source: Path) -> Draft:
        """Read a Markdown article."""
        front, body = split_front_matter(decode_text(data, source), source)
        tree = SyntaxTreeNode(_parser().parse(body))
        walker = _Walker(source)
        metadata = metadata_from(front, source)
        blocks = walker.blocks(tree.children)
        return Draft(metadata, tuple(_with_captions(blocks)), tuple(walker.footnotes),
                     disclaimers=tuple(walker.disclaimers))


class _Walker:
    """Turns markdown-it syntax tree nodes into blocks; collects footnotes and marked disclaimers."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.footnotes: list[Footnote] = []
        self.disclaimers: list[Block] = []

    def blocks(self, nodes: object) -> list[Block]:
        out: list[Block] = []
        for node in nodes:  # type: ignore[attr-defined]
            out += self.block(node)
        return out

    def block(self, node: SyntaxTreeNode) -> list[Block]:
        kind = node.type
        if kind == "heading":
            content = self.inline(node.children[0]) if node.children else ()
            return [Heading(int(node.tag[1:]), content)] if inline_text(content) else []
        if kind == "paragraph":
            return self.paragraph(node)
        if kind in ("bullet_list", "ordered_list"):
            items = tuple(ListItem(tuple(self.blocks(item.children))) for item in node.children)
            start = int(node.attrs.get("start", 1) or 1) if kind == "ordered_list" else 1
            return [ListBlock(items, ordered=kind == "ordered_list", start=start)]
        if kind == "table":
            return [self.table(node)]
        if kind == "blockquote":
            return [self.quote(node)]
        if kind in ("fence", "code_block"):
            return [CodeBlock(node.content, (node.info or "").split(" ")[0])]
        if kind == "html_block":
            return self.html(node.content)
        if kind == "footnote_block":
            for footnote in node.children:
                blocks = [b for child in footnote.children for b in self.block(child)]
                self.footnotes.append(Footnote(str(footnote.meta.get("label", "")), tuple(blocks)))
            return []
        if kind == "hr":
            return []
        return self.blocks(node.children)

    def paragraph(self, node: SyntaxTreeNode) -> list[Block]:
        """A paragraph; images in it become figures after it (an image alone is just a figure)."""
        inline = node.children[0] if node.children else None
        if inline is None:
            return []
        figures = [Figure(str(child.attrs.get("src", "")), _alt(child), ())
                   for child in inline.children if child.type == "image"]
        content = self.inline(inline)
        return ([Paragraph(content)] if inline_text(content) else []) + list(figures)

    def table(self, node: SyntaxTreeNode) -> Table:
        header: tuple[tuple[Inline, ...], ...] = ()
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        for part in node.children:
            for row in part.children:
                cells = tuple(self.inline(cell.children[0]) if cell.children else () for cell in row.children)
                if part.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return Table(header, tuple(rows))

    def quote(self, node: SyntaxTreeNode) -> Quote:
        attributed = self._attribution_line(node)
        if attributed is not None:
            return attributed
        blocks = self.blocks(node.children)
        attribution: tuple[Inline, ...] = ()
        last = blocks[-1] if blocks else None
        if isinstance(last, Paragraph) and inline_text(last.content).startswith(ATTRIBUTION_DASHES) \
                and len(blocks) > 1:
            attribution = strip_attribution_dash(last.content)
            blocks = blocks[:-1]
        return Quote(tuple(blocks), attribution)

    def _attribution_line(self, node: SyntaxTreeNode) -> Quote | None:
        """A quote whose last line, in the same paragraph, is "— who said it" (no blank line before it)."""
        last = node.children[-1] if node.children else None
        if last is None or last.type != "paragraph" or not last.children:
            return None
        runs = last.children[0].children
        breaks = [i for i, child in enumerate(runs) if child.type == "softbreak"]
        if not breaks or breaks[-1] + 1 >= len(runs):
            return None
        after = runs[breaks[-1] + 1]
        if after.type != "text" or not after.content.lstrip().startswith(ATTRIBUTION_DASHES):
            return None
        blocks = self.blocks(node.children[:-1])
        said = self._inline_runs(runs[:breaks[-1]])
        if inline_text(said):
            blocks.append(Paragraph(said))
        return Quote(tuple(blocks), strip_attribution_dash(self._inline_runs(runs[breaks[-1] + 1:])))

    def html(self, markup: str) -> list[Block]:
        """Raw HTML in Markdown: read like a page's HTML; a marked disclaimer is set aside."""
        from .html import html_blocks  # the HTML reader owns the element walk

        try:
            fragments = lxml.html.fragments_fromstring(markup)
        except (etree.ParserError, ValueError):
            return []
        out: list[Block] = []
        for fragment in fragments:
            if not isinstance(fragment, etree._Element):
                if str(fragment).strip():
                    out.append(Paragraph(text_runs(" ".join(str(fragment).split()))))
                continue
            blocks = html_blocks(fragment)
            marker = f"{fragment.get('class', '')} {fragment.get('id', '')}".lower()
            if "disclaimer" in marker:
                self.disclaimers += blocks
            else:
                out += blocks
        return out

    def inline(self, node: SyntaxTreeNode) -> tuple[Inline, ...]:
        return self._inline_runs(node.children)

    def _inline_runs(self, children: list[SyntaxTreeNode]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        superscript = False  # inside raw <sup>...</sup>: a number there is a citation marker
        for child in children:
            kind = child.type
            if kind == "html_inline":
                tag = child.content.strip().lower()
                if tag.startswith("<br"):
                    out.append(LineBreak())
                superscript = tag.startswith("<sup") or (superscript and not tag.startswith("</sup"))
                continue  # other tags (<span>, <abbr>): their text is in the text runs
            if kind == "text" and superscript and _MARKER.fullmatch(child.content.strip()):
                out.append(NoteRef(child.content.strip()))
                continue
            if kind == "text":
                out += text_runs(child.content)
            elif kind == "code_inline":
                out.append(Code(child.content))
            elif kind in ("softbreak",):
                out.append(Text(" "))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "em":
                out.append(Emphasis(self.inline(child)))
            elif kind in ("strong", "s"):
                out.append(Strong(self.inline(child)) if kind == "strong" else Emphasis(self.inline(child)))
            elif kind == "link":
                out.append(Link(self.inline(child), str(child.attrs.get("href", ""))))
            elif kind == "footnote_ref":
                out.append(NoteRef(str(child.meta.get("label", "")), footnote=True))
            elif kind == "image":
                continue  # figures are placed after the paragraph
            else:
                out += self.inline(child)
        return tuple(out)


def _alt(image: SyntaxTreeNode) -> str:
    return " ".join("".join(c.content for c in image.children if c.type == "text").split())


def _emphasis_only(block: Block) -> tuple[Inline, ...] | None:
    """The content of a paragraph that is wholly emphasised ("*Table 1: ...*"), else None."""
    if isinstance(block, Paragraph):
        parts = [c for c in block.content if not (isinstance(c, Text) and not c.text.strip())]
        if len(parts) == 1 and isinstance(parts[0], Emphasis):
            return parts[0].children
    return None


def _with_captions(blocks: list[Block]) -> list[Block]:
    """An emphasised line right after a table or figure is its caption; a figure's title is its caption."""
    out: list[Block] = []
    for block in blocks:
        caption = _emphasis_only(block)
        if caption is not None and is_disclaimer(inline_text(caption)):
            caption = None  # an italic disclaimer under a table is the disclaimer, not a caption
        previous = out[-1] if out else None
        if caption is not None and isinstance(previous, Table) and not previous.caption:
            out[-1] = Table(previous.header, previous.rows, caption)
        elif caption is not None and isinstance(previous, Figure) and not previous.caption:
            out[-1] = Figure(previous.src, previous.alt, caption)
        else:
            out.append(block)
    return out
