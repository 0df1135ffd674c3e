"""Table-driven tests for the spoken form: abbreviations, phone numbers, powers, fractions, acronym
plurals, citations and units from table headers, and sentences that abbreviations do not end."""

from __future__ import annotations

import time

import pytest

from gutaudio.speech import (
    drop_citations,
    expand_days_and_months,
    expand_fractions,
    expand_powers,
    speak_acronym_plurals,
    speak_phone_numbers,
    split_sentences,
    to_spoken,
    unit_phrase,
)

_DAYS = ["Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]


# --- sentences: an abbreviation's period inside a sentence does not end it -------------------------

@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Eat approx. 2 oz. of nuts daily. Walk for 30 min. after meals.",
         ["Eat approx. 2 oz. of nuts daily.", "Walk for 30 min. after meals."]),
        ("Rest 5 mins. after eating. Then walk.", ["Rest 5 mins. after eating.", "Then walk."]),
        ("Sleep 1 hr. or 2 hrs. more. Then wake.", ["Sleep 1 hr. or 2 hrs. more.", "Then wake."]),
        ("Add 1 tsp. or 1 tbsp. of oil. Stir.", ["Add 1 tsp. or 1 tbsp. of oil.", "Stir."]),
        ("Lose 1 lb. or 5 lbs. in a month. Rest.", ["Lose 1 lb. or 5 lbs. in a month.", "Rest."]),
        ("Take 5 oz. 2 times a day. Rest.", ["Take 5 oz. 2 times a day.", "Rest."]),
        ("See Fig. 2 for details. Then rest.", ["See Fig. 2 for details.", "Then rest."]),
        ("See No. 5 and vol. 3 here. Rest.", ["See No. 5 and vol. 3 here.", "Rest."]),
        ("Diet vs. exercise matters. Rest.", ["Diet vs. exercise matters.", "Rest."]),
        ("Diet vs. Exercise is a book. Rest.", ["Diet vs. Exercise is a book.", "Rest."]),
        ("It was built ca. 1900 here. Rest.", ["It was built ca. 1900 here.", "Rest."]),
        ("Eat approx. Half of it. Rest.", ["Eat approx. Half of it.", "Rest."]),
        ("Open Mon.\u2013Fri. from 9 a.m. to 5 p.m. daily. Call us.",
         ["Open Mon.\u2013Fri. from 9 a.m. to 5 p.m. daily.", "Call us."]),
        ("Open Mon.-Fri. 9 a.m. to 5 p.m. Call us.", ["Open Mon.-Fri. 9 a.m. to 5 p.m.", "Call us."]),
        ("Open Mon. Wed. and Fri. now. Then rest.", ["Open Mon. Wed. and Fri. now.", "Then rest."]),
        ("Closed Sat. and Sun. Then rest.", ["Closed Sat. and Sun.", "Then rest."]),
        ("On Jan. 5 we met. Then rest.", ["On Jan. 5 we met.", "Then rest."]),
        ("In Sept. 2020 we met. Then rest.", ["In Sept. 2020 we met.", "Then rest."]),
        ("From Feb. to Mar. it rained. Then it stopped.",
         ["From Feb. to Mar. it rained.", "Then it stopped."]),
        ("Call at 9 a.m. tomorrow. Then rest.", ["Call at 9 a.m. tomorrow.", "Then rest."]),
        ("Open 9 a.m. Monday to Friday. Then rest.", ["Open 9 a.m. Monday to Friday.", "Then rest."]),
        ("Open until 5 p.m. EST on weekdays. Rest.", ["Open until 5 p.m. EST on weekdays.", "Rest."]),
        ("Ask Dr. Smith today. Then rest.", ["Ask Dr. Smith today.", "Then rest."]),
        ("Visit St. Louis soon. Then rest.", ["Visit St. Louis soon.", "Then rest."]),
        ("Martin Luther King Jr. spoke. Then we left.", ["Martin Luther King Jr. spoke.", "Then we left."]),
        ("Acme Inc. makes it. Then rest.", ["Acme Inc. makes it.", "Then rest."]),
        ("Smith et al. (2019) found it. Then rest.", ["Smith et al. (2019) found it.", "Then rest."]),
        ("Smith et al. found it. Then rest.", ["Smith et al. found it.", "Then rest."]),
        ("Foods, e.g. Kefir, help. Yes.", ["Foods, e.g. Kefir, help.", "Yes."]),
        *[(f"Closed {day}. and holidays. Then rest.", [f"Closed {day}. and holidays.", "Then rest."])
          for day in _DAYS],
        *[(f"On {month}. 5 we met. Then rest.", [f"On {month}. 5 we met.", "Then rest."])
          for month in _MONTHS],
        *[(f"Open {day}.\u2013Sat. only. Then rest.", [f"Open {day}.\u2013Sat. only.", "Then rest."])
          for day in _DAYS],
        # Ambiguous, and decided: before a capitalised word, a unit's (or any other) abbreviation
        # ends the sentence, its period serving both.
        ("Add 2 tsp. Then stir.", ["Add 2 tsp.", "Then stir."]),
        ("Walk 30 min. Then rest.", ["Walk 30 min.", "Then rest."]),
        ("Wake at 7 a.m. Then rest.", ["Wake at 7 a.m.", "Then rest."]),
        ("Take 5 mg. Then rest.", ["Take 5 mg.", "Then rest."]),
        ("Acme Inc. He said so.", ["Acme Inc.", "He said so."]),
        ("No. We disagree.", ["No.", "We disagree."]),
        # A new sentence may start in lower case when a capital follows: "pH", "mRNA".
        ("Check the acidity. pH matters. Then rest.", ["Check the acidity.", "pH matters.", "Then rest."]),
        ("Vaccines differ. mRNA ones are new.", ["Vaccines differ.", "mRNA ones are new."]),
        # A citation left on its own after a sentence stays with it.
        ("Fiber helps. (Smith et al., 2019) Then rest.", ["Fiber helps. (Smith et al., 2019)", "Then rest."]),
        ("Fiber helps. (Smith et al., 2019)", ["Fiber helps. (Smith et al., 2019)"]),
        ("Fiber helps (Gut Microbes. 2017;11(1):80-85). Then rest.",
         ["Fiber helps (Gut Microbes. 2017;11(1):80-85).", "Then rest."]),
        ("Fiber helps. [1] Then rest.", ["Fiber helps. [1]", "Then rest."]),
        ("Fiber helps. [1]. Then rest.", ["Fiber helps. [1].", "Then rest."]),
        # ... but a paragraph's first sentence always starts at its start.
        ("[1]", ["[1]"]),
        ("[1] Fiber helps. Then rest.", ["[1] Fiber helps.", "Then rest."]),
        ("(Smith et al., 2019) found it. Then rest.", ["(Smith et al., 2019) found it.", "Then rest."]),
        ("Fiber helps. doi:10.1080/19490976.2019.1234567 Then rest.",
         ["Fiber helps. doi:10.1080/19490976.2019.1234567", "Then rest."]),
    ],
)
def test_abbreviations_do_not_end_sentences(paragraph: str, expected: list[str]) -> None:
    sentences = split_sentences(paragraph)
    assert sentences == expected
    assert " ".join(sentences) == paragraph  # the author's text, byte for byte


