"""Property-based tests (hypothesis): parsing, scripting, splitting and rendering never crash or lose text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from gutaudio.config import AudioSettings, ShowSettings
from gutaudio.document import Article, Paragraph, Section, runs
from gutaudio.errors import ContentError, FeedError
from gutaudio.feed import FeedItem, build_feed
from gutaudio.readers import normalize_text
from gutaudio.readers.assemble import DISCLAIMER_TITLE
from gutaudio.script import Chapter, build_script
from gutaudio.site import Page, PageChapter, render_page
from gutaudio.speech import (
    MAX_UTTERANCE_CHARS,
    split_long,
    split_sentences,
    to_spoken,
)

from .conftest import assert_split_between_words, parse_article

PROPERTY = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
SLOW_PROPERTY = settings(PROPERTY, max_examples=100)  # each example takes 10-20 ms
AUDIO = AudioSettings()

# -- strategies -----------------------------------------------------------------------------------

# Characters pysbd uses as placeholders inside its own text (it drops "\u0238" and "\u0239").
PYSBD_PLACEHOLDERS = st.sampled_from(list("\u0238\u0239\u222f\u2668\u2609\u14f0\u14f1\u14f3\u14f4\u14f7\u14f8"
                                          "\u238b\u2702\u232c\u01aa\u260f"))
# Any text: every code point but surrogates, control characters included.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
# Text a health article is made of: letters of several scripts, digits, punctuation, symbols, emoji.
WORDS = st.text(
    st.one_of(
        st.characters(categories=("L", "M", "N", "P", "S", "Zs")),
        st.sampled_from(list(" .,;:!?'\"()-&%$/<>#*_`[]~\u2014\u2026\u00a0\u200b\U0001F600\u05e9\u0645")),
        PYSBD_PLACEHOLDERS,
    ),
    min_size=1, max_size=80,
)
HEADING = st.one_of(
    WORDS.map(lambda w: "# " + w),
    WORDS.map(lambda w: "## " + w),
    st.tuples(st.integers(1, 12), WORDS).map(lambda p: f"{p[0]}. {p[1]}"),
    st.sampled_from(["Causes", "Part 2: Diet", "Chapter IV - Sleep", "Disclaimer", "1. Causes"]),
)
# Plain words: letters of several scripts and digits, no Markdown or symbols.
PLAIN_WORD = st.text(
    st.one_of(st.characters(categories=("L", "Nd")),
              st.sampled_from(list("\u05e9\u0645\u00e9\u00df\u0238\u0239"))),
    min_size=1, max_size=12,
)
LONG_HEADING = st.lists(PLAIN_WORD, min_size=40, max_size=120).map(lambda words: "## " + " ".join(words))
PARAGRAPH = st.one_of(WORDS, HEADING, ANY_TEXT, LONG_HEADING)
SEPARATOR = st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\r\r", "\n \n", "\n\n\n"])
FRONT_MATTER = st.one_of(
    st.just(""),
    WORDS.map(lambda w: f"---\ntitle: {w!r}\n---\n"),
    st.sampled_from(["---\ntitle: T\ndate: 2026-01-02\n---\n", "---\n---\n", "---\n- a\n---\n",
                     "---\ntitle: [x\n---\n", "---\nauthor: Someone\n---\n", "---\n"]),
    ANY_TEXT.map(lambda t: f"---\n{t}\n---\n"),
)


@st.composite
def articles(draw: st.DrawFn, paragraphs: st.SearchStrategy[str] = PARAGRAPH,
             front_matter: st.SearchStrategy[str] = FRONT_MATTER) -> str:
    """Article text: optional front matter, then paragraphs and headings with mixed line endings."""
    parts = draw(st.lists(paragraphs, max_size=8))
    text = draw(front_matter)
    for part in parts:
        text += part + draw(SEPARATOR)
    return text


SUFFIX = st.sampled_from(["a.txt", "a.md"])

# Sentences for the no-loss property: plain words and sentence punctuation, but no Markdown or symbols
# (their meaning may legitimately be markup).
PLAIN_SENTENCE = st.lists(PLAIN_WORD, min_size=1, max_size=20).flatmap(
    lambda words: st.sampled_from(["", ".", "!", "?", ",", ";", ":"]).map(
        lambda end: " ".join(words) + end))
PLAIN_PARAGRAPH = st.lists(st.tuples(PLAIN_SENTENCE, st.sampled_from([" ", " ", "\n"])), min_size=1,
                           max_size=5).map(lambda pairs: "".join(s + sep for s, sep in pairs).strip())


def letters_words(text: str) -> list[str]:
    """The author's words: maximal runs of letters."""
    return re.findall(r"[^\W\d_]+", text)


