"""Readers by file extension, found through the `gutaudio.readers` entry-point group.

The built-in readers (plain text, Markdown, HTML, Word) are registered the same way as a third party's,
in gutaudio's own pyproject.toml, one entry point per file suffix (its name); a package adds one with::

    [project.entry-points."gutaudio.readers"]
    rst = "gutaudio_rst:RstReader"

where RstReader has `suffixes = (".rst",)` and `read(data: bytes, source: Path) -> Draft`. A reader is
imported only when a file with its suffix is read.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from ..config import DisclaimerSettings
from ..document import Article
from ..errors import ContentError
from .base import Draft, Reader, decode_text, normalize_text, text_runs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "gutaudio.readers"
BUILT_IN = {"txt": "gutaudio.readers.text:TextReader", "text": "gutaudio.readers.text:TextReader",
            "md": "gutaudio.readers.markdown:MarkdownReader",
            "markdown": "gutaudio.readers.markdown:MarkdownReader",
            "html": "gutaudio.readers.html:HtmlReader", "htm": "gutaudio.readers.html:HtmlReader",
            "docx": "gutaudio.readers.docx:DocxReader"}
"""gutaudio's own readers, as pyproject.toml registers them: found even when gutaudio runs from
a source folder without its package metadata."""


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, list[EntryPoint]]:
    """The registered readers' entry points by suffix: an entry point's name is the file suffix it reads."""
    points: dict[str, list[EntryPoint]] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: (p.name, p.value)):
        points.setdefault("." + point.name.lower().lstrip("."), []).append(point)
    for name, value in BUILT_IN.items():
        points.setdefault(f".{name}", [EntryPoint(name, value, ENTRY_POINT_GROUP)])
    return points


@cache
def _load(suffix: str) -> Reader | None:
    """The reader for a suffix, imported on first use (a build of .txt files never loads the HTML reader)."""
    for point in _entry_points().get(suffix, []):  # a broken one gives way to the next that loads
        try:
            loaded = point.load()
            reader = loaded() if isinstance(loaded, type) else loaded
        except Exception as e:  # a broken plugin must not stop builds of other formats
            log.warning("reader '%s' (%s) cannot be loaded: %s", point.name, point.value, e)
            continue
        if not isinstance(reader, Reader):
            log.warning("reader '%s' (%s) has no suffixes and read(); ignored", point.name, point.value)
            continue
        if suffix not in (s.lower() for s in reader.suffixes):
            log.warning("reader '%s' (%s) is registered for '%s' but reads %s; ignored", point.name,
                        point.value, suffix, ", ".join(reader.suffixes))
            continue
        return reader
    return None


def registered_readers() -> dict[str, Reader]:
    """Every registered reader that loads, by the file suffix it takes (".md" -> the Markdown reader)."""
    return {suffix: reader for suffix in article_suffixes() if (reader := _load(suffix)) is not None}


def forget_readers() -> None:
    """Look the readers up again on next use (after packages were installed or removed)."""
    _entry_points.cache_clear()
    _load.cache_clear()


def article_suffixes() -> tuple[str, ...]:
    """The file endings some reader is registered for, sorted."""
    return tuple(sorted(_entry_points()))


def built_in_reader(path: Path) -> bool:
    """Whether gutaudio's own reader is the one registered first for a file's suffix (so gutaudio's
    code, not a third party's, decides what the file reads as)."""
    points = _entry_points().get(path.suffix.lower(), [])
    return bool(points) and points[0].value == BUILT_IN.get(points[0].name.lower().lstrip("."))


def reader_for(path: Path) -> Reader:
    """The reader registered for a file's suffix; ContentError naming the file when there is none."""
    reader = _load(path.suffix.lower())
    if reader is None:
        raise ContentError(f"{path}: no reader for '{path.suffix or path.name}' files "
                           f"(readers: {', '.join(article_suffixes())})")
    return reader


def find_articles(content_dir: Path) -> list[Path]:
    """List the article files in content_dir that some reader takes, sorted by name."""
    suffixes = set(article_suffixes())
    return sorted(
        p for p in content_dir.iterdir()
        if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")
    )


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or a one-line ContentError naming it."""
    try:
        return path.read_bytes()
    except IsADirectoryError as e:
        raise ContentError(f"{path}: is a folder, not an article file") from e
    except OSError as e:
        raise ContentError(f"{path}: cannot be read: {e.strerror or e}") from e


def read_article(path: Path, disclaimer: DisclaimerSettings | None = None) -> Article:
    """Read one article file with the reader for its suffix into the document model."""
    return parse_bytes(read_bytes(path), path, disclaimer)


def parse_bytes(data: bytes, source: Path, disclaimer: DisclaimerSettings | None = None) -> Article:
    """Read an article's bytes as the file named source would be read."""
    from .assemble import assemble  # the text rules, loaded only when an article is read

    draft = reader_for(source).read(data, source)
    return assemble(draft, source, disclaimer or DisclaimerSettings())


def parse_text(text: str, source: Path, disclaimer: DisclaimerSettings | None = None) -> Article:
    """Read article text as the file named source would be read (its suffix picks the reader)."""
    return parse_bytes(text.encode("utf-8"), source, disclaimer)


__all__ = [
    "ENTRY_POINT_GROUP",
    "Draft",
    "Reader",
    "article_suffixes",
    "built_in_reader",
    "decode_text",
    "find_articles",
    "forget_readers",
    "normalize_text",
    "parse_bytes",
    "parse_text",
    "read_article",
    "reader_for",
    "registered_readers",
    "text_runs",
]
