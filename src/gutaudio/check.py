"""Validate a finished build against Apple's and Podcasting 2.0's feed rules, ID3 and loudness."""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import math
import os
import shutil
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from lxml import etree
from mutagen import MutagenError
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from PIL import Image, UnidentifiedImageError

from .audio import ffmpeg_executable, measure_loudness, run_ffmpeg
from .cache import file_digest
from .config import APPLE_CATEGORIES
from .cover import ARTWORK_MODES, MAX_SIZE, MIN_SIZE
from .errors import AudioError
from .feed import ATOM, ITUNES, MAX_DESCRIPTION_BYTES, PODCAST, podcast_guid
from .layout import FEED_NAME, MANIFEST_NAME
from .manifest import Manifest, read_manifest, why_absent
from .tags import ID3_VERSION

log = logging.getLogger(__name__)

LOUDNESS_TOLERANCE_LU = 1.0
CHAPTER_SPREAD_LU = 1.0
DURATION_TOLERANCE_S = 1.0
MP3_PADDING_S = 0.1
"""What an MP3's frame count adds to its audio: the encoder's delay and padding (at most about
2,300 samples), which mutagen counts and players, reading the LAME tag, leave out."""
MP3VAL_MAX_BYTES = 128 * 1024 * 1024
"""mp3val maps the whole file into memory; larger files are checked frame by frame by ffmpeg."""
NS = {"itunes": ITUNES, "atom": ATOM, "podcast": PODCAST}
REQUIRED_ID3 = ("TIT2", "TPE1", "TALB", "TRCK", "TCON", "TDRC", "TLAN", "USLT", "APIC")
AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a", ".m4b": "audio/x-m4a"}


class Level(Enum):
    """How much a finding matters."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """One row of the check table: a rule, the file it was checked on, and the result."""

    rule: str
    file: str
    level: Level
    detail: str = ""


@dataclass(frozen=True)
class Report:
    """All findings of a check."""

    findings: tuple[Finding, ...]

    def count(self, level: Level) -> int:
        """How many findings have this level."""
        return sum(1 for f in self.findings if f.level is level)

    def passed(self, strict: bool = False) -> bool:
        """True when there is no error (and, if strict, no warning)."""
        failing = {Level.ERROR, Level.WARNING} if strict else {Level.ERROR}
        return not any(f.level in failing for f in self.findings)

    def summary(self) -> str:
        """A one-line count of results."""
        return (f"{self.count(Level.OK)} passed, {self.count(Level.WARNING)} warnings, "
                f"{self.count(Level.ERROR)} errors")


def check_build(output: Path, loudness_target: float | None = None,
                true_peak_ceiling: float | None = None, *,
                measured: dict[str, tuple[float, float]] | None = None,
                memo_dir: Path | None = None, ffmpeg: Path | None = None,
                theirs: frozenset[str] | None = None, epubs: frozenset[str] | None = None) -> Report:
    """Check every file of a finished build; loudness target and true-peak ceiling from
    build.json (the settings it was built with) unless given.

    measured: loudness and true peak the build itself measured on its MP3s (by path relative to
    output/), so a build's closing check need not decode its audio again.
    memo_dir: a folder (the cache) remembering what was read from each MP3's bytes, and which
    of them already decoded cleanly.
    ffmpeg: the configured ffmpeg ([audio] ffmpeg), else the one imageio-ffmpeg ships.
    theirs: audio files in the folder that no build made (a publisher's own, by path relative
    to output/), whose problems are warnings since no build can mend them; by default every
    MP3 that build.json does not list.
    epubs: the EPUBs whose media overlays to read (by path relative to output/), by default every
    one build.json lists; a build reads only those it made (a kept one was read when it was made).
    """
    memo = CheckMemo(memo_dir / CheckMemo.FILENAME) if memo_dir else None
    checker = _Checker(output, loudness_target, true_peak_ceiling, measured or {}, memo)
    checker.ffmpeg = ffmpeg
    checker.theirs = theirs if theirs is not None else _not_in_manifest(output, checker.manifest)
    checker.epubs = epubs
    report = Report(tuple(checker.run()))
    if memo is not None:
        memo.save()
    return report


@dataclass(frozen=True)
class Mp3Facts:
    """What the check reads from an MP3 with mutagen: its stream, its length and its ID3 tag."""

    mpeg_version: float
    layer: int
    bitrate_mode: str
    bitrate: int
    sample_rate: int
    length: float
    """Seconds, from the frames the LAME info frame counts."""
    id3_minor: int
    frames: tuple[str, ...]
    """Which of the required ID3 frames the tag holds."""


def read_mp3_facts(path: Path) -> Mp3Facts:
    """Read an MP3's stream and tag facts (raises MutagenError for a file that is not one)."""
    info = MP3(path).info
    tags = ID3(path)
    return Mp3Facts(float(info.version), int(info.layer), str(info.bitrate_mode), int(info.bitrate),
                    int(info.sample_rate), float(info.length), int(tags.version[1]),
                    tuple(frame for frame in REQUIRED_ID3 if tags.getall(frame)))