def scripted_words(article: Article, chapters: list[Chapter]) -> list[str]:
    """The words of every utterance's display text, but for the "Disclaimer" heading the script adds,
    plus the title (spoken from metadata) and what the reader left out on purpose, each once."""
    displays = [u.display for c in chapters for u in c.utterances if u.kind != "title"]
    displays += [article.metadata.title] + [item.text for item in article.omitted]
    disclaimer = article.disclaimer
    if disclaimer is not None and not disclaimer.heading and chapters[-1].is_disclaimer:
        displays.remove(DISCLAIMER_TITLE)
    return [w for display in displays for w in letters_words(display)]


def normalize(text: str) -> str:
    """What read_article hands parse_article (line endings, NFC, invisible characters)."""
    return normalize_text(text)


# -- parse_article + build_script -------------------------------------------------------------------


@PROPERTY
@given(text=st.one_of(ANY_TEXT, articles()), name=SUFFIX, normalized=st.booleans())
def test_parse_and_script_never_crash(text: str, name: str, normalized: bool) -> None:
    if normalized:
        text = normalize(text)
    try:
        article = parse_article(text, Path(name))
    except ContentError as e:
        assert str(e).startswith(f"{name}: ")
        assert "\n" not in str(e)
        return
    chapters = build_script(article, AUDIO)
    slugs = [c.slug for c in chapters]
    assert len(set(slugs)) == len(slugs)
    for chapter in chapters:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", chapter.slug), chapter.slug
        assert len(chapter.slug) <= 60
        assert chapter.utterances
        for utterance in chapter.utterances:
            assert len(utterance.display) <= MAX_UTTERANCE_CHARS
            assert utterance.display.strip() == utterance.display
            assert any(ch.isalnum() for ch in utterance.spoken), utterance


@PROPERTY
@given(text=articles(st.one_of(PLAIN_PARAGRAPH, PLAIN_WORD, PLAIN_SENTENCE), st.just("")))
def test_every_word_of_a_plain_text_article_is_scripted(text: str) -> None:
    text = normalize(text)
    words = letters_words(text)
    try:
        article = parse_article(text, Path("a.txt"))
    except ContentError:
        assert not words, "an article with words was rejected"
        return
    chapters = build_script(article, AUDIO)
    assert sorted(scripted_words(article, chapters)) == sorted(words)


MARKDOWN_PARAGRAPH = st.one_of(
    PLAIN_PARAGRAPH,
    PLAIN_SENTENCE.map(lambda s: "# " + s),
    PLAIN_SENTENCE.map(lambda s: "## " + s),
    st.lists(PLAIN_SENTENCE, min_size=1, max_size=3).map(lambda s: "\n".join("- " + x for x in s)),
    PLAIN_SENTENCE.map(lambda s: f"*{s}*"),
)


@PROPERTY
@given(text=articles(MARKDOWN_PARAGRAPH, st.just("")))
def test_every_word_of_a_markdown_article_is_scripted_or_is_its_title(text: str) -> None:
    text = normalize(text)
    words = letters_words(text)
    try:
        article = parse_article(text, Path("untitled-qz.md"))
    except ContentError as e:
        assert "has no text to speak" in str(e)
        titles = [w for line in text.splitlines() if line.startswith("# ") for w in letters_words(line)]
        assert sorted(words) == sorted(titles), "an article with words was rejected"
        return
    chapters = build_script(article, AUDIO)
    assert sorted(scripted_words(article, chapters)) == sorted(words)


# -- to_spoken --------------------------------------------------------------------------------------


@PROPERTY
@given(text=st.one_of(ANY_TEXT, WORDS, PLAIN_PARAGRAPH))
def test_to_spoken_never_crashes_nor_loses_every_letter(text: str) -> None:
    spoken = to_spoken(text)
    assert isinstance(spoken, str)
    if any(ch.isalpha() for ch in text):
        assert any(ch.isalpha() for ch in spoken), (text, spoken)


@SLOW_PROPERTY
@given(number=st.one_of(st.integers(0, 10 ** 40), st.integers(10 ** 300, 10 ** 320)),
       unit=st.sampled_from(["", " mg", "%", "th", ".5", ".25", "/3", "s"]))
def test_to_spoken_reads_any_number(number: int, unit: str) -> None:
    spoken = to_spoken(f"Take {number}{unit} daily.")
    assert spoken.startswith("Take ") and spoken.endswith(" daily.")
    assert not re.search(r"\d", spoken)


# -- split_sentences and split_long -------------------------------------------------------------------


