"""The HTML reader: saved web pages and CMS exports (.html, .htm).

A page is read in this order, each step on the lxml tree the one before left:

1. decoded by the charset the page declares (a BOM first, then <meta charset> or http-equiv),
   else by `decode_text`'s rules;
2. its metadata read from the head (JSON-LD, Open Graph, meta tags, <link rel=canonical>) and the
   byline, while everything is still there;
3. disclaimers taken out by markup (class or id "...disclaimer...", and footer paragraphs that
   read as a medical disclaimer), then footnote lists; both before any extraction, which would
   drop them;
4. page furniture dropped by markup (nav, cookie banners, share bars, comments, related links,
   sidebars, footers), each noted as an Omission;
5. the main content chosen by readability-lxml, which returns the page's own markup, and walked
   into blocks by `html_blocks` (shared with the Markdown reader for raw HTML).
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from ..dates import parse_date
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
    Metadata,
    NoteRef,
    Omission,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    blocks_text,
    inline_text,
)
from ..errors import ContentError
from .base import (
    ATTRIBUTION_DASHES,
    Draft,
    decode_text,
    normalize_text,
    strip_attribution_dash,
    text_runs,
)

log = logging.getLogger(__name__)

Element = etree._Element

CHARSET_SNIFF_BYTES = 8192
"""The declared charset is looked for in the page's first 8 KB (the HTML standard says 1 KB)."""
MAX_OMISSIONS = 25
"""At most this many dropped passages are listed one by one; the rest are counted."""
OMISSION_CHARS = 160
MAX_BYLINE_CHARS = 160
MAX_BYLINE_WORDS = 8
MIN_PASSAGE_WORDS = 4
"""Shorter passages the extractor dropped (a menu item, a button) are not listed."""
MIN_DISCLAIMER_WORDS = 6
"""A marked element with fewer words is a link or a label ("Medical disclaimer"), not the disclaimer."""
MAX_SIDE_SHARE = 0.5
"""A disclaimer or furniture element holding more than this share of the page's text is the page."""

# --- decoding --------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# The WHATWG encoding standard: browsers read these labels as Windows-1252, and a <meta> that says
# UTF-16 in a page without a BOM as UTF-8.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "utf-16": "utf-8",
                    "utf-16le": "utf-8", "utf-16be": "utf-8", "x-user-defined": "cp1252"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class HtmlReader:
    """Reads saved web pages and CMS exports: main content, metadata, disclaimers and footnotes."""

    suffixes: tuple[str, ...] = (".html", ".htm")

    def read(self, data: bytes, source: Path) -> Draft:
        """Read an HTML page's bytes into a Draft; ContentError if it has no article text."""
        root = parse_page(decode_html(data, source), source)
        metadata = page_metadata(root)
        disclaimers = take_disclaimers(root)
        footnotes = take_footnotes(root)
        omitted = strip_furniture(root)
        content = main_content(root, source)
        outside, dropped = sort_dropped(dropped_passages(root, content))
        blocks = html_blocks(content)
        if not has_article_text(blocks):
            raise ContentError(f"{source}: no article text found in the page")
        return Draft(metadata=metadata, blocks=tuple(blocks), footnotes=tuple(footnotes),
                     omitted=(*omitted, *dropped), disclaimers=(*disclaimers, *outside))


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (<meta charset>, http-equiv), or None."""
    match = _META_CHARSET.search(data[:CHARSET_SNIFF_BYTES])
    return match.group(1).decode("ascii").strip().lower() if match else None


def decode_html(data: bytes, source: Path) -> str:
    """Decode a page: a BOM, else its declared charset, else `decode_text`'s rules (UTF-8, Windows-1252)."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, source)
    label = declared_charset(data)
    if label is None:
        return decode_text(data, source)
    name = _CHARSET_ALIASES.get(label, label)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        log.warning("%s: unknown charset '%s' declared; read as UTF-8 or Windows-1252", source, label)
        return decode_text(data, source)
    if codec == "utf-8" or _is_utf8(data):
        if codec != "utf-8":
            log.info("%s: declares %s but is UTF-8; read as UTF-8", source, label)
        return decode_text(data, source)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        log.warning("%s: not valid %s as declared (byte %d); undecodable bytes replaced", source, label,
                    e.start)
        text = data.decode(codec, errors="replace")
    return normalize_text(text.replace("\r\n", "\n").replace("\r", "\n"))


def _is_utf8(data: bytes) -> bool:
    """True for bytes that are valid UTF-8 and not plain ASCII (a page that misdeclares its charset)."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_page(text: str, source: Path) -> Element:
    """Parse a page or a fragment into an lxml <html> element (comments and PIs dropped)."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        raise ContentError(f"{source}: no article text found in the page")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise ContentError(f"{source}: no article text found in the page ({e})") from e


def has_article_text(blocks: Iterable[Block]) -> bool:
    """True when blocks have text beyond headings and images: something to read as the article."""
    return bool(blocks_text(b for b in blocks if not isinstance(b, Heading | Figure)).strip())


# --- small tree helpers ----------------------------------------------------------------------


def _tag(el: Any) -> str:
    """An element's lower-case tag name; "" for comments and processing instructions."""
    tag = getattr(el, "tag", None)
    return tag.lower().rpartition("}")[2] if isinstance(tag, str) else ""


def _text(el: Element) -> str:
    """An element's text as a browser shows it on one line: blocks apart, no scripts or styles."""
    parts: list[str] = []
    _gather_text(el, parts)
    return " ".join(normalize_text("".join(parts)).split())


def _gather_text(el: Element, parts: list[str]) -> None:
    tag = _tag(el)
    if not tag or tag in ("script", "style", "template", "noscript"):
        return
    apart = tag in _BLOCK_TAGS or tag in _APART_TAGS
    parts.append(" " if apart else "")
    parts.append(el.text or "")
    for child in el:
        _gather_text(child, parts)
        parts.append(child.tail or "")
    parts.append(" " if apart else "")


def _tokens(el: Element) -> list[str]:
    """An element's class names and id, lower case."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower().split()


def _inside(el: Element, tags: Iterable[str]) -> bool:
    names = set(tags)
    return any(_tag(a) in names for a in el.iterancestors())


def _drop(el: Element) -> None:
    """Remove an element from its tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _outermost(elements: Iterable[Element]) -> list[Element]:
    """Elements none of which is inside another one of them, in document order."""
    chosen: list[Element] = []
    for el in elements:
        if not any(a is c for a in el.iterancestors() for c in chosen):
            chosen.append(el)
    return chosen


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= OMISSION_CHARS else text[:OMISSION_CHARS - 1].rstrip() + "\u2026"


