"""Settings made in Python keep the rules gutaudio.toml is read by: the same refusals, the same lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from gutaudio.config import (
    CONFIG_FILENAME,
    AudioSettings,
    BuildSettings,
    DisclaimerSettings,
    Settings,
    SettingsError,
    ShowSettings,
    SpeechSettings,
    VoiceSettings,
    load_settings,
)
from gutaudio.errors import ConfigError

SHOW = {"title": "Test Show", "author": "Test Author", "description": "A show for the tests.",
        "link": "https://example.org/show", "owner_email": "owner@example.org",
        "base_url": "https://cdn.example.org/audio/"}
CLASSES = {"show": ShowSettings, "voice": VoiceSettings, "audio": AudioSettings, "build": BuildSettings,
           "speech": SpeechSettings, "disclaimer": DisclaimerSettings}
VOICE_OPTIONS = ("gtts_lang", "gtts_tld", "gtts_slow", "espeak_voice", "engin")
"""[voice] settings that are engine options: given to VoiceSettings in its options."""
CATEGORIES = ("Arts, Business, Comedy, Education, Fiction, Government, History, Health & Fitness, "
              "Kids & Family, Leisure, Music, News, Religion & Spirituality, Science, Society & Culture, "
              "Sports, Technology, True Crime, TV & Film")
BITRATES = "32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320"

# (table, setting, as gutaudio.toml writes it, as Python gives it, the problem both must report)
RULES: list[tuple[str, str, str, Any, str]] = [
    # [show]: kinds
    ("show", "title", "5", 5, "show.title must be text, not 5"),
    ("show", "language", "1", 1, "show.language must be text, not 1"),
    ("show", "cover", "1", 1, "show.cover must be text, not 1"),
    ("show", "explicit", '"false"', "false", "show.explicit must be true or false, not 'false'"),
    ("show", "explicit", "0", 0, "show.explicit must be true or false, not 0"),
    # [show]: values
    ("show", "author", '""', "", "[show] is missing required settings: author"),
    ("show", "description", '"' + "x" * 4001 + '"', "x" * 4001,
     "show.description is longer than Apple's 4,000 bytes"),
    ("show", "language", '"english"', "english",
     "show.language 'english' is not an ISO 639 code such as en or en-us"),
    ("show", "language", '"EN"', "EN", "show.language 'EN' is not an ISO 639 code such as en or en-us"),
    ("show", "category", '"Health"', "Health",
     f"show.category 'Health' is not an Apple Podcasts category (valid: {CATEGORIES})"),
    ("show", "subcategory", '"Physics"', "Physics",
     "show.subcategory 'Physics' is not under 'Health & Fitness' (valid: Alternative Health, Fitness, "
     "Medicine, Mental Health, Nutrition, Sexuality)"),
    ("show", "link", '"example.org/show"', "example.org/show",
     "show.link 'example.org/show' is not an http:// or https:// URL"),
    ("show", "link", '"https://example.org:http/"', "https://example.org:http/",
     "show.link 'https://example.org:http/' is not an http:// or https:// URL"),
    ("show", "base_url", '"cdn.example.org/audio"', "cdn.example.org/audio",
     "show.base_url 'cdn.example.org/audio' is not an http:// or https:// URL"),
    ("show", "base_url", '"https://[cdn.example.org/"', "https://[cdn.example.org/",
     "show.base_url 'https://[cdn.example.org/' is not an http:// or https:// URL"),
    ("show", "base_url", '"https://cdn.example.org/a?x=1"', "https://cdn.example.org/a?x=1",
     "show.base_url 'https://cdn.example.org/a?x=1' must not have a ?query or #fragment"),
    ("show", "base_url", '"https://cdn.example.org/a#top"', "https://cdn.example.org/a#top",
     "show.base_url 'https://cdn.example.org/a#top' must not have a ?query or #fragment"),
    ("show", "owner_email", '"owner@example"', "owner@example",
     "show.owner_email 'owner@example' is not an e-mail address"),
    ("show", "date", '"next week"', "next week", "show.date 'next week' is not a date such as 2026-11-27"),
    ("show", "date", "20261127", 20261127, "show.date 20261127 is not a date such as 2026-11-27"),
    ("show", "date", "08:30:00", dt.time(8, 30),
     "show.date datetime.time(8, 30) is not a date such as 2026-11-27"),
    ("show", "podcast_guid", '"not-a-uuid"', "not-a-uuid", "show.podcast_guid 'not-a-uuid' is not a UUID"),
    ("show", "feed_items", '"list"', "list", "show.feed_items 'list' is not one of: chapters, episode"),
    # [voice]
    ("voice", "engine", "1", 1, "voice.engine must be text, not 1"),
    ("voice", "engine", '"festival"', "festival", "unknown engine 'festival' (valid: piper, gtts, espeak)"),
    ("voice", "engine", '""', "", "unknown engine '' (valid: piper, gtts, espeak)"),
    ("voice", "rate", '"fast"', "fast", "voice.rate must be a number from 0.5 to 2.0, not 'fast'"),
    ("voice", "rate", "3.0", 3.0, "voice.rate 3.0 is out of range (valid: 0.5 to 2.0, 1.0 is normal)"),
    ("voice", "rate", "0", 0, "voice.rate 0 is out of range (valid: 0.5 to 2.0, 1.0 is normal)"),
    ("voice", "model", "true", True, "voice.model must be text, not True"),
    ("voice", "model", '"voices/voice.bin"', "voices/voice.bin",
     "voice model 'voices/voice.bin' is not a Piper .onnx file"),
    ("voice", "gtts_slow", '"yes"', "yes", "voice.gtts_slow must be true or false, not 'yes'"),
    ("voice", "gtts_tld", "5", 5, "voice.gtts_tld must be text, not 5"),
    ("voice", "espeak_voice", "false", False, "voice.espeak_voice must be text, not False"),
    ("voice", "engin", '"piper"', "piper",
     "unknown setting 'voice.engin' (did you mean 'engine'? valid: engine, model, rate, gtts_lang, "
     "gtts_tld, gtts_slow, espeak_voice)"),
    # [audio]
    ("audio", "bitrate_kbps", '"96"', "96", "audio.bitrate_kbps must be a whole number, not '96'"),
    ("audio", "bitrate_kbps", "96.0", 96.0, "audio.bitrate_kbps must be a whole number, not 96.0"),
    ("audio", "bitrate_kbps", "100", 100,
     f"audio.bitrate_kbps 100 is not an MPEG-1 Layer III bitrate (valid: {BITRATES})"),
    ("audio", "sample_rate", "22050", 22050, "audio.sample_rate 22050 is not 32000, 44100 or 48000"),
    ("audio", "channels", "true", True, "audio.channels must be a whole number, not True"),
    ("audio", "channels", "3", 3, "audio.channels 3 is not 1 or 2"),
    ("audio", "tail_ms", "-1", -1, "audio.tail_ms -1 is not between 0 and 10000"),
    ("audio", "heading_pause_ms", "10001", 10001, "audio.heading_pause_ms 10001 is not between 0 and 10000"),
    ("audio", "m4b", '"yes"', "yes", "audio.m4b must be true or false, not 'yes'"),
    ("audio", "loudness_lufs", '"loud"', "loud", "audio.loudness_lufs must be a number, not 'loud'"),
    ("audio", "loudness_lufs", "-40", -40, "audio.loudness_lufs -40 is out of range (valid: -31 to -10)"),
    ("audio", "true_peak_dbtp", "0.5", 0.5, "audio.true_peak_dbtp 0.5 is out of range (valid: -9 to 0)"),
    ("audio", "ffmpeg", "1", 1, "audio.ffmpeg must be text, not 1"),
    # [build]
    ("build", "jobs", '"2"', "2", "build.jobs must be a whole number, not '2'"),
    ("build", "jobs", "65", 65, "build.jobs 65 is out of range (valid: 0 to 64; 0 picks for you)"),
    ("build", "cache_dir", "1", 1, "build.cache_dir must be text, not 1"),
    # [speech]
    ("speech", "title", '"yes"', "yes", "speech.title must be true or false, not 'yes'"),
    ("speech", "images", '"hide"', "hide", "speech.images 'hide' is not one of: announce, skip"),
    ("speech", "code", '"read"', "read", "speech.code 'read' is not one of: announce, skip"),
    # [disclaimer]
    ("disclaimer", "text", "1", 1, "disclaimer.text must be text, not 1"),
    ("disclaimer", "default", "1", 1, "disclaimer.default must be text, not 1"),
    ("disclaimer", "required", '"no"', "no", "disclaimer.required must be true or false, not 'no'"),
]


def made_in_python(table: str, key: str, value: Any) -> Any:
    if table == "show":
        return ShowSettings(**{**SHOW, key: value})
    if table == "voice" and key in VOICE_OPTIONS:
        return VoiceSettings(options={key: value})
    return CLASSES[table](**{key: value})


def read_from_toml(folder: Path, table: str, key: str, toml: str) -> str:
    show = "".join(f'{k} = "{v}"\n' for k, v in {**SHOW, **({key: None} if table == "show" else {})}.items()
                   if v is not None)
    text = f"[show]\n{show}" + (f"{key} = {toml}\n" if table == "show" else f"[{table}]\n{key} = {toml}\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILENAME).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(folder, folder / "output")
    return str(raised.value).removeprefix(f"{folder / CONFIG_FILENAME}: ")


@pytest.mark.parametrize(("table", "key", "toml", "value", "problem"), RULES,
                         ids=[f"{t}.{k}={v!r}"[:60] for t, k, _, v, _ in RULES])
def test_a_rule_is_the_same_in_python_and_in_gutaudio_toml(tmp_path: Path, table: str, key: str, toml: str,
                                                          value: Any, problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        made_in_python(table, key, value)
    assert str(raised.value) == problem
    assert read_from_toml(tmp_path, table, key, toml) == problem


# -- what Python construction normalizes, as gutaudio.toml has always been read ------------------------


def test_the_reported_case_a_base_url_without_its_slash_gets_one() -> None:
    show = ShowSettings(**{**SHOW, "base_url": "https://e.org/a"})
    assert show.base_url == "https://e.org/a/"
    settings = Settings(content_dir=Path("content"), output_dir=Path("output"), show=show)
    assert settings.feed_url == "https://e.org/a/feed.xml"


@pytest.mark.parametrize(("key", "given", "kept"), [
    ("base_url", "http://cdn.example.org", "http://cdn.example.org/"),
    ("base_url", "https://cdn.example.org/audio/", "https://cdn.example.org/audio/"),
    ("date", "2026-11-27", dt.date(2026, 11, 27)),
    ("date", dt.datetime(2026, 11, 27, 8, 30, tzinfo=dt.UTC), dt.date(2026, 11, 27)),
    ("date", "November 27, 2026", dt.date(2026, 11, 27)),
    ("podcast_guid", "917393E3-1B1E-5CEF-ACE4-EDAA54E1F810", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    ("cover", "art/cover.jpg", Path("art/cover.jpg")),
    ("cover", "", None),
])
def test_show_values_are_kept_as_gutaudio_toml_keeps_them(key: str, given: Any, kept: Any) -> None:
    assert getattr(ShowSettings(**{**SHOW, key: given}), key) == kept


def test_the_same_values_in_gutaudio_toml_are_kept_the_same(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(
        '[show]\ntitle = "Test Show"\nauthor = "Test Author"\ndescription = "A show for the tests."\n'
        'link = "https://example.org/show"\nowner_email = "owner@example.org"\n'
        'base_url = "https://e.org/a"\ndate = "November 27, 2026"\n'
        'podcast_guid = "917393E3-1B1E-5CEF-ACE4-EDAA54E1F810"\n'
        '[voice]\nrate = 1\n[audio]\nloudness_lufs = -19\n', encoding="utf-8")
    settings = load_settings(tmp_path, tmp_path / "output")
    assert (settings.show.base_url, settings.show.date, settings.show.podcast_guid) == (
        "https://e.org/a/", dt.date(2026, 11, 27), "917393e3-1b1e-5cef-ace4-edaa54e1f810")
    assert (settings.voice.rate, settings.audio.loudness_lufs) == (1.0, -19.0)
    assert type(settings.voice.rate) is float and type(settings.audio.loudness_lufs) is float


def test_numbers_and_paths_are_kept_as_their_kind() -> None:
    voice = VoiceSettings(rate=1, model="voices/x.onnx")  # type: ignore[arg-type]
    assert (voice.rate, type(voice.rate), voice.model) == (1.0, float, Path("voices/x.onnx"))
    audio = AudioSettings(loudness_lufs=-19, ffmpeg="", true_peak_dbtp=-2)  # type: ignore[arg-type]
    assert (audio.loudness_lufs, type(audio.loudness_lufs), audio.ffmpeg, audio.true_peak_dbtp) == (
        -19.0, float, None, -2.0)
    assert BuildSettings(cache_dir="cache").cache_dir == Path("cache")  # type: ignore[arg-type]


def test_dataclasses_replace_checks_again() -> None:
    show = ShowSettings(**SHOW)
    assert dataclasses.replace(show, base_url="https://e.org/b").base_url == "https://e.org/b/"
    with pytest.raises(SettingsError, match=r"^show\.base_url 'e\.org' is not an http:// or https:// URL$"):
        dataclasses.replace(show, base_url="e.org")
    with pytest.raises(SettingsError, match=r"^audio\.channels 3 is not 1 or 2$"):
        dataclasses.replace(AudioSettings(), channels=3)
    assert dataclasses.replace(VoiceSettings(), engine="gtts").engine == "gtts"


def test_every_problem_is_reported_at_once_in_the_order_of_the_file() -> None:
    with pytest.raises(SettingsError) as raised:
        ShowSettings(**{**SHOW, "language": "english", "link": "example.org", "owner_email": "nope",
                        "date": "soon"})
    assert str(raised.value) == (
        "show.language 'english' is not an ISO 639 code such as en or en-us; "
        "show.link 'example.org' is not an http:// or https:// URL; "
        "show.owner_email 'nope' is not an e-mail address; "
        "show.date 'soon' is not a date such as 2026-11-27")
    assert [p.setting for p in raised.value.problems] == ["show.language", "show.link", "show.owner_email",
                                                          "show.date"]


def test_a_settings_error_is_a_config_error_and_a_value_error() -> None:
    with pytest.raises(SettingsError) as raised:
        AudioSettings(channels=3)
    assert isinstance(raised.value, ConfigError) and isinstance(raised.value, ValueError)
    assert raised.value.exit_code == 2


# -- the whole Settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "problem"), [
    ({"article": 3}, "'article' must be a file name in the content folder"),
    ({"show": dict(SHOW)}, "settings.show must be ShowSettings, not dict"),
    ({"audio": None}, "settings.audio must be AudioSettings, not NoneType"),
    ({"content_dir": None}, "settings.content_dir must be a folder's path, not None"),
    ({"lexicon": (("celiac",),)}, "settings.lexicon must be (word, spoken respelling) pairs of text"),
])
def test_settings_check_their_parts(changes: dict[str, Any], problem: str) -> None:
    values: dict[str, Any] = {"content_dir": Path("content"), "output_dir": Path("output"),
                              "show": ShowSettings(**SHOW), **changes}
    with pytest.raises(SettingsError) as raised:
        Settings(**values)
    assert str(raised.value) == problem


def test_the_article_setting_is_the_same_rule_in_gutaudio_toml(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(
        "article = 3\n[show]\n" + "".join(f'{k} = "{v}"\n' for k, v in SHOW.items()), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, tmp_path / "output")
    assert str(raised.value) == (
        f"{tmp_path / CONFIG_FILENAME}: 'article' must be a file name in the content folder")


def test_settings_take_folders_given_as_text() -> None:
    settings = Settings(content_dir="content", output_dir="output", show=ShowSettings(**SHOW),  # type: ignore[arg-type]
                        lexicon=[["celiac", "seelee-ak"]])  # type: ignore[arg-type]
    assert (settings.content_dir, settings.output_dir, settings.lexicon) == (
        Path("content"), Path("output"), (("celiac", "seelee-ak"),))


# -- what only reading gutaudio.toml does ------------------------------------------------------------


def test_text_from_python_is_taken_as_it_is_but_gutaudio_toml_is_stripped_and_refuses_control_characters(
        tmp_path: Path) -> None:
    # The feed and the page escape or refuse such text themselves (their tests give it to them).
    assert ShowSettings(**{**SHOW, "title": "  Gut\x07 Health "}).title == "  Gut\x07 Health "
    assert read_from_toml(tmp_path, "show", "title", '"Gut\\u0007Health"') == (
        "show.title contains a control character (such as \\u0007); remove it")


@pytest.mark.parametrize(("table", "key", "toml", "problem"), [
    ("show", "cover", '"cover.jpg"', "show.cover 'cover.jpg' does not exist"),
    ("voice", "model", '"missing.onnx"', "voice model 'missing.onnx' does not exist"),
    ("audio", "ffmpeg", '"/no/such/ffmpeg"', "audio.ffmpeg '/no/such/ffmpeg' does not exist"),
])
def test_the_files_gutaudio_toml_names_must_exist_but_python_may_name_any(
        tmp_path: Path, table: str, key: str, toml: str, problem: str) -> None:
    # Settings may be made for another machine's files; the engines, the cover and ffmpeg say so
    # when they are used (gutaudio engines --voice lists a missing Piper voice as unavailable).
    made = made_in_python(table, key, Path(toml.strip('"')))
    assert getattr(made, key) == Path(toml.strip('"'))
    assert read_from_toml(tmp_path, table, key, toml) == problem


def test_paths_in_gutaudio_toml_are_relative_to_the_content_folder(tmp_path: Path) -> None:
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "x.onnx").write_bytes(b"onnx")
    (tmp_path / "voices" / "x.onnx.json").write_text("{}", encoding="utf-8")
    (tmp_path / CONFIG_FILENAME).write_text(
        "[show]\n" + "".join(f'{k} = "{v}"\n' for k, v in SHOW.items())
        + '[voice]\nmodel = "voices/x.onnx"\n[build]\ncache_dir = "cache"\n', encoding="utf-8")
    settings = load_settings(tmp_path, tmp_path / "output")
    assert (settings.voice.model, settings.build.cache_dir) == (tmp_path / "voices" / "x.onnx",
                                                                tmp_path / "cache")
