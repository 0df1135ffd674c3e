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

log = logging.getLogger(__name__)


SMALL_CARDINALS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                   "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                   "eighteen", "nineteen")
"""The words num2words gives for 0 to 19, so that an article whose only numbers are those (a
section number, "2 cups") does not import it: loading every language it has takes 30 ms."""


def _in_words(number: int | float, to: str = "cardinal") -> str:
    """A number in English words, by num2words (imported on first use)."""
    if to == "cardinal" and type(number) is int and 0 <= number < len(SMALL_CARDINALS):
        return SMALL_CARDINALS[number]
    from num2words import num2words

    return num2words(number, to=to)


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
    """Split a paragraph into sentences, then split any sentence longer than max_chars.

    The sentences are the author's text exactly (only runs of white space become one space).
    An abbreviation's period ends no sentence when what follows shows the sentence goes on: a
    lower-case word ("2 oz. of nuts", "30 min. after meals", "9 a.m. tomorrow"), a comma or dash
    ("Mon.\u2013Fri."), a number after a word that introduces one ("approx. 2", "Fig. 2", "Jan. 5"),
    any word after a title or "vs." ("Dr. Smith", "diet vs. Exercise"), another weekday or month
    ("Mon. Wed."). Before a capitalised word any other abbreviation ends the sentence, its period
    serving both ("Add 2 tsp. Then stir." is two sentences), as pysbd decides. A citation left on
    its own after a sentence ("Fiber helps. (Smith et al., 2019)") stays with that sentence.
    """
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


@lru_cache(maxsize=256)
def _sentence_starts(paragraph: str) -> tuple[int, ...]:
    # Cached: the reader asks whether a paragraph ends in a disclaimer, then the script splits it.
    # Cut the paragraph itself where pysbd's sentences begin, so that nothing pysbd drops or
    # alters (a closing "!!", say) is lost, and never inside a web address ("...?id=1"). pysbd
    # reads a copy whose abbreviation periods are masked, of the same length, so that its
    # positions are the paragraph's.
    masked = _mask_abbreviation_periods(paragraph)
    starts = {0}
    offset = 0
    while len(masked) - offset > SEGMENT_WINDOW_CHARS:
        end = masked.rfind(" ", offset + 1, offset + SEGMENT_WINDOW_CHARS)
        if end < 0:  # one word fills the window
            end = offset + SEGMENT_WINDOW_CHARS
        found = [offset + start for start in _segment_starts(masked[offset:end])]
        starts.update(found)
        # The window's last sentence may go on after it: segment it again with what follows. A
        # window with no sentence start is all one sentence, which goes on into the next window.
        offset = max(found) if found else end + (masked[end] == " ")
    starts.update(offset + start for start in _segment_starts(masked[offset:]))
    inside_address = _inside_spans([m.span() for m in _URL.finditer(paragraph)])
    citations = [m.span() for m in _citation_spans(paragraph)]
    inside_citation = _inside_spans(citations)
    # pysbd drops some letters ("\u0238A" -> "A"): a sentence never starts inside a word.
    kept = sorted(s for s in starts if not inside_address(s) and not inside_citation(s)
                  and not (s > 0 and _in_word(paragraph[s - 1]) and _in_word(paragraph[s])))
    # A citation that pysbd starts a sentence with stays with the sentence before, which it cites
    # for: the next sentence starts after it, if anything speakable follows it before that one.
    cited = dict(citations)
    moved = []
    for s, after in zip(kept, [*kept[1:], len(paragraph)], strict=True):
        if s > 0 and s in cited:
            rest = cited[s] + len(paragraph[cited[s]:after]) - len(paragraph[cited[s]:after].lstrip())
            if not speakable(paragraph[rest:after]):
                continue
            s = rest
        moved.append(s)
    return tuple(moved)