def _body(root: Element) -> Element:
    body = root.find("body")
    return body if body is not None else root


def _page_share(el: Element, total: int) -> float:
    return len(_text(el)) / total if total else 1.0


# --- metadata --------------------------------------------------------------------------------

_ARTICLE_TYPES = re.compile(r"article$|posting$|^report$|^medicalwebpage$|^healthtopiccontent$|^recipe$",
                            re.IGNORECASE)
_PAGE_TYPES = re.compile(r"webpage$", re.IGNORECASE)
_SITE_TYPES = re.compile(r"^(?:website|organization|newsmediaorganization|medicalorganization)$",
                         re.IGNORECASE)
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\u2013\u2014\u00b7\u2022\u00bb/]|-{1,2}|::)\s+")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_BYLINE_CLASSES = frozenset({"byline", "author", "authors", "post-author", "entry-author", "author-name",
                             "byline-name", "byline__name", "contributor", "posted-by", "meta-author"})
_BY = re.compile(r"^\s*(?:by|written by|words by|posted by|author:)\s+", re.IGNORECASE)
_BYLINE_END = re.compile(r"\s+(?:in|on|at|for|from)\s+(?=[A-Z0-9])|\s+[|\u00b7\u2022\u2014\u2013]\s+|"
                         r"\s+(?:updated|published|posted|reviewed|medically)\b", re.IGNORECASE)