# --- abbreviations, spoken ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eat approx. 2 oz. of nuts daily.", "Eat approximately two ounces of nuts daily."),
        ("Take 1 oz. daily.", "Take one ounce daily."),
        ("Add 2 oz.", "Add two ounces."),
        ("Walk for 30 min. after meals.", "Walk for thirty minutes after meals."),
        ("Walk for 1 min. or 5 mins. daily.", "Walk for one minute or five minutes daily."),
        ("Sleep 1 hr. or 8 hrs. nightly.", "Sleep one hour or eight hours nightly."),
        ("Add 1 tsp. and 2 tbsp. of oil.", "Add one teaspoon and two tablespoons of oil."),
        ("Add 2 tsp.", "Add two teaspoons."),
        ("Add 2 tsp. then stir.", "Add two teaspoons then stir."),
        ("Lose 1 lb. or 5 lbs. slowly.", "Lose one pound or five pounds slowly."),
        ("Take 5 oz. 2 times a day.", "Take five ounces two times a day."),
        ("It is approx.", "It is approximately."),
        ("Open Mon.\u2013Fri.", "Open Monday to Friday."),
        ("Open Mon.-Fri. daily.", "Open Monday to Friday daily."),
        ("Open Mon-Fri and Sat.", "Open Monday to Friday and Saturday."),
        ("Open Monday\u2013Friday.", "Open Monday to Friday."),
        ("Open Mon. Wed. and Fri. now.", "Open Monday Wednesday and Friday now."),
        ("Closed Sat. and Sun.", "Closed Saturday and Sunday."),
        ("Tue., Thu. and Thurs. mornings", "Tuesday, Thursday and Thursday mornings"),
        ("Tues. or Thur. evenings", "Tuesday or Thursday evenings"),
        ("Wed. evenings", "Wednesday evenings"),
        ("From Jan.\u2013Mar. it rained.", "From January to March it rained."),
        ("On Jan. 5 and in Sept. 2020.", "On January five and in September twenty twenty."),
        ("Feb. 2, Apr. 3, Jun. 4, Jul. 5", "February two, April three, June four, July five"),
        ("Aug. 6, Sep. 7, Oct. 8, Nov. 9, Dec. 10",
         "August six, September seven, October eight, November nine, December ten"),
        ("from Feb. to Mar.", "from February to March."),
        ("from Feb. to Mar. it rained", "from February to March it rained"),
        ("See Fig. 2 and No. 5.", "See Figure two and number five."),
        ("See vol. 3, Figs. 4-5 and Nos. 6-7.",
         "See volume three, Figures four to five and numbers six to seven."),
        ("Built ca. 1900.", "Built circa nineteen hundred."),
        ("Diet vs. exercise", "Diet versus exercise"),
        ("Martin Luther King Jr. spoke.", "Martin Luther King Junior spoke."),
        ("Ask Martin Luther King, Jr.", "Ask Martin Luther King, Junior."),
        ("Call at 9 a.m. tomorrow.", "Call at nine a.m. tomorrow."),
        ("Ask Dr. Smith on St. Patrick's Day.", "Ask Doctor Smith on Saint Patrick's Day."),
        # Left alone: a word or a name, not a date.
        ("Avoid the Sun.", "Avoid the Sun."),
        ("I met Jan.", "I met Jan."),
        ("Mon and Sun are words.", "Mon and Sun are words."),
    ],
)
def test_abbreviations_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon.\u2013Fri.", "Monday to Friday."),
        ("Mon. \u2013 Fri. hours", "Monday to Friday hours"),
        ("Sat.-Sun., 9-5", "Saturday to Sunday, 9-5"),
        ("May\u2013June", "May to June"),
        ("Sun-dried", "Sun-dried"),
        ("Wed. 5", "Wednesday 5"),
        ("They wed.", "They wed."),
    ],
)
def test_expand_days_and_months(text: str, expected: str) -> None:
    assert expand_days_and_months(text) == expected