def _inside_spans(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    # Whether a position is inside one of these sorted, disjoint spans, after its first character.
    begins = [begin for begin, _ in spans]

    def inside(position: int) -> bool:
        before = bisect.bisect_left(begins, position) - 1  # the last span that begins before it
        return before >= 0 and position < spans[before][1]
    return inside


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


_DAYS = {"Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
         "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
_MONTHS = {"Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June",
           "Jul": "July", "Aug": "August", "Sep": "September", "Sept": "September", "Oct": "October",
           "Nov": "November", "Dec": "December"}
_CALENDAR = {**_DAYS, **_MONTHS}
"""Weekday and month abbreviations (written with a period) and their names."""
_CALENDAR_ABBREVIATION = "|".join(sorted(_CALENDAR, key=len, reverse=True))
_CALENDAR_NAME = "|".join(sorted({*_CALENDAR.values(), "May"}, key=len, reverse=True))
# Abbreviations that come before a number: "approx. 2", "Fig. 2", "No. 5", "p. 7", "Jan. 5", "et al. (2019)".
_BEFORE_NUMBER = ("approx|Approx|ca|c|cf|vs|Figs?|figs?|Nos?|Vols?|vols?|pp?|Eqs?|Tabs?|Chs?|Secs?|Refs?|"
                  "Ex|Art|art|paras?|min|max|avg|est|incl|excl|esp|temp|qty|wt|ht|Tel|tel|ext|Ext|al|"
                  + _CALENDAR_ABBREVIATION)
# Units after a number: "5 oz. 2 times a day" (a sentence seldom starts with a figure).
_UNIT_ABBREVIATIONS = ("tsp|tbsp|tbs|oz|lbs?|mins?|hrs?|secs?|mg|mcg|g|kg|ml|mL|L|dL|wks?|yrs?|mos?|qts?|pts?"
                       "|gal|in|ft|cal|kcal|cm|mm|km|m|fl")
_LOWER_WORD = r"[a-z]+(?:[-'][a-z]+)*(?![\w'-])"  # "of", "after", "well-being"; not "pH", "mRNA", "eGFR"
_ABBREVIATION_PERIODS = [
    re.compile(pattern)
    for pattern in (
        # A period after a letter, before a lower-case word: "2 oz. of nuts", "9 a.m. tomorrow" (not
        # before a "doi:", which is a citation).
        rf"(?<=[^\W\d_])\.(?=[)\]\"']*\s+[(\[]?(?!doi\b){_LOWER_WORD})",
        # ... or right before a comma, colon or dash: "Mon.\u2013Fri.", "etc., and".
        r"(?<=[^\W\d_])\.(?=[,;:/\u2013\u2014-])",
        rf"(?<![\w.])(?:{_BEFORE_NUMBER})\.(?=\s?\(?\d)",
        rf"(?<=\d)\s?(?:{_UNIT_ABBREVIATIONS})\.(?=\s\d)",
        # Titles and words that never end a sentence before another word.
        r"(?<![\w.])(?:Drs?|Profs?|Mrs?|Ms|Mt|St|Messrs|Rev|Capt|Sgt|Hon|Gov|Sen|Rep)\.(?=\s+[A-Z])",
        r"(?<![\w.])(?:[Vv]s|[Cc]f|[Vv]iz|[Ee]\.g|[Ii]\.e|[Aa]pprox)\.(?=\s+\S)",
        rf"(?<![\w.])(?:{_CALENDAR_ABBREVIATION})\.(?=\s+(?:{_CALENDAR_ABBREVIATION})\.)",
        rf"(?<![\w.])[AaPp]\.[Mm]\.(?=\s+(?:(?:{_CALENDAR_ABBREVIATION})\.|(?:{_CALENDAR_NAME})\b"
        r"|[A-Z]{1,2}[SD]?T\b|GMT\b|UTC\b))",
    )
]
_PERIOD_MASK = "x"
"""What pysbd reads instead of an abbreviation's period: a letter, which ends no sentence."""


def _mask_abbreviation_periods(paragraph: str) -> str:
    # The paragraph with the periods of abbreviations (and those inside citations) masked.
    masked = list(paragraph)
    for pattern in _ABBREVIATION_PERIODS:
        for m in pattern.finditer(paragraph):
            masked[m.end() - 1] = _PERIOD_MASK
    for m in _citation_spans(paragraph):
        for i in range(*m.span()):
            if masked[i] == ".":
                masked[i] = _PERIOD_MASK
    return "".join(masked)


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


# A bibliographic citation: "(Smith et al., 2019)", "(Lee & Park, 2020; Osei, 2021)", "(Gut Microbes.
# 2017;11(1):80-85)", "doi:10.1080/...", "PMID: 31234567", a numeric marker "[2, 3]". Every part is
# bounded, so the text is searched in linear time.
_NAME = (r"(?:(?:van|von|de|der|den|da|del|di|du|le|la)\s)?"
         r"(?!(?:January|February|March|April|May|June|July|August|September|October|November|December"
         r"|Spring|Summer|Autumn|Fall|Winter)\b)[A-Z][A-Za-z'\u2019-]{1,40}")
_AUTHORS = rf"{_NAME}(?:,\s{_NAME}){{0,5}}(?:,?\s(?:&|and)\s{_NAME})?(?:\set\sal\.?)?"
_CITED_YEAR = r"(?:1[89]|20)\d\d[a-z]?"
# An author-year citation needs a comma or "et al." before its year: "(March 2020)" is no citation.
_AUTHOR_YEAR = (rf"(?:(?:see|e\.g\.,?|cf\.)\s)?{_AUTHORS}(?:,\s?|(?<=al\.)\s){_CITED_YEAR}"
                rf"(?:,\s?{_CITED_YEAR})*(?:,\s?pp?\.\s?\d{{1,5}}(?:[-\u2013]\d{{1,5}})?)?")
_AUTHOR_YEARS = rf"{_AUTHOR_YEAR}(?:;\s?{_AUTHOR_YEAR})*"
_JOURNAL = r"[A-Z][A-Za-z&'\s.-]{0,80}?\.\s?"
_VOLUME = (r"(?:19|20)\d\d(?:\s[A-Z][a-z]{2}(?:\s\d{1,2})?)?;\s?\d{1,4}"
           r"(?:\s?\(\d{1,4}(?:[-\u2013]\d{1,4})?\))?:\s?[A-Za-z]?\d{1,6}(?:[-\u2013][A-Za-z]?\d{1,6})?")
_DOI = (r"(?:\b(?:doi|DOI)\s?:\s?|\b(?:doi|DOI)\s|(?:\bhttps?://)?(?:dx\.)?\bdoi\.org/)"
        r"10\.\d{4,9}/[^\s<>\"]{0,200}[^\s<>\".,;:)\]]")
_PMID = r"\bPMC?ID\s?:?\s?(?:PMC)?\d{4,9}\b"
_IDS = rf"(?:{_DOI}|{_PMID})(?:\s?[.,;]?\s?(?:{_DOI}|{_PMID})){{0,4}}"
_CITATION_SPAN_SOURCE = (
    rf"\(\s?(?:(?:{_JOURNAL})?{_VOLUME}|{_AUTHOR_YEARS}|{_IDS})\s?\)"
    rf"|\[\s?(?:{_AUTHOR_YEARS}|{_IDS})\s?\]"
    rf"|{_IDS}|{_VOLUME}"
    r"|\[\d{1,3}(?:\s?[,\u2013-]\s?\d{1,3}){0,20}\]"
)
# What every citation holds: a bracket, a DOI or PubMed id, or a "2017;" volume. Text without any of
# them is not searched, and the two large patterns are compiled only when some text has one.
_CITATION_HINT = re.compile(r"[(\[]|doi|DOI|PMC|PMID|(?:19|20)\d\d(?:\s[A-Z][a-z]{2}(?:\s\d{1,2})?)?;")


@lru_cache(maxsize=1)
def _citation_span() -> re.Pattern[str]:
    return re.compile(_CITATION_SPAN_SOURCE)


@lru_cache(maxsize=1)
def _citation() -> re.Pattern[str]:
    # After a full stop, a citation takes its own closing period with it: "Gut Microbes. 2017;11:80-85.".
    # (?<!\s): a run of white space is tried once, from its start, so the time is linear.
    return re.compile(rf"(?P<stop>[.!?])?(?<!\s)\s*(?:{_CITATION_SPAN_SOURCE})(?(stop)\.?)")


def _citation_spans(text: str) -> list[re.Match[str]]:
    """Every citation in text ("(Smith et al., 2019)", "doi:10...", "[1]")."""
    return list(_citation_span().finditer(text)) if _CITATION_HINT.search(text) else []


def drop_citations(text: str) -> str:
    """Leave citations unspoken: "(Smith et al., 2019)", "(Gut Microbes. 2017;11(1):80-85)", "doi:...", "[1]".

    A text that is nothing but a citation is left as it is: better read than sent to the voice empty.
    """
    if not _CITATION_HINT.search(text):
        return text
    dropped = _citation().sub(lambda m: m.group("stop") or "", text)
    return dropped if speakable(dropped) else text


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
        (r"\bapprox\.(?=[)\]\"']*\s*$)", "approximately."),
        (r"\bapprox\.", "approximately"),
        (r"\bca\.(?=\s?\d)", "circa"),
        (r"\bCa\.(?=\s?\d)", "Circa"),
        (r"\bcf\.(?=\s)", "compare"),
        (r"\bCf\.(?=\s)", "Compare"),
        (r"\bviz\.(?=\s)", "namely"),
        (r"(?<=[A-Za-z])(,?\s)Jr\.(?=[)\]\"']*\s*$)", r"\1Junior."),
        (r"(?<=[A-Za-z])(,?\s)Jr\.", r"\1Junior"),
        (r"(?<=[A-Za-z])(,?\s)Sr\.(?=[)\]\"']*\s*$)", r"\1Senior."),
        (r"(?<=[A-Za-z])(,?\s)Sr\.", r"\1Senior"),
        (r"\bDr\.(?=\s+[A-Z])", "Doctor"),
        (r"\bDrs\.(?=\s+[A-Z])", "Doctors"),
        (r"\bProf\.(?=\s+[A-Z])", "Professor"),
        (r"\bMr\.(?=\s)", "Mister"),
        (r"\bMrs\.(?=\s)", "Missus"),
        (r"\bMs\.(?=\s)", "Miz"),
        (r"\bSt\.(?=\s+[A-Z])", "Saint"),
        (r"\bNo\.(?=\s*\d)", "number"),
        (r"\bNos\.(?=\s*\d)", "numbers"),
        (r"\bFig\.(?=\s*\d)", "Figure"),
        (r"\bFigs\.(?=\s*\d)", "Figures"),
        (r"\bfig\.(?=\s*\d)", "figure"),
        (r"\bVol\.(?=\s*\d)", "Volume"),
        (r"\bvol\.(?=\s*\d)", "volume"),
        (r"\bp\.(?=\s*\d)", "page"),
        (r"\bpp\.(?=\s*\d)", "pages"),
        (r"\bU\.S\.(?=\s+[a-z])", "U S"),
        (r"\bU\.S\.", "U S."),
        (r"\bU\.K\.", "U K"),
    )
]


