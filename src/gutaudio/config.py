"""Typed, frozen build settings, checked wherever they are made: in Python, or by load_settings
from content/gutaudio.toml plus command-line overrides."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import logging
import os
import re
import tomllib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dates import parse_date
from .errors import ConfigError, OptionError, Problem, SettingsError
from .layout import FEED_NAME

log = logging.getLogger(__name__)

CONFIG_FILENAME = "gutaudio.toml"
"""The show's settings, in the content folder."""

# Apple Podcasts categories and their subcategories (Apple's podcast category list).
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


IMAGE_CHOICES = ("announce", "skip")
CODE_CHOICES = ("announce", "skip")
RATE_RANGE = (0.5, 2.0)
FEED_ITEMS = ("chapters", "episode")
MP3_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""The bitrates of MPEG-1 Layer III, in the order of the frame header's bitrate index 1-14."""
LEXICON_FILENAME = "lexicon.toml"


# -- the rules, shared by every way settings are made -------------------------------------------------
#
# Each settings class checks its own values when it is made (in Python, by dataclasses.replace,
# or by load_settings) and normalizes a few (a trailing slash on base_url, a date from its text,
# the canonical form of a UUID, a number as a float, a path as a Path). Reading gutaudio.toml
# adds only what belongs to reading a file: unknown keys, text stripped of surrounding spaces and
# refused with control characters in it, paths taken relative to the content folder, and the
# files the settings name (cover, voice model, ffmpeg, disclaimer, article) found, named as written.


_KIND_NAMES = {str: "text", bool: "true or false", int: "a whole number", float: "a number",
               Path: "text"}


def _of_kind(kind: type, value: Any) -> tuple[bool, Any]:
    """Whether value is of kind, and the value as kept: a float for a number, a Path (or None, for
    an empty one) for a path."""
    if kind is Path:
        if not value:
            return True, None
        if isinstance(value, str | os.PathLike):
            return True, Path(value)
        return False, value
    if kind is float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number, float(value) if number else value
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    return isinstance(value, kind), value


def _shown(value: Any) -> str:
    """A value as problems quote it: text and paths in single quotes, anything else as Python writes it."""
    return f"'{value}'" if isinstance(value, str | os.PathLike) else repr(value)


class _Rules:
    """The values of one settings table under check, and the problems found in them."""

    def __init__(self, table: str, values: dict[str, Any]) -> None:
        self.table = table
        self.values = values
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        setting = ".".join(part for part in (self.table, key) if part)
        self.problems.append(Problem(setting, message))

    def want(self, kind: type, key: str) -> bool:
        """Report a value of the wrong kind; True when it is of the right kind (and keep it as such)."""
        ok, value = _of_kind(kind, self.values[key])
        if not ok:
            self.problem(key, f"{self.table}.{key} must be {_KIND_NAMES[kind]}, not {value!r}")
            return False
        self.values[key] = value
        return True


def _checked(instance: Any, table: str, rules: Callable[[_Rules], None]) -> None:
    """Apply a table's rules to a settings object being made: raise SettingsError, or keep the
    values as the rules normalized them."""
    check = _Rules(table, {f.name: getattr(instance, f.name) for f in fields(instance)})
    rules(check)
    if check.problems:
        raise SettingsError(check.problems)
    for name, value in check.values.items():
        if value is not getattr(instance, name):
            object.__setattr__(instance, name, value)


# -- the settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowSettings:
    """Metadata of the podcast show and its feed."""

    title: str
    """Show title: the feed's channel title and the album tag."""
    author: str
    """Author or publisher: itunes:author and the artist tag."""
    description: str
    """Channel description, at most 4,000 bytes (Apple)."""
    link: str
    """The publisher's web page for the show."""
    owner_email: str
    """itunes:owner e-mail (a placeholder is fine until the feed is submitted)."""
    base_url: str
    """Where output/ will be published; enclosure and feed URLs start with it (a "/" is added at
    its end when it has none)."""
    language: str = "en"
    """ISO 639 language code, for example en or en-us."""
    category: str = "Health & Fitness"
    """Apple Podcasts category."""
    subcategory: str = ""
    """Apple Podcasts subcategory of `category`, or empty."""
    explicit: bool = False
    """itunes:explicit for the channel and every item."""
    owner_name: str = ""
    """itunes:owner name; the author when empty."""
    copyright: str = ""
    """Copyright line of the feed and the TCOP tag."""
    cover: Path | None = None
    """Cover image (square JPEG or PNG, 1400-3000 px); generated from the title when unset."""
    date: dt.date | None = None
    """Publication date (a date, a datetime or a text dates.parse_date reads); every item's pubDate
    derives from it so rebuilds are reproducible."""
    genre: str = "Podcast"
    """ID3 genre (TCON) of every file."""
    podcast_guid: str = ""
    """The show's podcast:guid; derived from the feed URL when empty. Fix it here before moving hosts."""
    feed_items: str = "chapters"
    """What the feed lists: "chapters" (one item per chapter) or "episode" (one item, chapter marks)."""

    def __post_init__(self) -> None:
        _checked(self, "show", _show_rules)


