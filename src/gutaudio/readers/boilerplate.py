"""Lines a copied web page brings along that are not the article: bylines, share bars, footers.

Pure functions on one line of text each. A byline is kept as metadata (author, dates); the rest
is dropped, and the caller says what was dropped in a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..dates import parse_date

MAX_BOILERPLATE_CHARS = 240
"""Longer paragraphs are the author's prose, whatever words they contain."""

_SEPARATORS = re.compile(r"\s+[|\u00b7\u2022\u2014\u2013/]\s+|\s*[|\u00b7\u2022]\s*")
_AUTHOR = re.compile(r"^(?:by|written by|words by|author:)\s+(?P<names>[^\d].{1,120})$", re.IGNORECASE)
_REVIEWER = re.compile(r"^(?:medically |clinically |fact[- ]checked and )?(?:reviewed|fact[- ]checked)"
                       r"(?: by)?:?\s+\S.{0,120}$", re.IGNORECASE)
_DATED = re.compile(r"^(?P<kind>published|posted|updated|last updated|modified|last modified|date|"
                    r"first published|originally published)(?:\s+on)?:?\s+(?P<date>.{4,40})$",
                    re.IGNORECASE)
_READING_TIME = re.compile(r"^(?:\d{1,3}|one|two|three|four|five|ten)[\s-]?(?:min(?:ute)?s?\.?|m)"
                           r"(?:\s+(?:read|reading time|to read|listen))?$|^reading time:?\s+\d{1,3}\s*min",
                           re.IGNORECASE)
_SOCIAL = (r"facebook|twitter|x|email|e-mail|linkedin|pinterest|whatsapp|reddit|print|copy link|"
           r"threads|bluesky|mastodon|telegram|instagram|tiktok|youtube|rss|sms|messenger|tumblr|flipboard")
