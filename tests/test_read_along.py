"""The read-along page: utterances found in the text the page shows (pure functions, on the real
script's utterances), the word-timed WebVTT, and the page itself in headless Chromium: the word
highlighted at each moment is the one being heard, sentences play from the keyboard and on a click,
the highlight changes classes only, and axe-core finds nothing wrong while it shows."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import lxml.html
import pytest
import webvtt
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from markupsafe import escape
from playwright.sync_api import Browser, Page, sync_playwright

from gutaudio.captions import TimedUtterance, TimedWord
from gutaudio.config import AudioSettings
from gutaudio.document import (
    CodeBlock,
    Emphasis,
    Figure,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    Table,
    Text,
    runs,
)
from gutaudio.errors import ContentError
from gutaudio.read_along import chapter_timing, shown_text, token_key, word_spans, wrap_range
from gutaudio.readers import read_article
from gutaudio.script import Utterance, build_script, script_section
from gutaudio.serve import create_server
from gutaudio.site import PageChapter, chapter_text, section_html
from gutaudio.transcripts import to_word_vtt, word_timed_text

from .conftest import manifest_of
from .test_fixtures import ARTICLES
from .test_page import AXE, CHROMIUM_FLAGS, _chromium
from .test_properties import PROPERTY

# -- finding utterances in the shown text ---------------------------------------------------------

SECTION = Section("Causes", (
    Paragraph((Text("Fibre "), Emphasis((Text("feeds the"),)), Text(" gut."), NoteRef("1", True),
               Text(" It "), Link((Text("helps a lot"),), "https://example.org/?a=1&b=<2>"),
               Text(" more."))),
    ListBlock((ListItem((Paragraph(runs("Eat slowly.")),)), ListItem((Paragraph(runs("Drink water.")),))),
              ordered=True, start=3),
    Table(header=(runs("Food"), runs("Serving"), runs("Fiber (g)")),
          rows=((runs("Chia seeds"), runs("2 tbsp"), runs("8.3")),), caption=runs("Fibre in foods")),
    Quote((Paragraph(runs("Feed the gut.")),), runs("Dr. Osei")),
    Figure("oats.png", "A bowl of oats", runs("Oats at breakfast.")),
    CodeBlock("fibre = 30  # grams\n"),
    Paragraph((*runs("Line one"), LineBreak(), *runs("line two & <three>."))),
), heading=runs("1. Causes"), number="1")
"""A chapter with every kind of block, inline markup, a note marker, a line break and markup characters."""

SHOWN = [  # what the page marks for each utterance the script makes of SECTION ([] where nothing)
    ("1. Causes", ["Causes"]),  # the h2 shows the title without the author's number
    ("Fibre feeds the gut.", ["Fibre feeds the gut."]),  # across <em>; the note marker left outside
    ("It helps a lot more.", ["It helps a lot more."]),  # the link inside the sentence
    ("3. Eat slowly.", ["Eat slowly."]),  # the browser draws "3."
    ("4. Drink water.", ["Drink water."]),
    ("Fibre in foods", ["Fibre in foods"]),
    ("Chia seeds: Serving, 2 tbsp; Fiber (g), 8.3", ["Chia seeds", "2 tbsp", "8.3"]),  # one per cell
    ("\u2014 Dr. Osei", []),  # said before the quote, shown after it: not found in order
    ("Feed the gut.", ["Feed the gut."]),
    ("End of quote", []),
    ("[Image: A bowl of oats]", []),
    ("Oats at breakfast.", ["Oats at breakfast."]),
    ("[Code shown on the page]", []),
    ("Line one line two & <three>.", ["Line oneline two & <three>."]),  # text_content drops the <br>
]


def _timed(displays: list[str], *, words: bool = True) -> tuple[TimedUtterance, ...]:
    """Utterances one second a word, each word half a second (what matters here is which is which)."""
    out, start = [], 0.0
    for display in displays:
        pieces = display.split()
        out.append(TimedUtterance(display, start, start + len(pieces), tuple(
            TimedWord(w, start + i, start + i + 0.5) for i, w in enumerate(pieces)) if words else None))
        start += len(pieces) + 1
    return tuple(out)


def _page_text(chapter: PageChapter) -> etree._Element:
    """The chapter's heading and text as the page shows them, parsed."""
    shown = chapter_text(chapter)
    return lxml.html.fragment_fromstring(f"<div><h2>{shown.heading}</h2>{shown.text}</div>")


