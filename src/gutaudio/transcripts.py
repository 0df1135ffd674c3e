"""Timed transcripts from real clip timings: WebVTT captions, SRT, plain text and JSON chapters."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import srt
import webvtt

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
            _vtt_time(cue.start), _vtt_time(cue.end), html.escape(cue.text, quote=False),
            identifier=str(number),
        ))
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