class EngineOptions(Mapping[str, Any]):
    """The engine options of a VoiceSettings: read-only and hashable, like the settings holding them."""

    def __init__(self, values: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._values = {key: _frozen(value) for key, value in dict(values).items()}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items(), key=lambda item: item[0])))

    def __repr__(self) -> str:
        return f"EngineOptions({self._values!r})"


def _frozen(value: Any) -> Any:
    """A TOML array as a tuple, so that settings stay hashable."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list | tuple) else value


VOICE_FIELDS = ("engine", "model", "rate")
"""The [voice] settings of every engine; the others are options an engine declares (engines.base.Option)."""


@dataclass(frozen=True)
class VoiceSettings:
    """Which engine speaks, and with which voice."""

    engine: str = "piper"
    """A registered engine's name: piper (offline, default), gtts (Google's service), espeak, or another
    package's (gutaudio engines lists them)."""
    model: Path | None = None
    """The voice model file (--voice), for the engines that read one: for Piper a .onnx with its
    .onnx.json beside it; the bundled en_US joe voice when unset."""
    rate: float = 1.0
    """Speaking rate, 0.5 (slower) to 2.0 (faster); gTTS can only do normal or slow."""
    options: Mapping[str, Any] = field(default_factory=EngineOptions)
    """The other [voice] settings, each an option some engine declares (gtts_lang, gtts_tld,
    gtts_slow, espeak_voice, or a third-party engine's); engines read theirs with
    engines.base.engine_options, which gives the declared default for one not set here."""

    def __post_init__(self) -> None:
        _checked(self, "voice", _voice_rules)


@dataclass(frozen=True)
class AudioSettings:
    """MP3 encoding and pacing."""

    bitrate_kbps: int = 96
    """Constant MP3 bitrate (Apple: 96-128 kbps for mono speech)."""
    sample_rate: int = 44100
    """MP3 sample rate in Hz."""
    channels: int = 1
    """1 (mono, best for speech) or 2."""
    ffmpeg: Path | None = None
    """A system ffmpeg to use instead of the one bundled by imageio-ffmpeg."""
    lead_in_ms: int = 500
    """Silence before the first word of a chapter."""
    tail_ms: int = 1500
    """Silence after the last word of a chapter."""
    sentence_pause_ms: int = 350
    """Pause between sentences of one paragraph."""
    paragraph_pause_ms: int = 800
    """Pause between paragraphs."""
    heading_pause_ms: int = 700
    """Pause after a spoken chapter heading."""
    m4b: bool = False
    """Also write episode.m4b, an audiobook with chapter atoms."""
    loudness_lufs: float = -16.0
    """Integrated loudness target (Apple: -16 LUFS; -19 is common for mono-only programs)."""
    true_peak_dbtp: float = -1.0
    """True-peak ceiling in dBTP."""

    def __post_init__(self) -> None:
        _checked(self, "audio", _audio_rules)


@dataclass(frozen=True)
class BuildSettings:
    """How a build runs: where clips are cached and how many syntheses run at once."""

    cache_dir: Path | None = None
    """Clip cache folder; the user's cache folder (platformdirs) when unset."""
    jobs: int = 0
    """Syntheses at once; 0 picks one per core for local engines and 8 requests for gTTS."""
    epub: bool = True
    """Also write each article's EPUB 3 talking book (text and audio synchronized by media overlays)."""
    cluster: str = ""
    """A Ray cluster to synthesize and render the chapters on: its address (HOST:PORT, or
    ray://HOST:PORT through Ray Client), or "auto" (join the Ray instance running here, else
    start one); "" or "local" builds on this machine alone. Needs gutaudio[ray]."""

    def __post_init__(self) -> None:
        _checked(self, "build", _build_rules)

    @property
    def cluster_address(self) -> str | None:
        """The cluster to build on, or None for a local build."""
        return None if self.cluster in ("", "local") else self.cluster


@dataclass(frozen=True)
class SpeechSettings:
    """How the blocks of an article are read aloud."""

    title: bool = True
    """Speak the article's title (and its author, when known) at the start of the first chapter."""
    images: str = "announce"
    """Images: "announce" (say "Image:" and the alt text and caption) or "skip"."""
    code: str = "announce"
    """Code blocks: "announce" (say that code is shown on the page) or "skip"; never read out."""
    references: bool = False
    """Also speak References/Sources sections and footnotes (always on the page and in transcripts)."""
    health_lexicon: bool = True
    """Use gutaudio's own lexicon of health words the bundled Piper voice says wrong (each checked by
    proof); content/lexicon.toml's entries win over it. Only for the bundled voice, whose phonemes
    its entries are."""

    def __post_init__(self) -> None:
        _checked(self, "speech", _speech_rules)


