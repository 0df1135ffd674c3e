"""Feed items as articles come and go: titles, seasons and GUIDs stay; descriptions leave out the
heading; every item links to its place on its article's page. Built with espeak (fast, deterministic)."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import html

from gutaudio.config import load_settings
from gutaudio.recipe import build

from .conftest import SETTINGS_TOML, write_content

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')
NOTICE = ("This site offers information designed for educational purposes only. "
          "Always consult your physician.\n")
SLEEP = "Sleep repairs the gut.\n\n" + NOTICE
ZINC = "Zinc helps the gut lining.\n\n" + NOTICE
BASE = "https://cdn.example.org/audio/"


pytestmark = pytest.mark.espeak


def _build(content: Path, output: Path, *, force: bool = False, **overrides) -> None:
    build(load_settings(content, output, cache_dir=output.parent / "cache", **overrides), force=force)


def _entries(output: Path) -> list:
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def _items(output: Path) -> dict[str, tuple[str, str, str]]:
    """Each item's GUID: its title, itunes:season and itunes:episode, as feedparser reads them."""
    return {e.id: (e.title, e.get("itunes_season"), e.itunes_episode) for e in _entries(output)}


def _seasons(output: Path) -> dict[str, str]:
    """Each article folder's itunes:season, from its items' enclosures."""
    return {e.enclosures[0].href.removeprefix(BASE).split("/")[0]: e.itunes_season for e in _entries(output)}


