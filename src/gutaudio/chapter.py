"""What a script is made of: chapters (one MP3 each) of utterances, and the parts left unspoken.

Kept apart from script.py, which makes them, so that a build reusing a kept plan (plan_memo) loads
these types without the text rules (readers, speech) that made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Section


@dataclass(frozen=True)
class Utterance:
    """About one sentence: what the listener reads, what the engine speaks, and the pause after."""

    display: str
    spoken: str
    pause_after_ms: int = 0
    is_heading: bool = False
    kind: str = "paragraph"
    """The kind of block it reads: title, heading, paragraph, list, table, quote, image or code."""


@dataclass(frozen=True)
class Unspoken:
    """Something of the article that is shown but not spoken, where it is and why (for `inspect`)."""

    where: str
    text: str
    reason: str


@dataclass(frozen=True)
class Chapter:
    """One chapter of the narrated edition: one MP3 file."""

    index: int
    """1-based position in reading order (the track and episode number)."""
    title: str
    slug: str
    text: str
    """The chapter's full author text with its heading, for tags and transcripts."""
    utterances: tuple[Utterance, ...]
    is_disclaimer: bool = False
    body_text: str = ""
    """The chapter's author text without its heading (feed descriptions)."""
    section: Section | None = field(default=None, compare=False, repr=False)
    """The section of the document this chapter reads."""

    @property
    def filename(self) -> str:
        """File name of the chapter's MP3, e.g. 01-introduction.mp3."""
        return f"{self.index:02d}-{self.slug}.mp3"
