"""The gutaudio command line: parse options, load settings, call the core, report errors in one line."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .cache import ClipCache, default_cache_dir
from .config import FEED_ITEMS, VoiceSettings, configured_cache_dir, load_settings
from .durations import clock as duration_clock
from .engines import engine_statuses
from .errors import CheckFailedError, ConfigError, GutaudioError, OptionError, OutputError
from .layout import PAGE_NAME, epub_name
from .output_folder import refuse_unsafe_output
from .synthesis import early_synthesizer

if TYPE_CHECKING:
    from .check import Report
    from .recipe import BuildResult

# The build, check and serve modules (lxml, Jinja2, Pillow, mutagen, pydub, ...) are imported
# by the commands that use them: a build starts the voice's workers first, so that they load
# the voice while those modules load.


class _CliError(click.ClickException):
    """A GutaudioError as Click prints it: 'Error: ...' and the error's exit code."""

    def __init__(self, error: GutaudioError) -> None:
        # One line, whatever the message quotes (a setting's value may span lines).
        super().__init__(" ".join(line.strip() for line in str(error).splitlines()))
        self.exit_code = error.exit_code


class _WarningFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"Error: {message}"
        if record.levelno >= logging.WARNING:
            return f"Warning: {message}"
        return message


def _setup_logging(verbose: bool, quiet: bool) -> None:
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(_WarningFormatter())
    logger = logging.getLogger("gutaudio")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)


