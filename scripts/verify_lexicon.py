"""Hear every entry of gutaudio's health lexicon again, with and without it, in a sentence of its own.

Each word is said in its sentence of benchmarks/lexicon-probe.txt (health sentences of the kinds
articles have) by the bundled Piper voice, once as the voice says it by itself and once with the
lexicon's phonemes, each synthesized and heard four times (--hearings) by Whisper (base, beam 5,
from gutaudio[proof]); an entry passes when its word is heard right every time and no other word
of the sentence is lost. Prints a table and exits 1 when an entry fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gutaudio.config import VoiceSettings, health_lexicon  # noqa: E402
from gutaudio.engines import make_engine  # noqa: E402
from gutaudio.manifest import UtteranceRecord  # noqa: E402
from gutaudio.recognizer import Recognizer, model_folder  # noqa: E402
from gutaudio.speech import apply_lexicon, split_sentences  # noqa: E402
from gutaudio.suggest import check_candidate  # noqa: E402

PROBE = REPO / "benchmarks" / "lexicon-probe.txt"


def probe_sentence(word: str) -> str:
    """The probe article's sentence with the word in it (not as its first word)."""
    for sentence in split_sentences(" ".join(PROBE.read_text(encoding="utf-8").split())):
        words = [w.strip(".,;:!?").casefold() for w in sentence.split()]
        if word.casefold() in words[1:] or any(w.startswith(word.casefold() + "'") for w in words[1:]):
            return sentence
    raise SystemExit(f"{PROBE}: no sentence with {word!r}; add one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="base", help="recognizer model (default base)")
    parser.add_argument("--hearings", type=int, default=4,
                        help="syntheses heard per entry, each of which must be right (default 4)")
    options = parser.parse_args()
    engine = make_engine(VoiceSettings())
    with tempfile.TemporaryDirectory() as cache:
        recognizer = Recognizer(model_folder(options.model, Path(cache)), beam_size=5)
        failed, rows = 0, []
        for word, entry in health_lexicon():
            text = probe_sentence(word)
            utterance = UtteranceRecord(0.0, 0.0, text, text)
            group = next(i for i, w in enumerate(text.split()) if w.strip(".,;:!?").casefold().startswith(
                word.casefold()))
            before = check_candidate(utterance, group, text, engine.synthesize, recognizer.hear_clip,
                                     hearings=options.hearings)
            after = check_candidate(utterance, group, apply_lexicon(text, ((word, entry),)),
                                    engine.synthesize, recognizer.hear_clip, hearings=options.hearings)
            failed += after is None
            rows.append((word, entry, "heard" if before else "missed", "heard" if after else "MISSED"))
    width = max(len(r[0]) for r in rows) if rows else 4
    for word, entry, before, after in rows:
        print(f"{word:<{width}}  without: {before:<6}  with {entry}: {after}")
    print(f"{len(rows) - failed} of {len(rows)} entries heard right {options.hearings} times of "
          f"{options.hearings} with the lexicon "
          f"(Whisper {options.model}, beam 5)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
