"""The Word reader: a .docx file turned into clean HTML by mammoth, then read like a page's HTML.

mammoth maps Word's own styles (Heading 1, Heading 2, List Paragraph, Quote, ...) to HTML
elements and Word footnotes to a list of notes; the document's core properties (title, author,
dates, subject, keywords) give its metadata.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import lxml.html
from lxml import etree

from ..dates import parse_date
from ..document import Metadata
from ..errors import ContentError
from .base import Draft
from .boilerplate import split_authors

log = logging.getLogger(__name__)

_CORE = "docProps/core.xml"
_NAMESPACES = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
               "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


class DocxReader:
    """Reads Word .docx articles, as writers often deliver them."""

    suffixes = (".docx",)

    def read(self, data: bytes, source: Path) -> Draft:
        """Read a .docx file; ContentError naming it when it is not a Word document."""
        import mammoth  # loaded only when a Word file is read

        from .html import html_blocks, take_disclaimers, take_footnotes

        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            result = mammoth.convert_to_html(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as e:
            raise ContentError(f"{source}: is not a Word .docx file ({e})") from e
        except Exception as e:  # mammoth's XML parsers raise their own errors on a damaged file
            raise ContentError(
                f"{source}: cannot be read as a Word document ({type(e).__name__}: {e})") from e
        for message in result.messages:  # what Word held that mammoth could not carry over
            log.warning("%s: %s", source, message.message)
        html = result.value.strip()
        if not html:
            raise ContentError(f"{source}: has no text to speak")
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        disclaimers = take_disclaimers(root)
        footnotes = take_footnotes(root)
        return Draft(core_properties(archive), tuple(html_blocks(root)), tuple(footnotes),
                     disclaimers=tuple(disclaimers))


def core_properties(archive: zipfile.ZipFile) -> Metadata:
    """The title, authors, dates, description and keywords a Word file's core properties give."""
    try:
        core = etree.fromstring(archive.read(_CORE))
    except (KeyError, etree.XMLSyntaxError):
        return Metadata()

    def text(path: str) -> str:
        return " ".join((core.findtext(path, default="", namespaces=_NAMESPACES) or "").split())

    keywords = [k.strip() for k in text("cp:keywords").replace(";", ",").split(",") if k.strip()]
    return Metadata(
        title=text("dc:title"), authors=tuple(split_authors(text("dc:creator"))),
        date=parse_date(text("dcterms:created")), updated=parse_date(text("dcterms:modified")),
        description=text("dc:description") or text("dc:subject"), language=text("dc:language"),
        tags=tuple(keywords),
    )
