"""Proof: a finished build heard back by an independent speech recognizer, and the author's words it
did not hear, each with its chapter, time, sentence, what was heard instead and the voice's phonemes.

Both sides are put in Whisper's English text normalizer (whisper-normalizer: "Dr." and "doctor",
"five" and "5", British and American spellings compare equal), units are folded to one spelling
("mg", "milligram" and "milligrams" alike), and the words are lined up by a minimum edit alignment
(jiwer). A run of differing words that joins to the same letters ("health care" and "healthcare",
"ome prazole" and "omeprazole") is heard. The reference is the author's text of each utterance:
what listeners read, not the respelling a lexicon gave the voice.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import GutaudioError, OptionError, RecognizerError, SettingsError
from .manifest import ChapterRecord, Manifest
from .recognizer import HeardWord
from .word_timing import author_groups

UNIT_SYMBOLS = {
    "mg": "milligrams", "mcg": "micrograms", "µg": "micrograms", "g": "grams", "kg": "kilograms",
    "ml": "milliliters", "l": "liters", "kcal": "calories", "cm": "centimeters", "mm": "millimeters",
    "iu": "international units",
}
"""Unit symbols, folded to the unit's name only after a number ("5 g", not the g of "e.g.")."""
UNIT_NAMES = {
    "milligram": "milligrams", "microgram": "micrograms", "gram": "grams", "kilogram": "kilograms",
    "milliliter": "milliliters", "liter": "liters", "calorie": "calories", "kilocalories": "calories",
    "kilocalorie": "calories", "centimeter": "centimeters", "millimeter": "millimeters",
    "percent": "%",
}
"""Units' names in the singular (Whisper's normalizer has made them American), folded to the plural;
"percent" heard as a word of its own (the normalizer writes it "%" only after a number)."""
ABBREVIATIONS = ((re.compile(r"\be\.\s?g\.", re.IGNORECASE), "for example"),
                 (re.compile(r"\bi\.\s?e\.", re.IGNORECASE), "that is"),
                 (re.compile(r"\betc\.", re.IGNORECASE), "et cetera"))
"""Latin abbreviations as they are said (the voice says them so, and a recognizer writes them so)."""

PUNCTUATION = string.punctuation + "\u201c\u201d\u2018\u2019\u2026\u2013\u2014"
"""What is stripped from around a word before its phonemes are looked up."""
RAW_PHONEMES = re.compile(r"[^\w\[]*\[\[(.+?)\]\][^\w\]]*")
"""A word given to the voice as raw phonemes (Piper reads what is inside [[ ]] as phonemes)."""
Phonemes = Callable[[str], "str | None"]
"""The phonemes a voice says a text with (None where the engine cannot tell)."""


@dataclass(frozen=True)
class MissedWord:
    """An author's word (or words said as one, "5 mg") the recognizer did not hear."""

    article: str
    chapter: str
    time: float
    """Seconds into the chapter's file: the word's start where the voice timed its words, else its
    sentence's start."""
    word: str
    sentence: str
    heard: str
    """What the recognizer heard in its place ("" when it heard nothing there)."""
    spoken: str
    """What the voice was given to say for it (a lexicon's respelling, a unit said in full)."""
    phonemes: str | None = None
    utterance: int = 0
    """Its utterance's index in its chapter."""
    group: int = 0
    """Its index among the utterance's author's words (word_timing.author_groups)."""
    said_by: range = range(0)
    """The indices of the spoken words that say it."""


@dataclass(frozen=True)
class ChapterProof:
    """One chapter heard back: how many of the author's words, and which of them were not heard."""

    article: str
    chapter: str
    title: str
    words: int
    missed_words: int
    missed: tuple[MissedWord, ...]
    heard: str

    @property
    def missed_percent(self) -> float:
        """The share of the chapter's words not heard, in percent."""
        return 100.0 * self.missed_words / self.words if self.words else 0.0