_ELSEWHERE = frozenset({"comments", "related links", "sidebar", "navigation", "footer"})
_UPDATED_WORDS = re.compile(r"updated|modified|reviewed|revised", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def page_metadata(root: Element) -> Metadata:
    """What a page says about itself: title, authors, dates, description, language, image, tags..."""
    meta = meta_tags(root)
    ld = linked_data(root)
    return Metadata(
        title=page_title(root, meta, ld),
        authors=page_authors(root, meta, ld),
        date=_first_date([ld.text("datePublished"), ld.text("dateCreated"),
                          *_values(meta, "article:published_time", "og:published_time", "datepublished",
                                   "date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.issued",
                                   "pubdate", "publishdate", "publish-date", "parsely-pub-date",
                                   "sailthru.date"),
                          _time_value(root, updated=False)]),
        updated=_first_date([ld.text("dateModified"), ld.text("lastReviewed"),
                             *_values(meta, "article:modified_time", "og:updated_time", "datemodified",
                                      "dcterms.modified", "last-modified", "lastmod"),
                             _time_value(root, updated=True)]),
        description=_first([*_values(meta, "description", "og:description", "twitter:description",
                                     "dc.description"), ld.text("description")]),
        language=page_language(root, meta, ld),
        image=_first([*_values(meta, "og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                               "twitter:image:src"), ld.image(), _link_href(root, "image_src")]),
        tags=page_tags(meta, ld),
        canonical=_first([_link_href(root, "canonical"), *_values(meta, "og:url"), ld.url()]),
    )


def meta_tags(root: Element) -> dict[str, list[str]]:
    """The page's <meta> values by lower-case property, name, itemprop or http-equiv, in page order."""
    out: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = " ".join(normalize_text(el.get("content") or "").split())
        if key and content:
            out.setdefault(key.strip().lower(), []).append(content)
    return out


def _values(meta: dict[str, list[str]], *keys: str) -> list[str]:
    return [value for key in keys for value in meta.get(key, [])]


def _first(values: Iterable[str | None]) -> str:
    return next((v.strip() for v in values if v and v.strip()), "")


def _link_href(root: Element, rel: str) -> str:
    for el in root.iter("link", "a"):
        if rel in (el.get("rel") or "").lower().split() and (el.get("href") or "").strip():
            return (el.get("href") or "").strip()
    return ""


def json_ld(root: Element) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, lists and @graph flattened; unreadable scripts skipped."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        raw = re.sub(r"^(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)$", "", raw).strip()
        try:
            data = json.loads(raw, strict=False)
        except ValueError as e:
            log.debug("unreadable JSON-LD skipped: %s", e)
            continue
        objects += _flatten_ld(data)
    return objects


def _flatten_ld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten_ld(data.get("@graph", []))


def _ld_types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type", [])
    return [str(k) for k in (kind if isinstance(kind, list) else [kind])]


@dataclass(frozen=True)
class LinkedData:
    """The page's JSON-LD object that describes the article, with the others by their @id."""

    article: dict[str, Any] = field(default_factory=dict)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    site: str = ""
    """The name of the page's WebSite or Organization object."""

    def value(self, key: str) -> Any:
        """A property of the article, a reference ({"@id": ...}) resolved."""
        return self.resolve(self.article.get(key))

    def resolve(self, value: Any) -> Any:
        """A value, or the object it refers to by @id."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and str(value.get("@id")) in self.by_id:
            return self.by_id[str(value["@id"])]
        return value

    def text(self, key: str) -> str:
        """A property of the article as one line of text ("" when it is not text)."""
        value = self.value(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        return " ".join(normalize_text(value).split()) if isinstance(value, str) else ""

    def name(self, value: Any) -> str:
        """The name of a person or organization given as a string or an object."""
        value = self.resolve(value)
        if isinstance(value, str):
            return " ".join(value.split())
        if not isinstance(value, dict):
            return ""
        name = value.get("name")
        if isinstance(name, list):
            name = name[0] if name else ""
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName', '')} {value.get('familyName', '')}"
        return " ".join(str(name or "").split())

    def image(self) -> str:
        """The article's image address (a string, an ImageObject or a list of either)."""
        value = self.value("image")
        if isinstance(value, list):
            value = self.resolve(value[0]) if value else ""
        if isinstance(value, dict):
            value = value.get("url") or value.get("contentUrl") or ""
        return value if isinstance(value, str) else ""

    def url(self) -> str:
        """The article's own address (url, or mainEntityOfPage)."""
        value = self.value("url") or self.value("mainEntityOfPage")
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        return value if isinstance(value, str) else ""


def linked_data(root: Element) -> LinkedData:
    """The JSON-LD that describes the article (Article, BlogPosting, MedicalWebPage...), or an empty one."""
    objects = json_ld(root)
    ranked = ([o for o in objects if any(_ARTICLE_TYPES.search(t) for t in _ld_types(o))]
              + [o for o in objects if any(_PAGE_TYPES.search(t) for t in _ld_types(o)) and "headline" in o])
    by_id = {str(o["@id"]): o for o in objects if isinstance(o.get("@id"), str)}
    data = LinkedData(ranked[0] if ranked else {}, by_id)
    site = next((o for o in objects if any(_SITE_TYPES.match(t) for t in _ld_types(o))), None)
    return LinkedData(data.article, by_id, data.name(site) if site is not None else "")


def site_name(meta: dict[str, list[str]], ld: LinkedData) -> str:
    """The site's own name (og:site_name, the JSON-LD publisher or WebSite), or ""."""
    publisher = ld.name(ld.value("publisher"))
    return _first([*_values(meta, "og:site_name", "application-name"), publisher, ld.site])


def strip_site_name(title: str, site: str) -> str:
    """A <title> without its site part: "Sleep apnoea | Health Site" -> "Sleep apnoea"."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    folded = site.casefold()
    if folded and (parts[-1].casefold() == folded or folded in parts[-1].casefold()):
        parts = parts[:-1]
    elif folded and parts[0].casefold() == folded:
        parts = parts[1:]
    elif len(parts[-1]) < len(" ".join(parts[:-1])) and len(parts[-1].split()) <= 5:
        parts = parts[:-1]
    else:
        return title
    separators = _TITLE_SEPARATOR.findall(title)
    if parts[0] != _TITLE_SEPARATOR.split(title)[0]:  # the site's name came first
        separators = separators[1:]
    kept = parts[0]
    for separator, part in zip(separators, parts[1:], strict=False):
        kept += separator + part
    return kept


def _similar(a: str, b: str) -> bool:
    """Whether two titles share most of their words (an <h1> and the og:title of one article)."""
    words_a, words_b = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) >= 0.6 * min(len(words_a), len(words_b))


def page_title(root: Element, meta: dict[str, list[str]], ld: LinkedData) -> str:
    """The article's title: its <h1> when the page's meta titles agree with it, else the best meta title.

    The <h1> is the title readers see, written for the article and never suffixed with the site
    name; og:title and the JSON-LD headline are often tuned for sharing or cut to 110 characters,
    and <title> carries the site name. But an <h1> may be a logo or a section name, so it is only
    taken when some meta title shares most of its words (or the page has no og:title or headline).
    """
    site = site_name(meta, ld)
    metas = [strip_site_name(t, site) for t in [ld.text("headline"), ld.text("name"),
                                               *_values(meta, "og:title", "twitter:title")] if t]
    title_el = root.find("head/title")
    page = strip_site_name(_text(title_el), site) if title_el is not None else ""
    others = [t for t in [*metas, page] if t]
    for h1 in _h1_texts(root, site):
        # With no og:title or JSON-LD headline to judge by, the <h1> readers see beats a <title> that
        # may be a short label plus the site's name ("Sleep tips | Healthy Nights").
        if not metas or any(_similar(h1, t) for t in others):
            return h1
    return _first([*metas, page, *_h1_texts(root, site)])


def _h1_texts(root: Element, site: str) -> list[str]:
    h1s = sorted(root.iter("h1"), key=lambda el: not _inside(el, ("article", "main")))
    texts = [_text(el) for el in h1s]
    return [t for t in texts if t and t.casefold() != site.casefold()]


def page_authors(root: Element, meta: dict[str, list[str]], ld: LinkedData) -> tuple[str, ...]:
    """The authors: JSON-LD author, else <meta name=author>, else rel=author links, else the byline."""
    from .boilerplate import split_authors

    value = ld.value("author") or ld.value("creator")
    found = [ld.name(a) for a in (value if isinstance(value, list) else [value])] if value else []
    if not [a for a in found if a]:
        found = [a for a in _values(meta, "author", "article:author", "dc.creator", "parsely-author",
                                    "sailthru.author") if not re.match(r"https?://", a)]
    if not found:
        found = [_text(el) for el in root.iter("a") if "author" in (el.get("rel") or "").lower().split()]
    if not found:
        found = _byline_authors(root)
    names = [n for a in found if a for n in split_authors(a)]
    return tuple(dict.fromkeys(n for n in names if n and not re.match(r"https?://", n)))


def _byline_authors(root: Element) -> list[str]:
    from .boilerplate import parse_byline

    candidates = [el for el in root.iter() if _tag(el) and (_BYLINE_CLASSES & set(_tokens(el))
                                                           or el.get("itemprop") == "author")]
    candidates += [el for el in root.iter("p", "div", "span")
                   if _BY.match(_text(el)) and len(_text(el)) < MAX_BYLINE_CHARS]
    for el in (c for c in candidates if not _in_furniture(c)):
        text = _text(el)
        if el.get("itemprop") == "author" or (not _BY.match(text) and len(text.split()) <= 4 and text):
            return [text]
        byline = parse_byline(text)
        if byline is not None and byline.authors:
            return list(byline.authors)
        names = _BYLINE_END.split(_BY.sub("", text, count=1))[0].strip(" ,")
        if _BY.match(text) and names and len(names.split()) <= MAX_BYLINE_WORDS:
            return [names]
    return []


def _time_value(root: Element, *, updated: bool) -> str:
    """The datetime of the article's first <time> (or of the first one said to be an update)."""
    region = next(iter(root.iter("article")), None)
    for el in (region if region is not None else root).iter("time"):
        if _in_furniture(el):
            continue
        value = el.get("datetime") or ""
        context = f"{el.get('itemprop') or ''} {' '.join(_tokens(el))} {_text(el)} {_text_before(el)[-24:]}"
        if value and bool(_UPDATED_WORDS.search(context)) == updated:
            return value
    return ""


def _in_furniture(el: Element) -> bool:
    """Inside comments, related links, a sidebar or navigation: a byline or date there is another page's."""
    return any(furniture_reason(a) in _ELSEWHERE for a in el.iterancestors())


def _text_before(el: Element) -> str:
    previous = el.getprevious()
    if previous is not None:
        return previous.tail or ""
    parent = el.getparent()
    return (parent.text or "") if parent is not None else ""


def _first_date(values: Iterable[str | None]) -> dt.date | None:
    for value in values:
        if value and (when := parse_date_value(value)) is not None:
            return when
    return None


def parse_date_value(value: str) -> dt.date | None:
    """A date from an ISO 8601 value ("2026-03-04T08:30:00Z") or any common written form, or None."""
    match = _ISO_DATE.match(value)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    return parse_date(value)


def page_language(root: Element, meta: dict[str, list[str]], ld: LinkedData) -> str:
    """The page's language: <html lang>, else content-language, og:locale or the JSON-LD inLanguage."""
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    locale = _first(_values(meta, "og:locale")).replace("_", "-")
    return _first([lang, *_values(meta, "content-language", "language", "dc.language"), locale,
                   ld.text("inLanguage")])


def page_tags(meta: dict[str, list[str]], ld: LinkedData) -> tuple[str, ...]:
    """Tags: article:tag, the JSON-LD keywords, else <meta name=keywords>; duplicates dropped."""
    keywords = ld.value("keywords") or []
    keywords = keywords if isinstance(keywords, list) else str(keywords).split(",")
    tags = [*_values(meta, "article:tag"), *keywords]
    if not tags:
        tags = [t for v in _values(meta, "news_keywords", "keywords") for t in v.split(",")]
    out: dict[str, str] = {}
    for tag in tags:
        tag = " ".join(str(tag).split())
        if tag:
            out.setdefault(tag.casefold(), tag)
    return tuple(out.values())


# --- disclaimers and footnotes, found by markup before extraction -----------------------------


def take_disclaimers(root: Element) -> list[Block]:
    """Take out disclaimers by markup (class or id "...disclaimer..."), then footer ones read as such."""
    total = len(_text(_body(root)))
    marked = [el for el in root.iter() if _tag(el) and "disclaimer" in " ".join(_tokens(el))
              and _tag(el) not in ("html", "body", "head", "main", "article", "a")
              and not _inside(el, ("head", "nav")) and _page_share(el, total) <= MAX_SIDE_SHARE
              and len(_text(el).split()) >= MIN_DISCLAIMER_WORDS]
    blocks: list[Block] = []
    for el in _outermost(marked):
        blocks += html_blocks(el)
        _drop(el)
    for el in _footer_disclaimers(root):
        blocks += html_blocks(el)
        _drop(el)
    return blocks


def _footers(root: Element) -> list[Element]:
    found = [el for el in root.iter() if _tag(el) == "footer"
             or (el.get("role") or "").lower() == "contentinfo"
             or {"footer", "site-footer", "page-footer", "colophon"} & set(_tokens(el))]
    return _outermost(el for el in found if not _inside(el, ("blockquote", "figure")))


def _footer_disclaimers(root: Element) -> list[Element]:
    """The paragraphs of the page's footers that read as a medical disclaimer."""
    from ..disclaimers import is_disclaimer

    found: list[Element] = []
    for footer in _footers(root):
        for el in footer.iter("p", "div", "li", "small", "span", "section"):
            if any(a is f for a in el.iterancestors() for f in found):
                continue
            if any(_tag(c) in _BLOCK_TAGS for c in el.iterdescendants()):
                continue
            if is_disclaimer(_text(el)):
                found.append(el)
    return found


_FOOTNOTE_ID = re.compile(r"^(?:fn|footnote|note|endnote|cite_note|ftn)[-_:]?(?:[a-z-]*?)(\d+)$|"
                          r"^(?:fn|footnote)[-_:](\w+)$", re.IGNORECASE)
_FOOTNOTE_CLASSES = re.compile(r"(?<![a-z0-9])(?:footnotes?|endnotes?|footnote-list|fn-list)(?![a-z0-9])")
_BACKLINK_TEXT = {"\u21a9", "\u21a9\ufe0e", "\u21a9\ufe0f", "\u2191", "^", "\u2934", "back"}


def take_footnotes(root: Element) -> list[Footnote]:
    """Take out the page's footnote lists (<section class="footnotes">, an <ol> of <li id="fn1">)."""
    containers = [el for el in root.iter() if _tag(el) in ("section", "div", "ol", "aside", "footer")
                  and (_FOOTNOTE_CLASSES.search(" ".join(_tokens(el)))
                       or (el.get("role") or "").lower() in ("doc-endnotes", "doc-footnotes"))]
    containers += [el for el in root.iter("ol") if _is_footnote_list(el)]
    notes: list[Footnote] = []
    for container in _outermost(sorted(containers, key=_document_position(root))):
        items = [li for li in container.iter("li") if _tag(li.getparent()) in ("ol", "ul")]
        for position, li in enumerate(_outermost(items), start=1):
            _drop_backlinks(li)
            blocks = html_blocks(li)
            if blocks:
                notes.append(Footnote(_footnote_label(li, position), tuple(blocks)))
        if items:
            _drop(container)
    return notes


def _document_position(root: Element) -> Callable[[Element], int]:
    order = {id(el): i for i, el in enumerate(root.iter())}
    return lambda el: order.get(id(el), 0)


def _is_footnote_list(el: Element) -> bool:
    items = [c for c in el if _tag(c) == "li"]
    return bool(items) and all(_FOOTNOTE_ID.match(li.get("id") or "") for li in items)


def _footnote_label(li: Element, position: int) -> str:
    match = _FOOTNOTE_ID.match(li.get("id") or "")
    return (match.group(1) or match.group(2)) if match else str(position)


def _drop_backlinks(li: Element) -> None:
    for a in list(li.iter("a")):
        href = (a.get("href") or "").lower()
        if (href.startswith(("#fnref", "#ref", "#cite_ref", "#footnote-ref"))
                or "backref" in " ".join(_tokens(a))
                or (a.get("role") or "").lower() == "doc-backlink" or _text(a) in _BACKLINK_TEXT):
            _drop(a)


# --- page furniture --------------------------------------------------------------------------

_FURNITURE_CLASSES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])"), reason) for p, reason in [
        (r"cookie|consent|gdpr|cc-window|cc-banner", "cookie banner"),
        (r"comments?|comment-list|comment-respond|respond|disqus|discussion", "comments"),
        (r"share|shares|sharing|sharebar|share-bar|sharedaddy|social|social-share|addthis|a2a|"
         r"share-buttons|share-tools", "share bar"),
        (r"related|relatedposts|related-posts|jp-relatedposts|more-stories|recommended|read-more|readmore|"
         r"read-next|popular|most-read|most-popular|trending|recirc|outbrain|taboola|also-like|you-may-like",
         "related links"),
        (r"newsletter|signup|sign-up|subscribe|subscription|mailchimp|mc4wp|optin|opt-in",
         "newsletter sign-up"),
        (r"ad|ads|advert|adverts|advertisement|advertising|ad-slot|adslot|dfp|sponsor|sponsored|promo|"
         r"promoted|promotion", "advertisement"),
        (r"breadcrumb|breadcrumbs", "breadcrumbs"),
        (r"byline|post-meta|entry-meta|article-meta|post-info|meta|dateline|author-bio|author-box|"
         r"about-author|author-info", "byline"),
        (r"tags|tag-list|post-tags|entry-tags|tagcloud|entry-categories|post-categories|categories",
         "tag list"),
        (r"sidebar|widget-area|widget", "sidebar"),
        (r"pagination|post-navigation|nav-links|prev-next|post-nav", "navigation"),
        (r"modal|popup|pop-up|interstitial", "pop-up"),
        (r"page-feedback|feedback|was-this-helpful|helpful-widget|survey|rating", "feedback widget"),
        (r"skip-link|skip-to-content|screen-reader-text|sr-only|visually-hidden|visuallyhidden",
         "page control"),
        (r"print-only|noprint|no-print", "page control"),
    ]
]
_CONTENT_SIGNS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "article", "main"})
_TEXT_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table"})
_KEPT_TAGS = frozenset({"html", "body", "main", "article", "head"})