def expand_abbreviations(text: str) -> str:
    """Spell out common written abbreviations (e.g., i.e., etc., Dr., vs., approx., Jr.)."""
    for pattern, spoken in _ABBREVIATIONS:
        text = pattern.sub(spoken, text)
    return text


_SENTENCE_END = re.compile(r"[)\]\"']*(?:\s*$|\s+[A-Z])")


def _ends_sentence(text: str, position: int) -> bool:
    # Whether a period just before position ends the sentence: nothing but closing marks follows, or a
    # capitalised word (the rule split_sentences follows).
    return _SENTENCE_END.match(text, position) is not None


_CALENDAR_RANGE = re.compile(
    rf"\b(?P<first>{_CALENDAR_NAME}|{_CALENDAR_ABBREVIATION})\.?\s?[\u2013\u2014-]\s?"
    rf"(?P<second>{_CALENDAR_NAME}|{_CALENDAR_ABBREVIATION})\b(?P<dot>\.)?"
)
_CALENDAR_DOTTED = re.compile(rf"\b(?P<abbreviation>{_CALENDAR_ABBREVIATION})\.")
# After these words an abbreviation is a day or a month even at the end: "to Mar.", "and Sun.".
_CALENDAR_AFTER = re.compile(
    r"(?:^|\W)(?:on|in|from|to|until|till|through|thru|since|by|of|and|or|every|each|next|last|this|"
    r"before|after|between|during|early|late|mid|open|closed)\s+$", re.IGNORECASE)