@dataclass(frozen=True)
class ProofReport:
    """Every chapter of a build heard back."""

    model: str
    beam_size: int
    chapters: tuple[ChapterProof, ...] = field(default_factory=tuple)

    @property
    def words(self) -> int:
        """The author's words in all chapters."""
        return sum(c.words for c in self.chapters)

    @property
    def missed_words(self) -> int:
        """The author's words not heard, in all chapters."""
        return sum(c.missed_words for c in self.chapters)

    @property
    def missed_percent(self) -> float:
        """The share of the author's words not heard, in percent."""
        return 100.0 * self.missed_words / self.words if self.words else 0.0

    def passed(self, max_missed: float | None) -> bool:
        """Whether the share not heard is at most max_missed percent (always, without a limit)."""
        return max_missed is None or self.missed_percent <= max_missed + 1e-9

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "model": self.model, "beam_size": self.beam_size, "words": self.words,
            "missed_words": self.missed_words, "missed_percent": round(self.missed_percent, 2),
            "chapters": [{
                "article": c.article, "chapter": c.chapter, "title": c.title, "words": c.words,
                "missed_words": c.missed_words, "missed_percent": round(c.missed_percent, 2),
                "heard": c.heard,
                "missed": [{"time": round(m.time, 3), "word": m.word, "sentence": m.sentence,
                            "heard": m.heard, "spoken": m.spoken, "phonemes": m.phonemes}
                           for m in c.missed],
            } for c in self.chapters],
        }


@functools.cache
def _normalizer() -> Callable[[str], str]:
    """Whisper's English text normalizer (whisper-normalizer, part of gutaudio[proof])."""
    try:
        from whisper_normalizer.english import EnglishTextNormalizer
    except ImportError as e:
        raise RecognizerError("proof needs whisper-normalizer; install the recognizer with: "
                              "pip install 'gutaudio[proof]'") from e
    return EnglishTextNormalizer()


@functools.lru_cache(maxsize=1 << 15)
def comparable_words(text: str) -> tuple[str, ...]:
    """A text's words as proof compares them: Whisper's normalizer, then units in one spelling."""
    for pattern, said in ABBREVIATIONS:
        text = pattern.sub(said, text)
    words: list[str] = []
    for word in _normalizer()(text).split():
        after_number = bool(words) and any(ch.isdigit() for ch in words[-1])
        folded = UNIT_SYMBOLS.get(word) if after_number else None
        words.extend((folded or UNIT_NAMES.get(word, word)).split())
    return tuple(words)


@dataclass(frozen=True)
class _Said:
    """A word of the reference: which utterance and which author's word (group) it belongs to."""

    word: str
    utterance: int
    group: int


def _reference(chapter: ChapterRecord) -> tuple[list[_Said], list[list[tuple[str, str, float, range]]]]:
    """The chapter's author's words as compared, and per utterance its groups: (author's text, what
    the voice said for it, its start time, the indices of the spoken words that say it)."""
    said: list[_Said] = []
    groups_of: list[list[tuple[str, str, float, range]]] = []
    for u_index, utterance in enumerate(chapter.utterances):
        groups = author_groups(utterance.text, utterance.spoken)
        spoken = utterance.spoken.split()
        timed = utterance.words if utterance.words and len(utterance.words) == len(groups) else None
        entries = []
        for g_index, (text, spoken_range) in enumerate(groups):
            start = timed[g_index].start if timed else utterance.start
            entries.append((text, " ".join(spoken[i] for i in spoken_range), start, spoken_range))
            said.extend(_Said(word, u_index, g_index) for word in comparable_words(text))
        groups_of.append(entries)
    return said, groups_of


def _heard(words: Sequence[HeardWord]) -> list[tuple[str, int]]:
    """The words heard as compared, each with the index of the heard word it comes from."""
    return [(word, index) for index, heard in enumerate(words) for word in comparable_words(heard.text)]


