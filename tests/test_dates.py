"""One reading of dates: gutaudio.toml's [show] date, front matter and bylines all use dates.parse_date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gutaudio.config import CONFIG_FILENAME, ShowSettings, load_settings
from gutaudio.dates import parse_date
from gutaudio.errors import ContentError
from gutaudio.readers.boilerplate import parse_byline
from gutaudio.readers.front_matter import as_date

MARCH_3 = dt.date(2026, 3, 3)


@pytest.mark.parametrize(("value", "expected"), [
    # dates and datetimes as TOML and YAML give them
    (dt.date(2026, 3, 3), MARCH_3),
    (dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), MARCH_3),
    # ISO 8601 texts: the date as written, never moved to another time zone
    ("2026-03-03", MARCH_3),
    ("  2026-03-03. ", MARCH_3),
    ("2026-03-03T08:30:00Z", MARCH_3),
    ("2026-03-03T23:30:00-05:00", MARCH_3),
    ("2026-03-03 08:30:00.000+0000", MARCH_3),
    ("20260303", MARCH_3),
    ("2026-W10-2", MARCH_3),
    # dates written out, with a four-digit year
    ("March 3, 2026", MARCH_3),
    ("3 March 2026", MARCH_3),
    ("Mar. 3 2026", MARCH_3),
    ("Tuesday, March 3, 2026", MARCH_3),
    ("March 3rd, 2026", MARCH_3),
    ("3rd of March 2026", MARCH_3),
    ("March 3, 2026 at 9:00 am", MARCH_3),
    ("2026/03/03", MARCH_3),
    ("3/4/2026", dt.date(2026, 3, 4)),  # month first, as dateutil reads it
    ("March 2026", dt.date(2026, 3, 1)),
    # not dates
    ("2026-13-45", None),
    ("2026-03-03 was the day the trial ended", None),
    ("May 5", None),
    ("next week", None),
    ("12:30", None),
    ("1 min read", None),
    ("Dana Reyes", None),
    ("Spring 2026", None),
    ("", None),
    ("On " + "and on " * 10 + "March 3, 2026", None),  # a sentence that mentions a date
    (20260303, None),
    (dt.time(8, 30), None),
    (None, None),
])
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ['"March 3, 2026"', "2026-03-03", '"2026-03-03T08:30:00Z"',
                                   "2026-03-03T08:30:00Z", '"3 March 2026"'])
def test_the_show_date_is_read_by_it(tmp_path: Path, value: str) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(
        '[show]\ntitle = "T"\nauthor = "A"\ndescription = "D"\nlink = "https://e.org/"\n'
        f'owner_email = "o@e.org"\nbase_url = "https://e.org/a/"\ndate = {value}\n', encoding="utf-8")
    assert load_settings(tmp_path, tmp_path / "output").show.date == MARCH_3
    assert ShowSettings(title="T", author="A", description="D", link="https://e.org/", owner_email="o@e.org",
                        base_url="https://e.org/a/", date="March 3, 2026").date == MARCH_3


@pytest.mark.parametrize(("value", "expected"), [
    (MARCH_3, MARCH_3), ("2026-03-03", MARCH_3), ("3 March 2026", MARCH_3), (20260303, MARCH_3),
    ("2026-03-03T08:30:00", MARCH_3),
])
def test_front_matter_dates_are_read_by_it(value: object, expected: dt.date) -> None:
    assert as_date(value, Path("a.md")) == expected


def test_a_front_matter_date_it_cannot_read_names_the_file_and_key() -> None:
    with pytest.raises(ContentError) as raised:
        as_date("May 5", Path("a.md"), "updated")
    assert str(raised.value) == "a.md: front matter updated 'May 5' is not a date such as 2026-03-03"


@pytest.mark.parametrize(("line", "date", "updated"), [
    ("Published March 3, 2024", dt.date(2024, 3, 3), None),
    ("By Dana Reyes | Updated 3 March 2026", None, MARCH_3),
    ("By Dana Reyes on 2026-03-03", MARCH_3, None),
    ("Posted: 2026-03-03T08:30:00Z | 4 min read", MARCH_3, None),
])
def test_bylines_are_read_by_it(line: str, date: dt.date | None, updated: dt.date | None) -> None:
    byline = parse_byline(line)
    assert byline is not None
    assert (byline.date, byline.updated) == (date, updated)