_SHARE = re.compile(
    rf"^(?:share(?: this| the)?(?: article| post| page| story)?(?: on| via)?|follow us(?: on)?|tweet|"
    rf"pin it|spread the word)\b[\s:!-]*(?:(?:{_SOCIAL})\b[\s,|/\u00b7\u2022-]*)*$"
    rf"|^(?:(?:{_SOCIAL})\b[\s,|/\u00b7\u2022-]*){{2,}}$",
    re.IGNORECASE,
)
_SHARE_ITEM = re.compile(
    rf"^(?:(?:share|post|send|tweet|pin)(?: this| the| it)?(?: article| post| page| story| link)?"
    rf"(?: on| via| by| to| with)?\s*)?(?:{_SOCIAL})"
    rf"(?:\s+(?:this|the)(?:\s+(?:article|post|page|story|link))?)?$"
    rf"|^share(?: this| the)?(?: article| post| page| story)?$|^(?:tweet|pin) (?:this|it)$",
    re.IGNORECASE,
)
"""One button of a share bar: "Share on X", "Email this article", "Pinterest", "Share"."""
_SHARE_SEPARATORS = re.compile(r"\s*[|\u00b7\u2022/]\s*")
_COPYRIGHT = re.compile(r"^(?:\u00a9|\(c\)|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
_RELATED = re.compile(
    r"^(?:related(?: posts| articles| stories| reading| content| links)?|you (?:may|might) also like|"
    r"read next|read more|more from [\w .&'-]{1,40}|popular posts|most popular|recommended(?: for you)?|"
    r"trending(?: now)?|keep reading|more (?:articles|stories|posts)(?: like this)?|see also|"
    r"further reading on [\w .&'-]{1,40})\s*:?$",
    re.IGNORECASE,
)
_OTHER = [
    (re.compile(r"^(?:advertisement|sponsored(?: content)?|ad|skip (?:to|the) ad)$", re.IGNORECASE),
     "advertisement"),
    (re.compile(r"^(?:sign up for|subscribe to) (?:our|the) [\w ]{0,40}newsletter\b|^subscribe(?: now)?$|"
                r"^(?:join|get) our (?:free )?newsletter\b", re.IGNORECASE), "newsletter sign-up"),
    (re.compile(r"^(?:\d+\s+)?(?:comments?|leave a (?:comment|reply)|add a comment|join the discussion)"
                r"\s*(?:\(\d+\))?:?$", re.IGNORECASE), "comments"),
    (re.compile(r"^(?:tags?|filed under|categories|category|topics?):\s+\S", re.IGNORECASE), "tag list"),
    (re.compile(r"^(?:print(?: this)?(?: article| page)?|back to top|skip to (?:main )?content|"
                r"jump to (?:recipe|section))$", re.IGNORECASE), "page control"),
]


@dataclass(frozen=True)
class Byline:
    """What a byline line says: its authors and dates."""

    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    updated: dt.date | None = None


def parse_byline(line: str) -> Byline | None:
    """Read a byline ("By Dana Reyes, RD | Updated March 3, 2026 | 4 min read"); None if it is not one."""
    line = " ".join(line.split())
    if not line or len(line) > MAX_BOILERPLATE_CHARS or line.endswith(("?", "!")):
        return None
    authors: list[str] = []
    date = updated = None
    known = 0
    for part in (p.strip(" ,;") for p in _SEPARATORS.split(line)):
        if not part:
            continue
        if match := _AUTHOR.match(part):
            names, when = _split_trailing_date(match.group("names"))
            if not looks_like_names(names):
                return None
            authors += split_authors(names)
            date = date or when
        elif _REVIEWER.match(part) or _READING_TIME.match(part):
            pass
        elif match := _DATED.match(part):
            when = parse_date(match.group("date"))
            if when is None:
                return None
            if match.group("kind").lower() in ("updated", "last updated", "modified", "last modified"):
                updated = when
            else:
                date = when
        elif (when := parse_date(part)) is not None:
            date = date or when
        else:
            return None
        known += 1
    return Byline(tuple(authors), date, updated) if known else None


def _split_trailing_date(names: str) -> tuple[str, dt.date | None]:
    """ "Dana Reyes on March 3, 2026" -> ("Dana Reyes", the date); a trailing date is optional."""
    for separator in re.finditer(r"(?:\s+on|,)\s+", names):
        when = parse_date(names[separator.end():])
        if when is not None:
            return names[:separator.start()], when
    return names, None


# A name's words: capitalised words, initials, credentials ("RD", "PhD"), and lower-case particles.
_NAME_WORD = re.compile(r"^(?:[A-Z\u00c0-\u00de][\w.'\u2019-]*|de|del|da|van|von|der|la|le|bin|al-\w+)$")


def looks_like_names(names: str) -> bool:
    """Whether text reads as one or more people's names ("Ana Ruiz, RD and Ben Cole"), not prose."""
    people = split_authors(names)
    return bool(people) and all(
        1 <= len(words := person.replace(",", " ").split()) <= 7 and all(_NAME_WORD.match(w) for w in words)
        for person in people)


def split_authors(names: str) -> list[str]:
    """Split "Ana Ruiz, RD and Ben Cole" into ["Ana Ruiz, RD", "Ben Cole"] (credentials stay)."""
    names = " ".join(names.split()).strip(" ,.")
    people = [p.strip(" ,") for p in re.split(r"\s+(?:and|&)\s+|;\s*", names) if p.strip(" ,")]
    return people


def boilerplate_reason(line: str) -> str | None:
    """Why a short line is page furniture, not the article ("share bar", "copyright notice"), or None."""
    line = " ".join(line.split())
    if not line or len(line) > MAX_BOILERPLATE_CHARS:
        return None
    parts = [part for part in _SHARE_SEPARATORS.split(line) if part]
    if _SHARE.match(line) or (len(parts) >= 2 and all(_SHARE_ITEM.match(part) for part in parts)):
        return "share bar"
    if _COPYRIGHT.search(line) and len(line) <= 160:
        return "copyright notice"
    for pattern, reason in _OTHER:
        if pattern.match(line):
            return reason
    if _READING_TIME.match(line):
        return "byline"
    return None


def is_related_label(line: str) -> bool:
    """Whether a line introduces a list of other posts ("Related posts", "You may also like")."""
    return bool(_RELATED.match(" ".join(line.split())))