def furniture_reason(el: Element) -> str | None:
    """Why an element is page furniture by its tag, role or class ("navigation", "comments"), or None."""
    return furniture_by_class(el) or furniture_by_tag(el)


def furniture_by_class(el: Element) -> str | None:
    """Why an element is page furniture by its class or id ("share bar", "comments"), or None."""
    if not _tag(el) or _tag(el) in _KEPT_TAGS:
        return None
    for token in _tokens(el):
        for pattern, reason in _FURNITURE_CLASSES:
            if pattern.search(token):
                return reason
    return None


def furniture_by_tag(el: Element) -> str | None:
    """Why an element is page furniture by its tag or ARIA role (<nav>, the page's <footer>), or None."""
    tag, role = _tag(el), (el.get("role") or "").lower()
    if not tag or tag in _KEPT_TAGS:
        return None
    if tag == "nav" or role == "navigation":
        return "navigation"
    if (tag == "form" and not _wraps_content(el)) or role == "search":
        return "form"
    if role in ("dialog", "alertdialog"):
        return "pop-up"
    if (tag == "header" or role == "banner") and not _inside(el, ("article",)) and el.find(".//h1") is None:
        return "site header"
    if (tag == "footer" or role == "contentinfo") and not _inside(el, ("blockquote", "figure")):
        return "footer"
    if (tag == "aside" or role == "complementary") and not _inside(el, ("article",)) and not _among_text(el):
        return "sidebar"
    return None


