"""The text files of an article's edition: each chapter's and the episode's captions (WebVTT,
SubRip) and plain-text transcript, and the episode's Podcasting 2.0 JSON chapters."""

from __future__ import annotations

from pathlib import Path

from .document import blocks_text
from .edition import ArticleResult, Plan, unspoken_sections
from .layout import CHAPTERS_DIR, CHAPTERS_JSON, EPISODE_MP3
from .script import Chapter
from .transcripts import Cue, make_cues, to_json_chapters, to_srt, to_text, to_vtt


def article_texts(article: ArticleResult) -> dict[str, str]:
    """Every text file of an article, by path inside the output folder, timed from its audio."""
    plan = article.plan
    files: dict[str, str] = {}
    episode_cues: list[Cue] = []
    for result, mark in zip(article.chapters, article.episode.marks, strict=True):
        texts = [u.display for u in result.chapter.utterances]
        stem = f"{CHAPTERS_DIR}/{Path(result.chapter.filename).stem}"
        files |= _transcript_files(plan, stem, [(result.chapter.title, result.chapter.text)],
                                   make_cues(texts, result.timings))
        episode_cues += make_cues(texts, result.timings, offset=mark.start)
    files |= _transcript_files(plan, Path(EPISODE_MP3).stem,
                               transcript_sections(plan, [c.chapter for c in article.chapters]),
                               episode_cues)
    files[f"{plan.folder}/{CHAPTERS_JSON}"] = to_json_chapters(list(article.episode.marks))
    return files


def _transcript_files(plan: Plan, stem: str, sections: list[tuple[str, str]],
                      cues: list[Cue]) -> dict[str, str]:
    base = f"{plan.folder}/{stem}"
    return {f"{base}.vtt": to_vtt(cues), f"{base}.srt": to_srt(cues),
            f"{base}.txt": to_text(plan.article.title, sections)}


def transcript_sections(plan: Plan, chapters: list[Chapter]) -> list[tuple[str, str]]:
    """The episode transcript's sections: every chapter, with the unspoken ones before the disclaimer."""
    parts = [(c.title, c.text) for c in chapters]
    extra = [(s.title, s.text) for s in unspoken_sections(plan)]
    notes = "\n\n".join(f"[{n.label}] {blocks_text(n.blocks)}" for n in plan.article.footnotes)
    if notes:
        extra.append(("Notes", notes))
    position = len(parts) - (1 if chapters and chapters[-1].is_disclaimer else 0)
    return parts[:position] + extra + parts[position:]