# --- phone and emergency numbers: digit by digit ------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 911 immediately.", "Call nine one one immediately."),
        ("call 911", "call nine one one"),
        ("Dial 911 now.", "Dial nine one one now."),
        ("911 immediately", "nine one one immediately"),
        ("If it hurts, call 999 or 112.", "If it hurts, call nine nine nine or one one two."),
        ("Dial 112 in Europe.", "Dial one one two in Europe."),
        ("Call or text 988.", "Call or text nine eight eight."),
        ("Text 988 any time.", "Text nine eight eight any time."),
        ("The 988 Lifeline helps.", "The nine eight eight Lifeline helps."),
        ("Calling 911 saves lives.", "Calling nine one one saves lives."),
        ("Phone 111 for advice.", "Phone one one one for advice."),
        ("Call (555) 014-2290.", "Call five five five, oh one four, two two nine oh."),
        ("Call 555-014-2290 today.", "Call five five five, oh one four, two two nine oh today."),
        ("Call 555.014.2290.", "Call five five five, oh one four, two two nine oh."),
        ("Call +1 555 014 2290.", "Call plus one, five five five, oh one four, two two nine oh."),
        ("Call +1 (555) 014-2290.", "Call plus one, five five five, oh one four, two two nine oh."),
        ("Call 1-800-555-0199.", "Call one, eight hundred, five five five, oh one nine nine."),
        ("Call 1 (800) 555-0199.", "Call one, eight hundred, five five five, oh one nine nine."),
        ("Call +44 20 7946 0958.", "Call plus four four, two oh, seven nine four six, oh nine five eight."),
        # Not an emergency or a phone number: read as numbers.
        ("In 911 cases", "In nine hundred and eleven cases"),
        ("Take 112 steps.", "Take one hundred and twelve steps."),
        ("ages 18-65", "ages eighteen to sixty-five"),
        ("in 2010-2015", "in twenty ten to twenty fifteen"),
        ("A score of +1 2 3", "A score of plus one two three"),
    ],
)
def test_phone_numbers_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(555) 014-2290", "five five five, oh one four, two two nine oh"),
        ("555-014-2290", "five five five, oh one four, two two nine oh"),
        ("555.014.2290", "five five five, oh one four, two two nine oh"),
        ("+1 555 014 2290", "plus one, five five five, oh one four, two two nine oh"),
        ("1-800-555-0199", "one, eight hundred, five five five, oh one nine nine"),
        ("call 911, 999 or 112", "call nine one one, nine nine nine or one one two"),
        ("the emergency number, 112", "the emergency number, one one two"),
        # Never a range or a decimal: "555 to 014", "555.014".
        ("555-014", "555-014"),
        ("555.014", "555.014"),
        ("555-014-22900", "555-014-22900"),
        ("1.555.014.2290.5", "1.555.014.2290.5"),
        ("9110", "9110"),
        ("2020-01-15", "2020-01-15"),
    ],
)
def test_speak_phone_numbers(text: str, expected: str) -> None:
    assert speak_phone_numbers(text) == expected


