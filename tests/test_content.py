"""Table-driven tests for gutaudio.content: decoding, plain text and Markdown parsing, disclaimers."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest

from gutaudio.disclaimers import is_disclaimer as is_disclaimer_text
from gutaudio.document import Heading, Paragraph, Section, block_text, runs
from gutaudio.errors import ContentError
from gutaudio.readers import decode_text, find_articles, normalize_text
from gutaudio.readers.assemble import group_sections
from gutaudio.readers.headings import looks_like_heading, split_heading_number
from gutaudio.readers.markdown import MarkdownReader
from gutaudio.readers.text import text_blocks
from gutaudio.script import unique_slugs

from .conftest import parse_article, read_article


def Block(text: str, level: int = 0) -> Heading | Paragraph:
    """A heading (level > 0) or a paragraph of plain text."""
    return Heading(level, runs(text)) if level else Paragraph(runs(text))


def shape(block: Heading | Paragraph) -> tuple[int, str]:
    return (block.level if isinstance(block, Heading) else 0, block_text(block))


def plain_text_blocks(text: str) -> list:
    return text_blocks(text)


def markdown_blocks(text: str) -> list:
    return list(MarkdownReader().read(text.encode(), Path("a.md")).blocks)


REPO = Path(__file__).resolve().parents[1]
LEAKY_GUT = REPO / "content" / "leaky-gut.txt"
DISCLAIMER = (
    "This site offers information designed for educational purposes only. You should not rely on "
    "any information on this site as a substitute for professional medical advice, diagnosis, "
    "treatment, or as a substitute for, professional counseling care, advice, diagnosis, or "
    "treatment. If you have any concerns or questions about your health, you should always consult "
    "with a physician or other healthcare professional."
)
NO_DISCLAIMER_WARNING = "no medical disclaimer found"


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def outline(text: str, name: str = "article.txt", **kwargs: str) -> list[tuple[str, str, bool, list[str]]]:
    """(title, number, is_disclaimer, paragraph texts) for every section of a parsed article."""
    article = parse_article(text, Path(name), **kwargs)
    return [(s.title, s.number, s.is_disclaimer, [block_text(b) for b in s.blocks])
            for s in article.sections]


# --- the real article ------------------------------------------------------------------------

def test_leaky_gut_parses_to_introduction_causes_disclaimer(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio.content"):
        article = read_article(LEAKY_GUT)

    assert [s.title for s in article.sections] == ["Introduction", "Causes of Leaky Gut", "Disclaimer"]
    assert [s.is_disclaimer for s in article.sections] == [False, False, True]
    intro, causes, disclaimer = article.sections
    assert intro.heading_text == "" and intro.number == ""
    assert len(intro.blocks) == 1
    assert intro.blocks[0].text.startswith('The gut is the gateway to health; as Hippocrates once said: "All')
    assert intro.blocks[0].text.endswith("More research is needed to prove this.")
    assert (causes.number, causes.heading_text) == ("1", "1. Causes of Leaky Gut")
    assert len(causes.blocks) == 1
    assert causes.blocks[0].text.startswith("No one knows exactly what causes a leaky gut")
    assert causes.blocks[0].text.endswith("in a way that causes leaky gut.")
    assert disclaimer.blocks == (Block(DISCLAIMER),)
    assert article.disclaimer is disclaimer
    assert (article.title, article.slug, article.date) == ("Leaky Gut", "leaky-gut", None)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_leaky_gut_keeps_every_word_of_the_file() -> None:
    article = read_article(LEAKY_GUT)
    words = re.findall(r"[A-Za-z']+", LEAKY_GUT.read_text(encoding="utf-8"))
    assert re.findall(r"[A-Za-z']+", " ".join(s.text for s in article.sections)) == words


def test_leaky_gut_with_configured_disclaimer_replaces_its_own() -> None:
    article = read_article(LEAKY_GUT, disclaimer_text="Not medical advice.\n  Ask your doctor.")
    assert [s.title for s in article.sections] == ["Introduction", "Causes of Leaky Gut", "Disclaimer"]
    assert article.sections[-1].blocks == (Block("Not medical advice. Ask your doctor."),)
    assert "educational purposes" not in " ".join(s.text for s in article.sections)


# --- headings ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1. Causes of Leaky Gut", True),
        ("2) Diet and the Gut", True),
        ("Part 2: Diet", True),
        ("Chapter IV - Sleep", True),
        ("Section 3 Sleep", True),
        ("Step 1 Remove Trigger Foods", True),
        ("What Is Leaky Gut?", True),
        ("Causes of Leaky Gut", True),
        ("C. diff and the Gut", True),
        ("12 Foods That Heal the Gut", True),
        ("Diet is a possible cause.", False),
        ("Causes, symptoms, and treatment,", False),
        ("Read this first:", False),
        ("lowercase start of a line", False),
        ("", False),
        ("   ", False),
        ("One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen", False),
        ("Is it the gut or is it something else entirely that makes us feel so bad?", False),
        ("1. " + "Long " * 30, False),
        ("Wait\u2026", False),
    ],
)
def test_looks_like_heading(line: str, expected: bool) -> None:
    assert looks_like_heading(line) is expected


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("1. Causes of Leaky Gut", ("1", "Causes of Leaky Gut")),
        ("  1. Causes of Leaky Gut  ", ("1", "Causes of Leaky Gut")),
        ("2) Diet", ("2", "Diet")),
        ("3: Sleep", ("3", "Sleep")),
        ("10 - Stress", ("10", "Stress")),
        ("4 \u2013 Fiber", ("4", "Fiber")),
        ("IV. Sleep", ("IV", "Sleep")),
        ("XII) Exercise", ("XII", "Exercise")),
        ("Part 2: Diet", ("Part 2", "Diet")),
        ("Chapter IV - Sleep", ("Chapter IV", "Sleep")),
        ("Section 3 Sleep", ("Section 3", "Sleep")),
        ("STEP 5 Rest", ("STEP 5", "Rest")),
        # Not numbers: species abbreviations, plain titles, a bare number.
        ("C. diff and the Gut", ("", "C. diff and the Gut")),
        ("L. reuteri", ("", "L. reuteri")),
        ("V. cholerae infection", ("", "V. cholerae infection")),
        ("Part C: Coverage", ("", "Part C: Coverage")),
        ("Causes of Leaky Gut", ("", "Causes of Leaky Gut")),
        ("12 Foods That Heal", ("", "12 Foods That Heal")),
        ("1.", ("", "1.")),
        ("2020", ("", "2020")),
    ],
)
def test_split_heading_number(heading: str, expected: tuple[str, str]) -> None:
    assert split_heading_number(heading) == expected


# --- plain text and Markdown blocks ----------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One paragraph.", [(0, "One paragraph.")]),
        ("Line one\nline two.", [(0, "Line one line two.")]),
        ("  Spaces   inside   a  line.  ", [(0, "Spaces inside a line.")]),
        ("First.\n\nSecond.", [(0, "First."), (0, "Second.")]),
        ("First.\n \t \nSecond.", [(0, "First."), (0, "Second.")]),
        ("First.\n\n\n\n\nSecond.", [(0, "First."), (0, "Second.")]),
        ("Intro.\n\n1. Causes\n\nBody.", [(0, "Intro."), (2, "1. Causes"), (0, "Body.")]),
        ("Intro.\n\nWhat Is It?\n\nBody.", [(0, "Intro."), (2, "What Is It?"), (0, "Body.")]),
        # A heading-like last line has nothing to introduce: it stays a paragraph.
        ("Body.\n\nThe End", [(0, "Body."), (0, "The End")]),
        # A two-line paragraph is never a heading.
        ("Causes\nof Leaky Gut\n\nBody.", [(0, "Causes of Leaky Gut"), (0, "Body.")]),
        ("\n\n  \n", []),
    ],
)
def test_plain_text_blocks(text: str, expected: list[tuple[int, str]]) -> None:
    assert [shape(b) for b in plain_text_blocks(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Title\n\nBody text.", [(1, "Title"), (0, "Body text.")]),
        ("## Causes\n\n### Diet", [(2, "Causes"), (3, "Diet")]),
        ("Title\n=====\n\nBody.", [(1, "Title"), (0, "Body.")]),
        ("Some *emphasis* and **bold** and `code`.", [(0, "Some emphasis and bold and code.")]),
        ("A [link](https://example.org) here.", [(0, "A link here.")]),
        ("Line one\nline two", [(0, "Line one line two")]),
        ("Hard  \nbreak", [(0, "Hard break")]),
        ("![A gut diagram](gut.png)", [(0, "[Image: A gut diagram]")]),
        ("- fiber\n- water", [(0, "- fiber\n- water")]),
        ("3. first\n4. second", [(0, "3. first\n4. second")]),
        ("> A quoted line.", [(0, "> A quoted line.")]),
        ("```\ncode   block\n```", [(0, "    code   block")]),
        ("<div>raw html is read as HTML</div>\n\nKept.",
         [(0, "raw html is read as HTML"), (0, "Kept.")]),
        ("#\n\nBody.", [(0, "Body.")]),
        ("---", []),
    ],
)
def test_markdown_blocks(text: str, expected: list[tuple[int, str]]) -> None:
    assert [shape(b) for b in markdown_blocks(text)] == expected


# --- sections ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([Block("a")], [("Introduction", "", "", ["a"])]),
        (
            [Block("a"), Block("1. Causes", 2), Block("b"), Block("c")],
            [("Introduction", "", "", ["a"]), ("Causes", "1", "1. Causes", ["b", "c"])],
        ),
        ([Block("Only Heading", 2)], [("Only Heading", "", "Only Heading", [])]),
        # Sub-headings (deeper than the top level) stay inside their chapter.
        (
            [Block("Top", 2), Block("Sub", 3), Block("x")],
            [("Top", "", "Top", ["Sub", "x"])],
        ),
        (
            [Block("A", 2), Block("x"), Block("B", 2), Block("y")],
            [("A", "", "A", ["x"]), ("B", "", "B", ["y"])],
        ),
        ([], []),
    ],
)
def test_group_sections(blocks: list[Block], expected: list[tuple[str, str, str, list[str]]]) -> None:
    sections = group_sections(blocks)
    assert [(s.title, s.number, s.heading_text, [block_text(b) for b in s.blocks])
            for s in sections] == expected


def test_group_sections_keeps_sub_heading_levels() -> None:
    (section,) = group_sections([Block("Top", 2), Block("Sub", 3), Block("x")])
    assert section.blocks == (Block("Sub", 3), Block("x"))


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (Section("Introduction", (Block("a"), Block("b"))), "a\n\nb"),
        (Section("Causes", (Block("a"),), number="1", heading=runs("1. Causes")), "1. Causes\n\na"),
        (Section("Empty", (), heading=runs("Empty")), "Empty"),
    ],
)
def test_section_text(section: Section, expected: str) -> None:
    assert section.text == expected


@pytest.mark.parametrize(
    ("text", "name", "expected_title", "expected"),
    [
        pytest.param(
            "Opening words.\n\n1. Causes\n\nDiet.\n\nThis is for educational purposes only.",
            "my-article.txt", "My Article",
            [("Introduction", "", False, ["Opening words."]),
             ("Causes", "1", False, ["Diet."]),
             ("Disclaimer", "", True, ["This is for educational purposes only."])],
            id="plain-numbered-heading-and-closing-disclaimer",
        ),
        pytest.param(
            "# Leaky Gut\n\nIntro.\n\n## Causes\n\nDiet.\n\n## Disclaimer\n\nNot medical advice. "
            "This content does not constitute medical advice.",
            "x.md", "Leaky Gut",
            [("Introduction", "", False, ["Intro."]),
             ("Causes", "", False, ["Diet."]),
             ("Disclaimer", "", True,
              ["Not medical advice. This content does not constitute medical advice."])],
            id="markdown-h1-title-h2-sections",
        ),
        pytest.param(
            "# First\n\nA.\n\n# Second\n\nB.",
            "two-titles.md", "Two Titles",
            [("First", "", False, ["A."]), ("Second", "", False, ["B."])],
            id="markdown-two-h1-are-sections",
        ),
        pytest.param(
            "Intro.\n\n# Late Title\n\nBody.",
            "late.md", "Late",
            [("Introduction", "", False, ["Intro."]), ("Late Title", "", False, ["Body."])],
            id="markdown-h1-not-first-is-a-section",
        ),
        pytest.param(
            "---\ntitle: From Front Matter\n---\n# Heading One\n\nIntro.\n\n## Causes\n\nDiet.",
            "fm.md", "From Front Matter",
            [("Introduction", "", False, ["Intro."]), ("Causes", "", False, ["Diet."])],
            id="front-matter-title-wins-over-single-h1",
        ),
        pytest.param(
            "Intro.\n\nDisclaimer\n\nThis is not a substitute for professional medical advice.\n\n"
            "2. Diet\n\nEat fiber.",
            "middle.txt", "Middle",
            [("Introduction", "", False, ["Intro."]),
             ("Diet", "2", False, ["Eat fiber."]),
             ("Disclaimer", "", True, ["This is not a substitute for professional medical advice."])],
            id="disclaimer-heading-in-the-middle-moves-last",
        ),
        pytest.param(
            "Intro.\n\nWhen to See a Doctor\n\nIf pain persists, consult your doctor.",
            "advice.txt", "Advice",
            [("Introduction", "", False, ["Intro."]),
             ("When to See a Doctor", "", False, ["If pain persists, consult your doctor."])],
            id="advice-to-see-a-doctor-is-not-a-disclaimer",
        ),
        pytest.param(
            "Intro.\n\nWhen to See a Doctor\n\nIf pain persists, consult your doctor.\n\n"
            "This article is for informational purposes only.\n\nAlways consult your physician first.",
            "advice2.txt", "Advice2",
            [("Introduction", "", False, ["Intro."]),
             ("When to See a Doctor", "", False, ["If pain persists, consult your doctor."]),
             ("Disclaimer", "", True, ["This article is for informational purposes only.",
                                       "Always consult your physician first."])],
            id="disclaimer-takes-trailing-advice-but-not-advice-before-it",
        ),
        pytest.param(
            "This is for educational purposes only.",
            "only.txt", "Only",
            [("Disclaimer", "", True, ["This is for educational purposes only."])],
            id="an-article-that-is-only-a-disclaimer-is-its-disclaimer",
        ),
        pytest.param(
            "Intro.\n\nC. diff and the Gut\n\nBody.",
            "cdiff.txt", "Cdiff",
            [("Introduction", "", False, ["Intro."]), ("C. diff and the Gut", "", False, ["Body."])],
            id="species-name-heading-is-not-numbered",
        ),
        pytest.param(
            "1. Causes of Leaky Gut\n\nBody.",
            "no-intro.txt", "No Intro",
            [("Causes of Leaky Gut", "1", False, ["Body."])],
            id="no-untitled-opening-no-introduction",
        ),
    ],
)
def test_parse_article_outline(text: str, name: str, expected_title: str,
                               expected: list[tuple[str, str, bool, list[str]]]) -> None:
    article = parse_article(text, Path(name))
    assert article.title == expected_title
    assert [(s.title, s.number, s.is_disclaimer, [b.text for b in s.blocks])
            for s in article.sections] == expected


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("date: 2024-05-01", dt.date(2024, 5, 1)),
        ("date: 2024-05-01 10:30:00", dt.date(2024, 5, 1)),
        ("date: '2024-05-01'", dt.date(2024, 5, 1)),
        ("date: ''", None),
        ("title: x", None),
    ],
)
def test_front_matter_date(front_matter: str, expected: dt.date | None) -> None:
    article = parse_article(f"---\n{front_matter}\n---\nBody.", Path("a.md"))
    assert article.date == expected


def test_front_matter_title_date_disclaimer_and_metadata() -> None:
    text = ("---\ntitle: '  Gut Basics  '\ndate: 2025-02-03\nauthor: Ann\n"
            "disclaimer: Talk to your doctor.\n---\nIntro.\n\n## Causes\n\nDiet.\n")
    article = parse_article(text, Path("gut.md"))
    assert article.title == "Gut Basics"
    assert article.date == dt.date(2025, 2, 3)
    assert article.metadata.author == "Ann"
    assert [s.title for s in article.sections] == ["Introduction", "Causes", "Disclaimer"]
    assert article.sections[-1].blocks == (Block("Talk to your doctor."),)
    assert article.disclaimer is article.sections[-1]


@pytest.mark.parametrize(
    ("text", "expected_title", "expected_text"),
    [
        ("---\n---\nBody.", "A", "Body."),
        ("\n\n---\ntitle: Late Start\n---\n\nBody.", "Late Start", "Body."),
        ("--- not a rule\ntext\n---\nmore", "A", "--- not a rule text\n\nmore"),
        ("Body first.\n\n---\n\ntitle: not front matter", "A", "Body first.\n\ntitle: not front matter"),
    ],
)
def test_what_counts_as_front_matter(text: str, expected_title: str, expected_text: str) -> None:
    article = parse_article(text, Path("a.md"))
    assert article.title == expected_title
    assert "\n\n".join(s.text for s in article.sections) == expected_text


def test_front_matter_in_a_text_file() -> None:
    article = parse_article("---\ntitle: Plain\n---\nBody.", Path("a.txt"))
    assert (article.title, article.sections[0].blocks) == ("Plain", (Block("Body."),))


def test_configured_disclaimer_beats_front_matter_and_article() -> None:
    text = "---\ndisclaimer: From front matter.\n---\nIntro.\n\nFor educational purposes only."
    assert outline(text, "a.md", disclaimer_text="Configured.") == [
        ("Introduction", "", False, ["Intro."]),
        ("Disclaimer", "", True, ["Configured."]),
    ]


def test_configured_disclaimer_replaces_a_disclaimer_heading_section() -> None:
    text = "Intro.\n\nMedical Disclaimer\n\nOwn words.\n\nMore Text\n\nBody."
    assert outline(text, disclaimer_text="Configured  text.") == [
        ("Introduction", "", False, ["Intro."]),
        ("More Text", "", False, ["Body."]),
        ("Disclaimer", "", True, ["Configured text."]),
    ]


def test_configured_disclaimer_is_added_when_the_article_has_none(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio.content"):
        assert outline("Intro.", disclaimer_text="Ask a doctor.") == [
            ("Introduction", "", False, ["Intro."]),
            ("Disclaimer", "", True, ["Ask a doctor."]),
        ]
    assert NO_DISCLAIMER_WARNING not in caplog.text


@pytest.mark.parametrize(
    ("text", "name", "warns"),
    [
        ("Just one paragraph.", "a.txt", True),
        ("# T\n\nBody.\n\n## Causes\n\nMore.", "a.md", True),
        ("Intro.\n\nWhen to See a Doctor\n\nConsult your doctor.", "a.txt", True),
        ("Intro.\n\nThis is for informational purposes only.", "a.txt", False),
        ("Intro.\n\nDisclaimer\n\nWords.", "a.txt", False),
    ],
)
def test_missing_disclaimer_logs_a_warning(caplog: pytest.LogCaptureFixture, text: str, name: str,
                                           warns: bool) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio.content"):
        parse_article(text, Path(name))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(NO_DISCLAIMER_WARNING in w and name in w for w in warnings) is warns


def test_heading_without_text_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio.content"):
        parse_article("## Empty\n\n## Full\n\nText.", Path("a.md"))
    assert "section 'Empty' has a heading but no text" in caplog.text
    assert "'Full'" not in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This site offers information designed for educational purposes only.", True),
        ("For informational purposes only.", True),
        ("It is not intended to be a substitute for professional medical advice.", True),
        ("This is not a substitute for, professional medical advice.", True),
        ("These statements are not intended to diagnose, treat, cure or prevent any disease.", True),
        ("This article does not constitute medical advice.", True),
        ("Medical disclaimer: read carefully.", True),
        ("Consult your doctor before starting.", False),
        ("Probiotics are not a substitute for a healthy diet.", False),
        ("Leaky gut plays a role in some diseases.", False),
    ],
)
def test_is_disclaimer_text(text: str, expected: bool) -> None:
    assert is_disclaimer_text(text) is expected


# --- decoding and reading files --------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Plain ASCII.", "Plain ASCII."),
        ("Caf\u00e9 na\u00efve.".encode(), "Caf\u00e9 na\u00efve."),
        (b"\xef\xbb\xbfWith a BOM.", "With a BOM."),
        (b"CRLF one.\r\n\r\nCRLF two.", "CRLF one.\n\nCRLF two."),
        (b"CR one.\r\rCR two.", "CR one.\n\nCR two."),
        ("\ufeffUTF-16 with BOM.".encode("utf-16-le"), "UTF-16 with BOM."),
        ("Zero\u200bwidth\u200c \u200djoin\u2060er\ufeff.".encode(), "Zerowidth joiner."),
        ("gastro\u00adintestinal".encode(), "gastrointestinal"),
        ("no\u00a0break space".encode(), "no break space"),
        ("Bidi\u202emark\u202c.".encode(), "Bidimark."),
        ("cafe\u0301".encode(), "caf\u00e9"),
        (b"Bell\x07 and tab\tkept", "Bell and tab\tkept"),
        ("Line\u2028sep\u2029para".encode(), "Line\nsep\n\npara"),
    ],
)
def test_decode_text(data: bytes, expected: str) -> None:
    assert decode_text(data, Path("a.txt")) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Caf\xe9 \x93quoted\x94 \x96 dash.", "Caf\u00e9 \u201cquoted\u201d \u2013 dash."),
        (b"Price \x80 5", "Price \u20ac 5"),
    ],
)
def test_cp1252_is_decoded_with_a_warning(caplog: pytest.LogCaptureFixture, data: bytes,
                                          expected: str) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio.content"):
        assert decode_text(data, Path("old.txt")) == expected
    assert "old.txt: not UTF-8" in caplog.text
    assert "Windows-1252" in caplog.text


def test_utf8_decodes_without_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gutaudio.content"):
        decode_text("Caf\u00e9".encode(), Path("new.txt"))
    assert caplog.records == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("CRLF one.\r\n\r\n1. Causes\r\n\r\nCRLF two.", ["CRLF one."]),
        ("CR one.\r\r1. Causes\r\rCR two\rcontinues.", ["CR one."]),
        ("\ufeffBOM one.\n\n1. Causes\n\nBOM two.", ["BOM one."]),
    ],
)
def test_line_endings_and_bom_give_the_same_outline(tmp_path: Path, data: str, expected: list[str]) -> None:
    article = read_article(write(tmp_path, "a.txt", data))
    assert [s.title for s in article.sections] == ["Introduction", "Causes"]
    assert [block_text(b) for b in article.sections[0].blocks] == expected
    assert len(article.sections[1].blocks) == 1
    assert "\r" not in article.sections[1].blocks[0].text
    assert "\ufeff" not in article.sections[0].blocks[0].text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "has no text to speak"),
        ("blank.txt", b"  \n\n\t \r\n ", "has no text to speak"),
        ("invisible.txt", "\u200b\ufeff\u200b".encode(), "has no text to speak"),
        ("only-front-matter.md", b"---\ntitle: T\n---\n", "has no text to speak"),
        ("binary.txt", b"GIF89a\x00\x01\x02text", "binary file"),
        ("nul-late.txt", b"text" + b"\x00" * 3, "binary file"),
        ("undecodable.txt", b"\x81\x8d\x8f\x90\x9d bytes", "is not UTF-8 text"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nBody", "front matter is not valid YAML"),
        ("list-yaml.md", b"---\n- a\n- b\n---\nBody", "front matter must be a set of 'key: value' lines"),
        ("dashed-title.txt", b"---\nLeaky Gut\n---\n\nBody.", "front matter must be a set of 'key: value'"),
        ("title-only.md", b"# Just a Title\n", "has no text to speak"),
        ("bad-date.md", b"---\ndate: May 5\n---\nBody",
         "front matter date 'May 5' is not a date such as 2026-03-03"),
    ],
)
def test_unreadable_articles_raise_content_error_naming_the_file(tmp_path: Path, name: str, data: bytes,
                                                                 message: str) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(ContentError) as excinfo:
        read_article(path)
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


def test_reading_a_folder_or_a_missing_file_is_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="is a folder"):
        read_article(tmp_path)
    missing = tmp_path / "missing.txt"
    with pytest.raises(ContentError, match=re.escape(f"{missing}: cannot be read")):
        read_article(missing)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("tab\tstays", "tab\tstays"),
        ("ctrl\x00\x1f\x7f\x85chars", "ctrlchars"),
        ("\u00a0", " "),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_find_articles_lists_article_files_sorted(tmp_path: Path) -> None:
    for name in ("b.md", "a.txt", "c.MARKDOWN", ".hidden.txt", "notes.pdf", "gutaudio.toml"):
        write(tmp_path, name, "x")
    (tmp_path / "folder.txt").mkdir()
    assert [p.name for p in find_articles(tmp_path)] == ["a.txt", "b.md", "c.MARKDOWN"]


@pytest.mark.parametrize(
    ("name", "title", "slug"),
    [
        ("leaky-gut.txt", "Leaky Gut", "leaky-gut"),
        ("gut_health basics.md", "Gut Health Basics", "gut-health-basics"),
        ("IBS-and-FODMAPs.txt", "IBS And FODMAPs", "ibs-and-fodmaps"),
        ("___.txt", "Untitled", "article"),
    ],
)
def test_title_and_slug_from_the_file_name(name: str, title: str, slug: str) -> None:
    article = parse_article("Body.", Path(name))
    assert (article.title, article.slug) == (title, slug)


# --- slugs -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["Introduction", "Causes of Leaky Gut", "Disclaimer"],
         ["introduction", "causes-of-leaky-gut", "disclaimer"]),
        (["Diet", "Diet", "Diet"], ["diet", "diet-2", "diet-3"]),
        (["Diet", "Diet", "Diet 2"], ["diet", "diet-2", "diet-2-2"]),
        (["Diet 2", "Diet", "Diet"], ["diet-2", "diet", "diet-3"]),
        (["", "!!!", "?"], ["chapter", "chapter-2", "chapter-3"]),
        (["Caf\u00e9 & Cr\u00e8me: Gut's Friends?"], ["cafe-creme-gut-s-friends"]),
        ([], []),
    ],
)
def test_unique_slugs(titles: list[str], expected: list[str]) -> None:
    assert unique_slugs(titles) == expected


@pytest.mark.parametrize(
    ("title", "first", "second", "eleventh"),
    [
        ("Why the gut lining matters for immunity digestion mood and sleep quality",
         "why-the-gut-lining-matters-for-immunity-digestion-mood-and",
         "why-the-gut-lining-matters-for-immunity-digestion-mood-and-2",
         "why-the-gut-lining-matters-for-immunity-digestion-mood-an-11"),
        ("x" * 75, "x" * 60, "x" * 58 + "-2", "x" * 57 + "-11"),
    ],
)
def test_unique_slugs_stay_within_60_characters(title: str, first: str, second: str, eleventh: str) -> None:
    slugs = unique_slugs([title] * 11)
    assert len(set(slugs)) == 11
    assert max(len(s) for s in slugs) == 60
    assert (slugs[0], slugs[1], slugs[10]) == (first, second, eleventh)


def test_unique_slugs_with_a_custom_maker() -> None:
    assert unique_slugs(["A", "b", "C"], make=lambda t: "same") == ["same", "same-2", "same-3"]


def test_markdown_tables_are_read_row_by_row() -> None:
    text = "Intro.\n\n| Food | Fibre |\n|---|---|\n| Oats | 4 g |\n| Beans! | 7 g |\n"
    article = parse_article(text, Path("t.md"), disclaimer_text="Not advice.")
    assert [block_text(b) for b in article.sections[0].blocks] == [
        "Intro.", "Food    Fibre\n------  -----\nOats    4 g\nBeans!  7 g"]


def test_unknown_front_matter_keys_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    text = "---\ntitle: Fibre\nReviewer: Ann\n---\nBody text.\n"
    with caplog.at_level(logging.WARNING, logger="gutaudio"):
        article = parse_article(text, Path("t.txt"), disclaimer_text="Not advice.")
    assert article.title == "Fibre"
    assert [r.getMessage() for r in caplog.records] == [
        "t.txt: front matter 'Reviewer' is not used and not spoken (known: author, authors, canonical, "
        "canonical_url, categories, cover, date, description, disclaimer, excerpt, image, keywords, lang, "
        "language, lastmod, modified, published, subtitle, summary, tags, title, updated, url)"]


def test_a_headed_section_that_is_all_disclaimer_keeps_its_heading() -> None:
    text = ("Opening paragraph.\n\nImportant Note\n\nThis site offers information designed for "
            "educational purposes only.\n")
    sections = parse_article(text, Path("t.txt")).sections
    assert [(s.title, s.heading_text, s.is_disclaimer) for s in sections] == [
        ("Introduction", "", False), ("Disclaimer", "Important Note", True)]
