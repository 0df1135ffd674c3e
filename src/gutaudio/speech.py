"""The spoken form of the author's text: sentence splitting and small pure ``str -> str`` normalizers.

The display text is the author's own words (tags, transcripts, captions); only the spoken
form is normalized, by the chain of functions in NORMALIZERS.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import pysbd
from num2words import num2words

log = logging.getLogger(__name__)

MAX_UTTERANCE_CHARS = 300
"""Longer sentences are split at clause boundaries, then between words."""

Lexicon = tuple[tuple[str, str], ...]
"""Pronunciations: (word as written, spoken respelling) pairs."""


@lru_cache(maxsize=8)
def _lexicon_pattern(lexicon: Lexicon) -> tuple[re.Pattern[str], dict[str, str]] | None:
    if not lexicon:
        return None
    spoken = {normalize_quotes(word).casefold(): respelling for word, respelling in lexicon}
    words = sorted(spoken, key=len, reverse=True)
    alternation = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), spoken


def apply_lexicon(text: str, lexicon: Lexicon) -> str:
    """Replace whole words with their respellings (case-insensitive; "Crohn" also in "Crohn's")."""
    compiled = _lexicon_pattern(lexicon)
    if compiled is None:
        return text
    pattern, spoken = compiled
    return pattern.sub(lambda m: spoken[m.group(0).casefold()], text)


def speakable(text: str) -> bool:
    """Tell whether text holds anything an engine can pronounce (a letter or a digit)."""
    return any(ch.isalnum() for ch in text)


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(paragraph: str, max_chars: int = MAX_UTTERANCE_CHARS) -> list[str]:
    """Split a paragraph into sentences, then split any sentence longer than max_chars."""
    paragraph = " ".join(paragraph.split())
    if not paragraph:
        return []
    starts = _sentence_starts(paragraph)
    pieces: list[str] = []
    for start, end in zip(starts, [*starts[1:], len(paragraph)], strict=True):
        sentence = paragraph[start:end].strip()
        if sentence:
            pieces.extend(split_long(sentence, max_chars))
    return pieces


SEGMENT_WINDOW_CHARS = 2000
"""pysbd takes time quadratic in the length of its text: longer paragraphs are segmented a window
at a time, each window starting at the last sentence the previous one found."""


def _sentence_starts(paragraph: str) -> list[int]:
    # Cut the paragraph itself where pysbd's sentences begin, so that nothing pysbd drops or
    # alters (a closing "!!", say) is lost, and never inside a web address ("...?id=1").
    starts = {0}
    offset = 0
    while len(paragraph) - offset > SEGMENT_WINDOW_CHARS:
        end = paragraph.rfind(" ", offset + 1, offset + SEGMENT_WINDOW_CHARS)
        if end < 0:  # one word fills the window
            end = offset + SEGMENT_WINDOW_CHARS
        found = [offset + start for start in _segment_starts(paragraph[offset:end])]
        starts.update(found)
        # The window's last sentence may go on after it: segment it again with what follows. A
        # window with no sentence start is all one sentence, which goes on into the next window.
        offset = max(found) if found else end + (paragraph[end] == " ")
    starts.update(offset + start for start in _segment_starts(paragraph[offset:]))
    addresses = [m.span() for m in _URL.finditer(paragraph)]
    begins = [begin for begin, _ in addresses]

    def inside_address(start: int) -> bool:
        before = bisect.bisect_left(begins, start) - 1  # the last address that begins before start
        return before >= 0 and start < addresses[before][1]

    # pysbd drops some letters ("\u0238A" -> "A"): a sentence never starts inside a word.
    return sorted(s for s in starts if not inside_address(s)
                  and not (s > 0 and _in_word(paragraph[s - 1]) and _in_word(paragraph[s])))


def _in_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _segment_starts(text: str) -> list[int]:
    # Where pysbd starts a sentence in text, after its first.
    starts = []
    cursor = 0
    for segment in _segmenter().segment(text):
        segment = segment.strip()
        found = text.find(segment, cursor) if segment else -1
        if found >= 0:
            if found > 0:
                starts.append(found)
            cursor = found + len(segment)
    return starts


# After ; : , or an unspaced dash ("gut\u2014 brain"); before a spaced dash, which starts the next clause.
_CLAUSE_BREAK = re.compile(r"(?<=[;:,])\s+|(?<=\S[\u2014\u2013])\s+|\s+(?=[\u2014\u2013-]\s)")


def split_long(sentence: str, max_chars: int = MAX_UTTERANCE_CHARS) -> list[str]:
    """Split an over-long sentence at clause punctuation, else between words; never mid-word."""
    if len(sentence) <= max_chars:
        return [sentence]
    parts = [p for p in _CLAUSE_BREAK.split(sentence) if p]
    if len(parts) == 1:
        parts = sentence.split(" ")
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current} {part}" if current else part
        if len(candidate) <= max_chars or not current:
            current = candidate
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    # A single word longer than max_chars (a pasted hash, say) is cut hard: nothing is lost.
    out: list[str] = []
    for piece in pieces:
        if len(piece) > max_chars and " " in piece:
            out.extend(split_long(piece, max_chars))
        else:
            out.extend(piece[i:i + max_chars] for i in range(0, len(piece), max_chars))
    return out


# --- spoken-form normalizers: each a small pure str -> str function --------------------------

def speak_heading(number: str, title: str) -> str:
    """Speak a heading as a heading: ("1", "Causes") -> "Part one. Causes.", "Step 2" -> "Step two."."""
    title = to_spoken(title).rstrip(" .:;,")
    if title and not title.endswith(("?", "!")):
        title += "."
    if number:
        word, _, value = number.rpartition(" ")
        label = value if value.isdigit() else str(_roman_to_int(value) or value)
        return to_spoken(f"{word.capitalize() or 'Part'} {label}.") + (f" {title}" if title else "")
    return title


def _roman_to_int(numeral: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    previous = 0
    for ch in reversed(numeral.upper()):
        value = values.get(ch)
        if value is None:
            return None
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


_QUOTES = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u2033": '"',
    "\u2026": "...", "\u2212": "-", "\u2010": "-", "\u2011": "-",
})


def normalize_quotes(text: str) -> str:
    """Turn typographic quotes, primes and ellipses into plain ASCII ones."""
    return text.translate(_QUOTES)


# Parts are bounded (a mailbox name has at most 64 characters, a domain label 63) so that a long run
# of "a.a.a.a" or "1-1-1-1" is searched in linear time, not quadratic.
_URL = re.compile(
    r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
    r"|\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b"
    # a bare domain with a common top-level domain, and its path: "nih.gov", "example.org/gut"
    r"|\b(?:[A-Za-z0-9-]{1,63}\.){1,16}(?:com|org|net|gov|edu|int|info|io|health|uk|ca|au|nz|ie|us)\b"
    r"(?![.\w-]*@)(?:/(?:[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?)?"
)


def speak_urls(text: str) -> str:
    """Read web addresses and e-mail addresses the way people say them."""
    return _URL.sub(lambda m: _speak_address(m.group(0)), text)


def _speak_address(address: str) -> str:
    address = re.sub(r"^(?:https?|ftp)://", "", address)
    address = re.sub(r"^www\.", "", address).rstrip("/")
    words = {".": " dot ", "/": " slash ", "@": " at ", "-": " dash ", "_": " underscore ",
             "?": " question mark ", "=": " equals ", "&": " and ", "#": " hash ", ":": " colon "}
    return " ".join("".join(words.get(ch, ch) for ch in address).split())


_ABBREVIATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), spoken)
    for pattern, spoken in (
        (r"\be\.\s?g\.(?=\W|$),?", "for example,"),
        (r"\bE\.\s?g\.(?=\W|$),?", "For example,"),
        (r"\bi\.\s?e\.(?=\W|$),?", "that is,"),
        (r"\bI\.\s?e\.(?=\W|$),?", "That is,"),
        (r"\betc\.(?=\s*[,;:)\]]|\s+[a-z])", "et cetera"),
        (r"\betc\.", "et cetera."),
        (r"\bvs\.?(?=\s)", "versus"),
        (r"\bapprox\.", "approximately"),
        (r"\bDr\.(?=\s+[A-Z])", "Doctor"),
        (r"\bDrs\.(?=\s+[A-Z])", "Doctors"),
        (r"\bProf\.(?=\s+[A-Z])", "Professor"),
        (r"\bMr\.(?=\s)", "Mister"),
        (r"\bMrs\.(?=\s)", "Missus"),
        (r"\bMs\.(?=\s)", "Miz"),
        (r"\bSt\.(?=\s+[A-Z])", "Saint"),
        (r"\bNo\.(?=\s*\d)", "number"),
        (r"\bFig\.(?=\s*\d)", "Figure"),
        (r"\bVol\.(?=\s*\d)", "Volume"),
        (r"\bp\.(?=\s*\d)", "page"),
        (r"\bpp\.(?=\s*\d)", "pages"),
        (r"\bU\.S\.(?=\s+[a-z])", "U S"),
        (r"\bU\.S\.", "U S."),
        (r"\bU\.K\.", "U K"),
    )
]


def expand_abbreviations(text: str) -> str:
    """Spell out common written abbreviations (e.g., i.e., etc., Dr., vs.)."""
    for pattern, spoken in _ABBREVIATIONS:
        text = pattern.sub(spoken, text)
    return text


# unit -> (singular, plural); matched only right after a number.
_UNITS: dict[str, tuple[str, str]] = {
    "mg/dL": ("milligram per deciliter", "milligrams per deciliter"),
    "mg/dl": ("milligram per deciliter", "milligrams per deciliter"),
    "mmol/L": ("millimole per liter", "millimoles per liter"),
    "mmol/l": ("millimole per liter", "millimoles per liter"),
    "mmHg": ("millimeter of mercury", "millimeters of mercury"),
    "kcal": ("kilocalorie", "kilocalories"),
    "mcg": ("microgram", "micrograms"),
    "\u00b5g": ("microgram", "micrograms"),
    "\u03bcg": ("microgram", "micrograms"),
    "mg": ("milligram", "milligrams"),
    "tbsp": ("tablespoon", "tablespoons"),
    "tsp": ("teaspoon", "teaspoons"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mL": ("milliliter", "milliliters"),
    "ml": ("milliliter", "milliliters"),
    "L": ("liter", "liters"),
    "IU": ("international unit", "international units"),
    "lbs": ("pound", "pounds"),
    "lb": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "hrs": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "h": ("hour", "hours"),
    "mins": ("minute", "minutes"),
    "min": ("minute", "minutes"),
    "sec": ("second", "seconds"),
    "\u00b0C": ("degree Celsius", "degrees Celsius"),
    "\u00b0F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "\u00b0": ("degree", "degrees"),
    "%": ("percent", "percent"),
}
# "mg/day" -> "milligrams per day": what may follow a unit's slash.
_PER_UNITS = {"day": "day", "d": "day", "week": "week", "wk": "week", "month": "month",
              "hour": "hour", "hr": "hour", "h": "hour", "kg": "kilogram", "lb": "pound",
              "serving": "serving", "dose": "dose", "meal": "meal"}
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_RANGE_DASH = r"\s?[-\u2013\u2014]\s?"
_UNIT_RE = re.compile(
    rf"(?P<number>{_NUMBER})(?:(?P<dash>{_RANGE_DASH})(?P<number2>{_NUMBER}))?\s?"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))})"
    rf"(?P<per>(?:/(?:{'|'.join(sorted(_PER_UNITS, key=len, reverse=True))}))+)?"
    r"(?![\w/])"
)


def expand_units(text: str) -> str:
    """Read a number with its unit: "5 mg" -> "5 milligrams", "10-15%" -> "10 to 15 percent"."""
    def replace(m: re.Match[str]) -> str:
        singular, plural = _UNITS[m.group("unit")]
        last = m.group("number2") or m.group("number")
        word = singular if last == "1" else plural
        for per in (m.group("per") or "").split("/")[1:]:
            word += f" per {_PER_UNITS[per]}"
        if m.group("number2"):
            return f"{m.group('number')} to {m.group('number2')} {word}"
        return f"{m.group('number')} {word}"
    return _UNIT_RE.sub(replace, text)


_RANGE = re.compile(
    rf"(?<![\w.\u2013-])({_NUMBER})\s?[-\u2013]\s?({_NUMBER})(?![\w.]*\d)(?!\s?[\u2013-]\s?\d)"
)


def expand_ranges(text: str) -> str:
    """Read a rising numeric range as "to": "10-15 minutes" -> "10 to 15 minutes"."""
    def replace(m: re.Match[str]) -> str:
        low, high = (float(g.replace(",", "")) for g in m.groups())
        return f"{m.group(1)} to {m.group(2)}" if low < high else m.group(0)
    return _RANGE.sub(replace, text)


_CURRENCY = re.compile(
    rf"(?P<sign>[$\u00a3\u20ac])\s?(?P<amount>{_NUMBER})"
    rf"(?:{_RANGE_DASH}(?P=sign)?\s?(?P<amount2>{_NUMBER}))?"
    r"(?:\s(?P<scale>thousand|million|billion|trillion)\b)?"
)
_CURRENCY_WORDS = {"$": ("dollar", "cent"), "\u00a3": ("pound", "penny"),
                   "\u20ac": ("euro", "cent")}


def expand_currency(text: str) -> str:
    """Read money amounts: "$5.50" -> "5 dollars and 50 cents", "$2-3 billion" -> "2 to 3 billion dollars"."""
    def replace(m: re.Match[str]) -> str:
        major, minor = _CURRENCY_WORDS[m.group("sign")]
        amounts = [a for a in (m.group("amount"), m.group("amount2")) if a]
        if m.group("scale"):
            return f"{' to '.join(amounts)} {m.group('scale')} {major}s"
        if len(amounts) == 2 and not any("." in a for a in amounts):
            return f"{amounts[0]} to {amounts[1]} {major}{'' if amounts[1] == '1' else 's'}"
        return " to ".join(_speak_money(a, major, minor) for a in amounts)
    return _CURRENCY.sub(replace, text)


def _speak_money(amount: str, major: str, minor: str) -> str:
    whole, _, cents = amount.partition(".")
    if cents and len(cents) != 2:
        return f"{amount} {major}s"  # "$2.5" -> "2.5 dollars"
    spoken = f"{whole} {major}{'' if whole == '1' else 's'}"
    if cents and cents != "00":
        count = str(int(cents))
        word = minor if count == "1" else ("pence" if minor == "penny" else f"{minor}s")
        spoken = f"{count} {word}" if whole == "0" else f"{spoken} and {count} {word}"
    return spoken


_SYMBOLS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), spoken)
    for pattern, spoken in (
        (r"\s*&\s*", " and "),
        (r"(?<=\d)\s?%", " percent"),
        (r"%", " percent"),
        (r"(?<=\w)\s?\+\s?(?=\w)", " plus "),
        (r"(?<=\d)\+", " plus"),
        (r"\s=\s", " equals "),
        (r"~\s?(?=\d)", "about "),
        (r"(?<=\d)\s?[x\u00d7]\s?(?=\d)", " times "),
        (r"(?<=\d)\s?[x\u00d7](?=[\s/.,;:!?)]|$)", " times"),
        (r"\s?(?:<=|\u2264)\s?(?=[\d.])", " less than or equal to "),
        (r"\s?(?:>=|\u2265)\s?(?=[\d.])", " greater than or equal to "),
        (r"\s?<\s?(?=[\d.])", " less than "),
        (r"\s?>\s?(?=[\d.])", " greater than "),
        (r"\s?\u2248\s?", " about "),
        (r"\s@\s", " at "),
        (r"#(?=\d)", "number "),
        (r"\b24/7\b", "twenty-four seven"),
        (r"\band/or\b", "and or"),
        (r"(?<=[a-z]s)/(?=(?:day|night|week|month|year|hour|serving|meal|dose)\b)", " per "),
        (r"(?<=[A-Za-z])/(?=[A-Za-z])", " or "),
    )
]


def expand_symbols(text: str) -> str:
    """Say symbols as words: &, %, +, =, ~, <, >, x after numbers, @, #, slashes between words."""
    for pattern, spoken in _SYMBOLS:
        text = pattern.sub(spoken, text)
    return text