_CALENDAR_GOES_ON = re.compile(
    rf"[)\]]*(?:[,;:\u2013\u2014-]|\s+(?:[a-z\d]|(?:{_CALENDAR_ABBREVIATION})\.|(?:{_CALENDAR_NAME})\b))")
_NEVER_NAMES = frozenset({"Mon", "Tue", "Tues", "Thu", "Thur", "Thurs", "Fri", "Feb", "Apr", "Jul", "Sep",
                          "Sept", "Oct", "Nov"})
"""Abbreviations that are no word or name of their own ("Sun.", "Wed.", "Jan." may be)."""


def expand_days_and_months(text: str) -> str:
    """Say weekday and month abbreviations: "Mon.\u2013Fri." -> "Monday to Friday", "Jan. 5" -> "January 5".

    A day's abbreviation that is also a word or a name ("Sun.", "Wed.", "Jan.", "Mar.") is expanded
    only where it reads as a date: before a number, a lower-case word, a comma or a dash, or after
    "on", "in", "from", "to", "until", "and"... ("Avoid the Sun." and "I met Jan." stay).
    """
    def full(name: str) -> str:
        return _CALENDAR.get(name, name)

    def period(m: re.Match[str]) -> str:
        return "." if _ends_sentence(text, m.end()) else ""

    def calendar_range(m: re.Match[str]) -> str:
        spoken = f"{full(m.group('first'))} to {full(m.group('second'))}"
        return spoken + (period(m) if m.group("dot") else "")

    text = _CALENDAR_RANGE.sub(calendar_range, text)

    def dotted(m: re.Match[str]) -> str:
        abbreviation = m.group("abbreviation")
        if _CALENDAR_GOES_ON.match(text, m.end()):
            return full(abbreviation)
        if abbreviation in _NEVER_NAMES or _CALENDAR_AFTER.search(text, max(0, m.start() - 12), m.start()):
            return full(abbreviation) + period(m)
        return m.group(0)
    return _CALENDAR_DOTTED.sub(dotted, text)