class _ProgressBar:
    """Synthesis progress on stderr: a bar on a terminal, else a line now and then (as pip does).

    Without a terminal (CI, a log file, a pipe) a bar cannot redraw itself, so a line is printed
    each time another tenth of the clips is done, and at least every LINE_INTERVAL_S seconds.
    """

    LINE_INTERVAL_S = 30.0

    def __init__(self, label: str, stream: Any = None, show_text: bool = False) -> None:
        self.label = label
        self.show_text = show_text
        """Also show each update's text (a cluster build's articles done)."""
        self._text = ""
        self._stream = stream or click.get_text_stream("stderr")
        self._bar: Any = None
        self._terminal = bool(getattr(self._stream, "isatty", lambda: False)())
        self._last_tenth = 0
        self._last_line = time.monotonic()

    def update(self, done: int, total: int, text: str) -> None:
        self._text = text if self.show_text else ""
        if not self._terminal:
            self._line(done, total)
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, show_pos=True,
                                          file=self._stream,
                                          item_show_func=lambda _: self._text or None)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def _line(self, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        now = time.monotonic()
        if tenth > self._last_tenth or now - self._last_line >= self.LINE_INTERVAL_S:
            self._last_tenth, self._last_line = tenth, now
            text = f", {self._text}" if self._text else ""
            click.echo(f"{self.label}: {done}/{total} clips ({done * 100 // max(total, 1)}%){text}",
                       file=self._stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OptionError as e:
            raise _usage_error(e) from e
        except GutaudioError as e:
            raise _CliError(e) from e
    return wrapper


def _usage_error(error: OptionError) -> click.ClickException:
    """A bad option value as Click reports its own: usage, then "Invalid value for '--opt'"."""
    context = click.get_current_context(silent=True)
    params = context.command.params if context is not None else []
    param = next((p for p in params if p.name == error.option), None)
    message = " ".join(line.strip() for line in error.message.splitlines())
    if param is None:
        return _CliError(error)
    return click.BadParameter(message, ctx=context, param=param)


def _content_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--content", "content_dir", default="content", show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Folder with the article and gutaudio.toml."),
        click.option("--engine", default=None, metavar="NAME",
                     help="Speech engine: piper, gtts, espeak, or one a package registers "
                          "(see `gutaudio engines`; default from gutaudio.toml, else piper)."),
        click.option("--voice", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="A Piper voice model (.onnx) instead of the bundled voice."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gutaudio")
def cli() -> None:
    """Turn written health articles into narrated, tagged, podcast-ready audio.

    \b
    Quick start:
      gutaudio inspect            # see the chapters and the exact text to be spoken
      gutaudio build              # content/ -> output/ (MP3 chapters, feed.xml)
      gutaudio engines            # which voices can run on this machine
    """


@cli.command("build")
@_content_options
@click.option("--output", "output_dir", default="output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write the build to.")
@click.option("--base-url", default=None, help="URL where output/ will be published.")
@click.option("--rate", type=float, default=None,
              help="Speaking rate from 0.5 (slower) to 2.0 (faster); 1.0 is normal.")
@click.option("--feed-items", type=click.Choice(FEED_ITEMS), default=None,
              help="List each chapter in the feed (default), or the full episode with chapter marks.")
@click.option("--m4b/--no-m4b", default=None, help="Also write episode.m4b for audiobook players.")
@click.option("--epub/--no-epub", default=None,
              help="Also write <article>/<article>.epub, an EPUB 3 talking book (default: on).")
@click.option("-j", "--jobs", type=click.IntRange(0, 64), default=None,
              help="Syntheses at once (default: one per core; 8 requests for gTTS).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Clip cache folder (default: the user's cache folder).")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help="Synthesize and render on the Ray cluster at ADDRESS (HOST:PORT of its head, "
                   "ray://HOST:PORT, or auto); 'local' builds here. Needs gutaudio[ray].")
@click.option("--force", is_flag=True,
              help="Make every file again, even when its inputs did not change; and build "
                   "into a folder of other files that gutaudio did not make (they are kept).")
@click.option("-v", "--verbose", is_flag=True, help="Say what each step does.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@_reports_errors
def build_command(content_dir: Path, output_dir: Path, engine: str | None, voice: Path | None,
                  base_url: str | None, rate: float | None, feed_items: str | None,
                  m4b: bool | None, epub: bool | None, jobs: int | None, cache_dir: Path | None,
                  cluster: str | None, force: bool, verbose: bool, quiet: bool) -> None:
    """Build the narrated edition of the articles in CONTENT into OUTPUT.

    Each article gets a folder in OUTPUT with one MP3 per chapter (the disclaimer
    last), tagged with title, author, track and the chapter text, the whole
    article as one file with chapter marks, captions and transcripts, and a
    page; OUTPUT/feed.xml lists them all. Only what changed is made again, and
    nothing is published unless the whole build succeeds.

    \b
    Examples:
      gutaudio build
      gutaudio build --engine gtts --base-url https://example.org/audio/
      gutaudio build --voice voices/en_GB-alan-medium.onnx --output public
      gutaudio build --rate 0.8 --feed-items episode --m4b
      gutaudio build --engine espeak --jobs 2 --force
      gutaudio build --cluster 10.0.0.5:6379
    """
    _setup_logging(verbose, quiet)
    settings = load_settings(content_dir, output_dir, engine=engine, voice=voice,
                             base_url=base_url, rate=rate, feed_items=feed_items, m4b=m4b,
                             jobs=jobs, cache_dir=cache_dir, epub=epub, cluster=cluster)
    refuse_unsafe_output(settings.output_dir, settings.content_dir, force=force)
    address = settings.build.cluster_address
    bar = _ProgressBar("Synthesizing" if address is None else f"Synthesizing on {address}",
                       show_text=address is not None)
    # The command owns the early synthesizer (its workers load the voice while the rest loads);
    # a cluster build has none: its voices load on the cluster.
    early = early_synthesizer(settings, force) if address is None else None
    with early or contextlib.nullcontext() as synthesizer:
        from .recipe import build

        try:
            result = build(settings, None if quiet else bar.update, force=force,
                           synthesizer=synthesizer)
        except CheckFailedError as e:  # the findings first, then the one error line
            bar.close()
            _print_findings(e.report, only_problems=True)  # type: ignore[arg-type]
            click.echo(f"Check: {e.report.summary()}")  # type: ignore[attr-defined]
            raise
        finally:
            bar.close()
    report = result.report  # it passed: a build that fails its check is not published
    if not quiet:
        _print_summary(result)
    if report is not None:
        _print_findings(report, only_problems=True)  # its warnings
        if not quiet:
            click.echo(f"Check: {report.summary()}")


def _print_summary(result: BuildResult) -> None:
    """What the build published: every chapter, episode and page, in aligned columns."""
    written = set(result.written)
    rows: list[tuple[str, ...]] = []
    for article in result.articles:
        for chapter in article.chapters:
            rows.append(("kept" if chapter.reused else "made", str(chapter.path),
                         f"{chapter.duration:.1f} s", f"{chapter.size:,} bytes", chapter.chapter.title))
        episode = article.episode
        marks = len(episode.marks)
        rows.append(("kept" if episode.reused else "made", str(episode.path),
                     f"{episode.duration:.1f} s", f"{episode.size:,} bytes",
                     f"whole article, {marks} chapter mark{'s' if marks != 1 else ''}"))
        page = episode.path.parent / PAGE_NAME
        rows.append(("made" if page in written else "kept", str(page), "", "", "page"))
        book = result.output_dir / epub_name(article.plan.folder)
        if book.is_file():
            rows.append(("made" if book in written else "kept", str(book), "",
                         f"{book.stat().st_size:,} bytes", "EPUB 3 talking book"))
    counts = result.counts
    clock = duration_clock(result.audio_seconds)
    click.echo(f"Built {len(result.chapters)} chapters of {len(result.articles)} "
               f"article{'s' if len(result.articles) != 1 else ''} "
               f"({clock} of audio) in {result.seconds:.1f} s:")
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]),
                 row[3].rjust(widths[3]), row[4]]
        click.echo("  " + "  ".join(cells).rstrip())
    click.echo(f"Clips: {counts.synthesized} synthesized, {counts.clips_reused} from the cache. "
               f"Chapters: {counts.chapters_encoded} encoded, {counts.chapters_reused} kept. "
               f"Episodes: {counts.episodes_encoded} encoded, {counts.episodes_reused} kept. "
               f"Files: {counts.files_written} written, {counts.files_unchanged} unchanged.")
    click.echo(f"Feed: {result.feed_path}")
    click.echo(f"Page: {result.output_dir / PAGE_NAME}")


