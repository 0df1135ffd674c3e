"""The readers' shared steps: page furniture, citation markers, titles, the disclaimer found anywhere,
and the entry-point registry that finds readers."""

from __future__ import annotations

import datetime as dt
import logging
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from gutaudio import readers
from gutaudio.config import DisclaimerSettings
from gutaudio.document import LineBreak, NoteRef, SectionKind, Text, block_text
from gutaudio.errors import ContentError
from gutaudio.readers.base import text_runs
from gutaudio.readers.boilerplate import Byline, boilerplate_reason, is_related_label, parse_byline

from .conftest import parse_article

# -- page furniture ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "expected"), [
    ("By Dana Reyes, RD | Updated March 3, 2026 | 4 min read",
     Byline(("Dana Reyes, RD",), None, dt.date(2026, 3, 3))),
    ("Written by Ana Ruiz and Ben Cole \u00b7 Published 12 January 2026",
     Byline(("Ana Ruiz", "Ben Cole"), dt.date(2026, 1, 12))),
    ("By Priya Natarajan, MD on March 3, 2026", Byline(("Priya Natarajan, MD",), dt.date(2026, 3, 3))),
    ("Medically reviewed by Dr. Lee | 6 min read", Byline()),
    ("Updated: 2026-03-03", Byline((), None, dt.date(2026, 3, 3))),
    ("5 min read", Byline()),
])
def test_bylines_are_read_as_metadata(line: str, expected: Byline) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize("line", [
    "By the end of the week, most people feel better.",
    "Fiber feeds the bacteria in your gut.",
    "Updated guidance says adults need more fiber.",
    "",
    "By " + "x " * 200,
])
def test_prose_is_not_a_byline(line: str) -> None:
    assert parse_byline(line) is None


@pytest.mark.parametrize(("line", "reason"), [
    ("Share this article: Facebook | X | Email", "share bar"),
    ("Share: Facebook Twitter Email", "share bar"),
    ("Facebook \u00b7 Pinterest \u00b7 WhatsApp", "share bar"),
    ("Share on Facebook | Share on X | Email this article", "share bar"),
    ("Print / Email / Share", "share bar"),
    ("Tweet this \u2022 Pin it \u2022 Send via WhatsApp", "share bar"),
    ("\u00a9 2026 Example Health Media. All rights reserved.", "copyright notice"),
    ("Copyright 2025 Gut Health Editors", "copyright notice"),
    ("Advertisement", "advertisement"),
    ("Sign up for our weekly newsletter", "newsletter sign-up"),
    ("12 Comments", "comments"),
    ("Leave a reply", "comments"),
    ("Tags: fiber, gut health", "tag list"),
    ("Back to top", "page control"),
    ("4 min read", "byline"),
])
def test_page_furniture_is_recognised(line: str, reason: str) -> None:
    assert boilerplate_reason(line) == reason


@pytest.mark.parametrize("line", [
    "Share your symptoms with your doctor.",
    "Email your care team if the rash spreads.",
    "Sharing meals with family can make healthy eating easier.",
    "All rights to a second opinion are yours.",
    "Comments from readers suggest that many people struggle with this.",
    "Fruit | vegetables | whole grains",
    "Share on Facebook if this helped you, and email your doctor with questions.",
])
def test_prose_is_not_page_furniture(line: str) -> None:
    assert boilerplate_reason(line) is None


@pytest.mark.parametrize(("line", "expected"), [
    ("Related posts", True), ("You may also like:", True), ("Read next", True),
    ("More from Example Health", True), ("Related research suggests fiber helps.", False),
])
def test_related_post_labels(line: str, expected: bool) -> None:
    assert is_related_label(line) is expected


