"""One reading of a date, for the show's [show] date and every article's dates.

gutaudio.toml, front matter, bylines, a page's meta tags and a Word file's properties all give
dates, written in many ways; parse_date reads each of them the same way.
"""

from __future__ import annotations

import datetime as dt
import re

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})"
                       r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
"""An ISO 8601 date, or date and time ("2026-03-04T08:30:00Z", "2026-03-04 08:30:00.000+0000")."""
_A_YEAR = re.compile(r"\b\d{4}\b")
MAX_WRITTEN_CHARS = 40
"""A longer text is a sentence that mentions a date, not a date."""


def parse_date(value: object) -> dt.date | None:
    """The date value gives, or None when it gives none.

    A date, or a datetime's date; or a text: an ISO 8601 date ("2026-03-04", "20260304",
    "2026-W10-3"), an ISO date and time ("2026-03-04T08:30:00Z": its date as written, with no
    conversion between time zones), or a date written with a four-digit year in any common way
    ("March 4, 2026", "4 March 2026", "Mar. 4 2026", "4/3/2026" read month first). Surrounding
    spaces, dots and commas are ignored. Anything else (a number, a time, "next week", a day
    without a year) gives None.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip(" \t\r\n.,")
    if match := _ISO_DATE.fullmatch(text):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:  # 2026-13-45
            return None
    try:
        return dt.date.fromisoformat(text)  # the compact and week forms: 20260304, 2026-W10-3
    except ValueError:
        pass
    if len(text) > MAX_WRITTEN_CHARS or not _A_YEAR.search(text):
        return None
    from dateutil import parser as date_parser  # loaded only when a text may be a written date

    try:
        return date_parser.parse(text, fuzzy=False, ignoretz=True,
                                 default=dt.datetime(2000, 1, 1)).date()  # only the day is kept
    except (ValueError, OverflowError, TypeError):
        return None