def _regions(reference: Sequence[str], hypothesis: Sequence[str]) -> Iterable[tuple[range, range]]:
    """The runs where the words heard differ from the words said, as (said, heard) index ranges."""
    if not reference:
        return
    if not hypothesis:
        yield range(len(reference)), range(0)
        return
    import jiwer

    chunks = jiwer.process_words(" ".join(reference), " ".join(hypothesis)).alignments[0]
    run: list[Any] = []
    for chunk in [*chunks, None]:
        if chunk is not None and chunk.type != "equal":
            run.append(chunk)
            continue
        if run:
            yield (range(run[0].ref_start_idx, run[-1].ref_end_idx),
                   range(run[0].hyp_start_idx, run[-1].hyp_end_idx))
            run = []


def _not_heard(said: Sequence[str], heard: Sequence[str]) -> list[int]:
    """Which words of a run that differs were not heard (their indices in said).

    The letters of both runs are lined up: a word all of whose letters were heard, in a run where
    the recognizer heard at most one letter more per word said, counts as heard ("health care" for
    "healthcare", "and" for "an", a plural s); any other word of the run was not heard.
    """
    said_letters, heard_letters = "".join(said), "".join(heard)
    if not heard_letters:
        return list(range(len(said)))
    blocks = difflib.SequenceMatcher(None, said_letters, heard_letters, autojunk=False).get_matching_blocks()
    matched = {i for block in blocks for i in range(block.a, block.a + block.size)}
    extra = len(heard_letters) - sum(block.size for block in blocks)
    lost, at = [], 0
    for index, word in enumerate(said):
        letters = range(at, at + len(word))
        at += len(word)
        if extra > len(said) or not all(i in matched for i in letters):
            lost.append(index)
    return lost


def proof_chapter(article: str, chapter: ChapterRecord, heard: Sequence[HeardWord],
                  phonemes: Phonemes | None = None) -> ChapterProof:
    """Compare a chapter's author's words with the words heard in its file."""
    said, groups_of = _reference(chapter)
    heard_words = _heard(heard)
    reference, hypothesis = [s.word for s in said], [h[0] for h in heard_words]
    missed_at: dict[tuple[int, int], list[int]] = {}  # (utterance, group) -> heard word indices
    for said_range, heard_range in _regions(reference, hypothesis):
        lost = _not_heard([reference[i] for i in said_range], [hypothesis[j] for j in heard_range])
        instead = sorted({heard_words[j][1] for j in heard_range})
        for i in (said_range[k] for k in lost):
            missed_at.setdefault((said[i].utterance, said[i].group), [])
            missed_at[(said[i].utterance, said[i].group)].extend(instead)
    missed = []
    for (u_index, g_index), instead in sorted(missed_at.items()):
        text, spoken, start, said_by = groups_of[u_index][g_index]
        missed.append(MissedWord(
            article=article, chapter=chapter.filename, time=start, word=text,
            sentence=chapter.utterances[u_index].text,
            heard=" ".join(heard[j].text for j in sorted(set(instead))), spoken=spoken,
            phonemes=_phonemes_of(spoken, phonemes), utterance=u_index, group=g_index, said_by=said_by))
    counted = {(w.utterance, w.group) for w in said}  # author's words that have something to hear
    words = sum(_author_words(groups_of[u][g][0]) for u, g in counted)
    missed_words = sum(_author_words(m.word) for m in missed)
    return ChapterProof(article, chapter.filename, chapter.title, words, missed_words,
                        tuple(missed), " ".join(w.text for w in heard))


def _author_words(text: str) -> int:
    """How many of the author's words a text is ("5 mg" is two)."""
    return len(text.split())


def _phonemes_of(spoken: str, phonemes: Phonemes | None) -> str | None:
    """The voice's phonemes for a word as it was given to say it, without the punctuation around it
    (a lexicon's phoneme entry, "[[...]]", is its own phonemes)."""
    given = RAW_PHONEMES.fullmatch(spoken.strip())
    if given:
        return given.group(1)
    word = spoken.strip(PUNCTUATION)
    return phonemes(word) if phonemes and word else None


