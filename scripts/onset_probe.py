"""Utterance onsets: is the first word of an utterance heard more often when the voice says it in
context (after "so," whose audio is then cut off at the first word's start, by the voice's own word
timing) than when it starts from silence? Each target is heard as a build plays it: after the
sentence before it and a 350 ms pause, trimmed as the build trims clips, by Whisper base (beam 5).

Run: .venv/bin/python scripts/onset_probe.py [PAIRS HEARINGS]   (default 50 2, about 9 minutes; needs
gutaudio[proof]). Measured 2026-12-03, 50 pairs from the fixture articles, 2 hearings each: the first
word lost 9 of 100 times either way; all words lost 4.41% from silence, 4.18% in context.
"""

from __future__ import annotations

import itertools
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from gutaudio.audio import trim_silence  # noqa: E402
from gutaudio.cache import ClipCache, default_cache_dir  # noqa: E402
from gutaudio.config import VoiceSettings, load_settings  # noqa: E402
from gutaudio.engines import make_engine  # noqa: E402
from gutaudio.engines.base import Clip  # noqa: E402
from gutaudio.errors import GutaudioError  # noqa: E402
from gutaudio.manifest import ChapterRecord, UtteranceRecord  # noqa: E402
from gutaudio.proof import proof_chapter  # noqa: E402
from gutaudio.readers import read_article  # noqa: E402
from gutaudio.recipe import script_article  # noqa: E402
from gutaudio.recognizer import Recognizer, model_folder  # noqa: E402

N, HEARINGS = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (50, 2)
fixtures = sorted(p for p in (REPO / "tests" / "fixtures" / "articles").iterdir()
                  if p.suffix in {".md", ".txt", ".html"})
settings = load_settings(REPO / "content", Path(tempfile.gettempdir()))
pairs = []
for path in [*fixtures, REPO / "content" / "leaky-gut.txt"]:
    try:
        plan = script_article(read_article(path, settings.disclaimer), settings)
    except GutaudioError:  # a fixture that is meant to fail (no disclaimer, say)
        continue
    us = [u for c in plan.chapters for u in c.utterances]
    for prev, cur in itertools.pairwise(us):
        if (not cur.is_heading and len(cur.spoken.split()) >= 4 and "[[" not in cur.spoken
                and len(prev.spoken.split()) >= 3):
            pairs.append((prev, cur))
random.Random(5).shuffle(pairs)
pairs = pairs[:N]
engine = make_engine(VoiceSettings())
engine.use_cache(ClipCache(default_cache_dir()))  # the aligned voice, as builds keep it
rec = Recognizer(model_folder("base", Path(tempfile.mkdtemp())), beam_size=5)
LEAD = "so,"

def in_context(spoken: str) -> Clip:
    clip = engine.synthesize(f"{LEAD} {spoken}")
    if clip.words is None:
        raise SystemExit("no word timing")
    start = clip.words[1][0]  # the first word of the sentence, as the voice timed it
    words = tuple((a - start, b - start) for a, b in clip.words[1:])
    return Clip(clip.pcm[start * 2:], clip.sample_rate, words)

def heard_first(prev_clip: Clip, cur_clip: Clip, prev, cur) -> tuple[bool, int]:
    prev_clip, cur_clip = trim_silence(prev_clip), trim_silence(cur_clip)
    rate = prev_clip.sample_rate
    pause = b"\0\0" * int(0.35 * rate)
    lead = b"\0\0" * int(0.5 * rate)
    pcm = lead + prev_clip.pcm + pause + cur_clip.pcm + b"\0\0" * int(1.0 * rate)
    t1 = 0.5 + prev_clip.duration
    t2 = t1 + 0.35
    u1 = UtteranceRecord(0.5, t1, prev.display, prev.spoken)
    u2 = UtteranceRecord(t2, t2 + cur_clip.duration, cur.display, cur.spoken)
    chapter = ChapterRecord("c", 1, "", False, "", 0.0, 0, 0.0, "", 0, "", "", None, (), (u1, u2))
    words = rec.hear_clip(Clip(pcm, rate))
    proof = proof_chapter("", chapter, words)
    first = cur.display.split()[0]
    lost = [m for m in proof.missed if m.sentence == cur.display]
    first_lost = any(m.word.split()[0] == first for m in lost) if lost else False
    return first_lost, len(lost)

results = {"silence": [], "context": []}
for i, (prev, cur) in enumerate(pairs):
    prev_clip = engine.synthesize(prev.spoken)
    row = []
    for variant in results:
        for _ in range(HEARINGS):
            cur_clip = engine.synthesize(cur.spoken) if variant == "silence" else in_context(cur.spoken)
            first_lost, lost = heard_first(prev_clip, cur_clip, prev, cur)
            results[variant].append((first_lost, lost, len(cur.display.split())))
            row.append(int(first_lost))
    print(i, row, cur.display[:60], flush=True)
for variant, rows in results.items():
    n = len(rows)
    firsts, lost, words = (sum(r[k] for r in rows) for k in range(3))
    print(f"{variant}: first word lost {firsts} of {n} ({100 * firsts / n:.1f}%); "
          f"all words lost {lost} of {words} ({100 * lost / words:.2f}%)")