_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_YEAR = re.compile(r"(?<![\d,.$])\b(1[1-9]\d\d|20\d\d)\b(?!\d|[,.]\d|\s?%)")
_DECADE = re.compile(r"\b(1[1-9]\d0|20\d0)'?s\b")
_SHORT_DECADE = re.compile(r"(?:(?<![\w'])')?\b([1-9]0)'?s\b")  # "in their 40s", "the '90s"
_TIME = re.compile(r"(?<![\d:.])\b([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(\s?[AaPp]\.?[Mm]\b\.?)?")
_FRACTION = re.compile(r"(?<![\d/])\b(\d{1,3})/(\d{1,3})\b(?![\d/])")
_DIGITS = re.compile(rf"(?<![\w.])(-)?({_NUMBER})(?![\d])")
_FRACTION_NAMES = {(1, 2): "one half", (1, 4): "one quarter", (3, 4): "three quarters"}


def expand_numbers(text: str) -> str:
    """Read numbers as words: ordinals, years, decades, times, fractions, decimals, thousands."""
    text = _ORDINAL.sub(lambda m: _ordinal_words(m.group(1)), text)
    text = _DECADE.sub(lambda m: _plural(num2words(int(m.group(1)), to="year")), text)
    text = _SHORT_DECADE.sub(lambda m: _plural(num2words(int(m.group(1)))), text)
    text = _TIME.sub(_speak_time, text)
    text = _YEAR.sub(lambda m: num2words(int(m.group(1)), to="year"), text)
    text = _FRACTION.sub(_speak_fraction, text)
    text = re.sub(r"(?<=\d)(?=[A-Za-z])", " ", text)

    def number(m: re.Match[str]) -> str:
        words = number_words(m.group(2).replace(",", ""))
        return f"minus {words}" if m.group(1) else words
    return _DIGITS.sub(number, text)