def _marked(root: etree._Element, attribute: str, value: str) -> list[str]:
    return [e.text_content() for e in root.iterfind(f".//*[@{attribute}='{value}']")]


def test_the_scripts_utterances_are_found_where_the_page_shows_them() -> None:
    utterances = script_section(SECTION, AudioSettings())
    assert [u.display for u in utterances] == [display for display, _ in SHOWN]
    root = _page_text(PageChapter(1, "Causes", "a.mp3", "a", 9.0, SECTION,
                                  utterances=_timed([u.display for u in utterances])))
    assert [_marked(root, "data-s", str(i)) for i in range(len(SHOWN))] == [shown for _, shown in SHOWN]
    # Each timed word found is marked inside its sentence; "1." is not on the page, nor "Serving".
    assert _marked(root, "data-w", "0.0") == [] and _marked(root, "data-w", "0.1") == ["Causes"]
    assert [_marked(root, "data-w", f"6.{j}") for j in range(8)] == [
        ["Chia"], ["seeds"], [], ["2"], ["tbsp"], [], [], ["8.3"]]
    for word in root.iterfind(".//*[@data-w]"):
        sentence = word.get("data-w").split(".")[0]
        assert any(a.get("data-s") == sentence for a in word.iterancestors())
    # Nothing is marked in code, in the table's header or in the note marker.
    assert not root.xpath(".//pre//span | .//thead//span | .//sup//span")


def test_marking_changes_no_text_and_no_markup_but_spans() -> None:
    utterances = _timed([u.display for u in script_section(SECTION, AudioSettings())])
    marked = _page_text(PageChapter(1, "Causes", "a.mp3", "a", 9.0, SECTION, utterances=utterances))
    plain = lxml.html.fragment_fromstring(f"<div><h2>Causes</h2>{section_html(SECTION)}</div>")
    assert marked.text_content() == plain.text_content()
    etree.strip_tags(marked, "span")
    assert lxml.html.tostring(marked) == lxml.html.tostring(plain)
    assert "https://example.org/?a=1&amp;b=&lt;2&gt;" in str(chapter_text(
        PageChapter(1, "Causes", "a.mp3", "a", 9.0, SECTION, utterances=utterances)).text)


def test_sentences_without_word_timing_are_marked_whole() -> None:
    utterances = _timed([u.display for u in script_section(SECTION, AudioSettings())], words=False)
    root = _page_text(PageChapter(1, "Causes", "a.mp3", "a", 9.0, SECTION, utterances=utterances))
    assert [_marked(root, "data-s", str(i)) for i in range(len(SHOWN))] == [shown for _, shown in SHOWN]
    assert root.find(".//*[@data-w]") is None


def test_an_utterance_not_on_the_page_is_left_out_and_the_rest_still_found() -> None:
    section = Section("Sleep", (Paragraph(runs("Sleep matters. Rest well every night.")),))
    utterances = _timed(["Sleep matters.", "Something the page never shows at all.",
                         "Rest well every night."])
    root = _page_text(PageChapter(2, "Sleep", "a.mp3", "a", 9.0, section, utterances=utterances))
    assert [_marked(root, "data-s", str(i)) for i in range(3)] == [
        ["Sleep matters."], [], ["Rest well every night."]]
    # The h2 "Sleep" is not taken for the first utterance's "Sleep": the page's words are lined up in order.
    assert _marked(root, "data-w", "0.0") == ["Sleep"] and root.find("h2/span") is None


def test_a_long_table_that_repeats_its_words_in_every_row_is_found_row_by_row() -> None:
    # The voice says each column's name in every row and the page shows it once, in the header;
    # the words of the rows repeat. Each row is found in its own place (the chapter is lined up
    # a batch at a time, so that such a table takes time in proportion to its rows).
    header = tuple(runs(h) for h in ("Food", "Serving", "Fibre (g)", "Notes"))
    rows = tuple(tuple(runs(cell) for cell in (f"Food {n}", f"{n % 7 + 1} tbsp", f"{n % 10}.5",
                                                "a good source of fibre")) for n in range(300))
    section = Section("Foods", (Table(header=header, rows=rows),))
    displays = [u.display for u in script_section(section, AudioSettings())]
    root = _page_text(PageChapter(1, "Foods", "a.mp3", "a", 9.0, section, utterances=_timed(displays)))
    assert len(displays) == 300 and displays[150].startswith("Food 150: Serving, 4 tbsp")
    for n in range(300):
        assert _marked(root, "data-s", str(n)) == [f"Food {n}", f"{n % 7 + 1} tbsp", f"{n % 10}.5",
                                                   "a good source of fibre"], n