@dataclass(frozen=True)
class ProofSettings:
    """How `gutaudio proof` hears a build back ([proof] in gutaudio.toml)."""

    model: str = "base"
    """The recognizer's model: "base" or "tiny.en" (packaged on PyPI, in gutaudio[proof]), or the path of
    any CTranslate2 Whisper model folder (relative to the content folder)."""
    beam_size: int = 5
    max_missed: float | None = None
    """The share of the author's words not heard, in percent, above which proof fails (exit code 1)."""

    def __post_init__(self) -> None:
        _checked(self, "proof", _proof_rules)


@dataclass(frozen=True)
class CaptionSettings:
    """Caption cues to caption standards (BBC, Netflix, DCMP): lines per cue, characters per line,
    seconds per cue ([captions] in gutaudio.toml)."""

    max_lines: int = 2
    max_line_chars: int = 42
    max_seconds: float = 7.0
    min_seconds: float = 1.0

    def __post_init__(self) -> None:
        _checked(self, "captions", _caption_rules)


@dataclass(frozen=True)
class DisclaimerSettings:
    """Where the spoken disclaimer comes from when the article's own is missing or overridden."""

    text: str = ""
    """Spoken instead of any disclaimer the article has ([disclaimer] text or file)."""
    default: str = ""
    """Spoken for an article that has no disclaimer of its own ([disclaimer] default or default_file)."""
    required: bool = True
    """An article with no disclaimer and no default fails the build; false only warns."""

    def __post_init__(self) -> None:
        _checked(self, "disclaimer", _disclaimer_rules)


@dataclass(frozen=True)
class Settings:
    """Everything one build needs to know, resolved and validated."""

    content_dir: Path
    output_dir: Path
    show: ShowSettings
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    captions: CaptionSettings = field(default_factory=CaptionSettings)
    proof: ProofSettings = field(default_factory=ProofSettings)
    article: Path | None = None
    """The article file to build; every article in content/ when unset."""
    disclaimer: DisclaimerSettings = field(default_factory=DisclaimerSettings)
    """The configured, default and required disclaimer."""
    lexicon: tuple[tuple[str, str], ...] = ()
    """Pronunciations from content/lexicon.toml: (word, spoken respelling), applied to spoken text."""

    def __post_init__(self) -> None:
        _checked(self, "", _settings_rules)

    @property
    def feed_url(self) -> str:
        """Absolute URL of feed.xml once published."""
        return self.show.base_url + FEED_NAME


_SECTION_TYPES: dict[str, type] = {"show": ShowSettings, "voice": VoiceSettings,
                                   "audio": AudioSettings, "build": BuildSettings,
                                   "speech": SpeechSettings, "captions": CaptionSettings,
                                   "proof": ProofSettings}


# -- each table's rules -------------------------------------------------------------------------------


_SHOW_TEXT_KEYS = ("title", "author", "description", "link", "owner_email", "base_url", "language",
                   "category", "subcategory", "owner_name", "copyright", "genre", "cover",
                   "feed_items", "podcast_guid")
_SHOW_REQUIRED_KEYS = ("title", "author", "description", "link", "owner_email", "base_url")


def _show_rules(check: _Rules) -> None:
    # Every setting of the right type is checked on its own, so that all problems are reported.
    v = check.values
    text: dict[str, str] = {}
    for key in _SHOW_TEXT_KEYS:
        if key == "cover":
            check.want(Path, key)  # in the order gutaudio.toml has always reported them
        elif check.want(str, key):
            text[key] = v[key]
    check.want(bool, "explicit")
    missing = [k for k in _SHOW_REQUIRED_KEYS if v[k] == ""]
    if missing:
        check.problem("", f"[show] is missing required settings: {', '.join(missing)}")
    if len(text.get("description", "").encode("utf-8")) > 4000:
        check.problem("description", "show.description is longer than Apple's 4,000 bytes")
    if "language" in text and not _LANGUAGE_RE.match(text["language"]):
        check.problem("language", f"show.language '{text['language']}' is not an ISO 639 code such as "
                                  "en or en-us")
    if "category" in text:  # else reported as not text
        category, subcategory = text["category"], text.get("subcategory", "")
        if category not in APPLE_CATEGORIES:
            check.problem("category", f"show.category '{category}' is not an Apple Podcasts category "
                                      f"(valid: {', '.join(APPLE_CATEGORIES)})")
        elif subcategory and subcategory not in APPLE_CATEGORIES[category]:
            valid = ", ".join(APPLE_CATEGORIES[category]) or "none"
            check.problem("subcategory", f"show.subcategory '{subcategory}' is not under '{category}' "
                                         f"(valid: {valid})")
    for key in ("link", "base_url"):
        if text.get(key) and not _is_web_url(text[key]):
            check.problem(key, f"show.{key} '{text[key]}' is not an http:// or https:// URL")
    if text.get("base_url") and _is_web_url(text["base_url"]):
        parts = urlsplit(text["base_url"])
        if parts.query or parts.fragment:
            check.problem("base_url", f"show.base_url '{text['base_url']}' must not have a ?query or "
                                      "#fragment")
        elif not text["base_url"].endswith("/"):
            v["base_url"] = text["base_url"] + "/"  # as gutaudio.toml has always taken it
    if text.get("owner_email") and not _EMAIL_RE.match(text["owner_email"]):
        check.problem("owner_email", f"show.owner_email '{text['owner_email']}' is not an e-mail address")
    if v["date"] is not None:
        date = parse_date(v["date"])
        if date is None:
            check.problem("date", f"show.date {v['date']!r} is not a date such as 2026-11-27")
        v["date"] = date
    if text.get("podcast_guid"):
        try:
            v["podcast_guid"] = str(uuid.UUID(text["podcast_guid"]))
        except ValueError:
            check.problem("podcast_guid", f"show.podcast_guid '{text['podcast_guid']}' is not a UUID")
    if "feed_items" in text and text["feed_items"] not in FEED_ITEMS:
        check.problem("feed_items", f"show.feed_items '{text['feed_items']}' is not one of: "
                                    f"{', '.join(FEED_ITEMS)}")


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:  # for example an unclosed [IPv6] bracket
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and not any(c.isspace() for c in value))


