"""The incremental planner, on its own: no ffmpeg, no engine, no files."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gutaudio.audio import Loudness
from gutaudio.manifest import ArticleRecord, ChapterRecord, EpisodeRecord, Manifest, UtteranceRecord
from gutaudio.planner import (
    ChapterAction,
    EpisodeAction,
    WantedArticle,
    WantedChapter,
    decide,
    fingerprint,
)
from gutaudio.script import Chapter, Utterance

LEVELLING = "levelling-1"


def _chapter(index: int, *sentences: str) -> Chapter:
    utterances = tuple(Utterance(s, s.lower(), 300) for s in sentences)
    return Chapter(index, f"Part {index}", f"part-{index}", " ".join(sentences), utterances)


def _wanted(folder: str = "gut", audio: tuple[str, ...] = ("a1", "a2"), tags: tuple[str, ...] = ("t1", "t2"),
            episode: tuple[str, str] = ("ea", "et"), m4b: bool = False) -> WantedArticle:
    chapters = tuple(
        WantedChapter(_chapter(i, f"Sentence {i}a.", f"Sentence {i}b."),
                      f"{folder}/chapters/{i:02d}-part-{i}.mp3", a, t)
        for i, (a, t) in enumerate(zip(audio, tags, strict=True), 1))
    return WantedArticle(folder, chapters, f"{folder}/episode.mp3", *episode,
                         m4b_file=f"{folder}/episode.m4b" if m4b else None)


def _record(wanted: WantedArticle, levelling: str = LEVELLING) -> ArticleRecord:
    """The record a build that made exactly `wanted` would have left."""
    chapters = tuple(
        ChapterRecord(c.chapter.filename, c.chapter.index, c.chapter.title, False, c.file, 4.5,
                      1000 + c.chapter.index, -3.25, levelling, 170, c.audio_fingerprint,
                      c.tags_fingerprint, Loudness(-16.0, -2.0, ((-160, 40),)), ((0.1, 2.0), (2.3, 4.4)),
                      (UtteranceRecord(0.1, 2.0, "a", "a"), UtteranceRecord(2.3, 4.4, "b", "b")))
        for c in wanted.chapters)
    episode = EpisodeRecord(wanted.episode_file, 9.0, 2001, wanted.episode_audio_fingerprint,
                            wanted.episode_tags_fingerprint, None, ())
    return ArticleRecord(wanted.folder, "Gut", "gut.md", "", True, 1, episode, chapters)


def _manifest(*articles: ArticleRecord) -> Manifest:
    return Manifest("gutaudio test", "piper", "joe", -16.0, -1.0, 1, {"gut": 1}, articles)


def _sizes(record: ArticleRecord, m4b: bool = False) -> dict[str, int]:
    sizes = {c.file: c.bytes for c in record.chapters} | {record.episode.file: record.episode.bytes}
    return sizes | ({f"{record.folder}/episode.m4b": 5000} if m4b else {})


def test_a_first_build_makes_everything_and_speaks_every_sentence_in_reading_order() -> None:
    steps = decide([_wanted()], None, {}, set(), LEVELLING)
    (article,) = steps.articles
    assert [s.action for s in article.chapters] == [ChapterAction.MAKE, ChapterAction.MAKE]
    assert article.episode.action is EpisodeAction.JOIN
    assert steps.texts == ("sentence 1a.", "sentence 1b.", "sentence 2a.", "sentence 2b.")
    assert all(s.start_gain is None for s in article.chapters)


def test_an_unchanged_build_keeps_everything_and_speaks_nothing() -> None:
    wanted = _wanted()
    record = _record(wanted)
    steps = decide([wanted], _manifest(record), _sizes(record), set(), LEVELLING)
    (article,) = steps.articles
    assert [s.action for s in article.chapters] == [ChapterAction.KEEP, ChapterAction.KEEP]
    assert [s.record for s in article.chapters] == list(record.chapters)
    assert article.episode.action is EpisodeAction.KEEP and article.episode.record == record.episode
    assert steps.texts == ()


def test_one_changed_chapter_is_made_the_others_kept_and_the_episode_joined_again() -> None:
    record = _record(_wanted())
    steps = decide([_wanted(audio=("a1", "a2-edited"), episode=("ea-edited", "et"))], _manifest(record),
                   _sizes(record), set(), LEVELLING)
    (article,) = steps.articles
    assert [s.action for s in article.chapters] == [ChapterAction.KEEP, ChapterAction.MAKE]
    assert article.episode.action is EpisodeAction.JOIN
    assert steps.texts == ("sentence 2a.", "sentence 2b.")
    # Its last gain is where the gain search starts, since it was levelled the same way.
    assert article.chapters[1].start_gain == -3.25


def test_a_gain_levelled_another_way_is_no_start() -> None:
    record = _record(_wanted(), levelling="another-voice")
    steps = decide([_wanted(audio=("a1", "a2-edited"))], _manifest(record), _sizes(record), set(), LEVELLING)
    assert steps.articles[0].chapters[1].start_gain is None


def test_new_tags_on_the_same_audio_are_a_retag_for_chapters_and_episode() -> None:
    record = _record(_wanted())
    steps = decide([_wanted(tags=("t1", "t2-new"), episode=("ea", "et-new"))], _manifest(record),
                   _sizes(record), set(), LEVELLING)
    (article,) = steps.articles
    assert [s.action for s in article.chapters] == [ChapterAction.KEEP, ChapterAction.RETAG]
    assert article.chapters[1].record == record.chapters[1]
    assert article.episode.action is EpisodeAction.RETAG
    assert steps.texts == ()


@pytest.mark.parametrize("damage", ["missing", "resized"])
def test_a_published_chapter_that_is_gone_or_changed_is_made_again_and_so_is_the_episode(damage: str) -> None:
    wanted = _wanted()
    record = _record(wanted)
    sizes = _sizes(record)
    if damage == "missing":
        del sizes[wanted.chapters[0].file]
    else:
        sizes[wanted.chapters[0].file] += 1
    steps = decide([wanted], _manifest(record), sizes, set(), LEVELLING)
    (article,) = steps.articles
    assert [s.action for s in article.chapters] == [ChapterAction.MAKE, ChapterAction.KEEP]
    # The episode holds the old chapter's frames: it is joined from the new file.
    assert article.episode.action is EpisodeAction.JOIN
    assert steps.texts == ("sentence 1a.", "sentence 1b.")


def test_a_damaged_episode_is_joined_again_from_kept_chapters() -> None:
    wanted = _wanted()
    record = _record(wanted)
    sizes = _sizes(record) | {wanted.episode_file: 17}
    steps = decide([wanted], _manifest(record), sizes, set(), LEVELLING)
    assert steps.articles[0].episode.action is EpisodeAction.JOIN
    assert [s.action for s in steps.articles[0].chapters] == [ChapterAction.KEEP] * 2
    assert steps.texts == ()  # joining needs the chapter files, not their clips


def test_an_m4b_needs_the_levelled_audio_the_cache_lost_and_only_that() -> None:
    wanted = _wanted(m4b=True, episode=("ea-with-m4b", "et"))
    record = _record(_wanted())  # built before without an M4B
    steps = decide([wanted], _manifest(record), _sizes(record), {"a1"}, LEVELLING)
    (article,) = steps.articles
    assert article.episode.action is EpisodeAction.JOIN and article.needs_levelled
    assert [s.level_again for s in article.chapters] == [False, True]
    assert [s.action for s in article.chapters] == [ChapterAction.KEEP, ChapterAction.KEEP]
    assert steps.texts == ("sentence 2a.", "sentence 2b.")


def test_a_kept_episode_with_its_m4b_gone_is_joined_again() -> None:
    wanted = _wanted(m4b=True)
    record = _record(wanted)
    kept = decide([wanted], _manifest(record), _sizes(record, m4b=True), {"a1", "a2"}, LEVELLING)
    assert kept.articles[0].episode.action is EpisodeAction.KEEP and not kept.articles[0].needs_levelled
    lost = decide([wanted], _manifest(record), _sizes(record, m4b=False), {"a1", "a2"}, LEVELLING)
    assert lost.articles[0].episode.action is EpisodeAction.JOIN and lost.texts == ()


def test_articles_are_matched_by_folder_and_a_new_one_is_made_whole() -> None:
    old = _record(_wanted("gut"))
    steps = decide([_wanted("new-one"), _wanted("gut")], _manifest(old), _sizes(old), set(), LEVELLING)
    first, second = steps.articles
    assert {s.action for s in first.chapters} == {ChapterAction.MAKE}
    assert {s.action for s in second.chapters} == {ChapterAction.KEEP}
    assert steps.texts == ("sentence 1a.", "sentence 1b.", "sentence 2a.", "sentence 2b.")


def test_a_chapter_renamed_by_a_new_heading_is_not_taken_for_the_old_one() -> None:
    wanted = _wanted()
    record = _record(wanted)
    renamed = replace(record, chapters=(replace(record.chapters[0], filename="01-old-name.mp3"),
                                        record.chapters[1]))
    steps = decide([wanted], _manifest(renamed), _sizes(record), set(), LEVELLING)
    assert [s.action for s in steps.articles[0].chapters] == [ChapterAction.MAKE, ChapterAction.KEEP]


def test_fingerprints_are_fixed_hashes_of_their_data() -> None:
    assert fingerprint({"b": 1, "a": [2, "é"]}) == fingerprint({"a": [2, "é"], "b": 1})
    # sha256 of the sorted JSON text '{"a": 1}', first 32 hex digits
    assert fingerprint({"a": 1}) == "f9d86028c6e0d64e225186f96acb6933"
    assert len(fingerprint([])) == 32 and fingerprint([]) != fingerprint({})