_PHONE_DIGITS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# (555) 014-2290, 555-014-2290, 555.014.2290, 1-800-555-0199, +1 555 014 2290, +44 20 7946 0958.
_PHONE = re.compile(
    r"(?<![\w+.-])(?:"
    r"\+\d{1,3}(?:[\s.-]\(?\d{1,4}\)?){2,5}"
    r"|(?:1[\s.-]?)?\(\d{3}\)\s?\d{3}[\s.-]\d{4}"
    r"|(?:1[.-])?\d{3}(?P<separator>[.-])\d{3}(?P=separator)\d{4}"
    r")(?![\w-]|[.,]\d)"
)
_EMERGENCY_NUMBER = r"(?:911|999|112|111|988)"
_EMERGENCY = re.compile(
    # "call 911", "dial 999 or 112", "call or text 988", "the emergency number, 112"
    rf"(?P<lead>(?i:\b(?:call|dial|text|phone|ring)(?:s|ed|ing|led|ling)?"
    rf"(?:\s(?:or|and|/)\s(?:call|dial|text)(?:s|ed|ing)?)?|\bemergency\s(?:number|line|services))[\s,:(]+)"
    rf"(?P<numbers>{_EMERGENCY_NUMBER}(?:\s?(?:,|/|or|and)\s?{_EMERGENCY_NUMBER}){{0,3}})\b(?![.,]?\d)"
    # "911 immediately", "a 911 call", "the 988 Lifeline"
    rf"|\b(?P<number>{_EMERGENCY_NUMBER})\b(?=\)?\s(?:immediately|right away|at once|now|calls?|operators?"
    r"|dispatchers?|[Ss]uicide|[Ll]ifeline|[Hh]otline|[Cc]risis|[Ee]mergency)\b)"
)


def speak_phone_numbers(text: str) -> str:
    """Read phone numbers digit by digit, in groups: "555-014-2290" -> "five five five, oh one four, ...".

    Emergency and crisis numbers (911, 999, 112, 111, 988) are read digit by digit where they are
    called, dialled or texted ("call 911" -> "call nine one one"). A zero is "oh", as in US usage; a
    toll-free "800" is "eight hundred".
    """
    def emergency(m: re.Match[str]) -> str:
        if m.group("number"):
            return _digit_by_digit(m.group("number"))
        return m.group("lead") + re.sub(r"\d+", lambda d: _digit_by_digit(d.group(0)), m.group("numbers"))

    text = _EMERGENCY.sub(emergency, text)
    return _PHONE.sub(lambda m: _speak_phone(m.group(0)), text)


def _digit_by_digit(digits: str) -> str:
    return " ".join(_PHONE_DIGITS[int(d)] for d in digits)


def _speak_phone(number: str) -> str:
    groups = re.findall(r"\d+", number)
    if not 7 <= sum(len(g) for g in groups) <= 15:  # no phone number: "+1 2 3"
        return number
    spoken = ["eight hundred" if group == "800" else _digit_by_digit(group) for group in groups]
    return ("plus " if number.startswith("+") else "") + ", ".join(spoken)


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
    "kg/m\u00b2": ("kilogram per square meter", "kilograms per square meter"),
    "kg/m2": ("kilogram per square meter", "kilograms per square meter"),
    "m\u00b2": ("square meter", "square meters"),
    "cm\u00b2": ("square centimeter", "square centimeters"),
    "mm\u00b2": ("square millimeter", "square millimeters"),
    "km\u00b2": ("square kilometer", "square kilometers"),
    "ft\u00b2": ("square foot", "square feet"),
    "m\u00b3": ("cubic meter", "cubic meters"),
    "cm\u00b3": ("cubic centimeter", "cubic centimeters"),
    "mm\u00b3": ("cubic millimeter", "cubic millimeters"),
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
    r"(?![\w/])(?P<dot>\.(?![\w.]))?"
)


def expand_units(text: str) -> str:
    """Read a number with its unit: "5 mg" -> "5 milligrams", "10-15%" -> "10 to 15 percent".

    An abbreviation's period goes inside a sentence ("2 oz. of nuts" -> "2 ounces of nuts") and
    stays where it ends one ("Add 2 tsp." -> "Add 2 teaspoons.").
    """
    def replace(m: re.Match[str]) -> str:
        spoken = _speak_unit(m)
        if m.group("dot") and (_ends_sentence(text, m.end()) or not m.group("unit")[-1].isalpha()):
            spoken += "."
        return spoken
    return _UNIT_RE.sub(replace, text)


def _speak_unit(m: re.Match[str]) -> str:
    singular, plural = _UNITS[m.group("unit")]
    last = m.group("number2") or m.group("number")
    word = singular if last == "1" else plural
    for per in (m.group("per") or "").split("/")[1:]:
        word += f" per {_PER_UNITS[per]}"
    if m.group("number2"):
        return f"{m.group('number')} to {m.group('number2')} {word}"
    return f"{m.group('number')} {word}"


def unit_phrase(value: str, unit: str) -> str | None:
    """Speak a value whose unit is written elsewhere, as in a table header: ("8.3", "g") -> "8.3 grams".

    The value may be a range ("10-15", "mg" -> "10 to 15 milligrams") and the unit may be per
    something ("mg/day"); anything else (an unknown unit, a value that is no number) gives None,
    and the cell is read as it stands.
    """
    value, unit = value.strip(), unit.strip()
    m = _UNIT_RE.fullmatch(f"{value} {unit}") if value and unit else None
    return None if m is None or m.group("dot") else _speak_unit(m)