def _voice_rules(check: _Rules) -> None:
    from . import engines  # the engine registry imports this module, so it is loaded when needed

    v = check.values
    check.want(str, "engine")
    rate = v["rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        check.problem("rate", f"voice.rate must be a number from {RATE_RANGE[0]} to {RATE_RANGE[1]}, "
                              f"not {rate!r}")
    elif not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        check.problem("rate", f"voice.rate {rate} is out of range (valid: {RATE_RANGE[0]} to "
                              f"{RATE_RANGE[1]}, 1.0 is normal)")
    else:
        v["rate"] = float(rate)
    named = v["engine"] if isinstance(v["engine"], str) else None  # not text: reported above
    if named is not None and engines.engine_class(named) is None:
        check.problem("engine", f"unknown engine '{named}' (valid: {', '.join(engines.engine_names())})")
    engine = named or ""
    model_option = engines.option_owner(engine, "model") if v["model"] else None
    if model_option is None:
        check.want(Path, "model")
    else:  # Piper's, unless the chosen engine declares a model of its own
        v["model"] = _option_value(check, "model", model_option, v["model"])
    options = v["options"]
    if not isinstance(options, Mapping):
        check.problem("options", f"voice.options must be a mapping of engine options, not {options!r}")
        v["options"] = EngineOptions()
        return
    kept: dict[str, Any] = {}
    for key, value in options.items():
        if key in VOICE_FIELDS:
            check.problem(key, f"voice.options gives '{key}', which is a setting of its own "
                               f"(VoiceSettings({key}=...))")
            continue
        option = engines.option_owner(engine, key)
        if option is None:
            check.problem(key, _unknown_setting(f"voice.{key}", voice_setting_names()))
            continue
        kept[key] = _option_value(check, key, option, value)
    v["options"] = EngineOptions(kept)


def _option_value(check: _Rules, key: str, option: Any, value: Any) -> Any:
    """An engine option's value as kept: checked against its kind, then by its own rule."""
    kind = option.value_kind
    given = value
    if kind is not None:
        ok, value = _of_kind(kind, value)
        if not ok:
            kind_name = _KIND_NAMES.get(kind, getattr(kind, "__name__", str(kind)))
            check.problem(key, f"voice.{key} must be {kind_name}, not {given!r}")
            return given
    if value is None or option.check is None:
        return value
    try:
        kept = option.check(value)
    except ValueError as e:
        check.problem(key, f"{option.label or 'voice.' + key} {_shown(given)} {e}")
        return value
    except Exception as e:  # an engine's own check that fails in another way: still one line
        check.problem(key, f"{option.label or 'voice.' + key} {_shown(given)} could not be checked by "
                           f"its engine ({type(e).__name__}: {e})")
        return value
    return value if kept is None else kept


def voice_setting_names() -> tuple[str, ...]:
    """Every setting a [voice] table may give: engine, model and rate, then each registered engine's
    options, in the order `gutaudio engines` lists the engines."""
    from .engines import option_names

    return tuple(dict.fromkeys((*VOICE_FIELDS, *option_names())))


_PAUSE_KEYS = ("lead_in_ms", "tail_ms", "sentence_pause_ms", "paragraph_pause_ms", "heading_pause_ms")