def test_a_chapter_without_timing_is_shown_as_before() -> None:
    chapter = PageChapter(1, "Causes", "a.mp3", "a", 9.0, SECTION)
    shown = chapter_text(chapter)
    assert (str(shown.heading), str(shown.text), shown.marked) == ("Causes", str(section_html(SECTION)), 0)


def _not_shown(utterance: Utterance) -> bool:
    """Whether an utterance says what the chapter's text does not show, in the order it is said: the
    article's title and byline (above every chapter), "[Image: ...]", "[Code shown on the page]", a
    quote's announcement and its close, and who said it (said first, shown after the quote)."""
    display = utterance.display
    return (utterance.kind == "title" or (display.startswith("[") and display.endswith("]"))
            or display in ("Quote", "End of quote") or display.startswith("\u2014 "))


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_in_every_fixture_article_all_that_the_page_shows_is_found(path: Path) -> None:
    try:
        article = read_article(path)
    except ContentError:
        return  # an article the readers refuse has no page (test_fixtures tests why)
    for chapter in build_script(article, AudioSettings()):
        assert chapter.section is not None
        page_chapter = PageChapter(chapter.index, chapter.title, "a.mp3", "a", 9.0, chapter.section,
                                   utterances=_timed([u.display for u in chapter.utterances]))
        root = _page_text(page_chapter)
        found = {int(e.get("data-s")) for e in root.iterfind(".//*[@data-s]")}
        missing = [u.display for i, u in enumerate(chapter.utterances) if i not in found]
        assert missing == [u.display for u in chapter.utterances if _not_shown(u)]
        etree.strip_tags(root, "span")  # and nothing else changed
        assert lxml.html.tostring(root) == lxml.html.tostring(lxml.html.fragment_fromstring(
            f"<div><h2>{escape(chapter.title)}</h2>{section_html(chapter.section)}</div>"))


def test_words_are_compared_by_their_letters_and_digits() -> None:
    assert [token_key(w) for w in ("fibre,", "\u201cGut\u201d", "8.3", "\u2014", "\ufb01bre")] == [
        "fibre", "gut", "83", "", "fibre"]
    assert word_spans("Line one two", breaks=[8]) == [(0, 4), (5, 8), (9, 12)]
    assert word_spans("oneline two", breaks=[3]) == [(0, 3), (3, 7), (8, 11)]


INLINE_TAGS = ("em", "strong", "a", "code")


@st.composite
def _inline_trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    element = etree.Element("p" if depth == 0 else draw(st.sampled_from(INLINE_TAGS)))
    element.text = draw(st.text("ab .", max_size=5)) or None
    for _ in range(draw(st.integers(0, 3 if depth < 2 else 0))):
        if draw(st.booleans()):
            child = draw(_inline_trees(depth + 1))
        else:
            child = etree.Element(draw(st.sampled_from(["br", "sup"])), {"class": "note-ref"})
            child.text = "[1]" if child.tag == "sup" else None
        child.tail = draw(st.text("ab .", max_size=5)) or None
        element.append(child)
    return element


@PROPERTY
@given(tree=_inline_trees(), data=st.data())
def test_wrapping_any_range_keeps_the_text_and_wraps_exactly_that_range(tree: etree._Element,
                                                                        data: st.DataObject) -> None:
    before = lxml.html.tostring(tree)
    text, _ = shown_text(tree)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    wrap_range(tree, start, end, {"data-s": "0"})
    assert shown_text(tree)[0] == text
    assert "".join(shown_text(span)[0] for span in tree.iter("span")) == text[start:end]
    assert all(not any(a.tag == "span" for a in span.iterancestors()) for span in tree.iter("span"))
    etree.strip_tags(tree, "span")
    assert lxml.html.tostring(tree) == before


# -- the word-timed WebVTT ------------------------------------------------------------------------

