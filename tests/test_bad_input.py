"""Bad input: each case ends in a one-line error naming the file, or a sensible result with a warning.

Driven through `gutaudio inspect` (everything but audio) and, where it helps, the parse functions.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from gutaudio.cli import cli
from gutaudio.config import AudioSettings, ShowSettings
from gutaudio.document import Heading, Paragraph, Section, runs
from gutaudio.errors import ContentError
from gutaudio.feed import FeedItem, build_feed
from gutaudio.readers import decode_text
from gutaudio.script import build_script, unique_slugs
from gutaudio.site import Page, PageChapter, render_page
from gutaudio.speech import MAX_UTTERANCE_CHARS

from .conftest import MINIMAL_SHOW, assert_split_between_words, parse_article, read_article

SHOW = MINIMAL_SHOW
# A configured disclaimer keeps "no medical disclaimer found" off stderr.
SETTINGS = SHOW + '\n[disclaimer]\ntext = "Not medical advice."\n'
DISCLAIMER_LINES = [
    "",
    "{n}. Disclaimer -> {folder}/chapters/0{n}-disclaimer.mp3  [disclaimer]",
    "   text:   Disclaimer",
    "   spoken: Disclaimer.",
    "   pause:  700 ms",
    "   text:   Not medical advice.",
    "   pause:  0 ms",
]
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000 1f15c489"
    "0000000d49444154 78da63f8cfc0f01f0005000201a5f4d9e7 0000000049454e44ae426082".replace(" ", ""))


def folder_with(root: Path, name: str, data: bytes | str, settings: str = SETTINGS) -> Path:
    """A content folder holding gutaudio.toml and one article written byte for byte."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "gutaudio.toml").write_text(settings, encoding="utf-8")
    (root / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return root


def inspect(folder: Path) -> Result:
    result = CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--content", str(folder)],
                                                prog_name="gutaudio")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    return result


def assert_error(result: Result, line: str, exit_code: int = 1) -> None:
    """The command failed with exactly one line on stderr and nothing on stdout."""
    assert (result.exit_code, result.stdout, result.stderr) == (exit_code, "", f"Error: {line}\n")


def body(result: Result) -> list[str]:
    """Inspect's output without its first line (which names the file and so the folder)."""
    return result.stdout.splitlines()[1:]


# -- empty, blank and binary files ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "data"), [
    ("empty.txt", b""),
    ("empty.md", b""),
    ("blank.txt", b"   \n\n\t\t\n \r\n \r "),
    ("blank.md", "\u00a0\n\u2028\u200b\ufeff\n".encode()),
])
def test_empty_or_blank_file_is_one_error(tmp_path: Path, name: str, data: bytes) -> None:
    folder = folder_with(tmp_path, name, data)
    assert_error(inspect(folder), f"{folder / name}: has no text to speak")


def _random_bytes_with_nuls() -> bytes:
    rng = random.Random(7)
    return bytes(rng.choice([0, 0, 0, rng.randrange(256)]) for _ in range(20_000))


@pytest.mark.parametrize(("name", "data"), [
    ("cover.txt", PNG),
    ("noise.md", _random_bytes_with_nuls()),
    ("tiny.txt", b"ab\x00"),
])
def test_binary_file_is_one_error(tmp_path: Path, name: str, data: bytes) -> None:
    folder = folder_with(tmp_path, name, data)
    head = data[:8192]
    assert_error(inspect(folder), f"{folder / name}: looks like a binary file, not text "
                                  f"({head.count(0)} NUL bytes in the first {len(head)})")