def _audio_rules(check: _Rules) -> None:
    v = check.values
    # Only settings given as whole numbers are range-checked; the others are already reported.
    num = {key: v[key] for key in ("bitrate_kbps", "sample_rate", "channels", *_PAUSE_KEYS)
           if check.want(int, key)}
    if "bitrate_kbps" in num and num["bitrate_kbps"] not in MP3_BITRATES_KBPS:
        check.problem("bitrate_kbps",
                      f"audio.bitrate_kbps {num['bitrate_kbps']} is not an MPEG-1 Layer III bitrate "
                      f"(valid: {', '.join(map(str, MP3_BITRATES_KBPS))})")
    if "sample_rate" in num and num["sample_rate"] not in (32000, 44100, 48000):
        check.problem("sample_rate", f"audio.sample_rate {num['sample_rate']} is not 32000, 44100 or 48000")
    if "channels" in num and num["channels"] not in (1, 2):
        check.problem("channels", f"audio.channels {num['channels']} is not 1 or 2")
    for key in _PAUSE_KEYS:
        if key in num and not 0 <= num[key] <= 10_000:
            check.problem(key, f"audio.{key} {num[key]} is not between 0 and 10000")
    check.want(bool, "m4b")
    for key, low, high in (("loudness_lufs", -31.0, -10.0), ("true_peak_dbtp", -9.0, 0.0)):
        value = v[key]
        if check.want(float, key) and not low <= value <= high:
            check.problem(key, f"audio.{key} {value} is out of range (valid: {low:g} to {high:g})")
    check.want(Path, "ffmpeg")


def _build_rules(check: _Rules) -> None:
    if check.want(int, "jobs") and not 0 <= check.values["jobs"] <= 64:
        check.problem("jobs", f"build.jobs {check.values['jobs']} is out of range (valid: 0 to 64; "
                              "0 picks for you)")
    check.want(Path, "cache_dir")
    check.want(bool, "epub")
    if check.want(str, "cluster"):
        address = check.values["cluster"].strip()
        check.values["cluster"] = address
        problem = cluster_address_problem(address)
        if problem:
            check.problem("cluster", f"build.cluster {address!r}: {problem}")


def cluster_address_problem(address: str) -> str | None:
    """Why a cluster address cannot be used (None when it can): HOST:PORT, ray://HOST:PORT, auto or local."""
    if address in ("", "local", "auto"):
        return None
    bare = address.removeprefix("ray://")
    host, _, port = bare.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c.isspace() for c in bare):
        return "expected HOST:PORT (a Ray head's GCS address), ray://HOST:PORT, auto or local"
    return None


def _speech_rules(check: _Rules) -> None:
    for key in ("title", "references", "health_lexicon"):
        check.want(bool, key)
    for key, choices in (("images", IMAGE_CHOICES), ("code", CODE_CHOICES)):
        if check.want(str, key) and check.values[key] not in choices:
            check.problem(key, f"speech.{key} '{check.values[key]}' is not one of: {', '.join(choices)}")


def _caption_rules(check: _Rules) -> None:
    ranges = (("max_lines", int, 1, 4), ("max_line_chars", int, 5, 120),
              ("max_seconds", float, 1.0, 30.0), ("min_seconds", float, 0.0, 5.0))
    fine = []
    for key, kind, low, high in ranges:
        value = check.values[key]
        if check.want(kind, key):
            if low <= value <= high:
                fine.append(key)
            else:
                check.problem(key, f"captions.{key} {value} is out of range (valid: {low:g} to {high:g})")
    v = check.values
    if {"min_seconds", "max_seconds"} <= set(fine) and v["min_seconds"] > v["max_seconds"]:
        check.problem("min_seconds", f"captions.min_seconds {v['min_seconds']:g} is more than "
                                     f"captions.max_seconds {v['max_seconds']:g}")


def _proof_rules(check: _Rules) -> None:
    if check.want(str, "model") and not check.values["model"].strip():
        check.problem("model", "proof.model is empty: give base, tiny.en or a model folder")
    if check.want(int, "beam_size") and not 1 <= check.values["beam_size"] <= 20:
        check.problem("beam_size", f"proof.beam_size {check.values['beam_size']} is out of range "
                                   "(valid: 1 to 20)")
    if (check.values["max_missed"] is not None and check.want(float, "max_missed")
            and not 0 <= check.values["max_missed"] <= 100):
        check.problem("max_missed", f"proof.max_missed {check.values['max_missed']:g} is out of range "
                                    "(valid: 0 to 100 percent)")


def _disclaimer_rules(check: _Rules) -> None:
    check.want(str, "text")
    check.want(str, "default")
    check.want(bool, "required")


_ARTICLE_PROBLEM = "'article' must be a file name in the content folder"


def _is_path_text(value: Any) -> bool:
    return isinstance(value, str | os.PathLike) and bool(os.fspath(value))