@cli.command("inspect")
@_content_options
@click.option("--timings", is_flag=True,
              help="Show when each utterance is heard in a finished build instead.")
@click.option("--output", "output_dir", default="output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The finished build that --timings reads.")
@_reports_errors
def inspect_command(content_dir: Path, engine: str | None, voice: Path | None, timings: bool,
                    output_dir: Path) -> None:
    """Show the chapters and the exact text each will speak; makes no audio.

    Each utterance is shown as the author wrote it and, below it, as it will be
    spoken when that differs (numbers, abbreviations, symbols and headings are
    read aloud in full, and the pronunciation lexicon is applied).

    With --timings, reads a finished build instead and prints, for every
    utterance, its chapter, the start and end time within the chapter file
    and the text, timed from the lengths of the synthesized clips.

    \b
    Examples:
      gutaudio inspect
      gutaudio inspect --content drafts/
      gutaudio inspect --timings --output output/
    """
    from .manifest import read_timings
    from .recipe import plan_build

    _setup_logging(False, False)
    if timings:
        table = [("article", "chapter", "start", "end", "text")] + [
            (row.article, str(row.chapter), _clock(row.start), _clock(row.end), row.text)
            for row in read_timings(output_dir)]
        widths = [max(len(cells[column]) for cells in table) for column in range(4)]
        for article, *numbers, text in table:  # the numbers (chapter, start, end) align right
            aligned = [cell.rjust(width) for cell, width in zip(numbers, widths[1:], strict=True)]
            click.echo("  ".join([article.ljust(widths[0]), *aligned, text]))
        return
    from .script import unspoken_parts

    settings = load_settings(content_dir, Path("output"), engine=engine, voice=voice)
    for number, plan in enumerate(plan_build(settings)):
        click.echo(f"{'' if number == 0 else chr(10)}{plan.article.title}  ({plan.article.source})")
        if plan.article.metadata.author:
            click.echo(f"by {plan.article.metadata.author}")
        for chapter in plan.chapters:
            label = "  [disclaimer]" if chapter.is_disclaimer else ""
            click.echo(f"\n{chapter.index}. {chapter.title} -> {plan.folder}/chapters/"
                       f"{chapter.filename}{label}")
            kind = "paragraph"
            for utterance in chapter.utterances:
                if utterance.kind != kind and utterance.kind not in ("paragraph", "heading"):
                    click.echo(f"  [{utterance.kind}]")
                kind = utterance.kind
                click.echo(f"   text:   {utterance.display}")
                if utterance.spoken != utterance.display:
                    click.echo(f"   spoken: {utterance.spoken}")
                click.echo(f"   pause:  {utterance.pause_after_ms} ms")
        unspoken = unspoken_parts(plan.article, plan.chapters, settings.speech)
        if unspoken:
            click.echo("\nNot spoken:")
            for part in unspoken:
                text = " ".join(part.text.split())
                text = text if len(text) <= 100 else text[:99] + "\u2026"
                click.echo(f"   {part.where}: {part.reason}: {text}")