def _wraps_content(el: Element) -> bool:
    """Whether a <form> wraps the page's content (ASP.NET pages put everything in one), not fields."""
    return any(_tag(d) in _CONTENT_SIGNS for d in el.iterdescendants())


def _among_text(el: Element) -> bool:
    """Whether an element stands among the paragraphs of a text (a "key facts" box), not beside it."""
    parent = el.getparent()
    return parent is not None and any(_tag(c) in _TEXT_TAGS for c in parent if c is not el)


def strip_furniture(root: Element) -> list[Omission]:
    """Remove navigation, banners, share bars, comments, sidebars and footers by markup; say what went."""
    body = _body(root)
    total = len(_text(body))
    omitted: list[Omission] = []

    def walk(el: Element) -> None:
        for child in list(el):
            reason = furniture_by_class(child)
            if reason is not None and _page_share(child, total) > MAX_SIDE_SHARE:
                reason = None  # a wrapper of most of the page, whatever its class says
            reason = reason or furniture_by_tag(child)
            if reason is not None and _removable(child):
                text = _text(child)
                if text:
                    omitted.append(Omission(_snippet(text), reason))
                _drop(child)
            else:
                walk(child)

    walk(body)
    return omitted


def _removable(el: Element) -> bool:
    """Furniture by its markup, unless it holds the article (an <article>, <main> or the <h1>)."""
    if el.find(".//article") is not None or el.find(".//main") is not None:
        return False
    return el.find(".//h1") is None or _tag(el) == "nav"


# --- the main content ------------------------------------------------------------------------


def main_content(root: Element, source: Path) -> Element:
    """The page's main content as chosen by readability-lxml (its own markup), else the whole body."""
    from readability import Document
    from readability.readability import Unparseable

    body = root.find("body")
    if body is None or not _text(body):
        raise ContentError(f"{source}: no article text found in the page")
    try:
        summary = Document(copy.deepcopy(root)).summary(html_partial=True)
    except Unparseable as e:
        log.info("%s: the main content could not be told from the page (%s); reading the whole page",
                 source, e)
        return body
    try:
        content = lxml.html.document_fromstring(summary).find("body") if summary.strip() else None
    except (etree.ParserError, ValueError):
        content = None
    return content if content is not None and _text(content) else body


_PASSAGE_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "figcaption",
                           "blockquote", "td", "caption", "div", "section", "aside", "header", "footer"})


def dropped_passages(root: Element, content: Element) -> list[Element]:
    """The passages of the page (innermost text blocks of four words or more) not in the main content."""
    kept = f" {' '.join(_WORD.findall(_text(content).casefold()))} "
    dropped: list[Element] = []
    for el in _body(root).iter():
        if _tag(el) not in _PASSAGE_TAGS or any(_tag(d) in _PASSAGE_TAGS for d in el.iterdescendants()):
            continue
        if _tag(el) == "h1":
            continue  # the title: in the metadata whether or not the extractor kept it
        words = _WORD.findall(_text(el).casefold())
        if len(words) >= MIN_PASSAGE_WORDS and f" {' '.join(words)} " not in kept:
            dropped.append(el)
    return dropped


def sort_dropped(dropped: list[Element]) -> tuple[list[Block], list[Omission]]:
    """Passages the extractor left out: disclaimers (in a footer by any name) apart, the rest noted."""
    from ..disclaimers import is_disclaimer

    disclaimers: list[Block] = []
    others: list[str] = []
    for el in dropped:
        text = _text(el)
        if is_disclaimer(text):
            disclaimers += html_blocks(el)
        else:
            others.append(text)
    omitted = [Omission(_snippet(t), "not part of the main content") for t in others[:MAX_OMISSIONS]]
    if len(others) > MAX_OMISSIONS:
        omitted.append(Omission(f"{len(others) - MAX_OMISSIONS} more passages",
                                "not part of the main content"))
    return disclaimers, omitted


