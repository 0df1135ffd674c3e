"""The text files of an article's edition: each chapter's and the episode's captions (WebVTT,
SubRip), word-timed WebVTT for read-along, transcripts (JSON, plain text), and the episode's
Podcasting 2.0 JSON chapters."""

from __future__ import annotations

from pathlib import Path

from .captions import TimedUtterance, TimedWord, caption_cues
from .chapter import Chapter
from .config import CaptionSettings
from .document import blocks_text
from .edition import ArticleResult, ChapterResult, Plan, unspoken_sections
from .layout import CHAPTERS_DIR, CHAPTERS_JSON, EPISODE_MP3
from .transcripts import (
    Cue,
    to_json_chapters,
    to_json_transcript,
    to_srt,
    to_text,
    to_vtt,
    to_word_vtt,
)

SENTENCE_TIMING_NOTE = ("Sentence timing: this voice does not time its words, so each caption is a "
                        "whole sentence, as long as it takes to say.")
"""Said at the top of captions whose sentences could not be cut by word timing."""
WORDS_VTT = ".words.vtt"
"""The suffix of a chapter's (and the episode's) word-timed WebVTT: a cue per sentence, a timestamp
before each word (the read-along page links it)."""


def article_texts(article: ArticleResult, limits: CaptionSettings | None = None) -> dict[str, str]:
    """Every text file of an article, by path inside the output folder, timed from its audio."""
    plan, limits = article.plan, limits or CaptionSettings()
    files: dict[str, str] = {}
    episode: list[TimedUtterance] = []
    for result, mark in zip(article.chapters, article.episode.marks, strict=True):
        stem = f"{CHAPTERS_DIR}/{Path(result.chapter.filename).stem}"
        files |= _transcript_files(plan, stem, [(result.chapter.title, result.chapter.text)],
                                   timed_utterances(result), limits)
        episode += timed_utterances(result, offset=mark.start)
    files |= _transcript_files(plan, Path(EPISODE_MP3).stem,
                               transcript_sections(plan, [c.chapter for c in article.chapters]),
                               episode, limits)
    files[f"{plan.folder}/{CHAPTERS_JSON}"] = to_json_chapters(list(article.episode.marks))
    return files


def timed_utterances(result: ChapterResult, offset: float = 0.0) -> list[TimedUtterance]:
    """A chapter's utterances as captions take them, offset seconds later (its place in the episode)."""
    def moved(words: tuple[TimedWord, ...] | None) -> tuple[TimedWord, ...] | None:
        return None if words is None else tuple(
            TimedWord(w.text, round(w.start + offset, 3), round(w.end + offset, 3)) for w in words)

    return [TimedUtterance(u.display, round(start + offset, 3), round(end + offset, 3), moved(words))
            for u, (start, end), words in zip(result.chapter.utterances, result.timings,
                                              result.utterance_words(), strict=True)]


def _transcript_files(plan: Plan, stem: str, sections: list[tuple[str, str]],
                      utterances: list[TimedUtterance], limits: CaptionSettings) -> dict[str, str]:
    base = f"{plan.folder}/{stem}"
    cues = caption_cues(utterances, limits)
    note = SENTENCE_TIMING_NOTE if any(u.words is None for u in utterances) else ""
    return {f"{base}.vtt": to_vtt(cues, note), f"{base}.srt": to_srt(cues),
            f"{base}{WORDS_VTT}": to_word_vtt(utterances, note),
            f"{base}.json": to_json_transcript(transcript_segments(utterances)),
            f"{base}.txt": to_text(plan.article.title, sections)}


def transcript_segments(utterances: list[TimedUtterance]) -> list[Cue]:
    """The JSON transcript's segments: each timed word, or the whole sentence where none are timed."""
    return [segment for u in utterances for segment in (
        [Cue(w.start, w.end, w.text) for w in u.words] if u.words is not None
        else [Cue(u.start, u.end, u.text)])]


def transcript_sections(plan: Plan, chapters: list[Chapter]) -> list[tuple[str, str]]:
    """The episode transcript's sections: every chapter, with the unspoken ones before the disclaimer."""
    parts = [(c.title, c.text) for c in chapters]
    extra = [(s.title, s.text) for s in unspoken_sections(plan)]
    notes = "\n\n".join(f"[{n.label}] {blocks_text(n.blocks)}" for n in plan.article.footnotes)
    if notes:
        extra.append(("Notes", notes))
    position = len(parts) - (1 if chapters and chapters[-1].is_disclaimer else 0)
    return parts[:position] + extra + parts[position:]