# --- powers and superscripts --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10^9", "ten to the ninth"),
        ("10\u2079", "ten to the ninth"),
        ("10^-3", "ten to the minus third"),
        ("10\u207b\u00b3", "ten to the minus third"),
        ("10^(-3)", "ten to the minus third"),
        ("2^10", "two to the tenth"),
        ("10^2 and 10^3", "ten squared and ten cubed"),
        ("10^-2", "ten to the minus second"),
        ("x\u00b2 + y\u00b3", "x squared + y cubed"),
        ("x^2", "x squared"),
        ("4.5 x 10^9/L", "four point five times ten to the ninth per liter"),
        ("4.5\u00d710\u2079/L", "four point five times ten to the ninth per liter"),
        ("10^12 cells", "ten to the twelfth cells"),
        ("per m\u00b2", "per square meter"),
        ("in m\u00b2", "in square meters"),
        ("BMI (kg/m\u00b2)", "BMI (kilograms per square meter)"),
        ("cells/mm\u00b3", "cells per cubic millimeter"),
        ("cm^3", "cubic centimeters"),
        # Not powers.
        ("x3 and 10", "x3 and 10"),
        ("gut\u00b2", "gut\u00b2"),
    ],
)
def test_expand_powers(text: str, expected: str) -> None:
    assert expand_powers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 10^9 cells.", "About ten to the ninth cells."),
        ("A dose of 10\u207b\u00b3 g.", "A dose of ten to the minus third g."),
        ("A count of 4.5 \u00d7 10^9/L.", "A count of four point five times ten to the ninth per liter."),
        ("2^10 is 1024.", "two to the tenth is one thousand and twenty-four."),
        ("A room of 12 m\u00b2.", "A room of twelve square meters."),
        ("A room of 1 m\u00b2.", "A room of one square meter."),
        ("A BMI of 25 kg/m\u00b2.", "A BMI of twenty-five kilograms per square meter."),
        ("A BMI of 30 kg/m2.", "A BMI of thirty kilograms per square meter."),
        ("Inject 5 cm\u00b3.", "Inject five cubic centimeters."),
        ("BMI (kg/m\u00b2)", "BMI, kilograms per square meter"),
    ],
)
def test_powers_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


