"""Timed transcripts from real clip timings: WebVTT captions, SRT, plain text and JSON chapters."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import srt
import webvtt

if TYPE_CHECKING:
    from .captions import TimedUtterance

JSON_CHAPTERS_VERSION = "1.2.0"
JSON_TRANSCRIPT_VERSION = "1.0.0"
"""Podcasting 2.0's JSON transcript format (podcast:transcript type="application/json")."""


@dataclass(frozen=True)
class Cue:
    """One caption: an utterance's author text and when it is heard, in seconds."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class ChapterMark:
    """Where a chapter starts and ends inside the full episode, in seconds."""

    start: float
    end: float
    title: str


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_vtt(cues: Sequence[Cue], note: str = "") -> str:
    """Render cues as a WebVTT document, cue text escaped as the format requires; note, when
    given, is said in a NOTE block at the top (for people reading the file, not shown)."""
    document = webvtt.WebVTT(header_comments=[note] if note else None)
    for number, cue in enumerate(cues, 1):
        document.captions.append(webvtt.Caption(
            _vtt_time(cue.start), _vtt_time(cue.end), cue_text(cue.text),
            identifier=str(number),
        ))
    return document.content


def cue_text(text: str) -> str:
    """Text as WebVTT cue text: &, < and > escaped (nothing else is markup there)."""
    return html.escape(text, quote=False)


def word_timed_text(utterance: TimedUtterance) -> str:
    """An utterance as cue text with a WebVTT timestamp before each word said after the cue starts
    ("Gut <00:00:00.730>health"); the text alone where the voice timed no words."""
    if utterance.words is None:
        return cue_text(utterance.text)
    parts, last = [], utterance.start
    for word in utterance.words:
        # A timestamp must be later than the cue's start and the one before it, and before its end.
        # webvtt-py has no API for WebVTT's inline timestamp tags: the tag holds only digits, colons
        # and a dot, and the word is escaped by cue_text, so this is the one place markup is joined.
        if last < word.start < utterance.end and _vtt_time(word.start) != _vtt_time(last):
            parts.append(f"<{_vtt_time(word.start)}>{cue_text(word.text)}")
            last = word.start
        else:
            parts.append(cue_text(word.text))
    return " ".join(parts)


def to_word_vtt(utterances: Sequence[TimedUtterance], note: str = "") -> str:
    """Render utterances as a WebVTT document of one cue per sentence, each word preceded by its
    timestamp (for read-along players); note, when given, is a NOTE block at the top."""
    document = webvtt.WebVTT(header_comments=[note] if note else None)
    for number, utterance in enumerate(utterances, 1):
        document.captions.append(webvtt.Caption(
            _vtt_time(utterance.start), _vtt_time(utterance.end), word_timed_text(utterance),
            identifier=str(number)))
    return document.content


def to_srt(cues: Sequence[Cue]) -> str:
    """Render cues as a SubRip (.srt) document."""
    return srt.compose([
        srt.Subtitle(number, dt.timedelta(milliseconds=round(cue.start * 1000)),
                     dt.timedelta(milliseconds=round(cue.end * 1000)), cue.text)
        for number, cue in enumerate(cues, 1)
    ], reindex=False)


def to_json_transcript(segments: Sequence[Cue]) -> str:
    """Render a Podcasting 2.0 JSON transcript: a segment per word where the voice timed its words
    (so players can highlight each word), else per sentence; times in seconds."""
    document = {"version": JSON_TRANSCRIPT_VERSION, "segments": [
        {"startTime": round(cue.start, 3), "endTime": round(cue.end, 3), "body": cue.text}
        for cue in segments]}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"  # for players: compact


def to_text(title: str, sections: Sequence[tuple[str, str]]) -> str:
    """Render a plain-text transcript: the title, then each section's title and author text."""
    parts = [title, "=" * len(title)]
    for heading, text in sections:
        first_line = text.split("\n", 1)[0]
        if not first_line.endswith(heading):  # the author's own heading line already says it
            parts += ["", heading, "-" * len(heading)]
        parts += ["", text]
    return "\n".join(parts).rstrip() + "\n"


def to_json_chapters(marks: Sequence[ChapterMark]) -> str:
    """Render Podcasting 2.0 JSON chapters (version 1.2.0) with start and end times."""
    document = {
        "version": JSON_CHAPTERS_VERSION,
        "chapters": [
            {"startTime": round(mark.start, 3), "endTime": round(mark.end, 3), "title": mark.title}
            for mark in marks
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
