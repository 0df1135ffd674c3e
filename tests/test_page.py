"""index.html in a real browser: headless Chromium (Debian) driven by Playwright, checked by axe-core."""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import Result
from playwright.sync_api import Browser, Page, sync_playwright

from .conftest import _chromium_path
from .verify import decoded_seconds

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required"]


pytestmark = pytest.mark.chromium
FILES = ["short-article/episode.mp3", "short-article/chapters/01-introduction.mp3",
         "short-article/chapters/02-diet-and-sleep.mp3", "short-article/chapters/03-disclaimer.mp3"]
"""The page's players, in page order: the whole article, then each chapter."""


def _chromium() -> str:
    """Debian's Chromium (a test that starts it is marked chromium, so it is there)."""
    found = _chromium_path()
    assert found, "Chromium is not installed: apt-get install chromium"
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(built: tuple[Path, Result]) -> Iterator[str]:
    """Serve the finished build on a loopback port."""
    output, _ = built
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, started by Playwright (no browser download)."""
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(site + "short-article/index.html")
    try:
        yield tab
    finally:
        context.close()


def test_every_audio_element_reports_the_files_duration(page: Page, built: tuple[Path, Result]) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)", timeout=20_000)
    playing = page.eval_on_selector_all("audio", "els => els.map(a => new URL(a.currentSrc).pathname)")
    assert playing == [f"/{name}" for name in FILES]
    durations = page.eval_on_selector_all("audio", "els => els.map(a => a.duration)")
    # Chromium's duration of each file, and ffmpeg's of the same file.
    assert durations == pytest.approx([decoded_seconds(built[0] / name) for name in FILES], abs=0.1)


def test_the_page_shows_the_durations_the_players_show(page: Page) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)", timeout=20_000)
    seconds = [math.floor(d) for d in
               page.eval_on_selector_all("audio", "els => els.map(a => a.duration)")]
    assert len(seconds) == 4
    # A player shows whole seconds, cut down: the episode in the byline, each chapter in the contents.
    shown = page.eval_on_selector_all(
        ".meta > span[aria-hidden='true'], nav li > span[aria-hidden='true']",
        "els => els.map(e => e.textContent)")
    assert shown == [f"{s // 60}:{s % 60:02d}" for s in seconds]
    said = page.eval_on_selector_all(
        ".meta > span.visually-hidden, nav li > span.visually-hidden",
        "els => els.map(e => e.textContent)")
    assert said == [f"{s} seconds" for s in seconds]  # the test's article is shorter than a minute


def test_every_caption_track_loads_one_cue_per_utterance(page: Page) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('track')].every(t => t.readyState === 2)", timeout=20_000)
    counts = page.eval_on_selector_all(
        "audio", "els => els.map(a => a.textTracks[0].cues.length)")
    assert counts == [7, 2, 2, 3]  # the article's seven sentences and headings, and each chapter's
    kinds = page.eval_on_selector_all(
        "track", "els => els.map(t => [t.kind, t.srclang, t.default])")
    assert kinds == [["captions", "en", True]] * len(counts)
    cues = page.evaluate("[...document.querySelectorAll('audio')[3].textTracks[0].cues].map(c => c.text)")
    # At most 42 characters a line (caption standards), broken before "for", not after "designed for".
    assert cues == ["Disclaimer", "This site offers information designed\nfor educational purposes only.",
                    "Always consult your physician."]


def test_page_structure_for_screen_readers(page: Page) -> None:
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Short Article"
    chapter_headings = page.eval_on_selector_all("section > h2", "els => els.map(e => e.textContent)")
    assert chapter_headings == ["Listen to the whole article", "Introduction", "Diet and Sleep",
                                "Disclaimer"]
    disclaimer = page.locator("#chapter-3")
    assert disclaimer.is_visible()
    assert "educational purposes only" in disclaimer.inner_text()
    assert page.locator("a[href='../feed.xml']").count() == 1


def test_keyboard_alone_reaches_the_skip_link_and_every_player(page: Page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    audio_count = page.locator("audio").count()
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        tag, index = page.evaluate(
            "[document.activeElement.tagName,"
            " [...document.querySelectorAll('audio')].indexOf(document.activeElement)]")
        if tag == "AUDIO":
            reached.add(index)
    assert reached == set(range(audio_count))


def test_axe_core_finds_no_violations(page: Page) -> None:
    assert AXE.is_file(), "axe-core is missing: npm ci --prefix tests/browser (scripts/test does this)"
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]])
                  for v in results["violations"]]
    assert violations == []
    assert results["testEngine"]["version"].startswith("4.")


def test_the_sentence_being_heard_is_shown_under_its_player(page: Page) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('track')].every(t => t.readyState === 2)", timeout=20_000)
    assert page.locator("#now-1").text_content() == ""
    page.wait_for_function("document.querySelector('#chapter-1 audio').readyState >= 3",
                           timeout=20_000)
    page.evaluate("(() => { const a = document.querySelector('#chapter-1 audio');"
                  " a.muted = true; return a.play(); })()")
    page.wait_for_function("document.getElementById('now-1').textContent === 'Gut health matters.'",
                           timeout=20_000)
    assert page.locator("#now-1").is_visible()


EPISODE_PLAYER = "section[aria-labelledby='episode-heading'] audio"


def _play(page: Page, selector: str) -> None:
    """Start one player as a listener would (muted: nobody listens to the test)."""
    page.evaluate("selector => { const a = document.querySelector(selector); a.muted = true;"
                  " return a.play(); }", selector)


@pytest.mark.parametrize(("first", "second"), [
    (EPISODE_PLAYER, "#chapter-2 audio"), ("#chapter-2 audio", EPISODE_PLAYER),
    ("#chapter-1 audio", "#chapter-3 audio")])
def test_starting_a_player_pauses_the_one_playing(page: Page, first: str, second: str) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('audio')].every(a => a.readyState >= 3)", timeout=20_000)
    _play(page, first)
    assert page.eval_on_selector(first, "a => !a.paused")
    _play(page, second)  # resolves once playing, after the play event has been handled
    paused = page.eval_on_selector_all("audio", "els => els.map(a => a.paused)")
    playing = page.eval_on_selector_all("audio", "(els, s) => els.indexOf(document.querySelector(s))",
                                        second)
    assert paused == [index != playing for index in range(len(paused))]
    page.wait_for_function("s => document.querySelector(s).currentTime > 0.2", arg=second,
                           timeout=20_000)
    assert page.eval_on_selector(first, "a => a.paused")


def test_the_show_page_lists_the_article_and_passes_axe(browser: Browser, site: str) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(site + "index.html")
        assert tab.get_attribute("html", "lang") == "en"
        link = tab.locator("main ol li a").first
        assert link.inner_text() == "Short Article"
        assert link.get_attribute("href") == "short-article/index.html"
        tab.add_script_tag(path=str(AXE))
        results = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert [v["id"] for v in results["violations"]] == []
    finally:
        context.close()
