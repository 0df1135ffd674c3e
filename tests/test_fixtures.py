"""Golden-file tests in the style of Pelican's functional tests: every fixture article is read and
scripted, checked against what a person expects of it (its .expect.toml, written by hand from the
article), and compared with its committed golden files: the spoken script and the page's text.

After an intended change, regenerate the golden files and review the diff:

    bash scripts/regen-golden
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import lxml.html
import pytest

from gutaudio.config import AudioSettings, SpeechSettings
from gutaudio.errors import ContentError
from gutaudio.readers import read_article
from gutaudio.script import build_script, unspoken_parts
from gutaudio.site import Page, PageChapter, render_page

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
GOLDEN = Path(__file__).parent / "fixtures" / "golden"
REGENERATE = os.environ.get("GUTAUDIO_REGEN_GOLDEN") == "1"
ARTICLES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".toml")


def expectation(article: Path) -> dict:
    return tomllib.loads(article.with_suffix(".expect.toml").read_text(encoding="utf-8"))


def script_text(path: Path) -> str:
    """The golden rendering of an article's script: chapters, each utterance shown and spoken, and
    what is not spoken."""
    article = read_article(path)
    chapters = build_script(article, AudioSettings())
    lines = [f"title: {article.title}", f"author: {article.metadata.author}",
             f"date: {article.metadata.date}", f"description: {article.metadata.description}"]
    for chapter in chapters:
        mark = "  [disclaimer]" if chapter.is_disclaimer else ""
        lines += ["", f"## {chapter.index}. {chapter.title}{mark}"]
        for utterance in chapter.utterances:
            lines.append(f"[{utterance.kind}] {utterance.display}")
            if utterance.spoken != utterance.display:
                lines.append(f"    spoken: {utterance.spoken}")
    lines += ["", "## not spoken"]
    lines += [f"{part.where}: {part.reason}: {' '.join(part.text.split())}"
              for part in unspoken_parts(article, chapters, SpeechSettings())]
    return "\n".join(lines) + "\n"


def page_html(path: Path) -> str:
    """The page of an article, as built (durations made up: no audio here)."""
    from gutaudio.edition import Plan, unspoken_sections

    article = read_article(path)
    chapters = build_script(article, AudioSettings())
    plan = Plan(article, tuple(chapters))
    return render_page(Page(
        language="en", show_title="Show", article_title=article.title,
        author=article.metadata.author or "Show author", description=article.metadata.description,
        cover="../cover.jpg", episode_audio="episode.mp3", episode_stem="episode", episode_duration=60.0,
        chapters=[PageChapter(c.index, c.title, f"chapters/{c.filename}", f"chapters/{c.slug}", 10.0,
                              c.section, c.is_disclaimer) for c in chapters],
        unspoken=unspoken_sections(plan), footnotes=article.footnotes, subtitle=article.metadata.subtitle,
    ))


def page_text(html: str) -> str:
    """The golden rendering of a page: each chapter's heading and text, and the sections not read aloud
    (the players and file links around them are the same on every page and are tested elsewhere)."""
    main = lxml.html.document_fromstring(html).find(".//main")
    parts = [main.find("h1")]
    for section in main.iterfind("section"):
        if section.get("class", "").startswith("unspoken"):
            parts.append(section)
        elif section.find("div[@class='text']") is not None:
            parts += [section.find("h2"), section.find("div[@class='text']")]
    return "".join(lxml.html.tostring(part, encoding="unicode", pretty_print=True) for part in parts)


def spoken_script(path: Path) -> str:
    chapters = build_script(read_article(path), AudioSettings())
    return " ".join(u.spoken for c in chapters for u in c.utterances).lower()


def compare_golden(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run bash scripts/regen-golden"
    assert actual == golden.read_text(encoding="utf-8"), f"{name} differs; review, then regenerate"


def test_there_are_enough_fixtures_in_every_form() -> None:
    suffixes = [p.suffix for p in ARTICLES]
    assert len(ARTICLES) >= 15
    assert {".txt", ".md", ".html"} <= set(suffixes)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_fixture_reads_as_a_person_expects(path: Path) -> None:
    expected = expectation(path)
    if expected.get("has_disclaimer", True) is False:
        with pytest.raises(ContentError, match=r"no medical disclaimer found.*\[disclaimer\] default.*"
                                               r"required = false"):
            read_article(path)
        return
    article = read_article(path)
    chapters = build_script(article, AudioSettings())
    assert [c.title for c in chapters] == expected["chapters"]
    assert chapters[-1].is_disclaimer and article.disclaimer is not None
    assert sum(c.is_disclaimer for c in chapters) == 1
    if "title" in expected:
        assert article.title == expected["title"]
    if "author" in expected:
        assert article.metadata.author == expected["author"]
    disclaimer_text = " ".join(article.disclaimer.text.split())
    assert expected["disclaimer_contains"] in disclaimer_text
    spoken = spoken_script(path)
    for phrase in expected.get("spoken_includes", []):
        assert phrase in spoken, phrase
    for phrase in expected.get("spoken_excludes", []):
        assert phrase not in spoken, phrase
    # The disclaimer is spoken once: its text is not also in a body chapter.
    first_words = " ".join(disclaimer_text.split()[:8])
    assert not any(first_words in " ".join(c.text.split()) for c in chapters[:-1])
    page = page_html(path)
    for fragment in expected.get("page_includes", []):
        assert fragment in page, fragment


@pytest.mark.parametrize("path", [p for p in ARTICLES if expectation(p).get("has_disclaimer", True)],
                         ids=lambda p: p.name)
def test_fixture_matches_its_golden_files(path: Path) -> None:
    compare_golden(f"{path.stem}.script.txt", script_text(path))
    compare_golden(f"{path.stem}.page.html", page_text(page_html(path)))


def test_a_page_is_well_formed_and_keeps_structure() -> None:
    html = page_html(FIXTURES / "md-lists-tables.md")
    document = lxml.html.document_fromstring(html)
    assert document.find(".//ol[@start='3']") is not None
    assert document.findall(".//th[@scope='col']")
    assert document.find(".//table/caption") is not None
    assert len(re.findall(r"Text of this chapter", html)) == 0