_EXACT_DIGITS = 15
"""A float holds 15 significant digits: longer numbers are read from their digits, not a float."""


def number_words(value: str) -> str:
    """Read a written number ("1234", "2.5") in words, exactly, however many digits it has."""
    whole, _, fraction = value.partition(".")
    if len(whole) + len(fraction) <= _EXACT_DIGITS:
        return num2words(float(value) if fraction else int(value))
    try:
        words = num2words(int(whole))
    except OverflowError:  # beyond num2words' largest named number: read digit by digit
        words = _digit_words(whole)
    return f"{words} point {_digit_words(fraction)}" if fraction else words


def _digit_words(digits: str) -> str:
    return " ".join(num2words(int(digit)) for digit in digits)


def _ordinal_words(digits: str) -> str:
    try:
        return num2words(int(digits), to="ordinal")
    except OverflowError:
        return f"{_digit_words(digits[:-1])} {num2words(int(digits[-1]), to='ordinal')}".strip()


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _speak_time(m: re.Match[str]) -> str:
    hour, minutes = num2words(int(m.group(1))), m.group(2)
    suffix = f" {m.group(3).strip()}" if m.group(3) else ""
    if minutes == "00":
        return f"{hour}{suffix}" if suffix else f"{hour} o'clock"
    spoken = num2words(int(minutes))
    return f"{hour} {'oh ' if minutes[0] == '0' else ''}{spoken}{suffix}"


