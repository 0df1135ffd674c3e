"""Typed, frozen build settings read from content/gutaudio.toml plus command-line overrides."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
import tomllib
import uuid
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, OptionError

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
    """Where output/ will be published; enclosure and feed URLs start with it."""
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
    """Publication date; every item's pubDate derives from it so rebuilds are reproducible."""
    genre: str = "Podcast"
    """ID3 genre (TCON) of every file."""
    podcast_guid: str = ""
    """The show's podcast:guid; derived from the feed URL when empty. Fix it here before moving hosts."""
    feed_items: str = "chapters"
    """What the feed lists: "chapters" (one item per chapter) or "episode" (one item, chapter marks)."""


@dataclass(frozen=True)
class VoiceSettings:
    """Which engine speaks, and with which voice."""

    engine: str = "piper"
    """Engine name: piper (offline, default) or gtts (needs Google's service)."""
    model: Path | None = None
    """Piper voice model (.onnx, with its .onnx.json beside it); the bundled en_US joe voice when unset."""
    gtts_lang: str = "en"
    """gTTS language code."""
    gtts_tld: str = "com"
    """gTTS Google host top-level domain, which selects the accent (com, co.uk, com.au, ...)."""
    gtts_slow: bool = False
    """gTTS slow reading."""
    rate: float = 1.0
    """Speaking rate, 0.5 (slower) to 2.0 (faster); gTTS can only do normal or slow."""
    espeak_voice: str = "en-us"
    """espeak-ng voice for the espeak draft engine."""


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


@dataclass(frozen=True)
class BuildSettings:
    """How a build runs: where clips are cached and how many syntheses run at once."""

    cache_dir: Path | None = None
    """Clip cache folder; the user's cache folder (platformdirs) when unset."""
    jobs: int = 0
    """Syntheses at once; 0 picks one per core for local engines and 8 requests for gTTS."""


IMAGE_CHOICES = ("announce", "skip")
CODE_CHOICES = ("announce", "skip")


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


@dataclass(frozen=True)
class DisclaimerSettings:
    """Where the spoken disclaimer comes from when the article's own is missing or overridden."""

    text: str = ""
    """Spoken instead of any disclaimer the article has ([disclaimer] text or file)."""
    default: str = ""
    """Spoken for an article that has no disclaimer of its own ([disclaimer] default or default_file)."""
    required: bool = True
    """An article with no disclaimer and no default fails the build; false only warns."""


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
    article: Path | None = None
    """The article file to build; every article in content/ when unset."""
    disclaimer: DisclaimerSettings = field(default_factory=DisclaimerSettings)
    """The configured, default and required disclaimer."""
    lexicon: tuple[tuple[str, str], ...] = ()
    """Pronunciations from content/lexicon.toml: (word, spoken respelling), applied to spoken text."""

    @property
    def feed_url(self) -> str:
        """Absolute URL of feed.xml once published."""
        return self.show.base_url + "feed.xml"


_SECTION_TYPES = {"show": ShowSettings, "voice": VoiceSettings, "audio": AudioSettings,
                  "build": BuildSettings, "speech": SpeechSettings}
_TOP_LEVEL_KEYS = ("article", "show", "voice", "audio", "build", "speech", "disclaimer")
_DISCLAIMER_KEYS = ("text", "file", "default", "default_file", "required")
LEXICON_FILENAME = "lexicon.toml"
RATE_RANGE = (0.5, 2.0)
FEED_ITEMS = ("chapters", "episode")


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
    problems: list[str] = [] if config_path.exists() else ["file not found"]

    for key in raw:
        if key not in _TOP_LEVEL_KEYS:
            problems.append(_unknown_setting(key, _TOP_LEVEL_KEYS))

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
            problems.append("'article' must be a file name in the content folder")
        else:
            article_path = _resolve(content_dir, article)
            if not article_path.is_file():
                problems.append(f"article '{article}' does not exist in {content_dir}")

    if problems:
        raise ConfigError(f"{config_path}: " + "; ".join(problems))
    lexicon = read_lexicon(content_dir / LEXICON_FILENAME)
    return Settings(
        content_dir=content_dir,
        output_dir=output_dir,
        show=built["show"],
        voice=built["voice"],
        audio=built["audio"],
        build=built["build"],
        speech=built["speech"],
        article=article_path,
        disclaimer=disclaimer,
        lexicon=lexicon,
    )


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