class CheckMemo:
    """What the check read from each MP3, and which frame checks it passed, by the file's SHA-256.

    Parsing every tag and decoding every frame of every file is most of a rebuild's check when
    little changed; the same bytes give the same facts, and the same bytes checked by the same
    tool give the same result, so each file is read and decoded once. Failures are not kept.
    """

    FILENAME = "checked.json"
    VERSION = 2
    LIMIT = 20000
    """Files remembered; the oldest are forgotten first."""

    def __init__(self, path: Path) -> None:
        """Remember results in the JSON file at path (read now, written by save())."""
        self.path = path
        self._changed = False
        self._digests: dict[Path, str] = {}
        try:
            data = json.loads(path.read_text("utf-8"))
            os.utime(path)  # in use: `cache prune` keeps it
        except (OSError, ValueError):
            data = {}
        files = data.get("files") if isinstance(data, dict) and data.get("version") == self.VERSION \
            else None
        self._files: dict[str, dict[str, Any]] = {
            key: value for key, value in (files.items() if isinstance(files, dict) else ())
            if isinstance(value, dict)}

    def digest(self, path: Path) -> str:
        """SHA-256 of a file's bytes, worked out once per check."""
        if path not in self._digests:
            self._digests[path] = file_digest(path)
        return self._digests[path]

    def facts(self, path: Path) -> Mp3Facts:
        """The file's facts: remembered for these bytes, or read now (raises MutagenError)."""
        entry = self._files.get(self.digest(path), {})
        try:
            return Mp3Facts(**{**entry["facts"], "frames": tuple(entry["facts"]["frames"])})
        except (KeyError, TypeError):
            pass
        facts = read_mp3_facts(path)
        self._entry(path)["facts"] = {**facts.__dict__, "frames": list(facts.frames)}
        return facts

    def passed(self, path: Path, tool: str) -> str | None:
        """The detail of a check these bytes passed with this tool, if they did."""
        found = self._files.get(self.digest(path), {}).get("passed", {}).get(_tool_identity(tool))
        return found if isinstance(found, str) else None

    def remember_pass(self, path: Path, tool: str, detail: str) -> None:
        """Remember that these bytes passed a check with this tool."""
        self._entry(path).setdefault("passed", {})[_tool_identity(tool)] = detail

    def _entry(self, path: Path) -> dict[str, Any]:
        key = self.digest(path)
        entry = self._files.pop(key, {})
        self._files[key] = entry  # newest last, so the oldest go first
        self._changed = True
        return entry

    def save(self) -> None:
        """Write the results back, atomically (best effort: a lost memo only costs time)."""
        if not self._changed:
            return
        kept = dict(list(self._files.items())[-self.LIMIT:])
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"version": self.VERSION, "files": kept}, fh)
            os.replace(temporary, self.path)


def _tool_identity(tool: str) -> str:
    """A tool as a check result depends on it: its path, size and modification time."""
    try:
        stat = os.stat(tool)
    except OSError:
        return tool
    return f"{tool}|{stat.st_size}|{stat.st_mtime_ns}"