def proof_build(output: Path, manifest: Manifest, hear: Callable[[Path], Sequence[HeardWord]], *,
                model: str, beam_size: int, phonemes: Phonemes | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> ProofReport:
    """Hear every chapter of the build in output (as its build.json lists them) and compare."""
    chapters = [(article.folder, chapter) for article in manifest.articles for chapter in article.chapters]
    proofs = []
    for done, (folder, chapter) in enumerate(chapters):
        if progress:
            progress(done, len(chapters), chapter.file)
        path = output / chapter.file
        if not path.is_file():
            raise RecognizerError(f"{path}: the chapter build.json lists is missing; build again")
        proofs.append(proof_chapter(folder, chapter, hear(path), phonemes))
    if progress:
        progress(len(chapters), len(chapters), "")
    return ProofReport(model, beam_size, tuple(proofs))


@dataclass(frozen=True)
class ProofRun:
    """What `gutaudio proof` found: the report, the limit it is held to, and the checked suggestions
    (each missed word a lexicon can hold, with the pronunciation heard right, or None)."""

    report: ProofReport
    max_missed: float | None
    suggestions: tuple[tuple[MissedWord, Any], ...] = ()
    lexicon: Path | None = None
    """The lexicon file the suggestions were written to, if they were."""


def run_proof(output: Path, content_dir: Path, *, model: str | None = None, beam_size: int | None = None,
              max_missed: float | None = None, cache_dir: Path | None = None, suggest: bool = False,
              write_lexicon: bool = False,
              progress: Callable[[int, int, str], None] | None = None) -> ProofRun:
    """Proof the build in output with the settings of content_dir's gutaudio.toml (defaults where
    there is none) and the given overrides; with suggest, try pronunciations for the words missed,
    and with write_lexicon add those heard right to content_dir's lexicon.toml."""
    from .cache import default_cache_dir
    from .config import CONFIG_FILENAME, LEXICON_FILENAME, ProofSettings, VoiceSettings, load_settings
    from .manifest import require_manifest
    from .recognizer import Recognizer, model_folder

    manifest = require_manifest(output)
    settings = load_settings(content_dir, output) if (content_dir / CONFIG_FILENAME).is_file() else None
    proof = settings.proof if settings else ProofSettings()
    try:
        proof = replace(proof, **{key: value for key, value in (
            ("model", model), ("beam_size", beam_size), ("max_missed", max_missed)) if value is not None})
    except SettingsError as e:
        raise OptionError(e.problems[0].setting if e.problems else "model", str(e)) from e
    voice = settings.voice if settings else VoiceSettings(engine=manifest.engine)
    cache_root = cache_dir or (settings.build.cache_dir if settings else None) or default_cache_dir()
    recognizer = Recognizer(model_folder(proof.model, cache_root, content_dir), proof.beam_size)
    engine = _voice_engine(voice, manifest)
    phonemes = getattr(engine, "phonemes", None)
    report = proof_build(output, manifest, recognizer.hear, model=proof.model, beam_size=proof.beam_size,
                         phonemes=phonemes, progress=progress)
    if not (suggest or write_lexicon):
        return ProofRun(report, proof.max_missed)
    if engine is None or not hasattr(engine, "phonemes"):
        raise OptionError("suggest", f"suggestions are phonemes for Piper's voices; this build's engine is "
                                     f"{manifest.engine}")
    from .suggest import suggest as checked_suggestions
    from .suggest import write_lexicon as add_to_lexicon

    chapters = {(a.folder, c.filename): c for a in manifest.articles for c in a.chapters}
    found = tuple(checked_suggestions(report, chapters, engine.synthesize, recognizer.hear_clip))
    lexicon = None
    if write_lexicon:
        entries = {s.word: s.entry for _, s in found if s is not None}
        if entries:
            lexicon = content_dir / LEXICON_FILENAME
            add_to_lexicon(lexicon, entries)
    return ProofRun(report, proof.max_missed, found, lexicon)


def _voice_engine(voice: Any, manifest: Manifest) -> Any:
    """The engine of the voice the build was made with (None when the settings name another)."""
    from .engines import make_engine

    if voice.engine != manifest.engine:
        return None
    try:
        return make_engine(voice)
    except GutaudioError:
        return None
