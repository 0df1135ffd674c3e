"""The podcast RSS 2.0 feed (Apple's itunes tags, Podcasting 2.0 namespace), built with lxml."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from email.utils import format_datetime

from lxml import etree

from . import __version__
from .config import ShowSettings
from .durations import whole_seconds
from .errors import FeedError

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST = "https://podcastindex.org/namespace/1.0"
NSMAP = {"itunes": ITUNES, "atom": ATOM, "podcast": PODCAST}
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
MAX_DESCRIPTION_BYTES = 4000


@dataclass(frozen=True)
class Transcript:
    """A podcast:transcript link: a timed caption file or a plain transcript."""

    url: str
    type: str
    language: str
    rel: str = ""
    """"captions" for a timecoded file."""


@dataclass(frozen=True)
class FeedItem:
    """One episode of the feed: here, one chapter of the narrated article."""

    title: str
    guid: str
    url: str
    length: int
    """Exact file size in bytes."""
    duration: float
    """Seconds of audio."""
    episode: int
    published: dt.datetime
    description: str
    transcripts: tuple[Transcript, ...] = ()
    chapters_url: str = ""
    season: int | None = None
    """itunes:season: the article's number, which it keeps when articles are added or removed."""
    author: str = ""
    """itunes:author of the item, when its article names an author other than the show's."""
    link: str = ""
    """The item's web page: its article's page, at the chapter's place for a chapter."""


def podcast_guid(feed_url: str) -> str:
    """Podcasting 2.0 channel GUID: UUIDv5 of the feed URL without its scheme and trailing slash."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def item_guid(show_link: str, article_slug: str, chapter_slug: str) -> str:
    """A GUID that stays the same across rebuilds as long as the show and chapter keep their names."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{show_link}#{article_slug}/{chapter_slug}')}"


def truncate_utf8(text: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    """Cut text at a word boundary so it fits in limit bytes of UTF-8, adding an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - 3].decode("utf-8", "ignore")
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:") + "\u2026"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrib.items()})
    if text is not None:
        element.text = text
    return element


def _it(name: str) -> str:
    return f"{{{ITUNES}}}{name}"


def build_feed(
    show: ShowSettings,
    *,
    feed_url: str,
    image_url: str,
    items: list[FeedItem],
    built: dt.datetime,
) -> bytes:
    """Render the feed document as UTF-8 XML bytes."""
    try:
        return _render_feed(show, feed_url, image_url, items, built)
    except (ValueError, TypeError) as e:  # lxml refuses text that XML cannot carry
        raise FeedError(f"the feed cannot hold this text: {e}") from e


def _render_feed(show: ShowSettings, feed_url: str, image_url: str, items: list[FeedItem],
                 built: dt.datetime) -> bytes:
    rss = etree.Element("rss", nsmap=NSMAP, version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, f"{{{ATOM}}}link", href=feed_url, rel="self", type="application/rss+xml")
    _sub(channel, "title", show.title)
    _sub(channel, "link", show.link)
    _sub(channel, "description", truncate_utf8(show.description))
    _sub(channel, "language", show.language)
    if show.copyright:
        _sub(channel, "copyright", show.copyright)
    _sub(channel, "generator", f"gutaudio {__version__}")
    _sub(channel, "lastBuildDate", format_datetime(built))
    image = _sub(channel, "image")
    _sub(image, "url", image_url)
    _sub(image, "title", show.title)
    _sub(image, "link", show.link)
    _sub(channel, _it("author"), show.author)
    owner = _sub(channel, _it("owner"))
    _sub(owner, _it("name"), show.owner_name or show.author)
    _sub(owner, _it("email"), show.owner_email)
    _sub(channel, _it("image"), href=image_url)
    category = _sub(channel, _it("category"), text_=show.category)
    if show.subcategory:
        _sub(category, _it("category"), text_=show.subcategory)
    _sub(channel, _it("explicit"), "true" if show.explicit else "false")
    _sub(channel, _it("type"), "serial")
    _sub(channel, f"{{{PODCAST}}}guid", show.podcast_guid or podcast_guid(feed_url))
    _sub(channel, f"{{{PODCAST}}}medium", "podcast")
    _sub(channel, f"{{{PODCAST}}}locked", "no", owner=show.owner_email)

    for entry in items:
        item = _sub(channel, "item")
        _sub(item, "title", entry.title)
        _sub(item, _it("title"), entry.title)
        if entry.link:
            _sub(item, "link", entry.link)
        _sub(item, "description", truncate_utf8(entry.description))
        if entry.author:
            _sub(item, _it("author"), entry.author)
        _sub(item, "enclosure", url=entry.url, length=str(entry.length), type="audio/mpeg")
        _sub(item, "guid", entry.guid, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(entry.published))
        _sub(item, _it("duration"), str(whole_seconds(entry.duration)))  # as players show it
        if entry.season is not None:
            _sub(item, _it("season"), str(entry.season))
        _sub(item, _it("episode"), str(entry.episode))
        _sub(item, _it("episodeType"), "full")
        _sub(item, _it("explicit"), "true" if show.explicit else "false")
        _sub(item, _it("image"), href=image_url)
        for transcript in entry.transcripts:
            attributes = {"url": transcript.url, "type": transcript.type,
                          "language": transcript.language}
            if transcript.rel:
                attributes["rel"] = transcript.rel
            _sub(item, f"{{{PODCAST}}}transcript", **attributes)
        if entry.chapters_url:
            _sub(item, f"{{{PODCAST}}}chapters", url=entry.chapters_url,
                 type="application/json+chapters")
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)