def test_furniture_of_a_copied_page_is_dropped_with_a_warning_quoting_it(
        caplog: pytest.LogCaptureFixture) -> None:
    text = textwrap.dedent("""\
        Fiber Basics

        By Dana Reyes, RD | Updated March 3, 2026 | 4 min read
        Share this article: Facebook | X | Email

        Fiber feeds the gut. It also keeps you full.

        This article is for informational purposes only and is not medical advice.

        Related posts
        Five Breakfasts for a Busy Week
        Is Kombucha Good for You?

        \u00a9 2026 Example Health Media. All rights reserved.
        """)
    with caplog.at_level(logging.WARNING, logger="gutaudio"):
        article = parse_article(text, Path("fiber.txt"), required=True)
    assert article.title == "Fiber Basics"
    assert article.metadata.authors == ("Dana Reyes, RD",)
    assert article.metadata.updated == dt.date(2026, 3, 3)
    assert [s.title for s in article.sections] == ["Introduction", "Disclaimer"]
    assert [block_text(b) for b in article.sections[0].blocks] == [
        "Fiber feeds the gut. It also keeps you full."]
    assert [(o.reason, o.text) for o in article.omitted] == [
        ("byline", "By Dana Reyes, RD | Updated March 3, 2026 | 4 min read"),
        ("share bar", "Share this article: Facebook | X | Email"),
        ("related posts", "Related posts | Five Breakfasts for a Busy Week | Is Kombucha Good for You?"),
        ("copyright notice", "\u00a9 2026 Example Health Media. All rights reserved."),
    ]
    assert 'fiber.txt: not spoken (share bar): "Share this article: Facebook | X | Email"' in caplog.messages


# -- citation markers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Fiber helps [1].", (Text("Fiber helps"), NoteRef("1"), Text("."))),
    ("Fiber helps.[2, 3] More.", (Text("Fiber helps."), NoteRef("2, 3"), Text(" More."))),
    ("Studies agree\u00b9\u00b2.", (Text("Studies agree"), NoteRef("12"), Text("."))),
    ("A BMI of 25 kg/m\u00b2 or more.", (Text("A BMI of 25 kg/m\u00b2 or more."),)),
    ("10\u2079 bacteria", (Text("10\u2079 bacteria"),)),
    ("[1] Smith J. Gut. 2017;11(1):80-85.", (Text("[1] Smith J. Gut. 2017;11(1):80-85."),)),
])
def test_citation_markers_become_note_refs(text: str, expected: tuple) -> None:
    assert text_runs(text) == expected


# -- the disclaimer, wherever it stands -------------------------------------------------------------

DISCLAIMER = "This article is for informational purposes only and is not a substitute for medical advice."


@pytest.mark.parametrize(("name", "text"), [
    ("top.txt", f"Sleep Well\n\nDisclaimer: {DISCLAIMER}\n\nSleep matters. Keep a routine.\n"),
    ("bottom.txt", f"Sleep matters. Keep a routine.\n\n{DISCLAIMER}\n"),
    ("inside.txt", f"Intro text.\n\n1. Routine\n\nKeep a routine.\n\n{DISCLAIMER}\n"),
    ("before-footer.txt", f"Sleep matters.\n\n{DISCLAIMER}\n\n\u00a9 2026 Sleep Co. All rights reserved.\n"),
    ("heading.md",
     f"# Sleep\n\nSleep matters.\n\n## Disclaimer\n\n{DISCLAIMER}\n\n## Routine\n\nKeep one.\n"),
    ("sub-heading.md", f"# Sleep\n\n## Routine\n\nKeep one.\n\n### Medical disclaimer\n\n{DISCLAIMER}\n"),
    ("front.md", f"---\ndisclaimer: {DISCLAIMER}\n---\nSleep matters.\n"),
    ("html-block.md", f'Sleep matters.\n\n<div class="disclaimer"><p>{DISCLAIMER}</p></div>\n\nMore.\n'),
])
def test_the_disclaimer_is_found_anywhere_and_moved_last(name: str, text: str) -> None:
    article = parse_article(text, Path(name), required=True)
    disclaimer = article.sections[-1]
    assert disclaimer.kind is SectionKind.DISCLAIMER and disclaimer.title == "Disclaimer"
    assert DISCLAIMER in disclaimer.body_text
    assert sum(s.is_disclaimer for s in article.sections) == 1
    assert not any("informational purposes" in s.text for s in article.sections[:-1])


def test_a_label_becomes_the_heading_so_it_is_not_spoken_twice() -> None:
    article = parse_article(f"Body.\n\nMedical disclaimer: {DISCLAIMER}\n", Path("a.txt"), required=True)
    disclaimer = article.disclaimer
    assert disclaimer is not None
    assert disclaimer.heading_text == "Medical disclaimer"
    assert disclaimer.body_text == DISCLAIMER


def test_the_configured_disclaimer_replaces_the_articles_own_and_says_so() -> None:
    article = parse_article(f"Body.\n\n{DISCLAIMER}\n", Path("a.txt"), disclaimer_text="Ours.")
    assert article.disclaimer is not None and article.disclaimer.body_text == "Ours."
    assert [(o.reason, o.text) for o in article.omitted] == [
        ("replaced by the configured disclaimer", DISCLAIMER)]