def test_the_word_vtt_puts_each_words_time_before_it_and_escapes_markup(tmp_path: Path) -> None:
    utterances = [
        TimedUtterance("Fish & <chips>", 0.5, 2.0, (TimedWord("Fish", 0.5, 0.8), TimedWord("&", 0.9, 1.0),
                                                    TimedWord("<chips>", 1.1, 1.9))),
        TimedUtterance("Eat 5 mg daily.", 2.5, 4.25, (
            TimedWord("Eat", 2.53, 2.7), TimedWord("5 mg", 2.8, 3.6), TimedWord("daily.", 3.7, 4.2))),
        TimedUtterance("No word timing here.", 5.0, 6.0, None),
    ]
    text = to_word_vtt(utterances, "a note")
    path = tmp_path / "words.vtt"
    path.write_text(text, encoding="utf-8")
    captions = webvtt.read(str(path)).captions
    assert [(c.start, c.end, c.raw_text) for c in captions] == [
        ("00:00:00.500", "00:00:02.000", "Fish <00:00:00.900>&amp; <00:00:01.100>&lt;chips&gt;"),
        ("00:00:02.500", "00:00:04.250", "<00:00:02.530>Eat <00:00:02.800>5 mg <00:00:03.700>daily."),
        ("00:00:05.000", "00:00:06.000", "No word timing here."),
    ]
    assert text.startswith("WEBVTT\n\nNOTE a note\n")
    # A timestamp at the cue's start is left out (the format wants them later than it).
    assert word_timed_text(utterances[0]).startswith("Fish ")


# -- the page in Chromium --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(built: tuple[Path, Result]) -> Iterator[str]:
    """The finished build served by gutaudio's own server (byte ranges: players can seek)."""
    requests = logging.getLogger("werkzeug")
    level = requests.level
    requests.setLevel(logging.ERROR)  # one line per request otherwise
    server = create_server(built[0], port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/short-article/index.html"
    finally:
        server.shutdown()
        server.server_close()
        requests.setLevel(level)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, started by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


SCROLLS = """window.scrolls = [];
const scroll = Element.prototype.scrollIntoView;
Element.prototype.scrollIntoView = function (options) {
  window.scrolls.push(options);
  scroll.call(this, options);
};"""
"""Records each scrollIntoView call's options (added before the page's own script runs)."""


@pytest.fixture
def tab(chromium: Browser, served: str) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 800, "height": 500})
    page = context.new_page()
    page.add_init_script(SCROLLS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served)
    page.wait_for_function("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)",
                           timeout=20_000)
    try:
        yield page
    finally:
        context.close()
    assert errors == []


def _words(built: tuple[Path, Result], chapter: int) -> list[tuple[int, int, dict]]:
    """A chapter's timed words from build.json (not from the page): (utterance, word, its record)."""
    utterances = manifest_of(built[0])["chapters"][chapter - 1]["utterances"]
    return [(u, w, word) for u, record in enumerate(utterances) for w, word in enumerate(record["words"])]


SEEK = """([selector, t]) => new Promise((resolve) => {
  const audio = document.querySelector(selector);
  audio.addEventListener("seeked", () => resolve(), {once: true});
  audio.currentTime = t;
})"""
HEARD = """() => {
  const word = document.querySelectorAll("[data-w].heard");
  const sentence = document.querySelectorAll("[data-s].heard");
  return {word: [...new Set([...word].map(e => e.dataset.w))], words: [...word].map(e => e.textContent),
          sentence: [...new Set([...sentence].map(e => e.closest("section").id + " " + e.dataset.s))]};
}"""


PAUSED = "[...document.querySelectorAll('audio')].map(a => a.paused)"
"""Which players are paused: the episode's, then each chapter's."""


def _seek(page: Page, selector: str, t: float) -> dict:
    page.evaluate(SEEK, [selector, t])
    return page.evaluate(HEARD)


@pytest.mark.chromium
@pytest.mark.parametrize("chapter", [1, 3])
def test_at_each_moment_the_highlighted_word_is_the_one_whose_timing_holds_it(
        tab: Page, built: tuple[Path, Result], chapter: int) -> None:
    selector = f"#chapter-{chapter} audio"
    for u, w, word in _words(built, chapter):
        for t in (word["start"] + 0.002, (word["start"] + word["end"]) / 2, word["end"] - 0.002):
            heard = _seek(tab, selector, t)
            assert heard == {"word": [f"{u}.{w}"], "words": [word["text"]],
                             "sentence": [f"chapter-{chapter} {u}"]}, (t, word)