_VULGAR_FRACTIONS = {
    "\u00bd": (1, 2), "\u2153": (1, 3), "\u2154": (2, 3), "\u00bc": (1, 4), "\u00be": (3, 4),
    "\u2155": (1, 5), "\u2156": (2, 5), "\u2157": (3, 5), "\u2158": (4, 5), "\u2159": (1, 6),
    "\u215a": (5, 6), "\u2150": (1, 7), "\u215b": (1, 8), "\u215c": (3, 8), "\u215d": (5, 8),
    "\u215e": (7, 8), "\u2151": (1, 9), "\u2152": (1, 10),
}
_VULGAR = "".join(_VULGAR_FRACTIONS)
# Units written out as words, which a fraction may measure: word -> (singular, plural).
_MEASURE_WORDS: dict[str, tuple[str, str]] = {
    form: (singular, plural)
    for singular, plural in (
        ("cup", "cups"), ("teaspoon", "teaspoons"), ("tablespoon", "tablespoons"), ("glass", "glasses"),
        ("ounce", "ounces"), ("pound", "pounds"), ("gram", "grams"), ("kilogram", "kilograms"),
        ("liter", "liters"), ("litre", "litres"), ("pint", "pints"), ("quart", "quarts"),
        ("inch", "inches"), ("mile", "miles"), ("hour", "hours"), ("minute", "minutes"), ("day", "days"),
        ("week", "weeks"), ("month", "months"), ("year", "years"), ("serving", "servings"),
        ("portion", "portions"), ("slice", "slices"), ("scoop", "scoops"), ("pinch", "pinches"),
        ("handful", "handfuls"), ("can", "cans"), ("stick", "sticks"), ("clove", "cloves"),
        ("bowl", "bowls"), ("piece", "pieces"), ("tablet", "tablets"), ("dose", "doses"),
    )
    for form in (singular, plural)
}
_ABBREVIATED_UNITS = [u for u in _UNITS if u[0].isalpha() and u[-1].isalpha()]
_FRACTION_UNIT = "|".join(re.escape(u) for u in sorted([*_ABBREVIATED_UNITS, *_MEASURE_WORDS],
                                                        key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w/.,{_VULGAR}])(?:(?P<whole>\d{{1,2}})(?:\s|(?=[{_VULGAR}])))?"
    rf"(?:(?P<top>\d{{1,2}})/(?P<bottom>\d{{1,2}})(?![\d/])|(?P<vulgar>[{_VULGAR}]))"
    rf"(?:\s?(?P<unit>{_FRACTION_UNIT})"
    r"(?![\w/])(?P<dot>\.(?![\w.]))?)?"
)


def expand_fractions(text: str) -> str:
    """Read fractions as amounts: "1/2 tsp" -> "half a teaspoon", "1 1/2 cups" -> "one and a half cups".

    With an abbreviated unit, which is ours to say: "half a teaspoon", "a quarter of a teaspoon",
    "three quarters of a teaspoon". With a unit the author wrote out, the fraction is read as a
    number before it, as elsewhere ("1/2 cup" -> "one half cup", "1/4 cup" -> "one quarter cup"),
    but "of a" after more than one part: "3/4 cup" -> "three quarters of a cup". A whole number and a
    fraction: "one and a half cups". The unit takes the number the amount needs ("1 1/2 cup" ->
    "one and a half cups", "3/4 cups" -> "three quarters of a cup"); Unicode fractions ("\u00bd tsp",
    "1\u00bd cups") alike. Other fractions ("2/3", "120/80") are left to expand_numbers.
    """
    def replace(m: re.Match[str]) -> str:
        vulgar, whole, unit = m.group("vulgar"), m.group("whole"), m.group("unit")
        top, bottom = _VULGAR_FRACTIONS[vulgar] if vulgar else (int(m.group("top")), int(m.group("bottom")))
        if not 0 < top < bottom <= 16 or not (vulgar or whole or unit):
            return m.group(0)
        noun, nouns = _fraction_nouns(bottom)
        parts = f"{_article(noun)} {noun}" if top == 1 else f"{_in_words(top)} {nouns}"
        if not unit:  # "1 1/2" -> "one and a half", "\u00bd" -> "one half"
            if whole:
                return f"{_in_words(int(whole))} and {parts}"
            return f"{_in_words(top)} {noun if top == 1 else nouns}"
        singular, plural = _UNITS.get(unit) or _MEASURE_WORDS[unit]
        if whole:
            spoken = f"{_in_words(int(whole))} and {parts} {plural}"
        elif top > 1:
            spoken = f"{parts} of {_article(singular)} {singular}"
        elif unit in _MEASURE_WORDS:
            spoken = f"one {noun} {singular}"
        elif bottom == 2:
            spoken = f"half {_article(singular)} {singular}"
        else:
            spoken = f"{parts} of {_article(singular)} {singular}"
        return spoken + ("." if m.group("dot") and _ends_sentence(text, m.end()) else "")
    return _QUANTITY.sub(replace, text)


