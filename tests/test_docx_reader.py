"""The Word reader: a real .docx (written here with zipfile, as Word lays one out) read through mammoth."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from gutaudio.config import AudioSettings
from gutaudio.errors import ContentError
from gutaudio.readers import read_article
from gutaudio.script import build_script

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'),
    "word/_rels/document.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'),
    "word/styles.xml": (
        f'<w:styles xmlns:w="{W}">'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>'
        '</w:styles>'),
    "docProps/core.xml": (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:title>Fiber &amp; Your Gut</dc:title><dc:creator>Ana Ruiz, RD</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-02-03T09:00:00Z</dcterms:created>'
        '<cp:keywords>fiber; gut health</cp:keywords></cp:coreProperties>'),
}


def paragraph(text: str, style: str = "", bold: str = "") -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    run = f"<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>"
    if bold:
        run += f"<w:r><w:rPr><w:b/></w:rPr><w:t>{bold}</w:t></w:r>"
    return f"<w:p>{properties}{run}</w:p>"


def write_docx(path: Path, body: list[str]) -> Path:
    document = f'<w:document xmlns:w="{W}"><w:body>{"".join(body)}</w:body></w:document>'
    etree.fromstring(document)  # well-formed, as Word writes it
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in PARTS.items():
            archive.writestr(name, data)
        archive.writestr("word/document.xml", document)
    return path


def test_a_word_document_reads_with_its_headings_metadata_and_disclaimer(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "fiber.docx", [
        paragraph("Most adults eat too little fiber. ", bold="Start slowly."),
        paragraph("Why Fiber Matters", "Heading1"),
        paragraph("Fiber feeds the bacteria in your gut."),
        paragraph("This article is for informational purposes only and is not medical advice."),
        paragraph("Eating More", "Heading1"),
        paragraph("Add one high-fiber food a week."),
    ])
    article = read_article(path)
    assert (article.title, article.metadata.author) == ("Fiber & Your Gut", "Ana Ruiz, RD")
    assert str(article.metadata.date) == "2026-02-03"
    assert article.metadata.tags == ("fiber", "gut health")
    chapters = build_script(article, AudioSettings())
    assert [c.title for c in chapters] == ["Introduction", "Why Fiber Matters", "Eating More", "Disclaimer"]
    assert chapters[0].utterances[0].display == "Fiber & Your Gut"
    assert "Start slowly." in [u.display for u in chapters[0].utterances]


def test_a_file_that_is_not_a_word_document_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(ContentError, match=r"notes\.docx: is not a Word \.docx file"):
        read_article(path)