@cli.command("check")
@click.argument("output_dir", default="output", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings as well as errors.")
@click.option("--problems-only", is_flag=True, help="List only the rules that did not pass.")
@_reports_errors
def check_command(output_dir: Path, strict: bool, problems_only: bool) -> None:
    """Validate a finished build in OUTPUT and print a table of rule, file, result.

    Checks the feed's required and recommended tags (Apple, Podcasting 2.0),
    enclosure lengths and durations, artwork, MP3 format (and mp3val where it is
    installed), ID3 tags, loudness and true peak of each file measured on the
    decoded audio, and that transcript and chapter links resolve to files.
    Exits 0 when clean, 1 when a rule fails (with --strict, also on warnings).

    \b
    Examples:
      gutaudio check
      gutaudio check public/ --strict
    """
    from .check import check_build

    _setup_logging(False, False)
    if not output_dir.is_dir():
        raise _CliError(OutputError(f"{output_dir}: no such folder"))
    report = check_build(output_dir, memo_dir=default_cache_dir())
    _print_findings(report, only_problems=problems_only)
    click.echo(report.summary())
    if not report.passed(strict):
        raise click.exceptions.Exit(1)


def _print_findings(report: Report, only_problems: bool) -> None:
    from .check import Level

    rows = [f for f in report.findings if not only_problems or f.level is not Level.OK]
    if not rows:
        return
    rule_width = max(len(f.rule) for f in rows)
    file_width = max(len(f.file) for f in rows)
    for finding in rows:
        result = finding.level.value + (f": {finding.detail}" if finding.detail else "")
        click.echo(f"{finding.rule:<{rule_width}}  {finding.file:<{file_width}}  {result}")


@cli.command("proof")
@click.argument("output_dir", default="output", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--content", "content_dir", default="content", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder whose gutaudio.toml gives [proof] and the voice (optional).")
@click.option("--model", default=None, metavar="MODEL",
              help="Recognizer model: base or tiny.en (from gutaudio[proof]), or a CTranslate2 "
                   "Whisper model folder (default: [proof] model, else base).")
@click.option("--beam-size", type=click.IntRange(1, 20), default=None,
              help="Recognizer beam size (default: [proof] beam_size, else 5).")
@click.option("--max-missed", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Exit 1 when more than PERCENT of the author's words are not heard.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Cache folder (where Whisper base is joined from its two packages).")
@click.option("--suggest", is_flag=True,
              help="Try pronunciations for each word not heard; propose those heard right every time.")
@click.option("--write-lexicon", is_flag=True,
              help="Add the proposed pronunciations to the content folder's lexicon.toml "
                   "(implies --suggest).")
@_reports_errors
def proof_command(output_dir: Path, content_dir: Path, model: str | None, beam_size: int | None,
                  max_missed: float | None, as_json: bool, cache_dir: Path | None, suggest: bool,
                  write_lexicon: bool) -> None:
    """Hear a finished build in OUTPUT back with an offline speech recognizer.

    Transcribes every chapter with faster-whisper, lines its words up with the
    author's text (Whisper's English normalizer on both sides) and reports, per
    chapter and in all, the share of the author's words not heard, and each missed
    word with its time, sentence, what was heard and the voice's phonemes.

    \b
    Examples:
      gutaudio proof
      gutaudio proof public/ --max-missed 2 --json
      gutaudio proof --model tiny.en
      gutaudio proof --suggest --write-lexicon
    """
    import json

    from .proof import run_proof

    _setup_logging(False, False)
    if not output_dir.is_dir():
        raise _CliError(OutputError(f"{output_dir}: no such folder"))
    run = run_proof(output_dir, content_dir, model=model, beam_size=beam_size, max_missed=max_missed,
                    cache_dir=cache_dir, suggest=suggest, write_lexicon=write_lexicon,
                    progress=None if as_json else _proof_progress)
    report, limit = run.report, run.max_missed
    if as_json:
        data = report.as_json()
        if suggest or write_lexicon:
            data["suggestions"] = [{"word": m.word, "chapter": m.chapter, "proposed": s.entry if s else None,
                                    "source": s.source if s else None, "heard": list(s.heard) if s else []}
                                   for m, s in run.suggestions]
            data["lexicon_written"] = str(run.lexicon) if run.lexicon else None
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_proof(report)
        _print_suggestions(run, suggest or write_lexicon)
    if not report.passed(limit):
        click.echo(f"Error: {report.missed_percent:.1f}% of the author's words were not heard, "
                   f"over the limit of {limit:g}%", err=True)
        raise click.exceptions.Exit(1)


def _print_suggestions(run: Any, asked: bool) -> None:
    if not asked:
        return
    proposed = [s for _, s in run.suggestions if s is not None]
    failed = [m.word for m, s in run.suggestions if s is None]
    click.echo("")
    click.echo(f"Suggestions (each heard right in its sentence {len(proposed[0].heard)} times in a row):"
               if proposed else "No pronunciation tried was heard right.")
    for suggestion in proposed:
        click.echo(f'  {suggestion.word} = "{suggestion.entry}"  ({suggestion.source})')
    if failed:
        click.echo(f"No pronunciation tried was heard right for: {', '.join(failed)}")
    if run.lexicon is not None:
        click.echo(f"Written to {run.lexicon}")


def _proof_progress(done: int, total: int, file: str) -> None:
    if file:
        click.echo(f"proof: hearing {file} ({done + 1}/{total})", err=True)


def _print_proof(report: Any) -> None:
    rows = [(f"{c.article}/{c.chapter}", str(c.words), str(c.missed_words), f"{c.missed_percent:.1f}%")
            for c in report.chapters]
    rows.append(("all", str(report.words), str(report.missed_words), f"{report.missed_percent:.1f}%"))
    header = ("chapter", "words", "not heard", "share")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        click.echo("  ".join([row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:],
                                                                                          strict=True))]))
    missed = [m for c in report.chapters for m in c.missed]
    if missed:
        click.echo("")
        click.echo("Not heard:")
    for m in missed:
        said = f" (said {m.spoken!r})" if m.spoken.strip(".,;:!?") != m.word.strip(".,;:!?") else ""
        phonemes = f" [{m.phonemes}]" if m.phonemes else ""
        at = f"{int(m.time // 60)}:{m.time % 60:04.1f}"
        click.echo(f"  {m.article}/{m.chapter} {at}  {m.word!r}{said}{phonemes} "
                   f"heard {m.heard!r}")
        click.echo(f"      in: {m.sentence}")
    click.echo(f"Not heard: {report.missed_words} of {report.words} words "
               f"({report.missed_percent:.1f}%), Whisper {report.model}, beam {report.beam_size}")