def test_the_show_default_stands_in_only_for_a_missing_disclaimer() -> None:
    policy = DisclaimerSettings(default="The show's disclaimer.")
    own = readers.parse_text(f"Body.\n\n{DISCLAIMER}\n", Path("a.txt"), policy)
    none = readers.parse_text("Body. Talk to your doctor if it hurts.\n", Path("b.txt"), policy)
    assert own.disclaimer is not None and own.disclaimer.body_text == DISCLAIMER
    assert none.disclaimer is not None and none.disclaimer.body_text == "The show's disclaimer."


def test_no_disclaimer_fails_unless_the_settings_allow_it(caplog: pytest.LogCaptureFixture) -> None:
    text = "Talk to your doctor if the pain lasts more than a week.\n"
    with pytest.raises(ContentError) as info:
        readers.parse_text(text, Path("pain.md"))
    assert str(info.value) == (
        'pain.md: no medical disclaimer found; add one to the article, or give every article a default '
        'with [disclaimer] default = "..." in gutaudio.toml '
        '([disclaimer] required = false builds without one)')
    with caplog.at_level(logging.WARNING, logger="gutaudio"):
        article = readers.parse_text(text, Path("pain.md"), DisclaimerSettings(required=False))
    assert article.disclaimer is None
    assert any("no medical disclaimer found" in m for m in caplog.messages)


def test_advice_right_after_a_disclaimer_goes_with_it_but_not_advice_elsewhere() -> None:
    text = ("Ask your pharmacist about interactions.\n\nMore body.\n\n"
            f"{DISCLAIMER}\n\nAlways consult your physician before changing your diet.\n")
    article = parse_article(text, Path("a.txt"), required=True)
    assert [block_text(b) for b in article.disclaimer.blocks] == [
        DISCLAIMER, "Always consult your physician before changing your diet."]
    assert "Ask your pharmacist" in article.sections[0].body_text


# -- titles and references --------------------------------------------------------------------------


def test_a_title_line_of_plain_text_is_the_title_not_a_chapter() -> None:
    article = parse_article("Fiber Basics\n\nFiber feeds the gut.\n\nWhy It Matters\n\nIt does.\n",
                            Path("x.txt"))
    assert article.title == "Fiber Basics"
    assert [s.title for s in article.sections] == ["Introduction", "Why It Matters"]


def test_a_numbered_first_line_is_a_heading_not_a_title() -> None:
    article = parse_article("1. Causes\n\nDiet.\n\n2. Effects\n\nPain.\n", Path("x.txt"))
    assert article.title == "X"
    assert [s.title for s in article.sections] == ["Causes", "Effects"]


@pytest.mark.parametrize("heading",
                         ["References", "Sources", "Bibliography", "Works Cited", "Further reading"])
def test_reference_sections_are_marked(heading: str) -> None:
    article = parse_article(f"# T\n\nBody.\n\n## {heading}\n\n1. Smith J. Gut. 2017.\n", Path("a.md"))
    assert article.sections[-1].kind is SectionKind.REFERENCES


def test_footnotes_are_kept_with_their_labels() -> None:
    article = parse_article("# T\n\nFiber helps.[^a]\n\n[^a]: Smith, 2017.\n", Path("a.md"))
    assert [(n.label, block_text(n.blocks[0])) for n in article.footnotes] == [("a", "Smith, 2017.")]
    assert NoteRef("a", footnote=True) in article.sections[0].blocks[0].content


# -- the registry ------------------------------------------------------------------------------------


def test_builtin_readers_are_registered_by_entry_point() -> None:
    # From the installed package's metadata (importlib), not through gutaudio's own fallback table.
    registered = {point.name: point.value for point in entry_points(group="gutaudio.readers")}
    expected = {"txt": "gutaudio.readers.text:TextReader", "text": "gutaudio.readers.text:TextReader",
                "md": "gutaudio.readers.markdown:MarkdownReader",
                "markdown": "gutaudio.readers.markdown:MarkdownReader",
                "html": "gutaudio.readers.html:HtmlReader", "htm": "gutaudio.readers.html:HtmlReader",
                "docx": "gutaudio.readers.docx:DocxReader"}
    assert {name: registered.get(name) for name in expected} == expected
    found = readers.registered_readers()
    assert {suffix: type(reader).__name__ for suffix, reader in found.items()} == {
        f".{name}": value.rsplit(":", 1)[1] for name, value in expected.items()}


