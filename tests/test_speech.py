"""Table-driven tests for gutaudio.speech: spoken-form normalizers, sentence splitting, scripting."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from gutaudio.config import AudioSettings
from gutaudio.document import Heading, Paragraph, Section, SectionKind, runs
from gutaudio.script import Chapter, Utterance, build_script, script_section
from gutaudio.speech import (
    MAX_UTTERANCE_CHARS,
    expand_abbreviations,
    expand_currency,
    expand_numbers,
    expand_ranges,
    expand_symbols,
    expand_units,
    normalize_quotes,
    speak_heading,
    speak_urls,
    speakable,
    split_long,
    split_sentences,
    tidy_punctuation,
    to_spoken,
)
from tests.conftest import parse_article, read_article

REPO = Path(__file__).resolve().parents[1]
LEAKY_GUT = REPO / "content" / "leaky-gut.txt"
AUDIO = AudioSettings(sentence_pause_ms=111, paragraph_pause_ms=222, heading_pause_ms=333)


def words(text: str) -> list[str]:
    """The alphabetic words of a text, lower-cased, in order."""
    return [w.lower() for w in re.findall(r"[A-Za-z]+", text)]


# --- one table per normalizer --------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cAll disease begins in the gut.\u201d", '"All disease begins in the gut."'),
        ("\u201eGerman\u201c and \u00abFrench\u00bb", '"German" and "French"'),
        ("Crohn\u2019s disease", "Crohn's disease"),
        ("\u2018single\u2019 and \u201asingle low\u2019", "'single' and 'single low'"),
        ("wait\u2026", "wait..."),
        ("\u22125 and 3\u20104 and non\u2011stop", "-5 and 3-4 and non-stop"),
        ("6\u20322\u2033", "6'2\""),
        ("em\u2014dash stays", "em\u2014dash stays"),
        ("plain 'ascii' \"text\"", "plain 'ascii' \"text\""),
    ],
)
def test_normalize_quotes(text: str, expected: str) -> None:
    assert normalize_quotes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visit https://example.org/articles/leaky-gut today.",
         "Visit example dot org slash articles slash leaky dash gut today."),
        ("See www.example.org.", "See example dot org."),
        ("http://example.org/", "example dot org"),
        ("(https://example.org/a_b)", "(example dot org slash a underscore b)"),
        ("https://example.org/search?q=gut&page=2#top",
         "example dot org slash search question mark q equals gut and page equals 2 hash top"),
        ("https://example.org:8080/x", "example dot org colon 8080 slash x"),
        ("Write to podcasts@example.org, please.", "Write to podcasts at example dot org, please."),
        ("john.smith@example.co.uk", "john dot smith at example dot co dot uk"),
        ("Visit nih.gov or NIH.gov.", "Visit nih dot gov or NIH dot gov."),
        ("See example.org/leaky-gut for more.", "See example dot org slash leaky dash gut for more."),
        ("pubmed.ncbi.nlm.nih.gov/123/", "pubmed dot ncbi dot nlm dot nih dot gov slash 123"),
        # Not addresses: abbreviations, file names, decimals.
        ("e.g. the U.S. and i.e. this", "e.g. the U.S. and i.e. this"),
        ("the file notes.txt and 3.5 mg", "the file notes.txt and 3.5 mg"),
    ],
)
def test_speak_urls(text: str, expected: str) -> None:
    assert speak_urls(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fermented foods, e.g. kefir, help.", "Fermented foods, for example, kefir, help."),
        ("Fermented foods, e.g., kefir", "Fermented foods, for example, kefir"),
        ("foods (e.g. kefir)", "foods (for example, kefir)"),
        ("E.g. kefir helps.", "For example, kefir helps."),
        ("the lining, i.e. the mucosa", "the lining, that is, the mucosa"),
        ("I.e., the mucosa", "That is, the mucosa"),
        ("apples, pears, etc.", "apples, pears, et cetera."),
        ("apples, pears, etc. are fine", "apples, pears, et cetera are fine"),
        ("apples, etc., are fine", "apples, et cetera, are fine"),
        ("(apples, etc.) are fine", "(apples, et cetera) are fine"),
        ("apples, etc. Then pears.", "apples, et cetera. Then pears."),
        ("Dr. Smith says", "Doctor Smith says"),
        ("Drs. Smith and Jones", "Doctors Smith and Jones"),
        ("Prof. Lee", "Professor Lee"),
        ("Mr. Lee, Mrs. Lee and Ms. Lee", "Mister Lee, Missus Lee and Miz Lee"),
        ("St. John's wort", "Saint John's wort"),
        ("diet vs. exercise", "diet versus exercise"),
        ("diet vs exercise", "diet versus exercise"),
        ("approx. 5", "approximately 5"),
        ("No. 5 and Fig. 2 in Vol. 3, p. 7, pp. 8-9", "number 5 and Figure 2 in Volume 3, page 7, pages 8-9"),
        ("the U.S. population", "the U S population"),
        ("born in the U.S.", "born in the U S."),
        ("the U.K. study", "the U K study"),
        # Left alone: no period, lower case, or not followed by what makes them an abbreviation.
        ("Dr Smith", "Dr Smith"),
        ("the dr. said", "the dr. said"),
        ("No. We disagree.", "No. We disagree."),
        ("Smith et al. found", "Smith et al. found"),
        ("vitamins", "vitamins"),
        ("Netc. is not etc.", "Netc. is not et cetera."),
    ],
)
def test_expand_abbreviations(text: str, expected: str) -> None:
    assert expand_abbreviations(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$5", "5 dollars"),
        ("$1", "1 dollar"),
        ("$5.50", "5 dollars and 50 cents"),
        ("$1.01", "1 dollar and 1 cent"),
        ("$5.00", "5 dollars"),
        ("$0.99", "99 cents"),
        ("$1,234.56", "1,234 dollars and 56 cents"),
        ("\u00a33.50", "3 pounds and 50 pence"),
        ("\u00a30.01", "1 penny"),
        ("\u20ac10", "10 euros"),
        ("\u20ac 1", "1 euro"),
        ("$2.5", "2.5 dollars"),
        ("$5 million", "5 million dollars"),
        ("a $1.5 billion market", "a 1.5 billion dollars market"),
        ("$5-10", "5 to 10 dollars"),
        ("$5 - $10", "5 to 10 dollars"),
        ("$0-1", "0 to 1 dollar"),
        ("$2-3 billion", "2 to 3 billion dollars"),
        ("$5.50-$7.25", "5 dollars and 50 cents to 7 dollars and 25 cents"),
        ("It costs $5.", "It costs 5 dollars."),
        ("$5/month", "5 dollars/month"),
        ("no money here: 5 dollars", "no money here: 5 dollars"),
        ("$ and $$", "$ and $$"),
    ],
)
def test_expand_currency(text: str, expected: str) -> None:
    assert expand_currency(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 mg", "5 milligrams"),
        ("1 mg", "1 milligram"),
        ("5mg", "5 milligrams"),
        ("2.5 mg", "2.5 milligrams"),
        ("1.0 mg", "1.0 milligrams"),
        ("10-20 mg", "10 to 20 milligrams"),
        ("10\u201320 mg", "10 to 20 milligrams"),
        ("0.5-1 g", "0.5 to 1 gram"),
        ("70%", "70 percent"),
        ("70 %", "70 percent"),
        ("1%", "1 percent"),
        ("10-15%", "10 to 15 percent"),
        ("100 mg/dL", "100 milligrams per deciliter"),
        ("5.5 mmol/L", "5.5 millimoles per liter"),
        ("120 mmHg", "120 millimeters of mercury"),
        ("1,000 IU", "1,000 international units"),
        ("500 mcg and 500 \u00b5g", "500 micrograms and 500 micrograms"),
        ("2000 kcal", "2000 kilocalories"),
        ("2 L of water and 250 mL", "2 liters of water and 250 milliliters"),
        ("1 tbsp and 2 tsp", "1 tablespoon and 2 teaspoons"),
        ("5 kg, 10 lbs, 1 lb, 8 oz", "5 kilograms, 10 pounds, 1 pound, 8 ounces"),
        ("5 km, 2 cm, 1 mm", "5 kilometers, 2 centimeters, 1 millimeter"),
        ("8 hrs, 1 hr, 2 h", "8 hours, 1 hour, 2 hours"),
        ("30 min, 1 min, 5 mins, 10 sec", "30 minutes, 1 minute, 5 minutes, 10 seconds"),
        ("37\u00b0C and 98.6\u00b0F and 90\u00b0",
         "37 degrees Celsius and 98.6 degrees Fahrenheit and 90 degrees"),
        ("400 mg/day", "400 milligrams per day"),
        ("25-30 g/day", "25 to 30 grams per day"),
        ("5 mg/kg", "5 milligrams per kilogram"),
        ("5 mg/kg/day", "5 milligrams per kilogram per day"),
        ("2 L/d", "2 liters per day"),
        # A unit only counts right after a number and as a whole word.
        ("mg and g alone", "mg and g alone"),
        ("5 grapes and 2 hours", "5 grapes and 2 hours"),
        ("3 minutes", "3 minutes"),
        ("10 mg/foo", "10 mg/foo"),
        ("omega 3", "omega 3"),
    ],
)
def test_expand_units(text: str, expected: str) -> None:
    assert expand_units(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10-15 minutes", "10 to 15 minutes"),
        ("10\u201315 minutes", "10 to 15 minutes"),
        ("10 - 15 minutes", "10 to 15 minutes"),
        ("ages 18-65", "ages 18 to 65"),
        ("1.5-2.5 cups", "1.5 to 2.5 cups"),
        ("2,000-3,000 steps", "2,000 to 3,000 steps"),
        ("in 2010-2015", "in 2010 to 2015"),
        # Not a rising range: left for the other normalizers.
        ("the 5-2 diet", "the 5-2 diet"),
        ("COVID-19", "COVID-19"),
        ("omega-3", "omega-3"),
        ("1-2-3", "1-2-3"),
        ("1-800-555-1212", "1-800-555-1212"),
        ("2020-01-15", "2020-01-15"),
        ("3-4-day fast", "3 to 4-day fast"),
        ("A1-2", "A1-2"),
        ("1.2-3", "1.2 to 3"),
    ],
)
def test_expand_ranges(text: str, expected: str) -> None:
    assert expand_ranges(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("salt & pepper", "salt and pepper"),
        ("Q&A", "Q and A"),
        ("70% of", "70 percent of"),
        ("70 %", "70 percent"),
        ("a % sign", "a  percent sign"),
        ("omega-3 + omega-6", "omega-3 plus omega-6"),
        ("5+ servings", "5 plus servings"),
        ("2 = 2", "2 equals 2"),
        ("~5 grams", "about 5 grams"),
        ("3x3 and 2 \u00d7 4", "3 times 3 and 2 times 4"),
        ("2x more likely", "2 times more likely"),
        ("a 10x increase", "a 10 times increase"),
        ("3 x daily", "3 times daily"),
        ("3x/day", "3 times per day"),
        ("p < 0.05", "p less than 0.05"),
        ("<5 percent", " less than 5 percent"),
        ("BMI > 30", "BMI greater than 30"),
        ("BMI \u2265 30 and age \u2264 65",
         "BMI greater than or equal to 30 and age less than or equal to 65"),
        ("x >= 5 and y <= 6", "x greater than or equal to 5 and y less than or equal to 6"),
        ("x \u2248 5", "x about 5"),
        ("meet @ noon", "meet at noon"),
        ("#1 cause", "number 1 cause"),
        ("open 24/7", "open twenty-four seven"),
        ("diet and/or exercise", "diet and or exercise"),
        ("yes/no and he/she", "yes or no and he or she"),
        ("3 times/day and 2 cups/week", "3 times per day and 2 cups per week"),
        ("day/night", "day or night"),
        ("days/weeks", "days or weeks"),
        # Left alone.
        ("A -> B", "A -> B"),
        ("x3 and box", "x3 and box"),
        ("IBS-D", "IBS-D"),
    ],
)
def test_expand_symbols(text: str, expected: str) -> None:
    assert expand_symbols(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", "five"),
        ("0", "zero"),
        ("21", "twenty-one"),
        ("100", "one hundred"),
        ("1,000", "one thousand"),
        ("1,000,000", "one million"),
        ("3.14", "three point one four"),
        ("0.05", "zero point zero five"),
        ("5.0", "five"),
        ("-5 degrees", "minus five degrees"),
        ("from -5 to 5", "from minus five to five"),
        ("1st, 2nd, 3rd, 21st", "first, second, third, twenty-first"),
        ("the 3rd-party test", "the third-party test"),
        ("in 2020", "in twenty twenty"),
        ("in 1999.", "in nineteen ninety-nine."),
        ("in 2000", "in two thousand"),
        ("in 2005", "in two thousand and five"),
        ("the 1990s and the 1800's", "the nineteen nineties and the eighteen hundreds"),
        ("women in their 40s and 50s", "women in their forties and fifties"),
        ("the '90s", "the nineties"),
        ("10s of thousands", "tens of thousands"),
        ("1/2 cup", "one half cup"),
        ("1/4 and 3/4", "one quarter and three quarters"),
        ("2/3", "two thirds"),
        ("1/3", "one third"),
        ("5/8", "five eighths"),
        ("7/4", "seven over four"),
        ("140/90", "one hundred and forty over ninety"),
        ("120/80 mmHg", "one hundred and twenty over eighty mmHg"),
        ("1/100", "one over one hundred"),
        ("5/0", "five/zero"),
        ("12/25/2020", "twelve/twenty-five/twenty twenty"),
        ("at 7:30", "at seven thirty"),
        ("at 7:05 am", "at seven oh five am"),
        ("at 7:00 p.m.", "at seven p.m."),
        ("at 7:00.", "at seven o'clock."),
        ("from 9:00 to 17:45", "from nine o'clock to seventeen forty-five"),
        ("5HTP", "five HTP"),
        ("COVID-19", "COVID-nineteen"),
        ("omega-3", "omega-three"),
        ("vitamin B12", "vitamin B12"),
        ("1,500 steps", "one thousand, five hundred steps"),
        ("1500 steps", "fifteen hundred steps"),
        ("1.5", "one point five"),
        ("no digits", "no digits"),
    ],
)
def test_expand_numbers(text: str, expected: str) -> None:
    assert expand_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gut\u2014brain", "gut, brain"),
        ("gut \u2014 brain", "gut, brain"),
        ("gut -- brain", "gut, brain"),
        ("gut \u2013 brain", "gut, brain"),
        ("gut - brain", "gut, brain"),
        ("gut-brain axis", "gut-brain axis"),
        ("pre- and probiotics", "pre- and probiotics"),
        ("foods (like kefir) help", "foods, like kefir, help"),
        ("(see below)", "see below"),
        ("[1]", "1"),
        ("a {b} c", "a, b, c"),
        ("*bold* and _it_ and ~~gone~~", "bold and it and gone"),
        ("a | b", "a b"),
        ("Really (yes).", "Really, yes."),
        ("a, , , b", "a, b"),
        ("ends with,", "ends with"),
        ("  lots   of   space  ", "lots of space"),
        ("word,.", "word."),
        ("", ""),
    ],
)
def test_tidy_punctuation(text: str, expected: str) -> None:
    assert tidy_punctuation(text) == expected


# --- the whole pipeline ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eat 25-30 g of fibre daily, e.g. oats.",
         "Eat twenty-five to thirty grams of fibre daily, for example, oats."),
        ("Rest for 10-15 minutes.", "Rest for ten to fifteen minutes."),
        ("Take 5 mg daily.", "Take five milligrams daily."),
        ("About 70% of immune cells live in the gut.",
         "About seventy percent of immune cells live in the gut."),
        ("Salt & pepper.", "Salt and pepper."),
        ("Ask Dr. Smith.", "Ask Doctor Smith."),
        ("Kefir, yogurt, etc.", "Kefir, yogurt, et cetera."),
        ("Kefir, yogurt (etc.) help.", "Kefir, yogurt, et cetera, help."),
        ("Fermented foods (e.g., kimchi) help.", "Fermented foods, for example, kimchi, help."),
        ("See https://example.org/leaky-gut.", "See example dot org slash leaky dash gut."),
        ("Email me@example.org.", "Email me at example dot org."),
        ("\u201cAll disease begins in the gut,\u201d he said.", '"All disease begins in the gut," he said.'),
        ("Crohn\u2019s disease\u2014and celiac\u2014hurt.", "Crohn's disease, and celiac, hurt."),
        ("Stress \u2013 not diet \u2013 matters.", "Stress, not diet, matters."),
        ("Wait\u2026 really?", "Wait... really?"),
        ("It costs $1.5 billion a year.", "It costs one point five billion dollars a year."),
        ("It costs $0.99.", "It costs ninety-nine cents."),
        ("Take 400 mg/day.", "Take four hundred milligrams per day."),
        ("Eat 3 times/day.", "Eat three times per day."),
        ("Aim for <5% body fat.", "Aim for less than five percent body fat."),
        ("A BP of 120/80 mmHg is normal.",
         "A BP of one hundred and twenty over eighty millimeters of mercury is normal."),
        ("Women in their 40s.", "Women in their forties."),
        ("Eat by 7:00 pm.", "Eat by seven pm."),
        ("It is 2x more common.", "It is two times more common."),
        ("Drink 1/2 cup.", "Drink one half cup."),
        ("In 2019, 1 in 5 adults.", "In twenty nineteen, one in five adults."),
        ("Heat to 37\u00b0C.", "Heat to thirty-seven degrees Celsius."),
        ("Spend $5-10 a week.", "Spend five to ten dollars a week."),
        ("p < 0.05", "p less than zero point zero five"),
        ("Leaky gut or increased intestinal permeability.",
         "Leaky gut or increased intestinal permeability."),
    ],
)
def test_to_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


def test_to_spoken_with_chosen_normalizers() -> None:
    assert to_spoken("5 mg & 10%", [expand_units]) == "5 milligrams & 10 percent"
    assert to_spoken("5 mg & 10%", []) == "5 mg & 10%"


# --- headings ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("number", "title", "expected"),
    [
        ("1", "Causes of Leaky Gut", "Part one. Causes of Leaky Gut."),
        ("2", "Diet", "Part two. Diet."),
        ("12", "Sleep", "Part twelve. Sleep."),
        ("IV", "Sleep", "Part four. Sleep."),
        ("XIV", "Stress", "Part fourteen. Stress."),
        ("Part 2", "Diet", "Part two. Diet."),
        ("Chapter IV", "Sleep", "Chapter four. Sleep."),
        ("STEP 3", "Rest", "Step three. Rest."),
        ("Section 5", "Fiber", "Section five. Fiber."),
        ("", "What Is Leaky Gut?", "What Is Leaky Gut?"),
        ("3", "Why Now?", "Part three. Why Now?"),
        ("", "Eat Well!", "Eat Well!"),
        ("", "Causes:", "Causes."),
        ("", "Causes.", "Causes."),
        ("", "Foods & Fiber", "Foods and Fiber."),
        ("", "Top 10 Foods", "Top ten Foods."),
        ("", "Diet (and Sleep)", "Diet, and Sleep."),
        ("3", "", "Part three."),
        ("", "", ""),
    ],
)
def test_speak_heading(number: str, title: str, expected: str) -> None:
    assert speak_heading(number, title) == expected


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("1. Causes of Leaky Gut", "Part one. Causes of Leaky Gut."),
        ("2) Diet and the Gut", "Part two. Diet and the Gut."),
        ("Part 3: Sleep", "Part three. Sleep."),
        ("Chapter IV - Stress", "Chapter four. Stress."),
        ("Step 2: Remove Trigger Foods", "Step two. Remove Trigger Foods."),
        ("C. diff and the Gut", "C. diff and the Gut."),
        ("What Is Leaky Gut?", "What Is Leaky Gut?"),
    ],
)
def test_numbered_headings_are_spoken_as_headings(heading: str, expected: str) -> None:
    article = parse_article(f"Intro.\n\n{heading}\n\nBody.", Path("a.txt"))
    (utterance, body) = script_section(article.sections[1], AUDIO)
    assert utterance == Utterance(heading, expected, 333, True, "heading")
    assert not utterance.spoken.lower().startswith("one ")
    assert body == Utterance("Body.", "Body.", 222)


# --- sentences ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Ask Dr. Smith about it. Then rest.", ["Ask Dr. Smith about it.", "Then rest."]),
        ("Foods, e.g. kefir, help. Yes.", ["Foods, e.g. kefir, help.", "Yes."]),
        ("Take 1.5 mg. Then stop.", ["Take 1.5 mg.", "Then stop."]),
        ("Born in the U.S. He moved.", ["Born in the U.S.", "He moved."]),
        ('He said: "All disease begins in the gut." It may.', ['He said: "All disease begins in the gut."',
                                                               "It may."]),
        ("(A whole sentence.) And another.", ["(A whole sentence.)", "And another."]),
        ("Wait... what? Really!? Yes.", ["Wait... what?", "Really!?", "Yes."]),
        ("Visit https://example.org/search?q=gut. Then rest.",
         ["Visit https://example.org/search?q=gut.", "Then rest."]),
        ("Leaky gut is real !!", ["Leaky gut is real !!"]),
        ("Line one\nline two.\n\nNext   one.", ["Line one line two.", "Next one."]),
        ("", []),
        ("   \n ", []),
    ],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize(
    "paragraph",
    [
        "a.m. Mr. ; \"Yes.\" (see http://x.org/a?b=c. \u2014 fiber 1.5 ! (1) ... fiber U.S. mg. ? 1.5 gut !!",
        "etc. mg. : No. mg. ... a.m. U.S. Fig. ; 5 U.S. ... 'no' ?! 70% e.g. 3. \u2014 !! St. ? \u2026 !!",
        "No. (1) gut - (1) \"Yes.\" ; : http://x.org/a?b=c. ?! 5 !! Leaky Fig. (1) gut mg. mg. [2] ! !! ! !!",
        "Items: a) fiber; b) water; c) sleep. d) Then? e) Done!",
    ],
)
def test_split_sentences_keeps_every_character(paragraph: str) -> None:
    pieces = split_sentences(paragraph)
    assert "".join(pieces).replace(" ", "") == paragraph.replace(" ", "")
    assert " ".join(pieces) == paragraph


@pytest.mark.parametrize(
    ("sentence", "max_chars", "expected"),
    [
        ("short one", 20, ["short one"]),
        ("aaa bbb ccc", 5, ["aaa", "bbb", "ccc"]),
        ("aaa bbb ccc", 7, ["aaa bbb", "ccc"]),
        ("alpha, beta; gamma: delta", 12, ["alpha, beta;", "gamma: delta"]),
        ("alpha, beta; gamma: delta", 11, ["alpha,", "beta;", "gamma:", "delta"]),
        ("one two three \u2014 four five six", 15, ["one two three", "\u2014 four five six"]),
        ("one two three \u2014 four five six", 14, ["one two three", "\u2014 four five", "six"]),
        ("gut\u2014 brain axis, explained", 10, ["gut\u2014", "brain", "axis,", "explained"]),
        ("one two three \u2014 four five six", 14, ["one two three", "\u2014 four five", "six"]),
        ("one - two - three - four", 9, ["one - two", "- three", "- four"]),
        ("x" * 10, 3, ["xxx", "xxx", "xxx", "x"]),
        ("tiny " + "y" * 7 + " end", 4, ["tiny", "yyyy", "yyy", "end"]),
        ("well-being is a hyphenated-word test", 12, ["well-being", "is a", "hyphenated-w", "ord", "test"]),
        ("", 10, [""]),
    ],
)
def test_split_long(sentence: str, max_chars: int, expected: list[str]) -> None:
    assert split_long(sentence, max_chars) == expected


def _assert_split_at_spaces(sentence: str, pieces: list[str], max_chars: int) -> None:
    assert all(0 < len(p) <= max_chars for p in pieces)
    assert " ".join(pieces) == sentence  # every character kept, pieces meet only at spaces
    starts = [0]
    for piece in pieces[:-1]:
        starts.append(starts[-1] + len(piece) + 1)
    assert all(sentence[s - 1] == " " for s in starts[1:])


def test_split_long_20000_characters_without_punctuation() -> None:
    vocab = ["gut", "lining", "bacteria", "intestinal", "permeability", "inflammation", "a", "of"]
    paragraph = " ".join(vocab[(i * 7) % len(vocab)] for i in range(3000))[:20000].rstrip()
    assert len(paragraph) >= 19990 and not re.search(r"[.,;:!?]", paragraph)
    start = time.perf_counter()
    pieces = split_long(paragraph)
    sentences = split_sentences(paragraph)
    assert time.perf_counter() - start < 2
    _assert_split_at_spaces(paragraph, pieces, MAX_UTTERANCE_CHARS)
    assert sentences == pieces
    assert len(pieces) >= 20000 // MAX_UTTERANCE_CHARS
    assert words(" ".join(pieces)) == words(paragraph)


@pytest.mark.parametrize("max_chars", [1, 7, 40, 300])
def test_split_long_never_cuts_a_word_that_fits(max_chars: int) -> None:
    clause = "the gut lining, once damaged; lets particles through \u2014 and the immune system reacts "
    sentence = (clause * 40).strip()
    pieces = split_long(sentence, max_chars)
    longest_word = max(len(w) for w in sentence.split())
    if max_chars >= longest_word:
        _assert_split_at_spaces(sentence, pieces, max_chars)
    else:
        assert "".join(pieces).replace(" ", "") == sentence.replace(" ", "")
        assert all(len(p) <= max_chars for p in pieces)


def test_split_long_cuts_a_single_long_word_hard_and_keeps_it() -> None:
    token = "ab" * 400
    pieces = split_long(token)
    assert [len(p) for p in pieces] == [300, 300, 200]
    assert "".join(pieces) == token


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Word", True), ("42", True), ("\u00e9", True), ("\u2014", False), ("...", False), ("", False),
     (" ( ) ", False)],
)
def test_speakable(text: str, expected: bool) -> None:
    assert speakable(text) is expected


# --- scripting -----------------------------------------------------------------------------

def P(text: str) -> Paragraph:
    return Paragraph(runs(text))


def disclaimer(blocks: tuple, heading: str = "") -> Section:
    return Section("Disclaimer", blocks, heading=runs(heading), kind=SectionKind.DISCLAIMER)


def test_script_section_pauses_and_headings() -> None:
    section = Section(
        "Causes",
        (P("First one. Second one."), Heading(3, runs("Sub Point")), P("Third one.")),
        number="1",
        heading=runs("1. Causes"),
    )
    assert script_section(section, AUDIO) == [
        Utterance("1. Causes", "Part one. Causes.", 333, True, "heading"),
        Utterance("First one.", "First one.", 111),
        Utterance("Second one.", "Second one.", 222),
        Utterance("Sub Point", "Sub Point.", 333, True, "heading"),
        Utterance("Third one.", "Third one.", 222),
    ]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (Section("Introduction", (P("Take 5 mg. Rest."),)),
         [Utterance("Take 5 mg.", "Take five milligrams.", 111), Utterance("Rest.", "Rest.", 222)]),
        (disclaimer((P("Not advice."),)),
         [Utterance("Disclaimer", "Disclaimer.", 333, True, "heading"),
          Utterance("Not advice.", "Not advice.", 222)]),
        (disclaimer((P("Not advice."),), heading="Medical Disclaimer"),
         [Utterance("Medical Disclaimer", "Medical Disclaimer.", 333, True, "heading"),
          Utterance("Not advice.", "Not advice.", 222)]),
        (Section("Empty", (), heading=runs("Empty")), [Utterance("Empty", "Empty.", 333, True, "heading")]),
        (Section("Introduction", (P("\u2014 *** \u2014"), P("Real."))),
         [Utterance("Real.", "Real.", 222)]),
        (Section("Introduction", ()), []),
    ],
)
def test_script_section(section: Section, expected: list[Utterance]) -> None:
    assert script_section(section, AUDIO) == expected


def test_build_script_numbers_and_names_chapters() -> None:
    text = "Intro.\n\nDiet\n\nA.\n\nDiet\n\nB.\n\nThis is for educational purposes only."
    chapters = build_script(parse_article(text, Path("a.txt")), AUDIO)
    assert [(c.index, c.title, c.filename, c.is_disclaimer) for c in chapters] == [
        (1, "Introduction", "01-introduction.mp3", False),
        (2, "Diet", "02-diet.mp3", False),
        (3, "Diet", "03-diet-2.mp3", False),
        (4, "Disclaimer", "04-disclaimer.mp3", True),
    ]
    assert [c.text for c in chapters] == ["Intro.", "Diet\n\nA.", "Diet\n\nB.",
                                          "This is for educational purposes only."]


def test_chapter_filename_pads_the_index() -> None:
    assert Chapter(7, "T", "slug", "", ()).filename == "07-slug.mp3"
    assert Chapter(123, "T", "slug", "", ()).filename == "123-slug.mp3"


# --- the real article: every word of the author's text is heard ---------------------------------

@pytest.fixture(scope="module")
def leaky_gut_chapters() -> list[Chapter]:
    return build_script(read_article(LEAKY_GUT), AudioSettings())


def test_leaky_gut_script_outline(leaky_gut_chapters: list[Chapter]) -> None:
    assert [(c.filename, c.is_disclaimer) for c in leaky_gut_chapters] == [
        ("01-introduction.mp3", False),
        ("02-causes-of-leaky-gut.mp3", False),
        ("03-disclaimer.mp3", True),
    ]
    intro, causes, disclaimer = leaky_gut_chapters
    assert intro.utterances[0] == Utterance(
        'The gut is the gateway to health; as Hippocrates once said: "All disease begins in the gut."',
        'The gut is the gateway to health; as Hippocrates once said: "All disease begins in the gut."',
        AudioSettings().sentence_pause_ms,
    )
    assert causes.utterances[0] == Utterance("1. Causes of Leaky Gut", "Part one. Causes of Leaky Gut.",
                                             AudioSettings().heading_pause_ms, True, "heading")
    assert disclaimer.utterances[0] == Utterance("Disclaimer", "Disclaimer.",
                                                 AudioSettings().heading_pause_ms, True, "heading")
    assert disclaimer.utterances[1].display == (
        "This site offers information designed for educational purposes only."
    )
    assert [len(c.utterances) for c in leaky_gut_chapters] == [7, 10, 4]
    assert all(c.utterances[-1].pause_after_ms == 0 for c in leaky_gut_chapters)


def test_leaky_gut_every_display_word_is_spoken(leaky_gut_chapters: list[Chapter]) -> None:
    for chapter in leaky_gut_chapters:
        for utterance in chapter.utterances:
            missing = set(words(utterance.display)) - set(words(utterance.spoken))
            assert not missing, (utterance.display, utterance.spoken)
            assert len(utterance.spoken) <= MAX_UTTERANCE_CHARS + 50
    heard = set(words(" ".join(u.spoken for c in leaky_gut_chapters for u in c.utterances)))
    assert set(words(LEAKY_GUT.read_text(encoding="utf-8"))) <= heard


def test_leaky_gut_utterances_reproduce_every_word_of_each_section(leaky_gut_chapters: list[Chapter]) -> None:
    article = read_article(LEAKY_GUT)
    for section, chapter in zip(article.sections, leaky_gut_chapters, strict=True):
        utterances = list(chapter.utterances)
        if section.is_disclaimer and not section.heading:
            assert utterances.pop(0).display == "Disclaimer"  # the announced title, not author text
        assert words(" ".join(u.display for u in utterances)) == words(section.text)
        assert words(chapter.text) == words(section.text)
    all_words = [w for c in leaky_gut_chapters for u in c.utterances for w in words(u.display)]
    assert len(all_words) == len(words(LEAKY_GUT.read_text(encoding="utf-8"))) + 1  # + "Disclaimer"


@pytest.mark.parametrize(
    "text",
    [
        "Intro.\n\n1. Causes of Leaky Gut\n\nLeaky gut plays a role in Crohn\u2019s disease. "
        "Whether or not it matters\u2014nobody knows (yet).",
        "A very long sentence " + "with many clauses, " * 40 + "ends here. Short one.",
        "Words " * 500,
        "This site offers information designed for educational purposes only.",
        "# Title\n\n## Sub Title\n\n- item one\n- item two\n\nA *styled* paragraph & more.",
    ],
)
def test_display_words_all_reach_the_listener(text: str) -> None:
    name = "a.md" if text.startswith("#") else "a.txt"
    article = parse_article(text, Path(name))
    for section, chapter in zip(article.sections, build_script(article, AUDIO), strict=True):
        displays = [u for u in chapter.utterances
                    if (u.display != "Disclaimer" or section.heading) and u.kind != "title"]
        assert words(" ".join(u.display for u in displays)) == words(section.text)
        for utterance in chapter.utterances:
            assert set(words(utterance.display)) <= set(words(utterance.spoken))


def test_unspeakable_headings_are_not_sent_to_the_engine() -> None:
    section = Section("???", (P("Real text here."), Heading(3, runs("* * *"))), heading=runs("???"))
    assert [u.display for u in script_section(section, AUDIO)] == ["Real text here."]


def test_a_section_with_nothing_to_speak_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    article = parse_article("* * *\n\n1. Real\n\nWords.\n", Path("t.txt"),
                            disclaimer_text="Not advice.")
    with caplog.at_level("WARNING", logger="gutaudio"):
        chapters = build_script(article, AUDIO)
    assert [(c.index, c.title, c.filename) for c in chapters] == [
        (1, "Real", "01-real.mp3"), (2, "Disclaimer", "02-disclaimer.mp3")]
    assert "t.txt: section 'Introduction' has nothing to speak; it is left out" in caplog.messages


@pytest.mark.parametrize(("text", "spoken"), [
    ("Take it at 12:30pm.", "Take it at twelve thirty pm."),
    ("Between 9:05 and 10:00 am", "Between nine oh five and ten am"),
])
def test_times_with_attached_suffixes(text: str, spoken: str) -> None:
    assert to_spoken(text) == spoken
