"""`gutaudio inspect --timings`: a table with a header row whose columns line up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import srt
from click.testing import CliRunner, Result

from gutaudio.cli import cli


def _timings(output: Path) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--timings", "--output", str(output)])


SPOKEN = [(1, "Gut health matters."), (1, "It shapes how we feel every day."), (2, "1. Diet and Sleep"),
          (2, "Eat 25-30 g of fibre daily, e.g. oats."), (3, "Disclaimer"),
          (3, "This site offers information designed for educational purposes only."),
          (3, "Always consult your physician.")]
"""The test article's utterances in reading order, with their chapter numbers (conftest.SHORT_ARTICLE)."""
ROW = re.compile(r"short-article +(?P<chapter>\d+)  (?P<start>\d\d:\d\d\.\d{3})  (?P<end>\d\d:\d\d\.\d{3})  "
                 r"(?P<text>\S.*)")


def _seconds(clock: str) -> float:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + float(seconds)


def test_timings_of_a_finished_build_start_with_a_header_row(built: tuple[Path, Result]) -> None:
    output, _ = built
    result = _timings(output)
    assert (result.exit_code, result.stderr) == (0, "")
    header, *rows = result.output.splitlines()
    assert header == "article        chapter      start        end  text"
    matches = [ROW.fullmatch(row) for row in rows]
    assert all(matches), rows
    assert [(int(m["chapter"]), m["text"]) for m in matches] == SPOKEN
    for m in matches:  # every column ends under its heading
        assert [m.end("chapter"), m.end("start"), m.end("end"), m.start("text")] == [
            header.index("chapter") + 7, header.index("start") + 5, header.index("end") + 3,
            header.index("text")], m.group(0)
    # Each sentence's caption (one cue each here), read by the srt package, runs from its first word
    # to its last: inside the sentence's span as shown, within a tenth of a second of its edges
    # (the clip's own few ms of edge, and a word's silent start), or lasting the shortest a cue may.
    captions = [(s.start.total_seconds(), s.end.total_seconds())
                for path in sorted((output / "short-article" / "chapters").glob("*.srt"))
                for s in srt.parse(path.read_text(encoding="utf-8"))]
    shown = [(_seconds(m["start"]), _seconds(m["end"])) for m in matches]
    assert len(captions) == len(shown)
    for (start, end), (cue_start, cue_end) in zip(shown, captions, strict=True):
        assert start <= cue_start < start + 0.1, (start, cue_start)
        assert end - 0.1 < cue_end <= end or cue_end - cue_start == pytest.approx(1.0), (end, cue_end)
    assert [m["start"] for m in matches if m["text"] in ("Gut health matters.", "Disclaimer")] == [
        "00:00.500", "00:00.500"]  # each chapter opens after its half-second lead-in


def test_timing_columns_line_up_for_long_slugs_and_times(built: tuple[Path, Result],
                                                         tmp_path: Path) -> None:
    data = json.loads((built[0] / "build.json").read_text(encoding="utf-8"))
    article = data["articles"][0]
    chapter = next(iter(article["chapters"].values()))
    long_one = {**article, "folder": "what-the-gut-microbiome-does-for-your-immune-system",
                "chapters": {"c": {**chapter, "index": 12, "timings": [[6001.25, 6003.5]], "utterances": [
                    {"start": 6001.25, "end": 6003.5, "text": "Late in a long episode.",
                     "spoken": "Late in a long episode."}]}}}
    short_one = {**article, "folder": "gut",
                 "chapters": {"c": {**chapter, "index": 1, "timings": [[0.5, 2.0]], "utterances": [
                     {"start": 0.5, "end": 2.0, "text": "Gut health matters.",
                     "spoken": "Gut health matters."}]}}}
    data["articles"] = [short_one, long_one]
    (tmp_path / "build.json").write_text(json.dumps(data), encoding="utf-8")
    result = _timings(tmp_path)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.output == (
        "article                                              chapter       start         end  text\n"
        "gut                                                        1   00:00.500   00:02.000  "
        "Gut health matters.\n"
        "what-the-gut-microbiome-does-for-your-immune-system       12  100:01.250  100:03.500  "
        "Late in a long episode.\n")