def test_a_third_party_reader_is_found_through_its_entry_point(rst_reader: Path) -> None:
    """A distribution on sys.path (as pip installs one) that registers a reader for .rst files."""
    article = readers.parse_text("Sleep\n====\nSleep is not medical advice.\n", Path("s.rst"))
    assert article.title == "Sleep"
    assert [s.title for s in article.sections] == ["Disclaimer"]


def test_without_its_distribution_a_suffix_has_no_reader() -> None:
    with pytest.raises(ContentError,
                       match=r"^s\.rst: no reader for '\.rst' files \(readers: \.docx, \.htm, "):
        readers.parse_text("x", Path("s.rst"))


# -- found in review: each once shipped a wrong or doubled disclaimer ------------------------------------


def _spoken(text: str, name: str = "a.md", **settings: object) -> list[tuple[str, str]]:
    from gutaudio.config import AudioSettings
    from gutaudio.script import build_script

    article = readers.parse_text(text, Path(name), DisclaimerSettings(**settings))
    chapters = build_script(article, AudioSettings())
    return [(c.title, " / ".join(u.spoken for u in c.utterances)) for c in chapters]


def test_ordinary_advice_is_not_taken_for_the_disclaimer_so_the_default_is_spoken() -> None:
    assert _spoken("Body text.\n\nTalk to your doctor before starting a new exercise program.\n",
                   default="This podcast is not medical advice.") == [
        ("Introduction", "Body text. / Talk to your doctor before starting a new exercise program."),
        ("Disclaimer", "Disclaimer. / This podcast is not medical advice.")]


def test_a_paragraph_that_ends_with_a_disclaimer_keeps_its_prose() -> None:
    assert _spoken("Fiber is good. It feeds bacteria. Most people lack it. "
                   "This article is for informational purposes only.\n", "a.txt") == [
        ("Introduction", "Fiber is good. / It feeds bacteria. / Most people lack it."),
        ("Disclaimer", "Disclaimer. / This article is for informational purposes only.")]


def test_a_long_paragraph_after_a_disclaimer_stays_in_the_body() -> None:
    long_advice = ("If heartburn wakes you at night, ask your doctor about a PPI trial. Raising the head "
                   "of the bed by six inches helps many people, and so does eating dinner earlier.")
    chapters = _spoken(f"Disclaimer: This is general information only.\n\n{long_advice}\n", "a.txt")
    assert [title for title, _ in chapters] == ["Introduction", "Disclaimer"]
    assert chapters[1][1] == "Disclaimer. / This is general information only."


@pytest.mark.parametrize(("text", "spoken"), [
    ("Body.\n\n> **Disclaimer:** This article is not medical advice.\n",
     "Disclaimer. / This article is not medical advice."),
    ("Body.\n\n**Medical disclaimer:** This article is not medical advice.\n",
     "Medical disclaimer. / This article is not medical advice."),
    ("# T\n\nBody.\n\n## Disclaimer\n\nDisclaimer: this is not medical advice.\n",
     "Disclaimer. / this is not medical advice."),
    ("Body.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n*This article is for informational purposes only.*\n",
     "Disclaimer. / This article is for informational purposes only."),
])
def test_the_disclaimer_is_found_in_quotes_and_under_tables_and_its_label_said_once(text: str,
                                                                                   spoken: str) -> None:
    chapters = _spoken(text, default="The default must not be used here.")
    assert chapters[-1] == ("Disclaimer", spoken)
    assert sum("not medical advice" in words or "informational" in words for _, words in chapters) == 1


def test_a_labelled_default_is_not_labelled_twice() -> None:
    assert _spoken("Body.\n", default="Medical disclaimer: this is not medical advice.")[-1] == (
        "Disclaimer", "Medical disclaimer. / this is not medical advice.")


def test_a_see_also_heading_does_not_swallow_the_next_section() -> None:
    chapters = _spoken("# T\n\nBody.\n\n## See also\n\n- a\n- b\n\n## Treatment\n\n- rest\n\n"
                       "Not medical advice.\n")
    assert [title for title, _ in chapters] == ["Introduction", "Treatment", "Disclaimer"]


def test_a_disclaimer_in_the_page_twice_is_spoken_once() -> None:
    page = ("<html><body><article><p>Body text of the article, long enough to be its text.</p>"
            "<p>This article is not medical advice.</p></article>"
            "<footer><p>This article is not medical advice.</p></footer></body></html>")
    assert _spoken(page, "a.html")[-1] == ("Disclaimer", "Disclaimer. / This article is not medical advice.")