def _read_disclaimer(section: Any, content_dir: Path, problems: list[str]) -> DisclaimerSettings:
    if not isinstance(section, dict):
        problems.append("[disclaimer] must be a table with 'text', 'file', 'default' or 'required'")
        return DisclaimerSettings()
    for key in section:
        if key not in _DISCLAIMER_KEYS:
            problems.append(_unknown_setting(f"disclaimer.{key}", _DISCLAIMER_KEYS))
    text = _disclaimer_text(section, "text", "file", content_dir, problems)
    default = _disclaimer_text(section, "default", "default_file", content_dir, problems)
    required = section.get("required", True)
    if not _want(bool, "required", section, problems, "disclaimer"):
        required = True
    return DisclaimerSettings(text=text, default=default, required=required)


def _disclaimer_text(section: dict[str, Any], text_key: str, file_key: str, content_dir: Path,
                     problems: list[str]) -> str:
    """A disclaimer given as text or as a file's text (one of the two)."""
    _want(str, text_key, section, problems, "disclaimer")
    _want(str, file_key, section, problems, "disclaimer")
    text = section.get(text_key, "")
    if not isinstance(text, str):
        text = ""
    file = section.get(file_key)
    if file and isinstance(file, str):
        if text:
            problems.append(f"[disclaimer] gives both '{text_key}' and '{file_key}'; keep one")
        path = _resolve(content_dir, file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as e:
            problems.append(f"disclaimer.{file_key} '{file}' is not UTF-8 text (byte {e.start})")
        except OSError as e:
            problems.append(f"disclaimer.{file_key} '{file}' cannot be read ({e.strerror or e})")
    return " ".join(text.split())


Override = tuple[str, str, Any]
"""A value given as an option: the section and key it sets, and the value."""


def _sections(raw: dict[str, Any], overrides: dict[str, Override],
              content_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """Every settings section from the file with the overrides applied, and the problems found."""
    problems: list[str] = []
    sections: dict[str, dict[str, Any]] = {}
    for name in _SECTION_TYPES:
        section = raw.get(name, {})
        if not isinstance(section, dict):
            problems.append(f"[{name}] must be a table")
            section = {}
        sections[name] = dict(section)
    for section_name, key, value in overrides.values():
        sections[section_name][key] = value
    built = {name: _build_section(name, cls, sections[name], content_dir, problems)
             for name, cls in _SECTION_TYPES.items()}
    return built, problems


def _blame_override(raw: dict[str, Any], overrides: dict[str, Override], content_dir: Path,
                    problems: list[str]) -> None:
    """Raise OptionError for the first override whose value causes one of these problems."""
    if not overrides:
        return
    of_the_file = set(_sections(raw, {}, content_dir)[1])
    for name, override in overrides.items():
        section_name, key, _ = override
        about_it = (f"{section_name}.{key} ", *_PROBLEMS_NAMED_OTHERWISE.get((section_name, key), ()))
        caused = [p for p in _sections(raw, {name: override}, content_dir)[1]
                  if p not in of_the_file and p.startswith(about_it)]
        if caused:
            raise OptionError(name, "; ".join(p.removeprefix(f"{section_name}.{key} ")
                                              for p in caused))


_PROBLEMS_NAMED_OTHERWISE = {("voice", "engine"): ("unknown engine ",),
                             ("voice", "model"): ("voice model ",)}
"""How problems with a setting begin when they do not begin with its name; a problem that is
not about the option's own setting (a table missing other settings) is the file's."""


def _build_section(
    name: str, cls: type, values: dict[str, Any], content_dir: Path, problems: list[str]
) -> Any:
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            problems.append(_unknown_setting(f"{name}.{key}", known))
            continue
        kwargs[key] = value
    check = _CHECKS[name]
    before = len(problems)
    kwargs = check(kwargs, content_dir, problems)
    if len(problems) > before:
        # Build a harmless placeholder so later sections still report their own problems.
        return None
    try:
        return cls(**kwargs)
    except TypeError as e:
        missing = [f.name for f in fields(cls) if f.name not in kwargs and _required(f)]
        problems.append(f"[{name}] is missing required settings: {', '.join(missing) or e}")
        return None


def _required(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def _want(kind: type, key: str, kwargs: dict[str, Any], problems: list[str], label: str) -> bool:
    """Report a setting of the wrong type; True when the setting is given and of the right type."""
    if key not in kwargs:
        return False
    value = kwargs[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(f"{label}.{key} must be {_KIND_NAMES[kind]}, not {value!r}")
        return False
    return True


_KIND_NAMES = {str: "text", bool: "true or false", int: "a whole number"}


_SHOW_TEXT_KEYS = ("title", "author", "description", "link", "owner_email", "base_url", "language",
                   "category", "subcategory", "owner_name", "copyright", "genre", "cover",
                   "feed_items", "podcast_guid")
_SHOW_REQUIRED_KEYS = ("title", "author", "description", "link", "owner_email", "base_url")


def _check_show(kw: dict[str, Any], content_dir: Path, problems: list[str]) -> dict[str, Any]:
    # Every setting given with the right type is checked on its own, so all problems are reported.
    text: dict[str, str] = {}
    for key in _SHOW_TEXT_KEYS:
        if _want(str, key, kw, problems, "show"):
            text[key] = kw[key] = kw[key].strip()
            if _CONTROL_RE.search(text[key]):
                problems.append(f"show.{key} contains a control character (such as \\u0007); "
                                "remove it")
    _want(bool, "explicit", kw, problems, "show")
    missing = [k for k in _SHOW_REQUIRED_KEYS if kw.get(k, "") == ""]
    if missing:
        problems.append(f"[show] is missing required settings: {', '.join(missing)}")
    if len(text.get("description", "").encode("utf-8")) > 4000:
        problems.append("show.description is longer than Apple's 4,000 bytes")
    if "language" in text and not _LANGUAGE_RE.match(text["language"]):
        problems.append(
            f"show.language '{text['language']}' is not an ISO 639 code such as en or en-us"
        )
    category = text.get("category", "Health & Fitness")
    subcategory = text.get("subcategory", "")
    if category not in APPLE_CATEGORIES:
        problems.append(
            f"show.category '{category}' is not an Apple Podcasts category "
            f"(valid: {', '.join(APPLE_CATEGORIES)})"
        )
    elif subcategory and subcategory not in APPLE_CATEGORIES[category] \
            and ("category" in text or "category" not in kw):
        valid = ", ".join(APPLE_CATEGORIES[category]) or "none"
        problems.append(f"show.subcategory '{subcategory}' is not under '{category}' (valid: {valid})")
    for key in ("link", "base_url"):
        if text.get(key) and not _is_web_url(text[key]):
            problems.append(f"show.{key} '{text[key]}' is not an http:// or https:// URL")
    if text.get("base_url") and _is_web_url(text["base_url"]):
        parts = urlsplit(text["base_url"])
        if parts.query or parts.fragment:
            problems.append(f"show.base_url '{text['base_url']}' must not have a ?query or #fragment")
        elif not text["base_url"].endswith("/"):
            kw["base_url"] = text["base_url"] + "/"
    if text.get("owner_email") and not _EMAIL_RE.match(text["owner_email"]):
        problems.append(f"show.owner_email '{text['owner_email']}' is not an e-mail address")
    if "cover" in text:
        kw["cover"] = _resolve(content_dir, text["cover"]) if text["cover"] else None
        if kw["cover"] is not None and not kw["cover"].is_file():
            problems.append(f"show.cover '{text['cover']}' does not exist")
    if "date" in kw:
        kw["date"] = _parse_date(kw["date"], problems)
    if text.get("podcast_guid"):
        try:
            kw["podcast_guid"] = str(uuid.UUID(text["podcast_guid"]))
        except ValueError:
            problems.append(f"show.podcast_guid '{text['podcast_guid']}' is not a UUID")
    if "feed_items" in text and text["feed_items"] not in FEED_ITEMS:
        problems.append(f"show.feed_items '{text['feed_items']}' is not one of: {', '.join(FEED_ITEMS)}")
    return kw


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:  # for example an unclosed [IPv6] bracket
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and not any(c.isspace() for c in value))


def _parse_date(value: Any, problems: list[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"show.date {value!r} is not a date such as 2026-11-27")
    return None


def _check_voice(kw: dict[str, Any], content_dir: Path, problems: list[str]) -> dict[str, Any]:
    for key in ("engine", "gtts_lang", "gtts_tld", "espeak_voice"):
        _want(str, key, kw, problems, "voice")
    _want(bool, "gtts_slow", kw, problems, "voice")
    rate = kw.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        problems.append(f"voice.rate must be a number from {RATE_RANGE[0]} to {RATE_RANGE[1]}, "
                        f"not {rate!r}")
    elif not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        problems.append(f"voice.rate {rate} is out of range (valid: {RATE_RANGE[0]} to "
                        f"{RATE_RANGE[1]}, 1.0 is normal)")
    else:
        kw["rate"] = float(rate)
    engine = kw.get("engine", "piper")
    if isinstance(engine, str):
        from .engines import engine_class, engine_names  # the registry needs this module loaded

        if engine_class(engine) is None:
            problems.append(f"unknown engine '{engine}' (valid: {', '.join(engine_names())})")
    model = kw.get("model")
    if model and _want(str, "model", kw, problems, "voice"):
        path = _resolve(content_dir, model)
        if path.suffix != ".onnx":
            problems.append(f"voice model '{model}' is not a Piper .onnx file")
        elif not path.is_file():
            problems.append(f"voice model '{model}' does not exist")
        elif not Path(f"{path}.json").is_file():
            problems.append(f"voice model '{model}' has no config file '{path.name}.json' beside it")
        kw["model"] = path
    elif not model:
        kw["model"] = None
    return kw


MP3_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""The bitrates of MPEG-1 Layer III, in the order of the frame header's bitrate index 1-14."""
_PAUSE_KEYS = ("lead_in_ms", "tail_ms", "sentence_pause_ms", "paragraph_pause_ms", "heading_pause_ms")


def _check_audio(kw: dict[str, Any], content_dir: Path, problems: list[str]) -> dict[str, Any]:
    # Only settings given as whole numbers are range-checked; the others are already reported.
    num = {key: kw[key] for key in ("bitrate_kbps", "sample_rate", "channels", *_PAUSE_KEYS)
           if _want(int, key, kw, problems, "audio")}
    if "bitrate_kbps" in num and num["bitrate_kbps"] not in MP3_BITRATES_KBPS:
        problems.append(
            f"audio.bitrate_kbps {num['bitrate_kbps']} is not an MPEG-1 Layer III bitrate "
            f"(valid: {', '.join(map(str, MP3_BITRATES_KBPS))})"
        )
    if "sample_rate" in num and num["sample_rate"] not in (32000, 44100, 48000):
        problems.append(f"audio.sample_rate {num['sample_rate']} is not 32000, 44100 or 48000")
    if "channels" in num and num["channels"] not in (1, 2):
        problems.append(f"audio.channels {num['channels']} is not 1 or 2")
    for key in _PAUSE_KEYS:
        if key in num and not 0 <= num[key] <= 10_000:
            problems.append(f"audio.{key} {num[key]} is not between 0 and 10000")
    _want(bool, "m4b", kw, problems, "audio")
    for key, low, high in (("loudness_lufs", -31.0, -10.0), ("true_peak_dbtp", -9.0, 0.0)):
        value = kw.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"audio.{key} must be a number, not {value!r}")
        elif not low <= value <= high:
            problems.append(f"audio.{key} {value} is out of range (valid: {low:g} to {high:g})")
        else:
            kw[key] = float(value)
    ffmpeg = kw.get("ffmpeg")
    if ffmpeg and _want(str, "ffmpeg", kw, problems, "audio"):
        path = Path(ffmpeg).expanduser()
        if not path.is_file():
            problems.append(f"audio.ffmpeg '{ffmpeg}' does not exist")
        kw["ffmpeg"] = path
    elif not ffmpeg:
        kw["ffmpeg"] = None
    return kw


def _check_build(kw: dict[str, Any], content_dir: Path, problems: list[str]) -> dict[str, Any]:
    if _want(int, "jobs", kw, problems, "build") and not 0 <= kw["jobs"] <= 64:
        problems.append(f"build.jobs {kw['jobs']} is out of range (valid: 0 to 64; 0 picks for you)")
    cache_dir = kw.get("cache_dir")
    if cache_dir and _want(str, "cache_dir", kw, problems, "build"):
        kw["cache_dir"] = _resolve(content_dir, cache_dir)
    elif not cache_dir:
        kw["cache_dir"] = None
    return kw


def _check_speech(kw: dict[str, Any], content_dir: Path, problems: list[str]) -> dict[str, Any]:
    for key in ("title", "references"):
        _want(bool, key, kw, problems, "speech")
    for key, choices in (("images", IMAGE_CHOICES), ("code", CODE_CHOICES)):
        if _want(str, key, kw, problems, "speech") and kw[key] not in choices:
            problems.append(f"speech.{key} '{kw[key]}' is not one of: {', '.join(choices)}")
    return kw


_CHECKS = {"show": _check_show, "voice": _check_voice, "audio": _check_audio,
           "build": _check_build, "speech": _check_speech}