def _settings_rules(check: _Rules) -> None:
    v = check.values
    for key in ("content_dir", "output_dir"):
        if _is_path_text(v[key]):
            v[key] = Path(v[key])
        else:
            check.problem(key, f"settings.{key} must be a folder's path, not {v[key]!r}")
    for key, kind in (*_SECTION_TYPES.items(), ("disclaimer", DisclaimerSettings)):
        if not isinstance(v[key], kind):
            check.problem(key, f"settings.{key} must be {kind.__name__}, not {type(v[key]).__name__}")
    if v["article"] is not None:
        if _is_path_text(v["article"]):
            v["article"] = Path(v["article"])
        else:
            check.problem("article", _ARTICLE_PROBLEM)
    try:
        lexicon = tuple((word, spoken) for word, spoken in v["lexicon"])
    except (TypeError, ValueError):
        lexicon = None
    if lexicon is None or not all(isinstance(w, str) and isinstance(s, str) for w, s in lexicon):
        check.problem("lexicon", "settings.lexicon must be (word, spoken respelling) pairs of text")
    else:
        v["lexicon"] = lexicon


# -- reading gutaudio.toml ----------------------------------------------------------------------------


_TOP_LEVEL_KEYS = ("article", "show", "voice", "audio", "build", "speech", "captions", "proof", "disclaimer")
_DISCLAIMER_KEYS = ("text", "file", "default", "default_file", "required")


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse a gutaudio.toml file into a plain dict (empty when the file does not exist)."""
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: is not UTF-8 text (byte {e.start}); save it as UTF-8") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read: {e.strerror or e}") from e


def load_settings(
    content_dir: Path,
    output_dir: Path,
    *,
    engine: str | None = None,
    voice: Path | None = None,
    base_url: str | None = None,
    rate: float | None = None,
    feed_items: str | None = None,
    m4b: bool | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    epub: bool | None = None,
    cluster: str | None = None,
) -> Settings:
    """Read content_dir/gutaudio.toml, apply the overrides that were given, and validate it all.

    A bad override raises OptionError naming its keyword (rate, base_url, ...); a bad file
    raises ConfigError naming the file.
    """
    config_path = content_dir / CONFIG_FILENAME
    if not content_dir.exists():
        raise OptionError("content_dir", f"{content_dir}: content folder does not exist")
    if not content_dir.is_dir():
        raise OptionError("content_dir", f"{content_dir}: is a file, not a content folder")
    raw = read_config_file(config_path)
    problems: list[Problem] = [] if config_path.exists() else [Problem("", "file not found")]

    for key in raw:
        if key not in _TOP_LEVEL_KEYS:
            problems.append(Problem(key, _unknown_setting(key, _TOP_LEVEL_KEYS)))

    overrides = {name: override for name, override in (
        ("engine", ("voice", "engine", engine)),
        # A path given on the command line is relative to the working directory, not content/.
        ("voice", ("voice", "model", voice and str(Path.cwd() / voice.expanduser()))),
        ("base_url", ("show", "base_url", base_url)),
        ("rate", ("voice", "rate", rate)),
        ("feed_items", ("show", "feed_items", feed_items)),
        ("m4b", ("audio", "m4b", m4b)),
        ("jobs", ("build", "jobs", jobs)),
        ("cache_dir", ("build", "cache_dir", cache_dir and str(Path.cwd() / cache_dir.expanduser()))),
        ("epub", ("build", "epub", epub)),
        ("cluster", ("build", "cluster", cluster)),
    ) if override[2] is not None}
    built, section_problems = _sections(raw, overrides, content_dir)
    if section_problems:
        _blame_override(raw, overrides, content_dir, section_problems)
    problems += section_problems

    disclaimer = _read_disclaimer(raw.get("disclaimer", {}), content_dir, problems)
    article = raw.get("article")
    article_path: Path | None = None
    if article is not None:
        if not isinstance(article, str) or not article:
            problems.append(Problem("article", _ARTICLE_PROBLEM))
        else:
            article_path = _resolve(content_dir, article)
            if not article_path.is_file():
                problems.append(Problem("article", f"article '{article}' does not exist in {content_dir}"))

    if problems:
        raise ConfigError(f"{config_path}: " + "; ".join(p.message for p in problems))
    lexicon = read_lexicon(content_dir / LEXICON_FILENAME)
    voice_settings = built["voice"]
    if built["speech"].health_lexicon and voice_settings.engine == "piper" and voice_settings.model is None:
        lexicon = with_health_lexicon(lexicon)
    return Settings(
        content_dir=content_dir,
        output_dir=output_dir,
        show=built["show"],
        voice=built["voice"],
        audio=built["audio"],
        build=built["build"],
        speech=built["speech"],
        captions=built["captions"],
        proof=built["proof"],
        article=article_path,
        disclaimer=disclaimer,
        lexicon=lexicon,
    )


HEALTH_LEXICON = Path(__file__).with_name("lexicon.toml")
"""gutaudio's own lexicon: health words the bundled Piper voice says wrong, as phonemes it reads."""