def _fraction_nouns(bottom: int) -> tuple[str, str]:
    if bottom == 2:
        return "half", "halves"
    if bottom == 4:
        return "quarter", "quarters"
    ordinal = _in_words(bottom, to="ordinal")
    return ordinal, f"{ordinal}s"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" or word.startswith("hour") else "a"


_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207a",
                              "0123456789-+")
_SUPERSCRIPT_DIGITS = "\u2070\u00b9\u00b2\u00b3\u2074-\u2079"
_EXPONENT = (rf"(?:\^\(?(?P<exponent>[-+]?\d{{1,3}})\)?"
             rf"|(?P<superscript>[\u207b\u207a]?[{_SUPERSCRIPT_DIGITS}]{{1,3}}))")
_PER_UNIT = "|".join(re.escape(u) for u in sorted(_ABBREVIATED_UNITS, key=len, reverse=True))
_POWER = re.compile(
    rf"(?<![\w.^])(?:(?P<mantissa>{_NUMBER})\s?[x\u00d7*]\s?)?(?P<base>{_NUMBER}|[A-Za-z]){_EXPONENT}"
    rf"(?![\w^])(?:/(?P<per>{_PER_UNIT})(?![\w/]))?"
)
# Square and cubic units without a number before them: "per m\u00b2", "BMI (kg/m\u00b2)".
_SPACE_UNITS = {"mm": ("millimeter", "millimeters"), "cm": ("centimeter", "centimeters"),
                "m": ("meter", "meters"), "km": ("kilometer", "kilometers"), "ft": ("foot", "feet"),
                "in": ("inch", "inches")}
_SPACE_UNIT = re.compile(
    rf"(?:(?P<lead>\b(?:{_PER_UNIT}))?(?P<slash>/)|(?<![\w/]))(?P<unit>{'|'.join(_SPACE_UNITS)})"
    r"(?:(?P<superscript>[\u00b2\u00b3])|\^(?P<caret>[23]))(?![\w^])"
)


def expand_powers(text: str) -> str:
    """Read powers: "10^9" and "10\u2079" -> "ten to the ninth", "10^-3" -> "ten to the minus third".

    An exponent of 2 or 3 is "squared" or "cubed" ("x\u00b2" -> "x squared"); a square or cubic
    unit standing alone is said as one: "m\u00b2" -> "square meters", "kg/m\u00b2" -> "kilograms per
    square meter". After a number such units are expand_units' own ("25 kg/m\u00b2" -> "25 kilograms
    per square meter").
    """
    def space_unit(m: re.Match[str]) -> str:
        power = "square" if (m.group("superscript") or m.group("caret")) in ("\u00b2", "2") else "cubic"
        singular, plural = _SPACE_UNITS[m.group("unit")]
        if m.group("slash"):
            lead = f"{_UNITS[m.group('lead')][1]} " if m.group("lead") else " "
            return f"{lead}per {power} {singular}"
        after_per = text[max(0, m.start() - 4):m.start()].lower() == "per "
        return f"{power} {singular if after_per else plural}"

    def power(m: re.Match[str]) -> str:
        exponent = int((m.group("exponent") or m.group("superscript")).translate(_SUPERSCRIPTS))
        base = m.group("base")
        base = base if base.isalpha() else number_words(base.replace(",", ""))
        spoken = f"{base} {_exponent_words(exponent)}"
        if m.group("mantissa"):
            spoken = f"{number_words(m.group('mantissa').replace(',', ''))} times {spoken}"
        if m.group("per"):
            spoken += f" per {_UNITS[m.group('per')][0]}"
        return spoken

    text = _SPACE_UNIT.sub(space_unit, text)
    return _POWER.sub(power, text)


def _exponent_words(exponent: int) -> str:
    if exponent in (2, 3):
        return "squared" if exponent == 2 else "cubed"
    return f"to the {'minus ' if exponent < 0 else ''}{_ordinal_words(str(abs(exponent)))}"


_ACRONYM_PLURAL = re.compile(r"(?<![\w'.-])([A-Z]{2,})s(?![\w'-])")
_ACRONYMS_SAID_AS_WORDS = frozenset({"NSAID", "FODMAP", "GERD", "SIBO", "SIFO", "ACE", "HIIT"})
"""Acronyms said as a word ("en-sed", "fod-map"), not letter by letter."""