@pytest.mark.chromium
def test_the_episode_player_highlights_in_the_chapter_being_heard(tab: Page,
                                                                  built: tuple[Path, Result]) -> None:
    marks = json.loads((built[0] / "short-article" / "chapters.json").read_text("utf-8"))["chapters"]
    for chapter in (1, 2, 3):
        u, w, word = _words(built, chapter)[-1]
        heard = _seek(tab, "audio[data-episode]", marks[chapter - 1]["startTime"] + word["start"] + 0.01)
        assert heard == {"word": [f"{u}.{w}"], "words": [word["text"]],
                         "sentence": [f"chapter-{chapter} {u}"]}
    # Before the first word of a sentence, its sentence alone; before the first sentence, nothing.
    first = manifest_of(built[0])["chapters"][0]["utterances"][0]
    assert _seek(tab, "#chapter-1 audio", first["start"] + 0.001)["word"] == []
    assert _seek(tab, "#chapter-1 audio", first["start"] - 0.1) == {"word": [], "words": [], "sentence": []}
    # After a chapter's last sentence (its tail, and in the episode the gap before the next chapter)
    # nothing is lit, and nothing stays lit once a player has played to its end.
    last = manifest_of(built[0])["chapters"][0]["utterances"][-1]
    nothing = {"word": [], "words": [], "sentence": []}
    assert _seek(tab, "#chapter-1 audio", last["end"] + 0.1) == nothing
    assert _seek(tab, "audio[data-episode]", marks[0]["startTime"] + last["end"] + 0.1) == nothing


SAMPLE = """([selector, count]) => new Promise((resolve) => {
  const audio = document.querySelector(selector), samples = [];
  const sample = () => {
    const heard = document.querySelector("[data-w].heard");
    samples.push([audio.currentTime, heard ? heard.dataset.w : null, performance.now()]);
    if (samples.length < count && !audio.paused) requestAnimationFrame(sample); else resolve(samples);
  };
  requestAnimationFrame(sample);
})"""


@pytest.mark.chromium
def test_while_playing_the_highlight_follows_the_voice(tab: Page, built: tuple[Path, Result]) -> None:
    utterances = manifest_of(built[0])["chapters"][2]["utterances"]
    tab.evaluate("""() => { const a = document.querySelector('#chapter-3 audio');
                    a.muted = true; a.playbackRate = 2; a.currentTime = 1.8; return a.play(); }""")
    sampled = tab.evaluate(SAMPLE, ["#chapter-3 audio", 90])

    def started(t: float) -> str | None:
        """The word that started last in the sentence that started last (independently worked out)."""
        sentence = [u for u, utterance in enumerate(utterances) if utterance["start"] <= t + 0.0005][-1]
        begun = [w for w, word in enumerate(utterances[sentence]["words"]) if word["start"] <= t + 0.0005]
        return f"{sentence}.{begun[-1]}" if begun else None
    changes = sorted({u["start"] for u in utterances} | {w["start"] for u in utterances for w in u["words"]})

    def started_between(low: float, high: float) -> set[str | None]:
        """Every word (or none) that held some moment from low to high."""
        return {started(low)} | {started(at) for at in changes if low < at <= high}
    # The page lights what it read of the player's position at its last update: in this animation frame
    # or the one before (or at a timeupdate between), so the word shown held some moment since the
    # sample before; the position is read afresh each time, so allow 50 ms of sound either side.
    pairs = list(pairwise(sampled))
    assert all(shown in started_between(before - 0.05, t + 0.05)
               for (before, _, _), (t, shown, _) in pairs), sampled
    # Mostly the word then, in frames that came on time (a busy machine delays some: over 50 ms after
    # the one before, three frames at 60 Hz). (Which word holds each moment exactly is tested by
    # seeking, above.)
    samples = [(t, shown) for (_, _, before), (t, shown, at) in pairs if at - before <= 50]
    assert len(samples) >= 0.8 * len(pairs), sampled
    assert sum(shown == started(t) for t, shown in samples) >= 0.6 * len(samples), samples
    assert len({shown for _, shown in samples}) >= 6  # the voice went on through several words