@cli.command("serve")
@click.argument("output_dir", default="output", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets a phone on the same network subscribe.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@_reports_errors
def serve_command(output_dir: Path, host: str, port: int) -> None:
    """Serve a finished build over HTTP so a podcast app can subscribe to it.

    The feed is served at /feed.xml with its URLs pointing at this server; audio
    answers HEAD and byte-range requests (206, 416), which podcast apps use to
    seek. Nothing outside OUTPUT is ever served.

    \b
    Examples:
      gutaudio serve
      gutaudio serve output/ --host 0.0.0.0 --port 8080
    """
    from .serve import create_server

    server = create_server(output_dir, host, port)
    url = server.app.public_url  # type: ignore[attr-defined]
    click.echo(f"Serving {output_dir} at {url}")
    click.echo(f"Subscribe in a podcast app to {url}feed.xml  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@cli.group("cache")
def cache_group() -> None:
    """Inspect, prune or clear the cache of synthesized clips and chapters.

    \b
    Examples:
      gutaudio cache info
      gutaudio cache prune --days 30
      gutaudio cache clear
    """


def _cache_option(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--content", "content_dir", default="content", show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder whose gutaudio.toml may name the cache ([build] cache_dir).")(command)
    return click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help="Clip cache folder (default: [build] cache_dir of "
                        "gutaudio.toml, else the user's cache folder).")(command)


def _cache_folder(cache_dir: Path | None, content_dir: Path) -> Path:
    """The folder a cache command is about, which may not exist; a file in its place is an error.

    The same folder a build uses: --cache-dir, else [build] cache_dir of the content folder's
    gutaudio.toml, else $GUTAUDIO_CACHE_DIR or the user's cache folder.
    """
    configured = None if cache_dir else configured_cache_dir(content_dir)
    root = cache_dir or configured or default_cache_dir()
    if root.exists() and not root.is_dir():  # click refuses such a --cache-dir: this came from elsewhere
        source = (f" ([build] cache_dir in {content_dir / 'gutaudio.toml'})" if configured
                  else " ($GUTAUDIO_CACHE_DIR)" if os.environ.get("GUTAUDIO_CACHE_DIR") else "")
        raise ConfigError(f"{root}: the cache folder{source} is a file, not a folder; "
                          "choose a folder with --cache-dir")
    return root


@cache_group.command("info")
@_cache_option
@_reports_errors
def cache_info_command(cache_dir: Path | None, content_dir: Path) -> None:
    """Say where the cache is, what it holds and how big it is.

    Counts the synthesized clips, the levelled chapters an M4B is made from, the
    generated covers, the remembered values (voice model digests, measured encoder
    shift and limiter share) and any unfinished files a stopped build left.

    \b
    Examples:
      gutaudio cache info
    """
    root = _cache_folder(cache_dir, content_dir)
    if not root.is_dir():
        click.echo(f"{root}: no cache here (nothing has been built with this cache folder)")
        return
    info = ClipCache(root).info()
    click.echo(f"{info.path}: {info.contents()}, {info.bytes / 1e6:.1f} MB")


@cache_group.command("prune")
@_cache_option
@click.option("--days", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Remove what no build has used for this many days (0: everything).")
@_reports_errors
def cache_prune_command(cache_dir: Path | None, content_dir: Path, days: float) -> None:
    """Remove clips, levelled chapters, covers and remembered values no build has used for a while.

    \b
    Examples:
      gutaudio cache prune --days 7
    """
    root = _cache_folder(cache_dir, content_dir)
    if not root.is_dir():
        click.echo(f"{root}: no cache here, nothing to remove")
        return
    removed = ClipCache(root).prune(days)
    click.echo(f"Removed what no build has used for {days:g} day{'' if days == 1 else 's'}: "
               f"{removed.contents()}; {removed.bytes / 1e6:.1f} MB freed.")


@cache_group.command("clear")
@_cache_option
@_reports_errors
def cache_clear_command(cache_dir: Path | None, content_dir: Path) -> None:
    """Remove everything the cache holds; the next build synthesizes everything again.

    \b
    Examples:
      gutaudio cache clear
    """
    root = _cache_folder(cache_dir, content_dir)
    if not root.is_dir():
        click.echo(f"{root}: no cache here, nothing to remove")
        return
    removed = ClipCache(root).clear()
    click.echo(f"Removed everything: {removed.contents()}; {removed.bytes / 1e6:.1f} MB freed.")


@cli.command("engines")
@click.option("--voice", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Check this Piper voice model instead of the bundled one.")
@_reports_errors
def engines_command(voice: Path | None) -> None:
    """List the speech engines, their voices, and whether each can run here.

    \b
    Examples:
      gutaudio engines
      gutaudio engines --voice voices/en_GB-alan-medium.onnx
    """
    for status in engine_statuses(VoiceSettings(model=voice)):
        state = "available" if status.available else "unavailable"
        click.echo(f"{status.name:<6}  {state:<11}  {status.voice}  ({status.reason})")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


def main() -> None:
    """Entry point of the gutaudio console script."""
    cli()