@functools.cache
def health_lexicon() -> tuple[tuple[str, str], ...]:
    """The entries of gutaudio's own health lexicon."""
    return read_lexicon(HEALTH_LEXICON)


def with_health_lexicon(own: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """An article folder's lexicon, then gutaudio's entries for the words it does not respell."""
    mine = {word.casefold() for word, _ in own}
    return own + tuple((word, said) for word, said in health_lexicon() if word.casefold() not in mine)


def read_lexicon(path: Path) -> tuple[tuple[str, str], ...]:
    """Read a pronunciation lexicon: a TOML file of word = "spoken respelling" lines."""
    raw = read_config_file(path)
    unknown = [name for name, value in raw.items() if isinstance(value, dict) and name != "words"]
    if unknown:
        raise ConfigError(f"{path}: " + "; ".join(_unknown_lexicon_table(name) for name in unknown))
    table = raw.get("words", raw)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [words] must be a table of word = \"respelling\" lines")
    problems = []
    entries = []
    for word, spoken in table.items():
        if not isinstance(spoken, str) or not spoken.strip():
            problems.append(f"'{word}' must map to a non-empty respelling in quotes")
        elif not word.strip() or any(ch.isspace() for ch in word.strip()):
            problems.append(f"'{word}' must be a single word")
        else:
            entries.append((word.strip(), " ".join(spoken.split())))
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return tuple(entries)


def _unknown_lexicon_table(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), ["words"], n=1)
    hint = f"did you mean [{close[0]}]?" if close else "a lexicon has only a [words] table"
    return f"unknown table [{name}]; {hint}"


