"""Feed document and ID3 helpers, checked with real XML parsers."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from lxml import etree

from gutaudio.config import ShowSettings
from gutaudio.feed import FeedItem, build_feed, item_guid, podcast_guid, truncate_utf8
from gutaudio.tags import id3_language

NASTY = 'Tom & Jerry <b>"quoted"</b> \'single\' ]]> end'


def _show(**overrides: object) -> ShowSettings:
    values = dict(title=NASTY, author="A & B", description=NASTY, link="https://example.org/",
                  owner_email="o@example.org", base_url="https://example.org/a/")
    values.update(overrides)
    return ShowSettings(**values)  # type: ignore[arg-type]


def _item(n: int, title: str = NASTY) -> FeedItem:
    return FeedItem(title=title, guid=f"urn:uuid:{n}", url=f"https://example.org/a/{n}.mp3",
                    length=1234 + n, duration=61.6, episode=n,
                    published=dt.datetime(2026, 1, 2, 12, n, tzinfo=dt.UTC), description=NASTY)


def test_podcast_guid_matches_the_podcasting_2_0_example() -> None:
    # The example in the podcast namespace's guid documentation.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == podcast_guid(
        "mp3s.nashownotes.com/pc20rss.xml")


@pytest.mark.parametrize(("show_link", "article", "chapter", "expected"), [
    # UUIDv5 (RFC 4122, SHA-1) in the URL namespace of "<show link>#<article>/<chapter>", worked
    # out by hand with hashlib: what subscribers' apps have stored, so it may never change.
    ("https://e.org", "a", "intro", "urn:uuid:d91718f7-8de0-5c28-9438-f3e10185fe41"),
    ("https://e.org", "a", "outro", "urn:uuid:cfcdc76d-9659-5168-8ef5-8c3f4f24432d"),
    ("https://e.org", "b", "intro", "urn:uuid:d90d9ee7-9aac-503a-a68c-b7ebbb615ae8"),
    ("https://example.org/show", "short-article", "introduction",
     "urn:uuid:0a0dfd35-42c6-5061-8826-07a4eeca6361"),
])
def test_item_guid_is_the_fixed_uuid5_of_show_article_and_chapter(
        show_link: str, article: str, chapter: str, expected: str) -> None:
    assert item_guid(show_link, article, chapter) == expected


def test_feed_escapes_every_title_and_keeps_order() -> None:
    xml = build_feed(_show(), feed_url="https://example.org/a/feed.xml",
                     image_url="https://example.org/a/cover.jpg",
                     items=[_item(1), _item(2, "Second")], built=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    root = etree.fromstring(xml)  # well-formed, or this raises
    assert root.findtext("channel/title") == NASTY
    assert [t.text for t in root.iterfind("channel/item/title")] == [NASTY, "Second"]
    parsed = feedparser.parse(xml)
    assert not parsed.bozo
    assert parsed.entries[0].itunes_duration == "61"  # 61.6 s: whole seconds, as players show it
    assert parsed.entries[1].enclosures[0].length == "1236"
    assert parsed.feed.tags[0].term == "Health & Fitness"


def test_subcategory_nests_inside_category() -> None:
    xml = build_feed(_show(subcategory="Nutrition"), feed_url="https://e.org/feed.xml",
                     image_url="https://e.org/c.jpg", items=[], built=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    (category,) = etree.fromstring(xml).findall("channel/itunes:category", ns)
    assert category.get("text") == "Health & Fitness"
    assert [c.get("text") for c in category.findall("itunes:category", ns)] == ["Nutrition"]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 4000, "short"),
        ("one two three four", 12, "one two\u2026"),
        ("\u00e9" * 10, 9, "\u00e9\u00e9\u00e9\u2026"),
    ],
)
def test_truncate_utf8(text: str, limit: int, expected: str) -> None:
    assert truncate_utf8(text, limit) == expected
    if expected != text:
        assert len(truncate_utf8(text, limit).encode()) <= limit


@pytest.mark.parametrize(
    ("code", "expected"), [("en", "eng"), ("en-us", "eng"), ("EN-GB", "eng"), ("de", "ger"),
                           ("haw", "haw"), ("xx", "und")],
)
def test_id3_language(code: str, expected: str) -> None:
    assert id3_language(code) == expected


def test_text_xml_cannot_carry_is_a_feed_error() -> None:
    from gutaudio.errors import FeedError

    with pytest.raises(FeedError, match="the feed cannot hold this text"):
        build_feed(_show(), feed_url="https://e.org/feed.xml", image_url="https://e.org/c.jpg",
                   items=[_item(1, "bell\x07")], built=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