def _without_space(text: str) -> str:
    return "".join(text.split())


def _in_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


@PROPERTY
@given(text=st.one_of(ANY_TEXT, PLAIN_PARAGRAPH, WORDS), max_chars=st.integers(5, 400))
@example(text="Tea \u0238A is \u0239B.", max_chars=300)  # pysbd drops these two letters
def test_split_sentences_keeps_every_character_in_order(text: str, max_chars: int) -> None:
    pieces = split_sentences(text, max_chars)
    assert "".join(_without_space(p) for p in pieces) == _without_space(text)
    assert all(p and p == p.strip() and len(p) <= max_chars for p in pieces)
    # No cut between two letters or digits, unless a word longer than max_chars had to be cut.
    paragraph = " ".join(text.split())
    position = 0
    for piece in pieces[:-1]:
        position = paragraph.index(piece, position) + len(piece)
        if _in_word(paragraph[position - 1]) and _in_word(paragraph[position]):
            word = re.findall(r"\S+", paragraph[paragraph.rfind(" ", 0, position) + 1:])[0]
            assert len(word) > max_chars, (piece, word)


@PROPERTY
@given(text=st.one_of(ANY_TEXT, PLAIN_PARAGRAPH, WORDS).map(lambda t: " ".join(t.split())),
       max_chars=st.integers(1, 120))
def test_split_long_keeps_every_character_and_cuts_only_long_words(text: str, max_chars: int) -> None:
    assume(text)
    pieces = split_long(text, max_chars)
    assert_split_between_words(text, pieces, max_chars)


# -- feed and page ----------------------------------------------------------------------------------

XML_CHAR = st.characters(codec="utf-8").filter(
    lambda c: c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000")
MARKUP = st.sampled_from(["<", ">", "&", '"', "'", "]]>", "<b>", "</p>", "&amp;", "&lt;", "<!--", "<script>",
                          "<![CDATA[", "\u00a0", " "])
XML_TEXT = st.lists(st.one_of(XML_CHAR, MARKUP), min_size=1, max_size=40).map("".join)
NOT_XML_CHAR = st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"])

SHOW = dict(author="A & B", description="d", link="https://example.org/", owner_email="o@example.org",
            base_url="https://example.org/a/")


def _feed(title: str) -> bytes:
    item = FeedItem(title=title, guid="urn:uuid:1", url="https://example.org/a/1.mp3", length=1,
                    duration=1.0, episode=1, published=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
                    description=title)
    return build_feed(ShowSettings(title=title, **SHOW), feed_url="https://example.org/a/feed.xml",
                      image_url="https://example.org/a/c.jpg", items=[item],
                      built=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))


@PROPERTY
@given(title=XML_TEXT)
def test_feed_is_well_formed_and_keeps_any_xml_title(title: str) -> None:
    root = etree.fromstring(_feed(title))
    assert root.findtext("channel/title") == title
    assert root.findtext("channel/item/title") == title
    assert root.findtext("channel/item/description") == title


@PROPERTY
@given(before=XML_TEXT, bad=NOT_XML_CHAR, after=st.text(XML_CHAR, max_size=10))
def test_feed_refuses_characters_xml_cannot_carry(before: str, bad: str, after: str) -> None:
    with pytest.raises(FeedError, match=r"^the feed cannot hold this text: "):
        _feed(before + bad + after)


@SLOW_PROPERTY
@given(title=XML_TEXT, chapter=XML_TEXT, paragraph=XML_TEXT)
@example(title="0", chapter="0", paragraph="\r")
def test_page_is_well_formed_and_shows_the_literal_title(title: str, chapter: str, paragraph: str) -> None:
    page = Page(language="en", show_title=title, article_title=title, author=title, description=title,
                cover="cover.jpg", episode_audio="episode.mp3", episode_stem="episode",
                episode_duration=61.0,
                chapters=[PageChapter(1, chapter, "c/01.mp3", "c/01", 30.0,
                                      Section(chapter, (Paragraph(runs(paragraph)),)))])
    html = render_page(page)
    document = lxml.html.document_fromstring(html)
    # HTML parsers turn CR and CR LF into LF; nothing else may change.
    def seen(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n")

    assert document.findtext(".//h1") == seen(title)
    assert document.findtext(".//title") == f"{seen(title)} ({seen(title)})"
    assert document.findtext(".//section[@id='chapter-1']/h2") == seen(chapter)
    paragraphs = document.iterfind(".//section[@id='chapter-1']/div/p")
    # The article's text is serialized by lxml, which writes a CR as a character reference: it stays.
    assert [p.text_content() for p in paragraphs][-1] == paragraph