def test_adding_an_article_that_sorts_first_changes_no_existing_item(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    output = tmp_path / "out"
    _build(content, output)
    before = _items(output)
    assert sorted(before.values(), key=lambda item: item[2]) == [
        ("Short Article: Introduction", "1", "1"), ("Short Article: Diet and Sleep", "1", "2"),
        ("Short Article: Disclaimer", "1", "3")]
    (content / "a-sleep.txt").write_text(SLEEP, encoding="utf-8")
    _build(content, output)
    after = _items(output)
    assert {guid: after[guid] for guid in before} == before
    added = sorted(item for guid, item in after.items() if guid not in before)
    assert added == [("A Sleep: Disclaimer", "2", "2"), ("A Sleep: Introduction", "2", "1")]


def test_seasons_are_remembered_through_force_removal_and_an_older_build_json(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    (content / "a-sleep.txt").write_text(SLEEP, encoding="utf-8")
    output = tmp_path / "out"
    _build(content, output)
    assert _seasons(output) == {"a-sleep": "1", "short-article": "2"}
    _build(content, output, force=True)
    assert _seasons(output) == {"a-sleep": "1", "short-article": "2"}
    (content / "short-article.txt").unlink()
    (content / "b-zinc.txt").write_text(ZINC, encoding="utf-8")
    _build(content, output)  # a new article never takes the number of one that was removed
    assert _seasons(output) == {"a-sleep": "1", "b-zinc": "3"}
    manifest = json.loads((output / "build.json").read_text(encoding="utf-8"))
    assert manifest["last_season"] == 3
    assert [(a["folder"], a["season"]) for a in manifest["articles"]] == [("a-sleep", 1), ("b-zinc", 3)]
    # A build.json from before seasons were recorded: its builds numbered the articles in its order.
    manifest["version"] = 4
    del manifest["last_season"]
    for article in manifest["articles"]:
        del article["season"]
    (output / "build.json").write_text(json.dumps(manifest), encoding="utf-8")
    (content / "0-fiber.txt").write_text(SLEEP.replace("Sleep", "Fiber"), encoding="utf-8")
    _build(content, output)
    assert _seasons(output) == {"0-fiber": "3", "a-sleep": "1", "b-zinc": "2"}


def test_an_article_left_out_of_one_build_comes_back_to_its_season(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    (content / "a-sleep.txt").write_text(SLEEP, encoding="utf-8")
    (content / "b-zinc.txt").write_text(ZINC, encoding="utf-8")
    output = tmp_path / "out"
    _build(content, output)
    assert _seasons(output) == {"a-sleep": "1", "b-zinc": "2", "short-article": "3"}
    moved = (content / "b-zinc.txt").rename(tmp_path / "b-zinc.txt")
    _build(content, output)  # zinc is away for one build
    assert _seasons(output) == {"a-sleep": "1", "short-article": "3"}
    moved.rename(content / "b-zinc.txt")
    _build(content, output)
    assert _seasons(output) == {"a-sleep": "1", "b-zinc": "2", "short-article": "3"}


def test_episode_items_keep_their_numbers_and_guids(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    output = tmp_path / "out"
    _build(content, output, feed_items="episode")
    before = _items(output)
    assert list(before.values()) == [("Short Article", None, "1")]
    (content / "a-sleep.txt").write_text(SLEEP, encoding="utf-8")
    _build(content, output, feed_items="episode")
    after = _items(output)
    assert {guid: after[guid] for guid in before} == before
    assert sorted(after.values()) == [("A Sleep", None, "2"), ("Short Article", None, "1")]


def test_a_chapter_titled_like_its_article_is_not_named_twice(tmp_path: Path) -> None:
    article = "Fiber Basics\n\nFiber Basics\n\nFiber feeds the bacteria in the colon.\n\n" + NOTICE
    content = write_content(tmp_path / "content", article=article, name="fiber-basics.txt", settings=ESPEAK)
    (content / "sleep.md").write_text("# Sleep\n\n## Sleep and the gut\n\nRest helps.\n\n" + NOTICE,
                                      encoding="utf-8")
    output = tmp_path / "out"
    _build(content, output)
    assert [e.title for e in _entries(output)] == [
        "Fiber Basics", "Fiber Basics: Disclaimer", "Sleep and the gut", "Sleep: Disclaimer"]


def test_descriptions_leave_out_the_heading(tmp_path: Path) -> None:
    article = ("# Zinc and the Gut\n\nZinc is a mineral the gut lining needs.\n\n"
               "## Where to Find It\n\n### Food\n\nOysters and pumpkin seeds hold plenty.\n\n"
               "## Empty Section\n\n## Last Words\n\nEat well.\n\n## Disclaimer\n\n" + NOTICE)
    content = write_content(tmp_path / "content", article=article, name="zinc.md", settings=ESPEAK)
    output = tmp_path / "out"
    _build(content, output)
    summaries = {e.title.split(": ", 1)[-1]: e.summary for e in _entries(output)}
    assert summaries["Introduction"] == "Zinc is a mineral the gut lining needs."
    assert summaries["Where to Find It"] == "Oysters and pumpkin seeds hold plenty."
    assert summaries["Last Words"] == "Eat well."
    assert summaries["Disclaimer"].startswith("This site offers information")
    assert summaries["Empty Section"] == "Chapter 3 of Zinc and the Gut."
    for title, summary in summaries.items():
        assert not summary.startswith((title, "Zinc and the Gut")), title


def test_every_item_links_to_its_place_on_the_article_page(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", settings=ESPEAK)
    output = tmp_path / "out"
    _build(content, output)
    page = html.fromstring((output / "short-article" / "index.html").read_bytes())
    links = [e.link for e in _entries(output)]
    assert links == [f"{BASE}short-article/index.html#chapter-{n}" for n in (1, 2, 3)]
    for link, heading in zip(links, ["Introduction", "Diet and Sleep", "Disclaimer"], strict=True):
        (section,) = page.xpath("//*[@id=$id]", id=link.split("#")[1])
        assert section.xpath("string(h2)") == heading
    with (output / "feed.xml").open("rb") as fh:
        episodes = podcastparser.parse(BASE + "feed.xml", fh)["episodes"]
    assert sorted(e["link"] for e in episodes) == links
    _build(content, output, feed_items="episode")
    assert [e.link for e in _entries(output)] == [f"{BASE}short-article/index.html"]