def _unknown_setting(label: str, valid: Any) -> str:
    name = label.rpartition(".")[2]
    close = difflib.get_close_matches(name, list(valid), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown setting '{label}' ({hint}valid: {', '.join(valid)})"


def configured_cache_dir(content_dir: Path) -> Path | None:
    """The cache folder content_dir/gutaudio.toml gives in [build] cache_dir, if it gives one."""
    build_section = read_config_file(content_dir / CONFIG_FILENAME).get("build", {})
    value = build_section.get("cache_dir") if isinstance(build_section, dict) else None
    return _resolve(content_dir, value) if isinstance(value, str) and value else None


def _resolve(content_dir: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else content_dir / path


def _read_disclaimer(section: Any, content_dir: Path, problems: list[Problem]) -> DisclaimerSettings:
    if not isinstance(section, dict):
        problems.append(Problem("disclaimer", "[disclaimer] must be a table with 'text', 'file', "
                                              "'default' or 'required'"))
        return DisclaimerSettings()
    for key in section:
        if key not in _DISCLAIMER_KEYS:
            problems.append(Problem(f"disclaimer.{key}", _unknown_setting(f"disclaimer.{key}",
                                                                          _DISCLAIMER_KEYS)))
    values = {key: _disclaimer_text(section, key, file_key, content_dir, problems)
              for key, file_key in (("text", "file"), ("default", "default_file"))}
    try:
        return DisclaimerSettings(**values, required=section.get("required", True))
    except SettingsError as e:
        problems += e.problems
        return DisclaimerSettings()


def _disclaimer_text(section: dict[str, Any], text_key: str, file_key: str, content_dir: Path,
                     problems: list[Problem]) -> Any:
    """A disclaimer given as text or as a file's text (one of the two); a text that is not text is
    left for DisclaimerSettings to report."""
    text = section.get(text_key, "")
    file = section.get(file_key)
    if file is not None and not isinstance(file, str):
        problems.append(Problem(f"disclaimer.{file_key}",
                                f"disclaimer.{file_key} must be text, not {file!r}"))
    elif file:
        if isinstance(text, str) and text:
            problems.append(Problem("disclaimer", f"[disclaimer] gives both '{text_key}' and "
                                                  f"'{file_key}'; keep one"))
        path = _resolve(content_dir, file)
        try:
            read = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as e:
            problems.append(Problem(f"disclaimer.{file_key}",
                                    f"disclaimer.{file_key} '{file}' is not UTF-8 text (byte {e.start})"))
        except OSError as e:
            problems.append(Problem(f"disclaimer.{file_key}",
                                    f"disclaimer.{file_key} '{file}' cannot be read ({e.strerror or e})"))
        else:
            text = read if isinstance(text, str) else text
    return " ".join(text.split()) if isinstance(text, str) else text


Override = tuple[str, str, Any]
"""A value given as an option: the section and key it sets, and the value."""


def _sections(raw: dict[str, Any], overrides: dict[str, Override],
              content_dir: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Every settings section from the file with the overrides applied, and the problems found."""
    problems: list[Problem] = []
    sections: dict[str, dict[str, Any]] = {}
    for name in _SECTION_TYPES:
        section = raw.get(name, {})
        if not isinstance(section, dict):
            problems.append(Problem(name, f"[{name}] must be a table"))
            section = {}
        sections[name] = dict(section)
    for section_name, key, value in overrides.values():
        sections[section_name][key] = value
    built = {name: _read_section(name, sections[name], content_dir, problems) for name in _SECTION_TYPES}
    return built, problems


def _blame_override(raw: dict[str, Any], overrides: dict[str, Override], content_dir: Path,
                    problems: list[Problem]) -> None:
    """Raise OptionError for the first override whose value causes one of these problems.

    A problem is the override's when the file without it does not have it and it is about the
    override's own setting; one about another (a table missing other settings) is the file's.
    """
    if not overrides:
        return
    of_the_file = set(_sections(raw, {}, content_dir)[1])
    for name, override in overrides.items():
        section_name, key, _ = override
        caused = [p for p in _sections(raw, {name: override}, content_dir)[1]
                  if p not in of_the_file and p.setting == f"{section_name}.{key}"]
        if caused:
            raise OptionError(name, "; ".join(p.message.removeprefix(f"{section_name}.{key} ")
                                              for p in caused))


def _read_section(name: str, table: dict[str, Any], content_dir: Path, problems: list[Problem]) -> Any:
    """One settings table of gutaudio.toml made into its settings object, or None with its problems."""
    cls = _SECTION_TYPES[name]
    if name == "voice":  # settings other than engine, model and rate are engine options
        values: dict[str, Any] = {k: v for k, v in table.items() if k in VOICE_FIELDS}
        values["options"] = {k: v for k, v in table.items() if k not in VOICE_FIELDS}
    else:
        known = [f.name for f in fields(cls)]
        values = {}
        for key, value in table.items():
            if key in known:
                values[key] = value
            else:
                problems.append(Problem(f"{name}.{key}", _unknown_setting(f"{name}.{key}", known)))
    if name == "show":
        _show_text_as_read(values, problems)
    before = len(problems)
    try:
        built = cls(**values)
    except SettingsError as e:
        problems += e.problems
        built = None
    files = _named_files(name, values, content_dir, problems)
    if built is None or len(problems) > before:
        return None  # later tables still report their own problems
    if name == "voice":
        model = files.pop("model", built.model)
        return replace(built, model=model, options={**built.options, **files})
    return replace(built, **files) if files else built


def _show_text_as_read(values: dict[str, Any], problems: list[Problem]) -> None:
    """Text read from the file: surrounding spaces dropped, control characters refused.

    Only for the file: text given in Python is taken as it is (the feed refuses what XML cannot
    carry, with its own error), and the feed and page tests give ShowSettings such text.
    """
    for key in _SHOW_TEXT_KEYS:
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
            if _CONTROL_RE.search(values[key]):
                problems.append(Problem(f"show.{key}", f"show.{key} contains a control character (such "
                                                       "as \\u0007); remove it"))
    for key in _SHOW_REQUIRED_KEYS:
        values.setdefault(key, "")  # reported missing with the others


def _named_files(name: str, values: dict[str, Any], content_dir: Path,
                 problems: list[Problem]) -> dict[str, Path]:
    """The files a table names as paths, resolved: relative to the content folder (ffmpeg: to the
    working folder), each found to exist (but the cache folder), and named as written when not.

    A value that already has a problem, or is not text, is left to that problem.
    """
    failed = {p.setting for p in problems}
    wanted: list[tuple[str, Any, Any]] = []  # (key, value as written, the engine option or None)
    if name == "show":
        wanted = [("cover", values.get("cover"), None)]
    elif name == "audio":
        wanted = [("ffmpeg", values.get("ffmpeg"), None)]
    elif name == "build":
        wanted = [("cache_dir", values.get("cache_dir"), None)]
    elif name == "voice":
        from . import engines

        engine = values.get("engine", "piper")
        engine = engine if isinstance(engine, str) else ""
        for key, value in (("model", values.get("model")), *values["options"].items()):
            option = engines.option_owner(engine, key) if isinstance(value, str) and value else None
            if key == "model" or (option is not None and option.value_kind is Path):
                wanted.append((key, value, option))
    files: dict[str, Path] = {}
    for key, written, option in wanted:
        if not isinstance(written, str) or not written or f"{name}.{key}" in failed:
            continue
        path = Path(written).expanduser() if key == "ffmpeg" else _resolve(content_dir, written)
        files[key] = path
        if key == "cache_dir":
            continue
        label = getattr(option, "label", "") or f"{name}.{key}"
        try:
            if not path.is_file():
                raise ValueError("does not exist")
            if option is not None and option.check_file is not None:
                option.check_file(path)
        except ValueError as e:
            problems.append(Problem(f"{name}.{key}", f"{label} '{written}' {e}"))
        except Exception as e:  # an engine's own check that fails in another way: still one line
            problems.append(Problem(f"{name}.{key}", f"{label} '{written}' could not be checked by its "
                                                     f"engine ({type(e).__name__}: {e})"))
    return files