# --- fractions with units ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # With an abbreviated unit, ours to say: "half a", "a quarter of a", "three quarters of a".
        ("1/2 tsp", "half a teaspoon"),
        ("\u00bd tsp", "half a teaspoon"),
        ("1/4 tsp", "a quarter of a teaspoon"),
        ("1/3 tbsp", "a third of a tablespoon"),
        ("1/8 tsp", "an eighth of a teaspoon"),
        ("3/4 tsp", "three quarters of a teaspoon"),
        ("1/2 oz", "half an ounce"),
        ("1/2 hr", "half an hour"),
        ("1/2 lb", "half a pound"),
        ("1 1/2 tsp", "one and a half teaspoons"),
        ("1\u00bd tsp", "one and a half teaspoons"),
        ("2 \u00bc lbs", "two and a quarter pounds"),
        # With a unit written out, the fraction is read as a number before it; "of a" after more
        # than one part; the unit takes the number the amount needs.
        ("1/2 cup", "one half cup"),
        ("1/4 cup", "one quarter cup"),
        ("\u00bc cup", "one quarter cup"),
        ("1/3 cup", "one third cup"),
        ("3/4 cup", "three quarters of a cup"),
        ("\u00be cup", "three quarters of a cup"),
        ("3/4 cups", "three quarters of a cup"),
        ("2/3 cup", "two thirds of a cup"),
        ("1 1/2 cups", "one and a half cups"),
        ("1 1/2 cup", "one and a half cups"),
        ("1\u00bd cups", "one and a half cups"),
        ("2 3/4 cups", "two and three quarters cups"),
        ("1/2 glass", "one half glass"),
        ("1 1/2 hours", "one and a half hours"),
        # No unit: a whole number and a fraction, or a Unicode fraction.
        ("1 1/2", "one and a half"),
        ("\u00bd", "one half"),
        ("\u2154", "two thirds"),
        ("2\u00be", "two and three quarters"),
        # A period after the unit: inside the sentence it goes, at its end it stays.
        ("Add 1/2 tsp. of salt.", "Add half a teaspoon of salt."),
        ("Add 1/2 tsp.", "Add half a teaspoon."),
        # Left to expand_numbers: plain, improper or large fractions, dates, blood pressure.
        ("1/3", "1/3"),
        ("2/3", "2/3"),
        ("120/80", "120/80"),
        ("7/4 cups", "7/4 cups"),
        ("5/0 cup", "5/0 cup"),
        ("12/25/2020", "12/25/2020"),
        ("in 2019 1/4 of adults", "in 2019 1/4 of adults"),
    ],
)
def test_expand_fractions(text: str, expected: str) -> None:
    assert expand_fractions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Add 1/2 tsp of salt.", "Add half a teaspoon of salt."),
        ("Add \u00bd tsp of salt.", "Add half a teaspoon of salt."),
        ("Drink 1/4 cup.", "Drink one quarter cup."),
        ("Drink \u00bc cup.", "Drink one quarter cup."),
        ("Drink 3/4 cup of kefir.", "Drink three quarters of a cup of kefir."),
        ("Eat 1 1/2 cups of oats.", "Eat one and a half cups of oats."),
        ("Eat 1/3 of it.", "Eat one third of it."),
        ("A BP of 120/80.", "A BP of one hundred and twenty over eighty."),
        ("Sleep 7 1/2 hours.", "Sleep seven and a half hours."),
    ],
)
def test_fractions_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