def test_only_the_first_8_kb_are_sniffed_and_1_percent_of_nul_is_the_limit() -> None:
    text = b"Words and more words. " * 400  # 8,800 bytes
    one_percent = bytearray(text)
    for position in range(0, 8100, 100):  # 81 NUL bytes in the first 8,192: under 1%
        one_percent[position + 5] = 0
    assert decode_text(bytes(one_percent), Path("a.txt")).startswith("Words")
    one_percent[8150] = 0  # 82 of 8,192: over 1%
    with pytest.raises(ContentError, match=r"^a\.txt: looks like a binary file, not text \(82 NUL"):
        decode_text(bytes(one_percent), Path("a.txt"))
    # NUL bytes after the first 8 KB are control characters, not a sign of binary.
    assert decode_text(text + b"\x00" * 200, Path("a.txt")) == text.decode()


def test_utf16_that_does_not_decode_is_one_error(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "a.txt", b"\xff\xfeH\x00i\x00\x00\xd8")  # a lone surrogate
    assert_error(inspect(folder), f"{folder / 'a.txt'}: is not valid UTF-16 text (byte 6); save it as UTF-8")


def test_bytes_no_encoding_can_read_are_one_error(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "a.txt", b"Fine text, then \x81\x8d\x90 bytes.")
    assert_error(inspect(folder), f"{folder / 'a.txt'}: is not UTF-8 text (byte 16); save it as UTF-8")


# -- encodings and line endings ------------------------------------------------------------------


def test_windows_1252_bytes_decode_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio"):
        assert decode_text(b"caf\xe9 \x93quoted\x94", Path("old.txt")) == "caf\u00e9 \u201cquoted\u201d"
    assert [r.getMessage() for r in caplog.records] == ["old.txt: not UTF-8 (byte 3); read as Windows-1252"]


def test_windows_1252_is_read_with_a_warning_naming_the_file_and_byte(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "old.txt", b"Good caf\xe9 \x93quoted\x94 food.\n")
    result = inspect(folder)
    assert result.exit_code == 0
    assert result.stderr == f"Warning: {folder / 'old.txt'}: not UTF-8 (byte 8); read as Windows-1252\n"
    assert body(result) == [
        "",
        "1. Introduction -> old/chapters/01-introduction.mp3",
        "   text:   Good caf\u00e9 \u201cquoted\u201d food.",
        "   spoken: Good caf\u00e9 \"quoted\" food.",
        "   pause:  0 ms",
        *[line.format(n=2, folder="old") for line in DISCLAIMER_LINES],
    ]


LF = "Gut health matters. It shapes the day.\n\n1. Causes\n\nDiet is one cause.\nSleep is another.\n"


@pytest.mark.parametrize("data", [
    LF.encode("utf-8-sig"),
    LF.replace("\n", "\r\n").encode(),
    LF.replace("\n", "\r").encode(),
    LF.replace("\n", "\r\n").encode("utf-8-sig"),
    LF.encode("utf-16"),
], ids=["bom", "crlf", "cr", "bom-crlf", "utf16"])
def test_bom_and_line_endings_give_the_same_result_as_lf(tmp_path: Path, data: bytes) -> None:
    expected = inspect(folder_with(tmp_path / "lf", "gut.txt", LF))
    assert body(expected) == [
        "",
        "1. Introduction -> gut/chapters/01-introduction.mp3",
        "   text:   Gut health matters.",
        "   pause:  350 ms",
        "   text:   It shapes the day.",
        "   pause:  0 ms",
        "",
        "2. Causes -> gut/chapters/02-causes.mp3",
        "   text:   1. Causes",
        "   spoken: Part one. Causes.",
        "   pause:  700 ms",
        "   text:   Diet is one cause.",
        "   pause:  350 ms",
        "   text:   Sleep is another.",
        "   pause:  0 ms",
        *[line.format(n=3, folder="gut") for line in DISCLAIMER_LINES],
    ]
    result = inspect(folder_with(tmp_path / "other", "gut.txt", data))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] == f"Gut  ({tmp_path / 'other' / 'gut.txt'})"
    assert body(result) == body(expected)


# -- control characters ---------------------------------------------------------------------------


# One NUL byte per 100 bytes or less is a stray control character; more is a binary file.
PADDING = b" It shapes how we feel every day, and what we eat shapes it in turn."