# --- blocks ----------------------------------------------------------------------------------

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_IGNORED_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base", "button",
    "input", "select", "textarea", "option", "optgroup", "datalist", "output", "nav", "iframe", "frame",
    "frameset", "object", "embed", "param", "svg", "canvas", "audio", "video", "source", "track", "map",
    "area", "dialog", "rp", "wbr", "hr",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "address", "details", "summary",
    "center", "fieldset", "hgroup", "ul", "ol", "menu", "dl", "dt", "dd", "li", "table", "caption", "thead",
    "tbody", "tfoot", "tr", "td", "th", "blockquote", "figure", "figcaption", "pre", "listing", "xmp",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "body", "html", "search", "form",
})
_APART_TAGS = frozenset({"br", "nav", "form", "button", "label", "input", "select", "textarea", "img"})
"""Not blocks, but their text does not run into the text beside them."""
_EMPHASIS_TAGS = frozenset({"em", "i", "cite", "dfn", "var"})
_STRONG_TAGS = frozenset({"strong", "b"})
_CODE_TAGS = frozenset({"code", "kbd", "samp", "tt"})
_HIDDEN_CLASSES = frozenset({"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden",
                             "screen-reader-only", "hidden", "d-none"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NOTE_LABEL = re.compile(r"\d{1,3}(?:\s*[-\u2013,]\s*\d{1,3})*")
_UNIT_BEFORE = re.compile(r"(?:^|[\s\d/(])(?:m|cm|mm|km|\u00b5m|ft|in|mi|yd|kg|g)$|\d$")
_SUPERSCRIPTS = str.maketrans("0123456789+-=()", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078"
                                                 "\u2079\u207a\u207b\u207c\u207d\u207e")
_PERMALINK_TEXT = frozenset({"#", "\u00b6", "\u00a7", "\U0001f517", "link"})
_LAYOUT_SIGNS = frozenset({"table", "h1", "h2", "h3", "h4", "h5", "h6", "article"})
"""A table with these inside is page layout, not data."""
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]+)")
_SPACE = re.compile(r"\s+")


def html_blocks(element: Element) -> list[Block]:
    """The blocks of an lxml element: a page, its main content or a fragment (<p>, <ul>, a <div>...)."""
    tag = _tag(element)
    if not tag or tag in _IGNORED_TAGS or _hidden(element) or (tag == "form" and not _wraps_content(element)):
        return []
    if tag in _HEADINGS:
        content = _inline_content(element)
        return [Heading(_HEADINGS[tag], content)] if inline_text(content) else []
    handler = _BLOCK_HANDLERS.get(tag)
    return handler(element) if handler is not None else _flow(element)


def _hidden(el: Element) -> bool:
    """Hidden from every reader: the hidden attribute, aria-hidden, display:none, screen-reader-only text."""
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    if _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    return bool(_HIDDEN_CLASSES & set((el.get("class") or "").lower().split()))


def _is_block(el: Element) -> bool:
    tag = _tag(el)
    if tag in _BLOCK_TAGS:
        return True
    if not tag or tag in _IGNORED_TAGS or tag in ("img", "picture", "br"):
        return False
    return any(_tag(d) in _BLOCK_TAGS for d in el.iterdescendants())


def _flow(el: Element, skip: Sequence[Element] = ()) -> list[Block]:
    """Mixed content (text, inline elements, blocks) as blocks: runs of inline content become paragraphs."""
    out: list[Block] = []
    pending = _Inlines()
    pending.add_text(el.text)
    for child in el:
        if any(child is s for s in skip):
            pass
        elif _is_block(child):
            out += pending.flush()
            out += html_blocks(child)
        else:
            pending.add_element(child)
        pending.add_text(child.tail)
    return out + pending.flush()


class _Inlines:
    """Inline content being gathered into paragraphs, with the images met on the way."""

    def __init__(self) -> None:
        self.runs: list[Inline] = []
        self.figures: list[Figure] = []

    def add_text(self, text: str | None) -> None:
        if text:
            self.runs.append(Text(_clean(text)))

    def add_element(self, el: Element) -> None:
        self.runs += _inline(el, self.figures, _last_text(self.runs))

    def flush(self) -> list[Block]:
        """The paragraphs gathered so far (a blank line, <br><br>, splits them), then their images."""
        blocks: list[Block] = [Paragraph(p) for p in (_finish(part) for part in _split_paragraphs(self.runs))
                               if inline_text(p)]
        blocks += self.figures
        self.runs, self.figures = [], []
        return blocks


def _clean(text: str) -> str:
    """Source text as a browser shows it: invisible characters removed, white space runs as one space."""
    return _SPACE.sub(" ", normalize_text(text))


def _last_text(runs: Sequence[Inline]) -> str:
    for run in reversed(runs):
        if isinstance(run, Text):
            return run.text
        if isinstance(run, Emphasis | Strong | Link):
            return _last_text(run.children)
        return ""
    return ""


def _inline_children(el: Element, figures: list[Figure]) -> list[Inline]:
    runs: list[Inline] = [Text(_clean(el.text))] if el.text else []
    for child in el:
        runs += _inline(child, figures, _last_text(runs))
        if child.tail:
            runs.append(Text(_clean(child.tail)))
    return runs


def _inline_content(el: Element) -> tuple[Inline, ...]:
    """All of an element's content as one line of runs (a heading, a table cell, a caption)."""
    runs = _inline_children(el, [])
    if _tag(el) in _HEADINGS:
        runs = [Text(" ") if isinstance(r, LineBreak) else r for r in runs]
    return _finish(runs)


def _inline(el: Element, figures: list[Figure], before: str) -> list[Inline]:
    """One inline element as runs; images go to figures, placed after the paragraph."""
    tag = _tag(el)
    if not tag or tag in _IGNORED_TAGS or _hidden(el):
        return []
    if tag == "br":
        return [LineBreak()]
    if tag in ("img", "picture"):
        figure = _image(el)
        if figure is not None:
            figures.append(figure)
        return []
    if tag in _CODE_TAGS:
        code = " ".join(_text(el).split())
        return [Code(code)] if code else []
    if tag == "sup":
        return _superscript(el, figures, before)
    if tag == "a" and _is_note_link(el):
        return [_note_ref(el)]
    children = _inline_children(el, figures)
    if tag in _EMPHASIS_TAGS:
        return [Emphasis(tuple(children))] if children else []
    if tag in _STRONG_TAGS:
        return [Strong(tuple(children))] if children else []
    if tag == "a":
        href = (el.get("href") or "").strip()
        if href.startswith("#") and inline_text(children) in _PERMALINK_TEXT:
            return []  # a heading's permalink
        if href and not href.lower().startswith(("javascript:", "#", "data:")) and children:
            return [Link(tuple(_flatten_links(children)), href)]
        return children
    if tag == "q":
        return [Text("\u201c"), *children, Text("\u201d")]
    if tag in _BLOCK_TAGS:
        return [Text(" "), *children, Text(" ")]
    return children


def _flatten_links(runs: Iterable[Inline]) -> Iterator[Inline]:
    """Runs without links inside (a link in a link is the outer one's text)."""
    for run in runs:
        if isinstance(run, Link):
            yield from _flatten_links(run.children)
        else:
            yield run


def _is_note_link(el: Element) -> bool:
    classes = " ".join(_tokens(el))
    return ((el.get("role") or "").lower() == "doc-noteref" or "footnote-ref" in classes
            or "noteref" in classes) and bool(_note_label(_text(el)))