# --- acronym plurals keep their s ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Said as words: a capital S, which espeak-ng reads as the plural ("NSAIDS": en-sedz).
        ("NSAIDs", "NSAIDS"),
        ("FODMAPs", "FODMAPS"),
        ("GERDs", "GERDS"),
        # Said letter by letter: spelled out with periods and 's ("P.P.I's": pee pee eyes).
        ("PPIs", "P.P.I's"),
        ("SSRIs", "S.S.R.I's"),
        ("UTIs", "U.T.I's"),
        ("IBDs", "I.B.D's"),
        ("MAOIs", "M.A.O.I's"),
        ("Avoid NSAIDs and PPIs.", "Avoid NSAIDS and P.P.I's."),
        ("(RCTs)", "(R.C.T's)"),
        # Left alone: no plural s, a singular, mixed case, a possessive, all capitals.
        ("NSAID and PPI", "NSAID and PPI"),
        ("IBS", "IBS"),
        ("PhDs and Is", "PhDs and Is"),
        ("the FDA's rules", "the FDA's rules"),
        ("TAKE PPIS", "TAKE PPIS"),
        ("U.S.PPIs", "U.S.PPIs"),
        ("PPIsx", "PPIsx"),
    ],
)
def test_speak_acronym_plurals(text: str, expected: str) -> None:
    assert speak_acronym_plurals(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NSAIDs can harm the gut lining.", "NSAIDS can harm the gut lining."),
        ("Long use of PPIs changes the microbiome.", "Long use of P.P.I's changes the microbiome."),
        ("A diet low in FODMAPs helps.", "A diet low in FODMAPS helps."),
        ("SSRIs act on gut serotonin.", "S.S.R.I's act on gut serotonin."),
        ("UTIs are common.", "U.T.I's are common."),
        ("IBDs differ: Crohn's and colitis.", "I.B.D's differ: Crohn's and colitis."),
    ],
)
def test_acronym_plurals_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