@pytest.mark.parametrize(("data", "count", "line"), [
    (b"Gut health matters." + PADDING + b"\n\nA stray\x00 NUL and a bell\x07 here.\n", 2, 3),
    (b"Gut health matters." + PADDING + b"\r\n\r\nA stray\x00 NUL and a bell\x07 here.\r\n", 2, 3),
    (b"Gut health matters." + PADDING + b"\r\rA stray\x00 NUL and a bell\x07 here.\r", 2, 3),
    (b"\x01Gut\x02 health\x1b matters." + PADDING + b"\n\nA stray NUL and a bell here.\x7f", 4, 1),
    ("Gut health matters.\n\nA stray\u0085 NUL and a bell\u009b here.\n".encode(), 2, 3),
], ids=["lf", "crlf", "cr", "c0-and-del", "c1"])
def test_control_characters_are_removed_with_one_warning(tmp_path: Path, data: bytes, count: int,
                                                         line: int) -> None:
    folder = folder_with(tmp_path, "gut.txt", data)
    result = inspect(folder)
    assert result.exit_code == 0
    assert result.stderr == (f"Warning: {folder / 'gut.txt'}: {count} control characters removed "
                             f"(the first on line {line})\n")
    texts = [line for line in body(result) if line.startswith("   text:")]
    assert texts[0] == "   text:   Gut health matters."
    assert "   text:   A stray NUL and a bell here." in texts