@pytest.mark.chromium
def test_a_sentence_is_reached_with_the_keyboard_and_plays_from_its_start(
        tab: Page, built: tuple[Path, Result]) -> None:
    utterances = manifest_of(built[0])["chapters"][2]["utterances"]
    for _ in range(60):  # Tab from the top until a sentence of the disclaimer's chapter has focus
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.matches('#chapter-3 [data-s]')"):
            break
    focused = "[document.activeElement.dataset.s, document.activeElement.textContent]"
    assert tab.evaluate(focused) == ["0", "Disclaimer"]  # the heading is the chapter's first sentence
    assert tab.evaluate("document.activeElement.getAttribute('aria-describedby')") == "read-along-keys"
    assert tab.locator("#read-along-keys").text_content().startswith("Enter plays from this sentence")
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("ArrowDown")
    assert tab.evaluate(focused) == ["2", utterances[2]["text"]]
    assert tab.eval_on_selector_all("#chapter-3 [tabindex]", "els => els.map(e => e.dataset.s)") == ["2"]
    tab.evaluate("document.querySelector('#chapter-3 audio').muted = true")
    tab.keyboard.press("Enter")
    tab.wait_for_function("!document.querySelector('#chapter-3 audio').paused", timeout=10_000)
    at = tab.evaluate("document.querySelector('#chapter-3 audio').currentTime")
    assert utterances[2]["start"] <= at < utterances[2]["start"] + 0.5
    tab.keyboard.press("ArrowUp")
    tab.keyboard.press(" ")
    tab.wait_for_function("t => document.querySelector('#chapter-3 audio').currentTime < t",
                          arg=utterances[2]["start"], timeout=10_000)
    at = tab.evaluate("document.querySelector('#chapter-3 audio').currentTime")
    assert utterances[1]["start"] <= at < utterances[1]["start"] + 0.5
    assert tab.evaluate(PAUSED) == [True, True, True, False]
    assert tab.evaluate(HEARD)["sentence"] in (["chapter-3 1"], ["chapter-3 2"])


@pytest.mark.chromium
def test_clicking_a_sentence_plays_it_in_the_player_last_used(tab: Page, built: tuple[Path, Result]) -> None:
    chapters = manifest_of(built[0])["chapters"]
    marks = json.loads((built[0] / "short-article" / "chapters.json").read_text("utf-8"))["chapters"]
    tab.evaluate("document.querySelectorAll('audio').forEach(a => { a.muted = true; })")
    tab.locator("#chapter-1 [data-w='1.3']").click()  # "we", in the second sentence
    tab.wait_for_function("!document.querySelector('#chapter-1 audio').paused", timeout=10_000)
    at = tab.evaluate("document.querySelector('#chapter-1 audio').currentTime")
    assert chapters[0]["utterances"][1]["start"] <= at < chapters[0]["utterances"][1]["start"] + 0.5
    # Once the whole article has been played, a sentence plays there, in its place in the episode.
    tab.evaluate("document.querySelector('audio[data-episode]').play()")
    tab.wait_for_function("document.querySelector('#chapter-1 audio').paused", timeout=10_000)
    tab.evaluate("document.querySelector('audio[data-episode]').pause()")
    tab.locator("#chapter-2 [data-w='1.3']").click()
    start = marks[1]["startTime"] + chapters[1]["utterances"][1]["start"]
    tab.wait_for_function("t => document.querySelector('audio[data-episode]').currentTime >= t",
                          arg=start - 0.001, timeout=10_000)
    at = tab.evaluate("document.querySelector('audio[data-episode]').currentTime")
    assert start - 0.001 <= at < start + 0.5
    assert tab.evaluate(PAUSED) == [False, True, True, True]


@pytest.mark.chromium
@pytest.mark.parametrize(("motion", "behavior"), [("reduce", "auto"), ("no-preference", "smooth")])
def test_the_word_heard_is_kept_in_view_smoothly_unless_motion_is_reduced(
        chromium: Browser, served: str, motion: str, behavior: str) -> None:
    context = chromium.new_context(viewport={"width": 800, "height": 400}, reduced_motion=motion)
    try:
        page = context.new_page()
        page.add_init_script(SCROLLS)
        page.goto(served)
        page.wait_for_function("document.querySelector('#chapter-3 audio').readyState >= 1", timeout=20_000)
        page.evaluate("window.scrollTo(0, 0)")
        assert not page.evaluate("(() => { const b = document.querySelector('#chapter-3 p [data-s]')"
                                 ".getBoundingClientRect(); return b.top < innerHeight; })()")
        page.evaluate(SEEK, ["#chapter-3 audio", 3.0])
        assert page.evaluate("window.scrolls") == [{"block": "nearest", "behavior": behavior}]
        page.wait_for_function("(() => { const b = document.querySelector('[data-w].heard')"
                               ".getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; })()",
                               timeout=5_000)
    finally:
        context.close()