def test_raw_html_breaks_and_superscript_markers_in_markdown() -> None:
    text = "Fibre<sup>1</sup> helps.<br>Water too.\n\nNot medical advice.\n"
    article = readers.parse_text(text, Path("a.md"))
    assert article.sections[0].blocks[0].content == (
        Text("Fibre"), NoteRef("1"), Text(" helps."), LineBreak(), Text("Water too."))


def test_a_lead_in_line_and_its_list_in_plain_text() -> None:
    article = parse_article("Intro.\n\nTips for the week:\n1. Eat oats\n2. Walk daily\n", Path("a.txt"))
    assert [block_text(b) for b in article.sections[0].blocks] == [
        "Intro.", "Tips for the week:", "1. Eat oats\n2. Walk daily"]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bad-date.md", b"---\ndate: 2020-13-45\n---\nBody.\n",
     "bad-date.md: front matter has a value YAML cannot"),
    ("cut.docx", b"PK\x03\x04" + b"\x00" * 40, "cut.docx: is not a Word .docx file"),
])
def test_damaged_inputs_are_one_line_errors(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ContentError) as info:
        readers.read_article(path)
    assert str(info.value).startswith(f"{tmp_path}/{message}")
    assert "\n" not in str(info.value)


def test_a_label_before_a_line_break_keeps_every_letter_of_the_disclaimer() -> None:
    assert _spoken("Body.\n\nDisclaimer:  \nThis article is not a substitute for medical advice.\n")[-1] == (
        "Disclaimer", "Disclaimer. / This article is not a substitute for medical advice.")


def test_a_quote_keeps_its_other_words_and_attribution_when_its_disclaimer_is_taken() -> None:
    article = readers.parse_text("Body.\n\n> Fibre changed my life.\n>\n> This article is not a substitute "
                                 "for medical advice.\n>\n> -- Dr Jane Smith\n", Path("q.md"))
    body = article.sections[0].text
    assert "Dr Jane Smith" in body and "Fibre changed my life." in body
    assert article.disclaimer is not None and "not a substitute" in article.disclaimer.body_text


def test_an_empty_disclaimer_section_lets_the_default_stand_in() -> None:
    assert _spoken("# T\n\nBody.\n\n## Disclaimer\n", default="Not medical advice.")[-1] == (
        "Disclaimer", "Disclaimer. / Not medical advice.")


def test_a_paragraph_with_footnote_markers_is_not_split_so_its_markers_stay() -> None:
    text = ("Fibre feeds gut bacteria[^s]. It also helps. This article is not a substitute for medical "
            "advice.\n\n[^s]: Smith, 2017.\n")
    spoken = " ".join(words for _, words in _spoken(text))
    assert "smith" not in spoken.lower()


def test_a_quote_attribution_on_the_line_right_after_the_quote() -> None:
    text = "> Strains matter.\n> \u2014 Prof. Lena Ortiz, MD\n\nNot medical advice.\n"
    article = parse_article(text, Path("q.md"))
    quote = article.sections[0].blocks[0]
    assert block_text(quote) == "> Strains matter.\n> \u2014 Prof. Lena Ortiz, MD"
    assert quote.attribution == (Text("Prof. Lena Ortiz, MD"),)


def test_a_pages_h1_is_its_title_when_only_the_title_tag_disagrees() -> None:
    page = ("<html><head><title>Sleep tips | Healthy Nights</title></head><body><article>"
            "<h1>Five sleep tips that work</h1><p>Keep a regular wake time, even at weekends, and get "
            "morning light.</p><p>This is general information, not medical advice.</p></article>"
            "</body></html>")
    assert readers.parse_text(page, Path("s.html")).title == "Five sleep tips that work"


def test_a_disclaimer_box_above_the_title_leaves_the_h1_the_title_and_is_found() -> None:
    article = readers.parse_text(
        "> **Important:** Nothing on this page replaces a visit with a qualified clinician.\n\n"
        "# Iron and Tiredness\n\nLow iron is common.\n\n## Foods rich in iron\n\nLentils.\n",
        Path("iron.md"), DisclaimerSettings())
    assert article.title == "Iron and Tiredness"
    assert [s.title for s in article.sections] == ["Introduction", "Foods rich in iron", "Disclaimer"]
    assert "Iron and Tiredness" not in article.sections[0].text
    assert "qualified clinician" in article.sections[-1].text
