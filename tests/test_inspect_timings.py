"""`gutaudio inspect --timings`: a table with a header row whose columns line up."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from gutaudio.cli import cli

from .conftest import manifest_of


def _timings(output: Path) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, ["inspect", "--timings", "--output", str(output)])


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{seconds % 60:06.3f}"


def test_timings_of_a_finished_build_start_with_a_header_row(built: tuple[Path, Result]) -> None:
    output, _ = built
    result = _timings(output)
    assert (result.exit_code, result.stderr) == (0, "")
    utterances = [(chapter["index"], u) for chapter in manifest_of(output)["chapters"]
                  for u in chapter["utterances"]]
    assert utterances and all(u["end"] < 600 for _, u in utterances)
    assert result.output == "article        chapter      start        end  text\n" + "".join(
        f"short-article  {index:>7}  {_clock(u['start'])}  {_clock(u['end'])}  {u['text']}\n"
        for index, u in utterances)


def test_timing_columns_line_up_for_long_slugs_and_times(built: tuple[Path, Result],
                                                         tmp_path: Path) -> None:
    data = json.loads((built[0] / "build.json").read_text(encoding="utf-8"))
    article = data["articles"][0]
    chapter = next(iter(article["chapters"].values()))
    long_one = {**article, "folder": "what-the-gut-microbiome-does-for-your-immune-system",
                "chapters": {"c": {**chapter, "index": 12, "utterances": [
                    {"start": 6001.25, "end": 6003.5, "text": "Late in a long episode.",
                     "spoken": "Late in a long episode."}]}}}
    short_one = {**article, "folder": "gut",
                 "chapters": {"c": {**chapter, "index": 1, "utterances": [
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
