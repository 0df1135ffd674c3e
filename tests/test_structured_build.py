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


@pytest.fixture(scope="module")
def structured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("espeak-ng"), "espeak-ng is not installed: apt-get install espeak-ng " \
        "(scripts/test does this)"
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


def _manifest(output: Path) -> dict:
    return {a["folder"]: a for a in json.loads((output / "build.json").read_text("utf-8"))["articles"]}


def test_every_article_ends_with_its_disclaimer_chapter(structured: Path) -> None:
    for folder, article in _manifest(structured).items():
        chapters = sorted(article["chapters"].values(), key=lambda c: c["index"])
        assert chapters[-1]["title"] == "Disclaimer" and chapters[-1]["disclaimer"], folder
        assert not any(c["disclaimer"] for c in chapters[:-1]), folder


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
