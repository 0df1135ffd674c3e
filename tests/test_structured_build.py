"""A whole build of structured articles (Markdown lists and tables, a saved web page, text copied from a
site) with the espeak engine: each article's own author and description reach the tags, the feed and the
page; feed descriptions leave out the heading; transcripts keep structure; the page passes axe-core in
Chromium; and `gutaudio check` insists on a spoken disclaimer."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3
from playwright.sync_api import sync_playwright

from gutaudio.cli import cli

from .conftest import SETTINGS_TOML
from .test_page import AXE, CHROMIUM_FLAGS, _chromium

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
ARTICLES = ["md-lists-tables.md", "md-front-matter.md", "html-news-page.html", "txt-copied-page.txt",
            "md-citations.md"]


pytestmark = pytest.mark.espeak


@pytest.fixture(scope="module")
def structured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("structured")
    content = root / "content"
    content.mkdir()
    for name in ARTICLES:
        shutil.copy(FIXTURES / name, content / name)
    (content / "gutaudio.toml").write_text(SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"'),
                                           encoding="utf-8")
    output = root / "output"
    result = CliRunner(mix_stderr=False).invoke(cli, ["build", "-q", "--content", str(content),
                                                      "--output", str(output)])
    assert result.exit_code == 0, result.stdout + result.stderr
    return output


def test_every_article_ends_with_its_disclaimer_chapter(structured: Path) -> None:
    """Read from the files: the chapter MP3s (their names and ID3 titles, by mutagen) and the feed's
    items (by feedparser), each article's last one its disclaimer and no other."""
    feed = feedparser.parse((structured / "feed.xml").read_bytes())
    folders = sorted(p.name for p in structured.iterdir() if p.is_dir())
    assert folders == sorted(Path(name).stem for name in ARTICLES)
    for name in ARTICLES:
        folder = Path(name).stem
        mp3s = sorted((structured / folder / "chapters").glob("*.mp3"))
        assert len(mp3s) >= 2 and mp3s[-1].name.endswith("-disclaimer.mp3"), folder
        titles = [str(ID3(path)["TIT2"]) for path in mp3s]
        assert titles[-1] == "Disclaimer" and "Disclaimer" not in titles[:-1], (folder, titles)
        # The disclaimer's text is in its own chapter's lyrics, and in no other chapter's.
        lyrics = [ID3(path).getall("USLT")[0].text for path in mp3s]
        notice = " ".join(lyrics[-1].split()[:6])
        assert notice and not any(notice in " ".join(text.split()) for text in lyrics[:-1]), folder
        items = [e for e in feed.entries if e.enclosures[0].href.split("/")[-3] == folder]
        assert [e.enclosures[0].href.rsplit("/", 1)[1] for e in items] == [p.name for p in mp3s]
        assert items[-1].title.endswith("Disclaimer"), folder


def test_the_articles_own_author_is_the_artist_and_the_items_author(structured: Path) -> None:
    tags = ID3(structured / "md-front-matter" / "chapters" / "01-introduction.mp3")
    assert str(tags["TPE1"]) == "Tom\u00e1s Ferreira, MS, RDN"
    feed = feedparser.parse((structured / "feed.xml").read_bytes())
    authors = {entry.title.split(":")[0]: entry.get("author", "") for entry in feed.entries}
    assert authors["Hydration"] == "Tom\u00e1s Ferreira, MS, RDN"
    assert authors["Fermented Foods and Your Gut"] == "Dana Reyes, RD"


def test_feed_descriptions_are_the_sections_text_without_its_heading(structured: Path) -> None:
    feed = feedparser.parse((structured / "feed.xml").read_bytes())
    for entry in feed.entries:
        heading = entry.title.split(": ", 1)[-1]
        assert not entry.summary.startswith(heading), entry.title


def test_transcripts_keep_list_numbers_tables_and_references(structured: Path) -> None:
    text = (structured / "md-lists-tables" / "episode.txt").read_text(encoding="utf-8")
    assert "\n3. " in text and "\n4. " in text
    assert "Fiber (g)" in text and "---" in text
    citations = (structured / "md-citations" / "episode.txt").read_text(encoding="utf-8")
    assert "\nReferences\n\n1. Marsh K" in citations
    assert citations.index("References") < citations.index("Disclaimer")


def test_check_passes_and_reports_a_missing_disclaimer_as_an_error(structured: Path, tmp_path: Path) -> None:
    runner = CliRunner(mix_stderr=False)
    result = runner.invoke(cli, ["check", str(structured), "--problems-only"])
    assert result.exit_code == 0, result.stdout
    copy = tmp_path / "copy"
    shutil.copytree(structured, copy)
    manifest = json.loads((copy / "build.json").read_text("utf-8"))
    for chapter in manifest["articles"][0]["chapters"].values():
        chapter["disclaimer"] = False
    (copy / "build.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(copy), "--problems-only"])
    assert result.exit_code == 1
    folder = manifest["articles"][0]["folder"]
    assert any(line.startswith("disclaimer spoken") and f"{folder}/" in line
               and "not a medical disclaimer" in line for line in result.stdout.splitlines()), result.stdout


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pages(structured: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(structured)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.chromium
def test_structured_pages_keep_their_structure_and_pass_axe(pages: str) -> None:
    assert AXE.is_file(), "axe-core is missing: npm ci --prefix tests/browser (scripts/test does this)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            tab = browser.new_page()
            tab.goto(pages + "md-lists-tables/index.html")
            assert tab.locator("ol[start='3'] > li").count() == 3
            assert tab.locator("table caption").count() == 1
            assert tab.locator("th[scope='col']").count() >= 2
            assert tab.locator("text=Text of this chapter").count() == 0
            for folder in ("md-lists-tables", "html-news-page", "md-citations", "txt-copied-page"):
                tab.goto(pages + f"{folder}/index.html")
                tab.add_script_tag(path=str(AXE))
                results = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
                violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]]
                assert violations == [], folder
            tab.goto(pages + "md-citations/index.html")
            assert tab.locator("#notes li[id^='note-']").count() >= 1
            tab.locator("sup.note-ref a").first.click()
            assert tab.evaluate("location.hash").startswith("#note-")
        finally:
            browser.close()