def _speak_fraction(m: re.Match[str]) -> str:
    top, bottom = int(m.group(1)), int(m.group(2))
    if bottom == 0:
        return m.group(0)
    if top > 31 or bottom > 99 or (bottom > 12 and top > 12):
        return f"{num2words(top)} over {num2words(bottom)}"  # "120/80", blood pressure
    if (top, bottom) in _FRACTION_NAMES:
        return _FRACTION_NAMES[(top, bottom)]
    if top < bottom:
        denominator = num2words(bottom, to="ordinal")
        return f"{num2words(top)} {denominator}{'' if top == 1 else 's'}"
    return f"{num2words(top)} over {num2words(bottom)}"


_DASHES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*(?:\u2014|--|\s[\u2013-]\s)\s*"), ", "),
    (re.compile(r"\s*[()\[\]{}]\s*"), ", "),
    (re.compile(r"\s*[*_~|<>^\\]+\s*"), " "),
    (re.compile(r"\s*,(?:\s*,)+"), ","),
    (re.compile(r"^[\s,]+|[\s,]+$"), ""),
    (re.compile(r",\s*(?=[.!?;:])"), ""),
    (re.compile(r"\s+"), " "),
]


def tidy_punctuation(text: str) -> str:
    """Turn dashes and brackets into pauses, drop markup symbols, and collapse spaces."""
    for pattern, replacement in _DASHES:
        text = pattern.sub(replacement, text)
    return text.strip()