def speak_acronym_plurals(text: str) -> str:
    """Make the voice say an acronym's plural s: "NSAIDs" -> "NSAIDS", "PPIs" -> "P.P.I's".

    espeak-ng, Piper's phonemizer, drops the s of "NSAIDs", "FODMAPs", "SSRIs" and "SCFAs", which
    it reads as words, and reads "PPIs" right only inside a sentence. So an all-capitals acronym
    followed by a lower-case s is respelled: one said as a word (_ACRONYMS_SAID_AS_WORDS) takes a
    capital S ("NSAIDS": "en-sedz", "FODMAPS"); any other is spelled out, its letters joined by
    periods, with 's on the last ("P.P.I's", "S.S.R.I's", "U.T.I's", "I.B.D's": "pee pee eyes"),
    the form espeak-ng reads letter by letter with its plural wherever it stands ("M-A-O-I's" would
    make the A a schwa).
    """
    def replace(m: re.Match[str]) -> str:
        acronym = m.group(1)
        return f"{acronym}S" if acronym in _ACRONYMS_SAID_AS_WORDS else ".".join(acronym) + "'s"
    return _ACRONYM_PLURAL.sub(replace, text)


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
        (r"(?<!\s)\s*&\s*", " and "),  # (?<!\s): a run of white space is tried once
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
    text = _DECADE.sub(lambda m: _plural(_in_words(int(m.group(1)), to="year")), text)
    text = _SHORT_DECADE.sub(lambda m: _plural(_in_words(int(m.group(1)))), text)
    text = _TIME.sub(_speak_time, text)
    text = _YEAR.sub(lambda m: _in_words(int(m.group(1)), to="year"), text)
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
        return _in_words(float(value) if fraction else int(value))
    try:
        words = _in_words(int(whole))
    except OverflowError:  # beyond num2words' largest named number: read digit by digit
        words = _digit_words(whole)
    return f"{words} point {_digit_words(fraction)}" if fraction else words


def _digit_words(digits: str) -> str:
    return " ".join(_in_words(int(digit)) for digit in digits)


def _ordinal_words(digits: str) -> str:
    try:
        return _in_words(int(digits), to="ordinal")
    except OverflowError:
        return f"{_digit_words(digits[:-1])} {_in_words(int(digits[-1]), to='ordinal')}".strip()


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _speak_time(m: re.Match[str]) -> str:
    hour, minutes = _in_words(int(m.group(1))), m.group(2)
    suffix = f" {m.group(3).strip()}" if m.group(3) else ""
    if minutes == "00":
        return f"{hour}{suffix}" if suffix else f"{hour} o'clock"
    spoken = _in_words(int(minutes))
    return f"{hour} {'oh ' if minutes[0] == '0' else ''}{spoken}{suffix}"


def _speak_fraction(m: re.Match[str]) -> str:
    top, bottom = int(m.group(1)), int(m.group(2))
    if bottom == 0:
        return m.group(0)
    if top > 31 or bottom > 99 or (bottom > 12 and top > 12):
        return f"{_in_words(top)} over {_in_words(bottom)}"  # "120/80", blood pressure
    if (top, bottom) in _FRACTION_NAMES:
        return _FRACTION_NAMES[(top, bottom)]
    if top < bottom:
        denominator = _in_words(bottom, to="ordinal")
        return f"{_in_words(top)} {denominator}{'' if top == 1 else 's'}"
    return f"{_in_words(top)} over {_in_words(bottom)}"


_DASHES: list[tuple[re.Pattern[str], str]] = [
    # (?<!\s): a run of white space is tried once, from its start, so the time is linear.
    (re.compile(r"(?<!\s)\s*(?:\u2014|--|\s[\u2013-]\s)\s*"), ", "),
    (re.compile(r"(?<!\s)\s*[()\[\]{}]\s*"), ", "),
    (re.compile(r"(?<!\s)\s*[*_~|<>^\\]+\s*"), " "),
    (re.compile(r"(?<!\s)\s*,(?:\s*,)+"), ","),
    (re.compile(r"^[\s,]+|(?<![\s,])[\s,]+$"), ""),
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
_EMOJI_RUN = re.compile(rf"(?<!\s)\s*{_EMOJI}(?:[\s\u200d]*{_EMOJI})*")


def drop_emoji(text: str) -> str:
    """Leave emoji out of the spoken text: "Good \U0001F600 food \u2764\ufe0f." -> "Good food."."""
    def replace(m: re.Match[str]) -> str:
        after = text[m.end():m.end() + 1]
        return "" if m.start() == 0 or after in ("", *".,;:!?)]}") or after.isspace() else " "
    return _EMOJI_RUN.sub(replace, text)


NORMALIZERS: tuple[Callable[[str], str], ...] = (
    drop_emoji,
    normalize_quotes,
    drop_citations,
    speak_urls,
    expand_abbreviations,
    expand_days_and_months,
    speak_phone_numbers,
    expand_currency,
    expand_fractions,
    expand_units,
    expand_powers,
    expand_ranges,
    expand_symbols,
    expand_numbers,
    speak_acronym_plurals,
    tidy_punctuation,
)
"""The spoken-form pipeline, in order."""


def to_spoken(text: str, normalizers: Iterable[Callable[[str], str]] = NORMALIZERS) -> str:
    """Run the author's text through every normalizer to get what the engine should say."""
    for normalize in normalizers:
        text = normalize(text)
    return text