def _not_in_manifest(output: Path, manifest: Manifest | None) -> frozenset[str]:
    """The MP3s in output that its build.json does not list as chapters or episodes."""
    if manifest is None:
        return frozenset()  # no record of what was built: every file is held to the rules
    inside = output.resolve()
    return frozenset(p.resolve().relative_to(inside).as_posix() for p in output.rglob("*.mp3")
                     if p.resolve().is_relative_to(inside)) - manifest.files()


class _Checker:
    def __init__(self, output: Path, target: float | None, ceiling: float | None,
                 measured: dict[str, tuple[float, float]], memo: CheckMemo | None) -> None:
        self.output = output
        self.manifest = read_manifest(output)
        self.measured = measured
        self.memo = memo
        self.target = target
        self.ceiling = ceiling
        self.base = ""
        self.loudness: dict[str, float] = {}
        self.ffmpeg: Path | None = None
        self.theirs: frozenset[str] = frozenset()
        self.epubs: frozenset[str] | None = None
        self.frames_checked: dict[Path, tuple[Level, str]] = {}
        """Frame checks already run side by side (see _check_frames_at_once), by file."""

    @staticmethod
    def _as_theirs(finding: Finding) -> Finding:
        if finding.level is not Level.ERROR:
            return finding
        return Finding(finding.rule, finding.file, Level.WARNING,
                       f"{finding.detail} (a file gutaudio did not make)")

    def _ok(self, rule: str, file: str, detail: str = "") -> Finding:
        return Finding(rule, file, Level.OK, detail)

    def _bad(self, rule: str, file: str, detail: str, level: Level = Level.ERROR) -> Finding:
        return Finding(rule, file, level, detail)

    def run(self) -> Iterator[Finding]:
        if self.target is None:
            self.target = self.manifest.loudness_lufs if self.manifest else -16.0
        if self.ceiling is None:
            self.ceiling = self.manifest.true_peak_dbtp if self.manifest else -1.0
        feed_path = self.output / FEED_NAME
        try:
            root = etree.parse(str(feed_path)).getroot()
        except OSError:
            yield self._bad("feed exists", FEED_NAME, "no feed.xml in this folder")
            return
        except etree.XMLSyntaxError as e:
            yield self._bad("feed is well-formed XML", FEED_NAME, str(e))
            return
        yield self._ok("feed is well-formed XML", FEED_NAME)
        channel = root.find("channel")
        if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
            yield self._bad("RSS 2.0", FEED_NAME, "root is not <rss version=\"2.0\"> with a channel")
            return
        if root.nsmap.get("itunes") != ITUNES:
            yield self._bad("itunes namespace", FEED_NAME, f"must be {ITUNES}")
        yield from self._channel(channel)
        enclosures: list[Path] = []
        for number, item in enumerate(channel.iterfind("item"), 1):
            yield from self._item(item, number, enclosures)
        inside = self.output.resolve()
        published = sorted(p.resolve() for p in self.output.rglob("*.mp3")
                           if not any(part.startswith(".") for part in p.relative_to(self.output).parts))
        for outside in (p for p in published if not p.is_relative_to(inside)):
            yield self._bad("MP3 stream", str(outside), "a link out of this build: publish the file "
                            "itself")
        published = [p for p in published if p.is_relative_to(inside)]
        audio = list(dict.fromkeys([*enclosures, *published]))  # each file once, by its real path
        self._check_frames_at_once(audio)
        for path in audio:
            for finding in self._audio(path):
                yield self._as_theirs(finding) if finding.file in self.theirs else finding
        yield from self._loudness_spread()
        yield from self._disclaimers(self.manifest)
        yield from self._epubs(self.manifest)

    def _epubs(self, manifest: Manifest | None) -> Iterator[Finding]:
        """Each EPUB's media overlays play clips that lie within its chapter MP3s, of its own text."""
        for article in manifest.articles if manifest else ():
            if article.epub is None:
                continue
            name = article.epub.file
            if self.epubs is not None and name not in self.epubs:
                yield self._ok("EPUB media overlays", name,
                               "kept: read by the check of the build that made it")
                continue
            from .epub import overlay_problems  # loaded only when an EPUB of this build is read

            durations = {Path(c.filename).stem: c.duration for c in article.chapters}
            try:
                with zipfile.ZipFile(self.output / name) as book:
                    clips, problems = overlay_problems(book, durations)
            except (OSError, zipfile.BadZipFile) as e:
                yield self._bad("EPUB media overlays", name, f"cannot be read: {e}")
                continue
            if problems:
                more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
                yield self._bad("EPUB media overlays", name, "; ".join(problems[:3]) + more)
            else:
                yield self._ok("EPUB media overlays", name, f"{clips} clips, each within its chapter's MP3")

    def _disclaimers(self, manifest: Manifest | None) -> Iterator[Finding]:
        """Every published article ends with its spoken disclaimer (a warning where opted out)."""
        if manifest is None:
            yield self._bad("disclaimer spoken", MANIFEST_NAME, "cannot tell which chapter is each "
                            f"article's disclaimer: {why_absent(self.output)}")
            return
        for article in manifest.articles:
            last = article.chapters[-1] if article.chapters else None
            if last is None or not last.disclaimer:
                level = Level.ERROR if article.disclaimer_required else Level.WARNING
                note = "" if article.disclaimer_required else " ([disclaimer] required = false)"
                yield self._bad("disclaimer spoken", f"{article.folder}/",
                                f"the article's last chapter is not a medical disclaimer{note}", level)
            elif not (self.output / last.file).is_file():
                yield self._bad("disclaimer spoken", last.file, "the disclaimer chapter's MP3 is missing")
            else:
                yield self._ok("disclaimer spoken", last.file)

    def _channel(self, channel: etree._Element) -> Iterator[Finding]:
        def text(path: str) -> str:
            return (channel.findtext(path, namespaces=NS) or "").strip()

        for rule, path in (("channel title", "title"), ("channel description", "description"),
                           ("channel language", "language")):
            yield (self._ok(rule, FEED_NAME) if text(path)
                   else self._bad(rule, FEED_NAME, f"<{path}> is missing or empty"))
        if len(text("description").encode("utf-8")) > MAX_DESCRIPTION_BYTES:
            yield self._bad("channel description", FEED_NAME, "longer than 4,000 bytes")
        explicit = text("itunes:explicit")
        yield (self._ok("itunes:explicit", FEED_NAME) if explicit in ("true", "false")
               else self._bad("itunes:explicit", FEED_NAME, f"must be true or false, not {explicit!r}"))
        category = channel.find("itunes:category", NS)
        name = category.get("text", "") if category is not None else ""
        yield (self._ok("itunes:category", FEED_NAME, name) if name in APPLE_CATEGORIES
               else self._bad("itunes:category", FEED_NAME, f"{name!r} is not an Apple category"))
        for rule, path in (("itunes:author", "itunes:author"), ("channel link", "link"),
                           ("itunes:owner email", "itunes:owner/itunes:email"),
                           ("copyright", "copyright"), ("itunes:type", "itunes:type"),
                           ("podcast:medium", "podcast:medium"), ("podcast:locked", "podcast:locked")):
            yield (self._ok(rule, FEED_NAME) if text(path)
                   else self._bad(rule, FEED_NAME, "recommended tag is missing", Level.WARNING))
        self_link = channel.find("atom:link[@rel='self']", NS)
        href = self_link.get("href", "") if self_link is not None else ""
        if not href.endswith("/feed.xml"):
            yield self._bad("atom:link rel=self", FEED_NAME, "missing, or not ending in /feed.xml",
                            Level.WARNING)
        else:
            self.base = href.removesuffix(FEED_NAME)
            yield self._ok("atom:link rel=self", FEED_NAME, href)
            guid = text("podcast:guid")
            if guid == podcast_guid(href):
                yield self._ok("podcast:guid", FEED_NAME, "UUIDv5 of the feed URL")
            elif _is_uuid(guid):
                yield self._ok("podcast:guid", FEED_NAME, "fixed by the publisher")
            else:
                yield self._bad("podcast:guid", FEED_NAME, f"{guid!r} is not a UUID", Level.WARNING)
        image = channel.find("itunes:image", NS)
        yield from self._artwork(image.get("href", "") if image is not None else "")

    def _local(self, url: str) -> Path | None:
        if not self.base or not url.startswith(self.base):
            return None
        relative = url.removeprefix(self.base)
        path = (self.output / relative).resolve()
        return path if path.is_relative_to(self.output.resolve()) else None

    def _name(self, path: Path) -> str:
        return path.resolve().relative_to(self.output.resolve()).as_posix()

    def _artwork(self, url: str) -> Iterator[Finding]:
        path = self._local(url)
        if path is None or not path.is_file():
            yield self._bad("artwork", url or FEED_NAME, "itunes:image does not point to a file here")
            return
        name = self._name(path)
        try:
            with Image.open(path) as image:
                fmt, (width, height), mode = image.format, image.size, image.mode
        except (OSError, UnidentifiedImageError) as e:
            yield self._bad("artwork", name, f"not a readable image ({e})")
            return
        problems = []
        if fmt not in ("JPEG", "PNG"):
            problems.append(f"{fmt} is not JPEG or PNG")
        elif path.suffix.lower() not in ({".jpg", ".jpeg"} if fmt == "JPEG" else {".png"}):
            problems.append(f"extension {path.suffix} does not match {fmt}")
        if width != height or not MIN_SIZE <= width <= MAX_SIZE:
            problems.append(f"{width}x{height} is not square {MIN_SIZE}-{MAX_SIZE} px")
        if fmt in ARTWORK_MODES and mode not in ARTWORK_MODES[fmt]:
            problems.append(f"colour mode {mode} is not RGB")
        yield (self._bad("artwork", name, "; ".join(problems)) if problems
               else self._ok("artwork", name, f"{fmt} {width}x{height}"))

    def _item(self, item: etree._Element, number: int, enclosures: list[Path]) -> Iterator[Finding]:
        label = f"item {number}"
        title = (item.findtext("title") or "").strip()
        yield (self._ok("item title", label, title) if title
               else self._bad("item title", label, "missing"))
        for rule, path in (("item guid", "guid"), ("item pubDate", "pubDate"),
                           ("itunes:duration", "itunes:duration"), ("itunes:episode", "itunes:episode"),
                           ("item description", "description")):
            if not (item.findtext(path, namespaces=NS) or "").strip():
                yield self._bad(rule, label, "recommended tag is missing", Level.WARNING)
        published = item.findtext("pubDate")
        if published:
            try:
                email.utils.parsedate_to_datetime(published)
            except (TypeError, ValueError):
                yield self._bad("item pubDate", label, f"{published!r} is not an RFC 2822 date")
        guid = (item.findtext("guid") or "").strip()
        if guid and not _is_stable_guid(guid):
            yield self._bad("item guid", label, f"{guid!r} looks generated per build", Level.WARNING)
        enclosure = item.find("enclosure")
        if enclosure is None:
            yield self._bad("enclosure", label, "missing")
            return
        url, length, kind = (enclosure.get(k, "") for k in ("url", "length", "type"))
        path = self._local(url)
        if path is None or not path.is_file():
            yield self._bad("enclosure", label, f"{url} is not a file of this build")
            return
        name = self._name(path)
        if path in enclosures:
            yield self._bad("enclosure", name, "the same enclosure URL is listed twice")
        enclosures.append(path)
        size = path.stat().st_size
        yield (self._ok("enclosure length", name, f"{size} bytes") if length == str(size)
               else self._bad("enclosure length", name, f"feed says {length}, file has {size} bytes"))
        expected_type = AUDIO_TYPES.get(path.suffix.lower(), "")
        yield (self._ok("enclosure type", name, kind) if kind == expected_type
               else self._bad("enclosure type", name, f"{kind!r}, expected {expected_type!r}"))
        duration = (item.findtext("itunes:duration", namespaces=NS) or "").strip()
        if path.suffix.lower() == ".mp3" and duration:
            yield from self._duration(path, name, duration)
        for link in item.iterfind("podcast:transcript", NS):
            yield from self._linked_file("podcast:transcript", link.get("url", ""), label)
        chapters = item.find("podcast:chapters", NS)
        if chapters is not None:
            yield from self._json_chapters(chapters.get("url", ""), label)

    def _facts(self, path: Path) -> Mp3Facts:
        return self.memo.facts(path) if self.memo is not None else read_mp3_facts(path)

    def _duration(self, path: Path, name: str, duration: str) -> Iterator[Finding]:
        try:
            real = self._facts(path).length  # frames counted by the LAME info frame
        except MutagenError as e:
            yield self._bad("itunes:duration", name, f"not a readable MP3 ({e})")
            return
        if not duration.isdigit():
            yield self._bad("itunes:duration", name, f"{duration!r} is not whole seconds")
        elif abs(int(duration) - real) > DURATION_TOLERANCE_S + MP3_PADDING_S:
            yield self._bad("itunes:duration", name, f"feed says {duration} s, audio is {real:.1f} s")
        else:
            yield self._ok("itunes:duration", name, f"{duration} s (audio {real:.2f} s)")

    def _linked_file(self, rule: str, url: str, label: str) -> Iterator[Finding]:
        path = self._local(url)
        if path is None or not path.is_file():
            yield self._bad(rule, label, f"{url} does not resolve to a file of this build")
        else:
            yield self._ok(rule, self._name(path))

    def _json_chapters(self, url: str, label: str) -> Iterator[Finding]:
        path = self._local(url)
        if path is None or not path.is_file():
            yield self._bad("podcast:chapters", label, f"{url} does not resolve to a file of this build")
            return
        name = self._name(path)
        try:
            data = json.loads(path.read_text("utf-8"))
            chapters = data["chapters"]
            starts = [float(c["startTime"]) for c in chapters]
            titles_ok = all(isinstance(c.get("title", ""), str) for c in chapters)
        except (OSError, ValueError, KeyError, TypeError) as e:
            yield self._bad("JSON chapters schema", name, f"not version 1.2.0 chapters ({e})")
            return
        problems = []
        if data.get("version") != "1.2.0":
            problems.append(f"version {data.get('version')!r} is not 1.2.0")
        if starts != sorted(starts):
            problems.append("startTime values are not ascending")
        if not titles_ok:
            problems.append("a title is not text")
        yield (self._bad("JSON chapters schema", name, "; ".join(problems)) if problems
               else self._ok("JSON chapters schema", name, f"{len(chapters)} chapters"))

    def _audio(self, path: Path) -> Iterator[Finding]:
        name = self._name(path)
        if path.suffix.lower() != ".mp3":
            return
        try:
            facts = self._facts(path)
        except MutagenError as e:
            yield self._bad("MP3 stream", name, f"not a readable MP3 ({e})")
            return
        if (facts.mpeg_version, facts.layer) != (1, 3) or facts.bitrate_mode != str(BitrateMode.CBR):
            yield self._bad("MP3 stream", name, f"MPEG-{facts.mpeg_version:g} layer {facts.layer}, "
                            f"{facts.bitrate_mode}: expected MPEG-1 Layer III CBR with an info frame")
        else:
            yield self._ok("MP3 stream", name, f"MPEG-1 Layer III CBR {round(facts.bitrate / 1000)} "
                           f"kbps, {facts.sample_rate} Hz")
        missing = [frame for frame in REQUIRED_ID3 if frame not in facts.frames]
        if facts.id3_minor != ID3_VERSION:
            missing.append(f"ID3v2.{ID3_VERSION} (found v2.{facts.id3_minor})")
        yield (self._bad("ID3 tags", name, "missing " + ", ".join(missing)) if missing
               else self._ok("ID3 tags", name, "ID3v2.3: " + ", ".join(REQUIRED_ID3)))
        yield from self._mp3val(path, name)
        if name in self.measured:
            loudness, peak = self.measured[name]
            whose = "; the build's own measurement"  # said, so no one takes it for a re-measure
        else:
            try:
                measurement = measure_loudness(path, self.ffmpeg)
            except AudioError as e:  # a file ffmpeg cannot decode: a finding, not a crash
                yield self._bad("loudness", name, f"cannot be measured ({e})")
                return
            loudness, peak = measurement.integrated, measurement.true_peak
            whose = ""
        target = self.target if self.target is not None else -16.0
        if "/chapters/" in f"/{name}":
            self.loudness[name] = loudness
        detail = f"{loudness:.1f} LUFS (target {target:g}{whose})"
        yield (self._ok("loudness", name, detail)
               if math.isfinite(loudness) and abs(loudness - target) <= LOUDNESS_TOLERANCE_LU
               else self._bad("loudness", name, detail))
        ceiling = f"{peak:.1f} dBTP" + (f" ({whose.removeprefix('; ')})" if whose else "")
        yield (self._ok("true peak", name, ceiling) if peak <= self.ceiling
               else self._bad("true peak", name, f"{ceiling} is above {self.ceiling:g}"))

    def _frame_check(self, path: Path) -> tuple[str, str, Callable[[Path, str], tuple[Level, str]]]:
        """The frame-by-frame check for a file: its rule, its tool and the function that runs it."""
        mp3val = shutil.which("mp3val")
        if mp3val is None or path.stat().st_size > MP3VAL_MAX_BYTES:
            return "MP3 frames", ffmpeg_executable(self.ffmpeg), self._frames
        return "mp3val", mp3val, self._mp3val_result

    def _check_frames_at_once(self, paths: Sequence[Path]) -> None:
        """Run the frame checks that no memo answers side by side, one per core: each is a
        process of its own (mp3val or ffmpeg), so an edit's chapter and episode take the time of one."""
        todo = []
        for path in paths:
            with contextlib.suppress(OSError):  # a file that cannot be read: its own check says so
                _, tool, check = self._frame_check(path)
                if self.memo is None or self.memo.passed(path, tool) is None:
                    todo.append((path, check))
        if len(todo) < 2:
            return
        with ThreadPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as pool:
            results = pool.map(lambda job: job[1](job[0], self._name(job[0])), todo)
            self.frames_checked = {path: result for (path, _), result in zip(todo, results, strict=True)}

    def _mp3val(self, path: Path, name: str) -> Iterator[Finding]:
        rule, tool, check = self._frame_check(path)
        yield self._remembered(rule, path, name, tool, check)

    def _remembered(self, rule: str, path: Path, name: str, tool: str,
                    check: Callable[[Path, str], tuple[Level, str]]) -> Finding:
        """One frame-by-frame check of a file, or its result for the same bytes and tool."""
        passed = self.memo.passed(path, tool) if self.memo is not None else None
        if passed is not None:
            return Finding(rule, name, Level.OK, passed)
        level, detail = self.frames_checked.pop(path, None) or check(path, name)
        if self.memo is not None and level is Level.OK:  # a failure is looked at again
            self.memo.remember_pass(path, tool, detail)
        return Finding(rule, name, level, detail)

    @staticmethod
    def _mp3val_result(path: Path, name: str) -> tuple[Level, str]:
        result = subprocess.run([shutil.which("mp3val") or "mp3val", str(path)],
                                capture_output=True, text=True, check=False)
        problems = [line.split(":", 1)[-1].strip() for line in result.stdout.splitlines()
                    if line.startswith(("WARNING", "PROBLEM", "ERROR"))]
        return (Level.ERROR, "; ".join(problems)) if problems else (Level.OK, "no problem found")

    def _frames(self, path: Path, name: str) -> tuple[Level, str]:
        """Decode every frame with ffmpeg's bitstream checks: streaming, for any file size."""
        try:
            run_ffmpeg(["-err_detect", "crccheck+bitstream+buffer", "-xerror", "-i", str(path),
                        "-f", "null", "-"], f"{name}: checking MP3 frames", ffmpeg=self.ffmpeg)
        except AudioError as e:
            return Level.ERROR, str(e)
        return Level.OK, "every frame decodes (ffmpeg)"

    def _loudness_spread(self) -> Iterator[Finding]:
        values = [v for v in self.loudness.values() if math.isfinite(v)]
        if len(values) < 2:
            return
        spread = max(values) - min(values)
        yield (self._ok("chapters agree in loudness", "chapters/", f"spread {spread:.2f} LU")
               if spread <= CHAPTER_SPREAD_LU
               else self._bad("chapters agree in loudness", "chapters/", f"spread {spread:.2f} LU"))


def _is_stable_guid(guid: str) -> bool:
    """A GUID derived from names (a URL or a UUIDv5) rather than random per build (UUIDv4)."""
    try:
        return uuid.UUID(guid.removeprefix("urn:uuid:")).version != 4
    except ValueError:
        return True


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