def _note_label(text: str) -> str:
    return " ".join(text.strip().strip("[]()").split())


def _note_ref(el: Element) -> NoteRef:
    link = el if _tag(el) == "a" else next(el.iter("a"), None)
    href = (link.get("href") or "").strip() if link is not None else ""
    return NoteRef(_note_label(_text(el)), footnote=href.startswith("#"))


def _superscript(el: Element, figures: list[Figure], before: str) -> list[Inline]:
    """<sup>: a citation marker when it links somewhere or holds a number; else raised text ("m²")."""
    label = _note_label(_text(el))
    link = next(el.iter("a"), None)
    if label and link is not None and link.get("href") and len(label) <= 12:
        return [_note_ref(el)]
    if _NOTE_LABEL.fullmatch(label) and not _UNIT_BEFORE.search(before):
        return [NoteRef(label)]
    text = _text(el)
    if text and all(c in "0123456789+-=()" for c in text):
        return [Text(text.translate(_SUPERSCRIPTS))]
    return _inline_children(el, figures)


def _split_paragraphs(runs: list[Inline]) -> list[list[Inline]]:
    """Split runs where two line breaks meet with only white space between them."""
    parts: list[list[Inline]] = [[]]
    breaks = 0
    for run in runs:
        if isinstance(run, LineBreak):
            breaks += 1
            if breaks == 2:
                parts[-1] = _without_trailing_breaks(parts[-1])
                parts.append([])
                continue
        elif not (isinstance(run, Text) and not run.text.strip()):
            breaks = 0
        if breaks < 2:
            parts[-1].append(run)
    return parts


def _without_trailing_breaks(runs: list[Inline]) -> list[Inline]:
    while runs and (isinstance(runs[-1], LineBreak)
                    or (isinstance(runs[-1], Text) and not runs[-1].text.strip())):
        runs.pop()
    return runs


def _finish(runs: Sequence[Inline]) -> tuple[Inline, ...]:
    """Runs as a browser lays them out (spaces collapsed, trimmed at the ends and around line breaks),
    adjacent text joined, and "[1]" markers in the text as NoteRef runs."""
    runs = _collapse(runs, [True])
    runs = list(reversed(_rtrim(list(reversed(runs)), [True])))
    while runs and isinstance(runs[0], LineBreak):
        runs.pop(0)
    while runs and isinstance(runs[-1], LineBreak):
        runs.pop()
    return tuple(_join(runs))


def _collapse(runs: Iterable[Inline], at_space: list[bool]) -> list[Inline]:
    """Drop a space that follows a space (or the start, or a line break) across run boundaries."""
    out: list[Inline] = []
    for run in runs:
        if isinstance(run, Text):
            text = run.text[1:] if at_space[0] and run.text.startswith(" ") else run.text
            if text:
                out.append(Text(text))
                at_space[0] = text.endswith(" ")
        elif isinstance(run, LineBreak):
            out.append(run)
            at_space[0] = True
        elif isinstance(run, Emphasis | Strong | Link):
            children = _collapse(run.children, at_space)
            if children:
                out.append(_with_children(run, children))
        else:
            out.append(run)
            at_space[0] = False
    return out


def _rtrim(reversed_runs: Iterable[Inline], at_end: list[bool]) -> list[Inline]:
    """On runs in reverse order: drop trailing spaces at the end and before line breaks."""
    out: list[Inline] = []
    for run in reversed_runs:
        if isinstance(run, Text):
            text = run.text.rstrip(" ") if at_end[0] else run.text
            if text:
                out.append(Text(text))
                at_end[0] = False
        elif isinstance(run, LineBreak):
            out.append(run)
            at_end[0] = True
        elif isinstance(run, Emphasis | Strong | Link):
            children = list(reversed(_rtrim(list(reversed(run.children)), at_end)))
            if children:
                out.append(_with_children(run, children))
        else:
            out.append(run)
            at_end[0] = False
    return out


def _with_children(run: Emphasis | Strong | Link, children: Sequence[Inline]) -> Inline:
    if isinstance(run, Link):
        return Link(tuple(children), run.href)
    return type(run)(tuple(children))


def _join(runs: Iterable[Inline]) -> list[Inline]:
    out: list[Inline] = []
    text = ""
    for run in runs:
        if isinstance(run, Text):
            text += run.text
            continue
        if text:
            out += text_runs(text)
            text = ""
        if isinstance(run, Emphasis | Strong | Link):
            out.append(_with_children(run, _join(run.children)))
        else:
            out.append(run)
    if text:
        out += text_runs(text)
    return out


# --- block elements --------------------------------------------------------------------------


def _list(el: Element) -> list[Block]:
    items: list[ListItem] = []
    for child in el:
        tag = _tag(child)
        if tag in ("ul", "ol") and items:  # a list put straight into a list belongs to the item before
            items[-1] = ListItem((*items[-1].blocks, *html_blocks(child)))
            continue
        blocks = _flow(child) if tag == "li" else html_blocks(child)
        if child.tail and child.tail.strip():
            blocks.append(Paragraph(_finish([Text(_clean(child.tail))])))
        if blocks:
            items.append(ListItem(tuple(blocks)))
    if not items:
        return []
    ordered = _tag(el) == "ol"
    return [ListBlock(tuple(items), ordered=ordered, start=_integer(el.get("start"), 1) if ordered else 1)]