def test_one_control_character_is_named_in_the_singular(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio"):
        assert decode_text(b"One.\nTwo.\nThree\x08.", Path("x.txt")) == "One.\nTwo.\nThree."
    assert [r.getMessage() for r in caplog.records] == [
        "x.txt: 1 control character removed (the first on line 3)"]


def test_form_feed_and_vertical_tab_are_line_breaks_without_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio"):
        text = decode_text(b"Page one ends.\x0cPage two\x0bgoes on.", Path("x.txt"))
    assert text == "Page one ends.\nPage two\ngoes on."
    assert caplog.records == []


def test_text_after_a_few_nul_bytes_is_kept(tmp_path: Path) -> None:
    data = b"Gut health matters. " * 10 + b"\x00Fibre helps.\n"  # 1 NUL in 215 bytes
    folder = folder_with(tmp_path, "gut.txt", data)
    result = inspect(folder)
    assert result.exit_code == 0
    assert result.stderr == (f"Warning: {folder / 'gut.txt'}: 1 control character removed "
                             "(the first on line 1)\n")
    assert "   text:   Fibre helps." in body(result)


# -- emoji, invisible characters, right-to-left text ------------------------------------------------


def test_emoji_are_shown_but_not_spoken_and_zero_width_characters_are_removed(tmp_path: Path) -> None:
    article = ("Gut health \U0001F600 matters \u2764\ufe0f. Zero\u200bwidth join\u200ders stay one "
               "word\u2060. \U0001F44D\U0001F3FD Thumbs up! Keycap 1\ufe0f\u20e3 first.\n")
    folder = folder_with(tmp_path, "gut.md", article)
    result = inspect(folder)
    assert (result.exit_code, result.stderr) == (0, "")
    assert body(result)[:12] == [
        "",
        "1. Introduction -> gut/chapters/01-introduction.mp3",
        "   text:   Gut health \U0001F600 matters \u2764\ufe0f.",
        "   spoken: Gut health matters.",
        "   pause:  350 ms",
        "   text:   Zerowidth joiners stay one word.",
        "   pause:  350 ms",
        "   text:   \U0001F44D\U0001F3FD Thumbs up!",
        "   spoken: Thumbs up!",
        "   pause:  350 ms",
        "   text:   Keycap 1\ufe0f\u20e3 first.",
        "   spoken: Keycap one first.",
    ]


def test_an_emoji_only_paragraph_is_shown_in_the_text_but_makes_no_utterance(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "gut.txt", "Good food.\n\n\U0001F600\U0001F600\n")
    article = read_article(folder / "gut.txt", disclaimer_text="Not advice.")
    assert [b.text for b in article.sections[0].blocks] == ["Good food.", "\U0001F600\U0001F600"]
    (intro, _) = build_script(article, AudioSettings())
    assert [u.display for u in intro.utterances] == ["Good food."]


def test_right_to_left_words_pass_through(tmp_path: Path) -> None:
    arabic, hebrew = "\u0627\u0644\u0623\u0645\u0639\u0627\u0621", "\u05de\u05e2\u05d9\u05d9\u05dd"
    text = (f"The gut is {arabic} in Arabic and {hebrew} in Hebrew.\n"
            f"\n\u202b{hebrew} \u05d1\u05e8\u05d9\u05d0\u05d9\u05dd.\u202c\n")
    folder = folder_with(tmp_path, "gut.txt", text)
    result = inspect(folder)
    assert (result.exit_code, result.stderr) == (0, "")
    assert body(result)[2:6] == [
        f"   text:   The gut is {arabic} in Arabic and {hebrew} in Hebrew.",
        "   pause:  800 ms",
        f"   text:   {hebrew} \u05d1\u05e8\u05d9\u05d0\u05d9\u05dd.",  # bidi embedding marks removed
        "   pause:  0 ms",
    ]


# -- a huge paragraph ----------------------------------------------------------------------------


def _huge_paragraph(words: list[str], size: int = 200_000) -> str:
    rng = random.Random(1)
    text = " ".join(rng.choice(words) for _ in range(size // 2))
    return text[:size].rsplit(" ", 1)[0]


@pytest.mark.parametrize("words", [
    ["gut", "health", "fibre", "microbiome", "inflammation", "a", "barrier", "intestinal"],
    # Words pysbd checks as abbreviations made it quadratic: 24 s for this before windowing.
    ["Gut", "Health", "DR", "Mr", "e", "g", "U", "S", "No", "vs", "St"],
    ["x" * 450, "y"],  # words longer than an utterance are cut, and only they
], ids=["words", "abbreviations", "long-words"])
def test_a_200_kb_paragraph_without_punctuation_is_split_quickly_and_completely(words: list[str]) -> None:
    paragraph = _huge_paragraph(words)
    started = time.perf_counter()
    article = parse_article(paragraph + "\n", Path("huge.txt"), disclaimer_text="Not advice.")
    chapters = build_script(article, AudioSettings())
    seconds = time.perf_counter() - started
    # Linear time takes about 4 s here on a quiet machine, quadratic took 24 s: the bound tells them
    # apart on a busy one too (speed itself is measured by scripts/bench, not by tests).
    assert seconds < 12, f"{seconds:.1f} s"
    assert_split_between_words(paragraph, [u.display for u in chapters[0].utterances], MAX_UTTERANCE_CHARS)




def test_a_200_kb_paragraph_through_inspect(tmp_path: Path) -> None:
    paragraph = _huge_paragraph(["gut", "health", "fibre", "Mr", "U", "S"])
    started = time.perf_counter()
    result = inspect(folder_with(tmp_path, "huge.txt", paragraph))
    assert time.perf_counter() - started < 10
    assert (result.exit_code, result.stderr) == (0, "")
    texts = [line.removeprefix("   text:   ") for line in body(result) if line.startswith("   text:")]
    assert_split_between_words(paragraph, texts[:-2], MAX_UTTERANCE_CHARS)


@pytest.mark.parametrize("text", [
    "a." * 100_000,  # each took minutes: quadratic searches for e-mail addresses and domain names
    "a-" * 100_000,
    "1.5." * 50_000,
    "see a.com " * 20_000,  # and here, checking 20,000 sentence starts against 20,000 addresses
], ids=["dotted", "dashed", "numbers", "domains"])
def test_a_200_kb_run_of_address_like_text_is_quick(text: str) -> None:
    started = time.perf_counter()
    article = parse_article(text, Path("run.txt"), disclaimer_text="Not advice.")
    chapters = build_script(article, AudioSettings())
    seconds = time.perf_counter() - started
    assert seconds < 5, f"{seconds:.1f} s"
    displays = [u.display for u in chapters[0].utterances]
    assert "".join("".join(d.split()) for d in displays) == "".join(text.split())


def test_5000_headings_of_the_same_name_are_quick() -> None:
    started = time.perf_counter()
    slugs = unique_slugs(["Diet"] * 5000)
    assert time.perf_counter() - started < 1
    assert slugs[:3] == ["diet", "diet-2", "diet-3"] and slugs[-1] == "diet-5000"


# -- headings --------------------------------------------------------------------------------------


def test_heading_without_text_is_a_warning_and_the_build_goes_on(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "gut.md", "# Gut\n\nIntro.\n\n## Empty\n\n## Full\n\nText.\n")
    result = inspect(folder)
    assert result.exit_code == 0
    assert result.stderr == f"Warning: {folder / 'gut.md'}: section 'Empty' has a heading but no text\n"
    assert [line for line in body(result) if " -> " in line] == [
        "1. Introduction -> gut/chapters/01-introduction.mp3",
        "2. Empty -> gut/chapters/02-empty.mp3",
        "3. Full -> gut/chapters/03-full.mp3",
        "4. Disclaimer -> gut/chapters/04-disclaimer.mp3  [disclaimer]",
    ]


DUPLICATES = "Intro.\n\n## Diet\n\nOne.\n\n## Diet\n\nTwo.\n\n## Diet 2\n\nThree.\n\n## DIET\n\nFour.\n"


def test_duplicate_headings_get_unique_stable_file_names(tmp_path: Path) -> None:
    expected = [
        "1. Introduction -> gut/chapters/01-introduction.mp3",
        "2. Diet -> gut/chapters/02-diet.mp3",
        "3. Diet -> gut/chapters/03-diet-2.mp3",
        "4. Diet 2 -> gut/chapters/04-diet-2-2.mp3",
        "5. DIET -> gut/chapters/05-diet-3.mp3",
        "6. Disclaimer -> gut/chapters/06-disclaimer.mp3  [disclaimer]",
    ]
    for run in ("first", "second"):
        result = inspect(folder_with(tmp_path / run, "gut.md", DUPLICATES))
        assert (result.exit_code, result.stderr) == (0, "")
        assert [line for line in body(result) if " -> " in line] == expected


@pytest.mark.parametrize("length", [300, 650])
def test_very_long_heading_gives_short_file_names_and_utterances(tmp_path: Path, length: int) -> None:
    heading = ("1. " + "Gastrointestinal permeability and " * 30)[:length].strip()
    assert len(heading) == length
    name = "a-" + "very-long-article-name-" * 9 + ".md"  # a 210-character file name
    folder = folder_with(tmp_path, name, f"Intro.\n\n## {heading}\n\nBody.\n")
    result = inspect(folder)
    assert (result.exit_code, result.stderr) == (0, "")
    (line,) = [line for line in body(result) if line.startswith("2. ")]
    path = line.split(" -> ")[1]
    article_folder, _, file_name = path.split("/")
    assert article_folder == "a-very-long-article-name-very-long-article-name-very-long-ar"
    # Cut after the last whole word that fits (slugify used to skip "permeability" and go on: "-and-and").
    assert file_name == "02-gastrointestinal-permeability-and-gastrointestinal.mp3"
    assert len(article_folder) <= 60 and len(file_name) <= 60 + len("02-.mp3")
    chapters = build_script(read_article(folder / name), AudioSettings())
    headings = [u for u in chapters[1].utterances if u.is_heading]
    assert all(len(u.display) <= MAX_UTTERANCE_CHARS for u in chapters[1].utterances)
    assert " ".join(u.display for u in headings) == heading
    assert headings[0].spoken.startswith("Part one. Gastrointestinal permeability")
    # One utterance up to MAX_UTTERANCE_CHARS (300); a longer heading is split like a sentence.
    assert len(headings) == {300: 1, 650: 3}[length]
    assert [u.pause_after_ms for u in headings][-1] == AudioSettings().heading_pause_ms


@pytest.mark.parametrize("heading", ["../../etc/passwd", "..\\..\\windows\\system32", "/etc/", "..", ".",
                                     "~/.ssh/id_rsa", "a/../../b", "\u2026/\u2025"])
def test_heading_slug_is_a_plain_name(heading: str) -> None:
    (slug,) = unique_slugs([heading])
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug and not slug.startswith(".")
    assert slug.replace("-", "").isalnum()


def test_path_like_heading_stays_inside_the_article_folder(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "gut.md", "Intro.\n\n## ../../etc/passwd\n\nBody.\n\n## ..\n\nMore.\n")
    result = inspect(folder)
    assert (result.exit_code, result.stderr) == (0, "")
    assert [line for line in body(result) if " -> " in line][1:3] == [
        "2. ../../etc/passwd -> gut/chapters/02-etc-passwd.mp3",
        "3. .. -> gut/chapters/03-chapter.mp3",
    ]


# -- markup characters in titles: feed and page ----------------------------------------------------

NASTY_TITLE = 'Tom & <b>Jerry</b>: 1 < 2 > 0, "quoted" \'single\' ]]> end'
NASTY_HEADING = 'Fibre & <b>bold</b> "claims" ]]> it\'s < 5 g'


def _nasty_chapters() -> tuple[str, list[str]]:
    quoted = NASTY_TITLE.replace("'", "''")
    text = f"---\ntitle: '{quoted}'\n---\nIntro.\n\n## Diet &amp; <i>sleep</i>: 1 < 2 ]]>\n\nOne.\n"
    article = parse_article(text, Path("gut.md"), disclaimer_text="Not advice.")
    plain = parse_article(f"Intro.\n\n{NASTY_HEADING}\n\nBody.\n", Path("gut.txt"))
    return article.title, [s.title for s in (*article.sections, *plain.sections)]


def test_markup_characters_are_text_in_titles_and_headings() -> None:
    title, chapters = _nasty_chapters()
    # Front matter and plain text are taken literally; Markdown reads its entities and drops its HTML tags.
    assert title == NASTY_TITLE
    assert chapters == ["Introduction", "Diet & sleep: 1 < 2 ]]>", "Disclaimer",
                        "Introduction", NASTY_HEADING]


def test_feed_escapes_markup_characters_once() -> None:
    title, chapters = _nasty_chapters()
    show = ShowSettings(title=title, author="A & B <c>", description=f"About {title}",
                        link="https://example.org/?a=1&b=2", owner_email="o@example.org",
                        base_url="https://example.org/a/")
    items = [FeedItem(title=chapter, guid=f"urn:uuid:{n}", url=f"https://example.org/a/{n}.mp3?x=1&y=2",
                      length=10, duration=1.0, episode=n, published=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
                      description=f"{chapter} & more")
             for n, chapter in enumerate(chapters, 1)]
    xml = build_feed(show, feed_url="https://example.org/a/feed.xml", image_url="https://example.org/a/c.jpg",
                     items=items, built=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    root = etree.fromstring(xml)
    assert root.findtext("channel/title") == title
    assert root.findtext("channel/description") == f"About {title}"
    assert root.findtext("channel/link") == "https://example.org/?a=1&b=2"
    assert [item.findtext("title") for item in root.iterfind("channel/item")] == chapters
    assert root.find("channel/item/enclosure").get("url") == "https://example.org/a/1.mp3?x=1&y=2"
    assert b"&amp;amp;" not in xml and b"&lt;b&gt;" in xml and b"<b>" not in xml


def test_page_escapes_markup_characters_once() -> None:
    title, chapters = _nasty_chapters()
    page = Page(language="en", show_title=title, article_title=title, author="A & B <c>",
                description=f"About {title}", cover="cover.jpg", episode_audio="episode.mp3",
                episode_stem="episode", episode_duration=90.0,
                chapters=[PageChapter(n, chapter, f"c/{n}.mp3", f"c/{n}", 30.0,
                                      Section(chapter, (Heading(3, runs(chapter)), Paragraph(runs("Text")))))
                          for n, chapter in enumerate(chapters, 1)])
    html = render_page(page)
    document = lxml.html.document_fromstring(html)
    assert document.findtext(".//h1") == title
    assert document.findtext(".//title") == f"{title} ({title})"
    assert [h.text_content() for h in document.iterfind(".//section/h2")][1:] == chapters
    assert [h.text_content() for h in document.iterfind(".//section/div/h3")] == chapters
    assert document.find(".//img").get("alt") == f"Cover art: {title}"
    assert document.find(".//b") is None
    assert "&amp;amp;" not in html and "&lt;b&gt;" in html


# -- settings --------------------------------------------------------------------------------------

TOML = "gutaudio.toml"


@pytest.mark.parametrize(("settings", "message"), [
    (SHOW + '[voice]\nengine = "festival"\n', "unknown engine 'festival' (valid: piper, gtts, espeak)"),
    (SHOW + '[voice]\nmodel = "voices/missing.onnx"\n', "voice model 'voices/missing.onnx' does not exist"),
    (SHOW + '[voice]\nmodel = "voices/voice.bin"\n',
     "voice model 'voices/voice.bin' is not a Piper .onnx file"),
    (SHOW + "[voice]\nrate = 3.0\n", "voice.rate 3.0 is out of range (valid: 0.5 to 2.0, 1.0 is normal)"),
    (SHOW + "[voice]\nrate = 0\n", "voice.rate 0 is out of range (valid: 0.5 to 2.0, 1.0 is normal)"),
    (SHOW + '[voice]\nrate = "fast"\n', "voice.rate must be a number from 0.5 to 2.0, not 'fast'"),
    (SHOW.replace('"https://cdn.example.org/audio"', '"cdn.example.org/audio"'),
     "show.base_url 'cdn.example.org/audio' is not an http:// or https:// URL"),
    (SHOW.replace('"https://cdn.example.org/audio"', '"https://[cdn.example.org/audio"'),
     "show.base_url 'https://[cdn.example.org/audio' is not an http:// or https:// URL"),
    (SHOW.replace('"https://cdn.example.org/audio"', '"https://cdn.example.org/a?x=1"'),
     "show.base_url 'https://cdn.example.org/a?x=1' must not have a ?query or #fragment"),
    ("\n".join(line for line in SHOW.splitlines() if not line.startswith(("title", "owner_email"))),
     "[show] is missing required settings: title, owner_email"),
    (SHOW.replace('author = "Test Author"', 'author = ""'), "[show] is missing required settings: author"),
    (SHOW + '[voice]\nengine = "festival"\nrate = 9\n',
     "voice.rate 9 is out of range (valid: 0.5 to 2.0, 1.0 is normal); "
     "unknown engine 'festival' (valid: piper, gtts, espeak)"),
], ids=["engine", "voice-missing", "voice-not-onnx", "rate-high", "rate-zero", "rate-text", "base-url",
        "base-url-bracket", "base-url-query", "missing-metadata", "empty-metadata", "two-at-once"])
def test_invalid_setting_is_one_error_line(tmp_path: Path, settings: str, message: str) -> None:
    folder = folder_with(tmp_path, "gut.txt", "Fibre feeds the gut.\n", settings)
    assert_error(inspect(folder), f"{folder / TOML}: {message}", 2)