# Emoji and pictographs (with their variation selectors, keycaps, skin tones, flags and tags): the
# display text keeps them, the spoken text drops them. Dingbat digits (U+2776-2793) and enclosed
# digits (U+1F100-1F10C) are numbers and stay.
_EMOJI = (r"[\U0001F000-\U0001F0FF\U0001F10D-\U0001FAFF\u2600-\u2775\u2794-\u27BF\u2B00-\u2BFF"
          r"\u231A\u231B\u2328\u23CF\u23E9-\u23F3\u23F8-\u23FA\uFE0E\uFE0F\u20E3\U000E0020-\U000E007F]")
_EMOJI_RUN = re.compile(rf"\s*{_EMOJI}(?:[\s\u200d]*{_EMOJI})*")


def drop_emoji(text: str) -> str:
    """Leave emoji out of the spoken text: "Good \U0001F600 food \u2764\ufe0f." -> "Good food."."""
    def replace(m: re.Match[str]) -> str:
        after = text[m.end():m.end() + 1]
        return "" if m.start() == 0 or after in ("", *".,;:!?)]}") or after.isspace() else " "
    return _EMOJI_RUN.sub(replace, text)


NORMALIZERS: tuple[Callable[[str], str], ...] = (
    drop_emoji,
    normalize_quotes,
    speak_urls,
    expand_abbreviations,
    expand_currency,
    expand_units,
    expand_ranges,
    expand_symbols,
    expand_numbers,
    tidy_punctuation,
)
"""The spoken-form pipeline, in order."""


def to_spoken(text: str, normalizers: Iterable[Callable[[str], str]] = NORMALIZERS) -> str:
    """Run the author's text through every normalizer to get what the engine should say."""
    for normalize in normalizers:
        text = normalize(text)
    return text


def unit_phrase(value: str, unit: str) -> str | None:
    """A value with a unit given elsewhere (a table header): ("8.3", "g") -> "8.3 grams"; None if unknown."""
    if unit not in _UNITS or not re.fullmatch(_NUMBER, value.strip()):
        return None
    singular, plural = _UNITS[unit]
    return f"{value.strip()} {singular if value.strip() == '1' else plural}"