@pytest.mark.chromium
def test_who_scrolls_the_text_heard_out_of_view_is_not_pulled_back_until_playing(
        chromium: Browser, served: str) -> None:
    context = chromium.new_context(viewport={"width": 800, "height": 400}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.add_init_script(SCROLLS)
        page.goto(served)
        page.wait_for_function("document.querySelector('#chapter-3 audio').readyState >= 1", timeout=20_000)
        page.evaluate(SEEK, ["#chapter-3 audio", 3.0])
        assert len(page.evaluate("window.scrolls")) == 1
        page.wait_for_timeout(300)  # the page's own scroll has ended
        page.evaluate("new Promise(r => { addEventListener('scroll', r, {once: true}); scrollTo(0, 0); })")
        page.evaluate(SEEK, ["#chapter-3 audio", 6.5])  # another sentence, out of view: not followed
        assert (len(page.evaluate("window.scrolls")), page.evaluate("scrollY")) == (1, 0)
        page.evaluate("(() => { const a = document.querySelector('#chapter-3 audio'); a.muted = true;"
                      " return a.play(); })()")
        page.wait_for_function("window.scrolls.length === 2", timeout=5_000)  # playing: followed again
    finally:
        context.close()


@pytest.mark.chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_highlight_changes_only_classes_and_axe_finds_nothing(tab: Page, scheme: str) -> None:
    tab.emulate_media(color_scheme=scheme)
    def tree() -> list[str]:  # the chapter's heading and text as screen readers get them
        return [tab.locator(selector).aria_snapshot() for selector in ("#chapter-3 h2", "#chapter-3 .text")]
    before = tree()
    heard = _seek(tab, "#chapter-3 audio", 3.0)
    assert heard["word"] and heard["sentence"]
    assert tree() == before  # the same tree, the same text
    assert tab.evaluate("document.querySelectorAll('[aria-live], [role=status], [role=log], [role=alert]')"
                        ".length") == 0
    tab.add_script_tag(path=str(AXE))
    results = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]] == []
    # axe checked the highlighted word's colours: it is on a background of its own.
    colours = tab.evaluate("""() => { const w = document.querySelector('[data-w].heard');
        return [getComputedStyle(w).backgroundColor, getComputedStyle(w.closest('[data-s]')).backgroundColor,
                getComputedStyle(document.body).backgroundColor]; }""")
    assert len(set(colours)) == 3


def test_the_build_publishes_word_vtts_that_hold_build_jsons_times(built: tuple[Path, Result]) -> None:
    output = built[0]
    page = (output / "short-article" / "index.html").read_text("utf-8")
    for chapter in manifest_of(output)["chapters"]:
        path = (output / chapter["file"]).with_suffix(".words.vtt")
        assert f'href="chapters/{path.name}"' in page
        captions = webvtt.read(str(path)).captions
        assert len(captions) == len(chapter["utterances"])
        for caption, utterance in zip(captions, chapter["utterances"], strict=True):
            stamps = [_seconds(s) for s in re.findall(r"<(\d\d:\d\d:\d\d\.\d{3})>", caption.raw_text)]
            assert stamps == [w["start"] for w in utterance["words"]]
            assert _seconds(caption.start) < stamps[0] and stamps[-1] < _seconds(caption.end)
            assert caption.text == utterance["text"]
    timing = re.search(r'<script type="application/json" id="read-along-timing">(.*?)</script>', page)
    assert timing is not None
    marks = json.loads((output / "short-article" / "chapters.json").read_text("utf-8"))["chapters"]
    assert json.loads(timing.group(1))[2] == chapter_timing(3, marks[2]["startTime"],
        [TimedUtterance(u["text"], u["start"], u["end"],
                        tuple(TimedWord(w["text"], w["start"], w["end"]) for w in u["words"]))
         for u in manifest_of(output)["chapters"][2]["utterances"]])
    assert (output / "short-article" / "episode.words.vtt").is_file()


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)