def _integer(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _definitions(el: Element) -> list[Block]:
    """A definition list as a list: each term in bold, then its definitions."""
    items: list[list[Block]] = []
    for child in el.iter("dt", "dd"):
        if _tag(child) == "dt" or not items:
            items.append([])
        if _tag(child) == "dt":
            term = _inline_content(child)
            if term:
                items[-1].append(Paragraph((Strong(term),)))
        else:
            items[-1] += _flow(child)
    blocks = [ListItem(tuple(item)) for item in items if item]
    return [ListBlock(tuple(blocks))] if blocks else []


def _table(el: Element) -> list[Block]:
    if _is_layout_table(el):
        return [b for row in _rows(el) for cell in row for b in _flow(cell)]
    caption_el = next((c for c in el if _tag(c) == "caption"), None)
    caption = _inline_content(caption_el) if caption_el is not None else ()
    rows = _rows(el)
    header: tuple[tuple[Inline, ...], ...] = ()
    in_head = bool(rows) and _tag(rows[0][0].getparent().getparent()) == "thead"
    if rows and (in_head or all(_tag(c) == "th" for c in rows[0])):
        header = _cells(rows[0])
        rows = rows[1:]
    body = tuple(cells for cells in (_cells(r) for r in rows) if any(inline_text(c) for c in cells))
    if not body and not any(inline_text(c) for c in header):
        return []
    return [Table(header, body, caption)]


def _rows(table: Element) -> list[list[Element]]:
    """The table's rows as lists of their cells (not those of tables inside it)."""
    trs = [c for c in table if _tag(c) == "tr"]
    trs += [r for part in table if _tag(part) in ("thead", "tbody", "tfoot") for r in part if _tag(r) == "tr"]
    trs.sort(key=_document_position(table))
    rows = [[c for c in tr if _tag(c) in ("td", "th")] for tr in trs]
    return [r for r in rows if r]


def _cells(row: list[Element]) -> tuple[tuple[Inline, ...], ...]:
    cells: list[tuple[Inline, ...]] = []
    for cell in row:
        cells.append(_inline_content(cell))
        cells += [()] * (min(_integer(cell.get("colspan"), 1), 50) - 1)
    return tuple(cells)


def _is_layout_table(el: Element) -> bool:
    if (el.get("role") or "").lower() in ("presentation", "none"):
        return True
    return any(_tag(d) in _LAYOUT_SIGNS for d in el.iterdescendants())


def _quote(el: Element) -> list[Block]:
    """A blockquote and who said it: a <cite> or <footer> of its own, or a last line after an em dash."""
    attribution_el = _attribution_element(el)
    blocks = _flow(el, skip=(attribution_el,) if attribution_el is not None else ())
    attribution = (strip_attribution_dash(_inline_content(attribution_el))
                   if attribution_el is not None else ())
    if not attribution and blocks:
        blocks, attribution = _dash_attribution(blocks)
    return [Quote(tuple(blocks), attribution)] if blocks else []


def _attribution_element(el: Element) -> Element | None:
    children = [c for c in el if _tag(c)]
    last = children[-1] if children else None
    if last is None or (len(children) < 2 and not (el.text or "").strip()):
        return None
    if _tag(last) in ("cite", "footer"):
        return last
    inner = [c for c in last if _tag(c)]
    if (_tag(last) == "p" and len(inner) == 1 and _tag(inner[0]) == "cite"
            and not _text(last).replace(_text(inner[0]), "").strip(" \u2014\u2013-")):
        return last
    return None


def _dash_attribution(blocks: list[Block]) -> tuple[list[Block], tuple[Inline, ...]]:
    """A last paragraph, or a last line after a <br>, that starts with an em dash names the speaker."""
    last = blocks[-1]
    if not isinstance(last, Paragraph):
        return blocks, ()
    if len(blocks) > 1 and inline_text(last.content).startswith(ATTRIBUTION_DASHES):
        return blocks[:-1], strip_attribution_dash(last.content)
    breaks = [i for i, run in enumerate(last.content) if isinstance(run, LineBreak)]
    if breaks and inline_text(last.content[breaks[-1] + 1:]).startswith(ATTRIBUTION_DASHES):
        head = _finish(last.content[:breaks[-1]])
        return [*blocks[:-1], Paragraph(head)], strip_attribution_dash(last.content[breaks[-1] + 1:])
    return blocks, ()


def _figure(el: Element) -> list[Block]:
    """A figure: its images (the caption on the last), or a captioned quote or table, or its content."""
    caption_el = next((c for c in el.iter("figcaption")), None)
    caption = _inline_content(caption_el) if caption_el is not None else ()
    images = [f for f in (_image(i) for i in el.iter("img")) if f is not None]
    if images:
        images[-1] = Figure(images[-1].src, images[-1].alt, caption)
        return list(images)
    quote_el = next(el.iter("blockquote"), None)
    if quote_el is not None:
        quote = next((b for b in _quote(quote_el) if isinstance(b, Quote)), None)
        if quote is not None:
            return [Quote(quote.blocks, quote.attribution or strip_attribution_dash(caption))]
    table_el = next(el.iter("table"), None)
    if table_el is not None:
        tables = _table(table_el)
        if len(tables) == 1 and isinstance(tables[0], Table) and not tables[0].caption:
            table = tables[0]
            return [Table(table.header, table.rows, caption)]
        return tables
    return _flow(el)


def _image(el: Element) -> Figure | None:
    """An image as a Figure (a lazy-loaded one by its data-src); None for tracking pixels and icons."""
    if _tag(el) == "picture":
        el = next(el.iter("img"), el)
        if _tag(el) != "img":
            return None
    if _hidden(el):
        return None
    src = (el.get("src") or "").strip()
    if not src or src.startswith("data:"):
        src = next((v.strip() for v in (el.get("data-src"), el.get("data-lazy-src"), el.get("data-original"),
                                        (el.get("srcset") or "").split(" ")[0]) if v and v.strip()), src)
    if not src or src.startswith("data:"):
        return None
    width, height = _integer(el.get("width"), 0), _integer(el.get("height"), 0)
    if (width and width <= 2) or (height and height <= 2) or (width and height and max(width, height) <= 32):
        return None
    return Figure(src, " ".join(normalize_text(el.get("alt") or "").split()))


def _code_block(el: Element) -> list[Block]:
    text = normalize_text("".join(el.itertext()))
    text = text[1:] if text.startswith("\n") else text
    if not text.strip():
        return []
    code = next(el.iter("code"), None)
    classes = " ".join(e.get("class") or "" for e in (el, code) if e is not None)
    match = _LANGUAGE_CLASS.search(classes)
    language = match.group(1) if match else (el.get("data-lang") or "")
    return [CodeBlock(text.rstrip(), language)]


def _image_block(el: Element) -> list[Block]:
    figure = _image(el)
    return [figure] if figure is not None else []


_BLOCK_HANDLERS: dict[str, Callable[[Element], list[Block]]] = {
    "ul": _list, "ol": _list, "menu": _list, "dl": _definitions, "table": _table, "blockquote": _quote,
    "figure": _figure, "img": _image_block, "picture": _image_block, "pre": _code_block,
    "listing": _code_block, "xmp": _code_block,
}


__all__ = [
    "HtmlReader",
    "LinkedData",
    "declared_charset",
    "decode_html",
    "dropped_passages",
    "furniture_by_class",
    "furniture_by_tag",
    "furniture_reason",
    "has_article_text",
    "html_blocks",
    "json_ld",
    "linked_data",
    "main_content",
    "meta_tags",
    "page_authors",
    "page_language",
    "page_metadata",
    "page_tags",
    "page_title",
    "parse_date_value",
    "parse_page",
    "site_name",
    "sort_dropped",
    "strip_furniture",
    "strip_site_name",
    "take_disclaimers",
    "take_footnotes",
]