# --- citations are never spoken -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fiber helps (Gut Microbes. 2017;11(1):80-85).", "Fiber helps."),
        ("Fiber helps (2017;11(1):80\u201385).", "Fiber helps."),
        ("Fiber helps (Smith et al., 2019).", "Fiber helps."),
        ("Fiber helps (Smith et al. 2019).", "Fiber helps."),
        ("Fiber helps (Smith, 2019, p. 5).", "Fiber helps."),
        ("Fiber helps (Lee & Park, 2020; Osei, 2021).", "Fiber helps."),
        ("Fiber helps (Lee and Park, 2020a, 2020b).", "Fiber helps."),
        ("Fiber helps (see van Dijk, 2018).", "Fiber helps."),
        ("Fiber (Smith et al., 2019) helps, a lot.", "Fiber helps, a lot."),
        ("Fiber helps [Smith, 2019].", "Fiber helps."),
        ("See doi:10.1080/19490976.2019.1234567.", "See."),
        ("Read it (doi: 10.1080/19490976.2019.1234567).", "Read it."),
        ("Read it at https://doi.org/10.1080/19490976.2019.1234567 today.", "Read it at today."),
        ("Fiber helps. PMID: 31234567", "Fiber helps."),
        ("Fiber helps (PMID 31234567; PMCID: PMC7654321).", "Fiber helps."),
        ("Gut Microbes. 2017;11(1):80-85.", "Gut Microbes."),
        ("Fiber helps.[1]", "Fiber helps."),
        ("Fiber helps [2, 3] a lot.", "Fiber helps a lot."),
        ("Fiber helps [1\u20133, 5].", "Fiber helps."),
        # Not citations.
        ("The lockdown (March 2020) changed diets.", "The lockdown (March 2020) changed diets."),
        ("Foods (like kefir, 2 cups) help.", "Foods (like kefir, 2 cups) help."),
        ("Step [a] first.", "Step [a] first."),
        # Nothing else to say: the text is left to be read, never sent to the voice empty.
        ("(Smith et al., 2019)", "(Smith et al., 2019)"),
    ],
)
def test_drop_citations(text: str, expected: str) -> None:
    assert drop_citations(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fiber feeds gut bacteria (Gut Microbes. 2017;11(1):80-85).", "Fiber feeds gut bacteria."),
        ("Fiber helps (Smith et al., 2019), as do oats.", "Fiber helps, as do oats."),
        ("Fiber helps (Lee & Park, 2020; Osei, 2021).", "Fiber helps."),
        ("See doi:10.1080/19490976.2019.1234567 and PMID: 31234567.", "See and."),
        ("Fiber helps.[1]", "Fiber helps."),
        ("Fiber helps [1] a lot.", "Fiber helps a lot."),
        ("Fiber helps. (Smith et al., 2019)", "Fiber helps."),
        ("Fiber helps. [2, 3]", "Fiber helps."),
    ],
)
def test_citations_are_not_spoken(text: str, expected: str) -> None:
    assert to_spoken(text) == expected


# --- a unit from a table header --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("8.3", "g", "8.3 grams"),
        ("1", "mg", "1 milligram"),
        (" 1 ", " mg ", "1 milligram"),
        ("250", "mL", "250 milliliters"),
        ("1,000", "IU", "1,000 international units"),
        ("10-15", "mg", "10 to 15 milligrams"),
        ("12", "%", "12 percent"),
        ("400", "mg/day", "400 milligrams per day"),
        ("25", "kg/m\u00b2", "25 kilograms per square meter"),
        # Not a number with a known unit: the cell is read by the normal chain.
        ("8.3", "furlongs", None),
        ("8.3", "", None),
        ("", "g", None),
        ("about 8", "g", None),
        ("2 tbsp", "g", None),
        ("<1", "g", None),
    ],
)
def test_unit_phrase(value: str, unit: str, expected: str | None) -> None:
    assert unit_phrase(value, unit) == expected


def test_a_cell_without_a_header_unit_is_read_by_the_chain() -> None:
    assert unit_phrase("2 tbsp", "") is None
    assert to_spoken("2 tbsp") == "two tablespoons"


# --- linear time -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "5 mg." + " " * 20_000 + "& x",
        "Fiber" + " " * 20_000 + "(Smith, 2019)",
        "approx. 2 oz. of Mon.-Fri. 1 1/2 cups 10^9 PPIs (555) 014-2290 call 911 [1] (Smith, 2019) " * 200,
        "(Smith, " * 3000,
        "a." * 10_000,
    ],
    ids=["spaces-and", "spaces-citation", "mixed", "open-citation", "dots"],
)
def test_normalizing_and_splitting_take_linear_time(text: str) -> None:
    started = time.perf_counter()
    to_spoken(text)
    split_sentences(text)
    assert time.perf_counter() - started < 5


def test_the_small_numbers_said_without_num2words_are_the_words_num2words_gives() -> None:
    from num2words import num2words

    from gutaudio.speech import SMALL_CARDINALS

    assert list(SMALL_CARDINALS) == [num2words(n) for n in range(20)]
    assert to_spoken("Add 2 cups, then 19 more and 20 after.") == \
        f"Add two cups, then nineteen more and {num2words(20)} after."
