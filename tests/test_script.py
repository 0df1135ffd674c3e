"""Block renditions: each kind of block spoken its own way, with exact display and spoken text."""

from __future__ import annotations

from pathlib import Path

import pytest

from gutaudio.config import AudioSettings, SpeechSettings
from gutaudio.document import (
    CodeBlock,
    Figure,
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
from gutaudio.script import build_script, header_unit, script_section, unspoken_parts

from .conftest import parse_article

AUDIO = AudioSettings(sentence_pause_ms=111, paragraph_pause_ms=222, heading_pause_ms=333)


def spoken(*blocks, speech: SpeechSettings | None = None) -> list[tuple[str, str, str]]:
    """(kind, display, spoken) of each utterance of a section made of blocks."""
    return [(u.kind, u.display, u.spoken)
            for u in script_section(Section("Body", tuple(blocks)), AUDIO, speech)]


def item(text: str, *nested) -> ListItem:
    return ListItem((Paragraph(runs(text)), *nested))


def test_ordered_lists_keep_their_numbers_and_nested_lists_read_in_order() -> None:
    nested = ListBlock((item("Oats"), item("Beans")))
    block = ListBlock((item("Eat slowly"), item("Add fiber:", nested), item("Drink water.")),
                      ordered=True, start=3)
    assert spoken(block) == [
        ("list", "3. Eat slowly", "Three. Eat slowly."),
        ("list", "4. Add fiber:", "Four. Add fiber:"),
        ("list", "Oats", "Oats."),
        ("list", "Beans", "Beans."),
        ("list", "5. Drink water.", "Five. Drink water."),
    ]
    pauses = [u.pause_after_ms for u in script_section(Section("B", (block,)), AUDIO)]
    assert pauses == [111, 111, 111, 111, 222]


def test_tables_are_read_row_by_row_with_column_names_and_header_units() -> None:
    table = Table(
        header=(runs("Food"), runs("Serving"), runs("Fiber (g)")),
        rows=((runs("Chia seeds"), runs("2 tbsp"), runs("8.3")),
              (runs("Oatmeal"), runs("1 cup"), runs("4"))),
        caption=runs("Table 1: Fiber in common foods"),
    )
    assert spoken(table) == [
        ("table", "Table 1: Fiber in common foods", "Table one: Fiber in common foods"),
        ("table", "Chia seeds: Serving, 2 tbsp; Fiber (g), 8.3",
         "Chia seeds: serving, two tablespoons; fiber, eight point three grams."),
        ("table", "Oatmeal: Serving, 1 cup; Fiber (g), 4", "Oatmeal: serving, one cup; fiber, four grams."),
    ]


@pytest.mark.parametrize(("header", "expected"), [
    ("Fiber (g)", ("Fiber", "g")), ("Sodium, mg", ("Sodium", "mg")), ("Dose [mcg]", ("Dose", "mcg")),
    ("Food", ("Food", "")), ("Notes (see below)", ("Notes (see below)", "")),
])
def test_header_units(header: str, expected: tuple[str, str]) -> None:
    assert header_unit(header) == expected


def test_a_table_without_a_header_row_reads_its_cells_in_order() -> None:
    table = Table((), ((runs("Kefir"), runs("1 cup")),))
    assert spoken(table) == [("table", "Kefir, 1 cup", "Kefir, one cup.")]


def test_quotes_are_announced_with_who_said_them() -> None:
    quote = Quote((Paragraph(runs("Small changes add up.")),), runs("Dr. Amara Osei, endocrinologist"))
    assert spoken(quote) == [
        ("quote", "\u2014 Dr. Amara Osei, endocrinologist", "Quote from Doctor Amara Osei, endocrinologist:"),
        ("quote", "Small changes add up.", "Small changes add up."),
        ("quote", "End of quote", "End of quote."),
    ]


def test_images_are_announced_or_skipped_never_read_as_prose() -> None:
    figure = Figure("cgm.jpg", "A glucose sensor on an upper arm", runs("Sensors last 14 days."))
    assert spoken(figure) == [
        ("image", "[Image: A glucose sensor on an upper arm]", "Image: A glucose sensor on an upper arm."),
        ("image", "Sensors last 14 days.", "Sensors last fourteen days."),
    ]
    assert spoken(figure, speech=SpeechSettings(images="skip")) == []


def test_code_is_announced_never_spelled_out() -> None:
    code = CodeBlock('{"glucose": 104, "unit": "mg/dL"}\n', "json")
    assert spoken(code) == [("code", "[Code shown on the page]", "A code example is shown on the page.")]
    assert spoken(code, speech=SpeechSettings(code="skip")) == []


def test_markers_and_link_addresses_are_not_spoken_but_link_text_is() -> None:
    paragraph = Paragraph((Text("Fiber helps"), NoteRef("1"), Text(". See "),
                           Link(runs("the fact sheet"), "https://example.org/fiber"), Text(".")))
    assert spoken(paragraph) == [("paragraph", "Fiber helps.", "Fiber helps."),
                                 ("paragraph", "See the fact sheet.", "See the fact sheet.")]


ARTICLE = """\
# Fiber Basics

Fiber helps.[^1] It feeds the gut [2].

## References

1. Smith J. Fiber. Gut. 2017;11(1):80-85.

## Disclaimer

This article is for informational purposes only.

[^1]: Most adults need 25 g a day.
"""


def test_the_title_opens_the_first_chapter_and_references_are_not_chapters() -> None:
    article = parse_article(ARTICLE, Path("fiber.md"))
    chapters = build_script(article, AUDIO)
    assert [c.title for c in chapters] == ["Introduction", "Disclaimer"]
    first = chapters[0].utterances[0]
    assert (first.kind, first.display, first.spoken) == ("title", "Fiber Basics", "Fiber Basics.")
    assert all("Smith" not in u.spoken for c in chapters for u in c.utterances)
    reasons = {(p.where, p.reason.split(":")[0]) for p in unspoken_parts(article, chapters, SpeechSettings())}
    assert reasons == {("Introduction", "citation and footnote markers"),
                       ("References", "a references section"), ("footnotes", "footnotes")}


def test_references_and_notes_are_spoken_when_asked() -> None:
    article = parse_article(ARTICLE, Path("fiber.md"))
    chapters = build_script(article, AUDIO, speech=SpeechSettings(references=True, title=False))
    assert [c.title for c in chapters] == ["Introduction", "References", "Notes", "Disclaimer"]
    assert chapters[0].utterances[0].display == "Fiber helps."


def test_the_author_is_spoken_after_the_title() -> None:
    text = "---\ntitle: Sleep\nauthor: Ana Ruiz, RD\n---\nSleep matters. Not medical advice.\n"
    chapters = build_script(parse_article(text, Path("s.md")), AUDIO)
    assert [(u.display, u.spoken, u.pause_after_ms) for u in chapters[0].utterances[:2]] == [
        ("Sleep", "Sleep.", 111), ("By Ana Ruiz, RD", "By Ana Ruiz, RD.", 333)]


def test_a_title_made_from_the_file_name_is_not_spoken() -> None:
    chapters = build_script(parse_article("Body text here.\n", Path("leaky-gut.txt")), AUDIO)
    assert [u.kind for u in chapters[0].utterances] == ["paragraph"]


def test_a_row_without_a_label_is_read_by_its_column_names() -> None:
    table = Table((runs("Food"), runs("Serving")), ((runs(""), runs("1 cup")),))
    assert spoken(table) == [("table", "Serving, 1 cup", "serving, one cup.")]
