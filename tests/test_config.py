"""load_settings: content/gutaudio.toml plus overrides, every invalid setting reported at once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gutaudio.config import (
    CONFIG_FILENAME,
    DisclaimerSettings,
    VoiceSettings,
    load_settings,
)
from gutaudio.errors import ConfigError, OptionError

REPO = Path(__file__).resolve().parents[1]

SHOW_VALUES = {
    "title": '"Test Show"',
    "author": '"Test Author"',
    "description": '"A show for the tests."',
    "link": '"https://example.org/show"',
    "owner_email": '"owner@example.org"',
    "base_url": '"https://cdn.example.org/audio"',
}


def show(**changes: str | None) -> str:
    """A [show] table of valid settings; each change (raw TOML, or None to drop) replaces one."""
    values = {**SHOW_VALUES, **changes}
    return "[show]\n" + "".join(f"{k} = {v}\n" for k, v in values.items() if v is not None)


SHOW = show()

CATEGORIES = (
    "Arts, Business, Comedy, Education, Fiction, Government, History, Health & Fitness, "
    "Kids & Family, Leisure, Music, News, Religion & Spirituality, Science, Society & Culture, "
    "Sports, Technology, True Crime, TV & Film"
)
BITRATES = "32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320"
# The settings each table takes, as the error lists them, written out (not read from the dataclasses
# the message is made from): a setting dropped or renamed by mistake changes what a user may write.
SHOW_KEYS = ("title, author, description, link, owner_email, base_url, language, category, subcategory, "
             "explicit, owner_name, copyright, cover, date, genre, podcast_guid, feed_items")
VOICE_KEYS = "engine, model, rate, gtts_lang, gtts_tld, gtts_slow, espeak_voice"  # engine options last
AUDIO_KEYS = ("bitrate_kbps, sample_rate, channels, ffmpeg, lead_in_ms, tail_ms, sentence_pause_ms, "
              "paragraph_pause_ms, heading_pause_ms, m4b, loudness_lufs, true_peak_dbtp")


def write_config(folder: Path, text: str) -> Path:
    """Write folder/gutaudio.toml and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_FILENAME
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(folder: Path, text: str, **overrides):
    write_config(folder, text)
    return load_settings(folder, folder / "output", **overrides)


def error_of(folder: Path, text: str, **overrides) -> str:
    """The ConfigError message load_settings raises for this gutaudio.toml."""
    write_config(folder, text)
    with pytest.raises(ConfigError) as info:
        load_settings(folder, folder / "output", **overrides)
    return str(info.value)


def make_voice(folder: Path, name: str = "voice.onnx", config: bool = True) -> Path:
    """Create a stand-in Piper model (and its .onnx.json) in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / name
    model.write_bytes(b"onnx")
    if config:
        Path(f"{model}.json").write_text("{}", encoding="utf-8")
    return model


# -- valid settings -------------------------------------------------------------------------------


def test_repository_config_loads() -> None:
    settings = load_settings(REPO / "content", REPO / "output")
    assert settings.show.title == "Gut Health, Read Aloud"
    assert settings.show.base_url == "https://example.org/audio/"
    assert settings.show.date == dt.date(2026, 11, 27)
    assert (settings.show.category, settings.show.subcategory) == ("Health & Fitness", "Nutrition")
    assert settings.show.explicit is False
    assert settings.voice.engine == "piper"
    assert settings.voice.model is None
    assert (settings.audio.bitrate_kbps, settings.audio.sample_rate, settings.audio.channels) == (
        96, 44100, 1,
    )
    assert settings.feed_url == "https://example.org/audio/feed.xml"


def test_minimal_config_gets_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path, SHOW)
    assert settings.content_dir == tmp_path
    assert settings.output_dir == tmp_path / "output"
    assert settings.show.title == "Test Show"
    assert settings.show.language == "en"
    assert settings.show.category == "Health & Fitness"
    assert settings.show.subcategory == ""
    assert settings.show.explicit is False
    assert settings.show.cover is None
    assert settings.show.date is None
    assert settings.voice.engine == "piper"
    assert settings.voice.model is None
    assert settings.audio.bitrate_kbps == 96
    assert settings.audio.ffmpeg is None
    assert settings.article is None
    assert settings.disclaimer == DisclaimerSettings(text="", default="", required=True)
    assert settings.feed_url == "https://cdn.example.org/audio/feed.xml"


@pytest.mark.parametrize(("given", "expected"), [
    ("https://cdn.example.org/audio", "https://cdn.example.org/audio/"),
    ("https://cdn.example.org/audio/", "https://cdn.example.org/audio/"),
    ("http://cdn.example.org", "http://cdn.example.org/"),
    ("  https://cdn.example.org/a  ", "https://cdn.example.org/a/"),
])
def test_base_url_gets_trailing_slash(tmp_path: Path, given: str, expected: str) -> None:
    settings = load(tmp_path, show(base_url=f'"{given}"'))
    assert settings.show.base_url == expected


@pytest.mark.parametrize("value", ["2026-11-27", '"2026-11-27"', "2026-11-27T08:30:00Z"])
def test_date_parses(tmp_path: Path, value: str) -> None:
    settings = load(tmp_path, show(date=value))
    assert settings.show.date == dt.date(2026, 11, 27)
    assert type(settings.show.date) is dt.date


def test_all_optional_settings(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(b"png")
    model = make_voice(tmp_path / "voices")
    settings = load(tmp_path, SHOW + textwrap.dedent('''\
        language = "en-us"
        category = "Science"
        subcategory = "Life Sciences"
        explicit = true
        owner_name = "Owner"
        copyright = "(c) 2026"
        cover = "cover.png"
        genre = "Speech"

        [voice]
        engine = "gtts"
        model = "voices/voice.onnx"
        gtts_lang = "en"
        gtts_tld = "co.uk"
        gtts_slow = true

        [audio]
        bitrate_kbps = 128
        sample_rate = 48000
        channels = 2
        lead_in_ms = 0
        tail_ms = 10000

        [disclaimer]
        text = """Not medical
           advice."""
        '''))
    assert settings.show.language == "en-us"
    assert (settings.show.category, settings.show.subcategory) == ("Science", "Life Sciences")
    assert settings.show.explicit is True
    assert (settings.show.owner_name, settings.show.copyright, settings.show.genre) == (
        "Owner", "(c) 2026", "Speech",
    )
    assert settings.show.cover == tmp_path / "cover.png"
    assert settings.voice == VoiceSettings(
        engine="gtts", model=model, options={"gtts_lang": "en", "gtts_tld": "co.uk", "gtts_slow": True}
    )
    assert (settings.audio.bitrate_kbps, settings.audio.sample_rate, settings.audio.channels) == (
        128, 48000, 2,
    )
    assert (settings.audio.lead_in_ms, settings.audio.tail_ms) == (0, 10000)
    assert settings.disclaimer.text == "Not medical advice."


def test_article_setting(tmp_path: Path) -> None:
    (tmp_path / "piece.md").write_text("# Piece\n\nText.\n", encoding="utf-8")
    settings = load(tmp_path, 'article = "piece.md"\n' + SHOW)
    assert settings.article == tmp_path / "piece.md"


def test_disclaimer_file(tmp_path: Path) -> None:
    (tmp_path / "disclaimer.txt").write_text("\ufeffFor information\nonly.\n", encoding="utf-8")
    settings = load(tmp_path, SHOW + '[disclaimer]\nfile = "disclaimer.txt"\n')
    assert settings.disclaimer.text == "For information only."


# -- overrides ------------------------------------------------------------------------------------


CONFIGURED = SHOW + '[voice]\nengine = "gtts"\nmodel = "voices/voice.onnx"\n'


def test_overrides_are_ignored_when_not_given(tmp_path: Path) -> None:
    model = make_voice(tmp_path / "voices")
    settings = load(tmp_path, CONFIGURED, engine=None, voice=None, base_url=None)
    assert settings.voice.engine == "gtts"
    assert settings.voice.model == model
    assert settings.show.base_url == "https://cdn.example.org/audio/"


def test_overrides_win_when_given(tmp_path: Path) -> None:
    make_voice(tmp_path / "content" / "voices")
    other = make_voice(tmp_path / "elsewhere", "other.onnx")
    settings = load(tmp_path / "content", CONFIGURED, engine="piper", voice=other,
                    base_url="https://other.example.org/feed")
    assert settings.voice.engine == "piper"
    assert settings.voice.model == other
    assert settings.show.base_url == "https://other.example.org/feed/"


def test_voice_override_is_relative_to_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --voice voices/x.onnx names a file from where the command runs, like --content and --output.
    model = make_voice(tmp_path / "voices", "x.onnx")
    monkeypatch.chdir(tmp_path)
    settings = load(tmp_path / "content", SHOW, voice=Path("voices/x.onnx"))
    assert settings.voice.model == model


def test_voice_in_config_is_relative_to_content_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_voice(tmp_path / "content" / "voices", "x.onnx")
    monkeypatch.chdir(tmp_path)
    settings = load(tmp_path / "content", SHOW + '[voice]\nmodel = "voices/x.onnx"\n')
    assert settings.voice.model == model


def test_overrides_are_validated_and_blamed_for_their_own_problems(tmp_path: Path) -> None:
    assert error_of(tmp_path, SHOW, base_url="cdn.example.org") == (
        "'cdn.example.org' is not an http:// or https:// URL")
    assert error_of(tmp_path, SHOW, engine="festival") == (
        "unknown engine 'festival' (valid: piper, gtts, espeak)")
    (tmp_path / CONFIG_FILENAME).write_text(SHOW + '[voice]\nrate = 9.0\n', encoding="utf-8")
    with pytest.raises(OptionError) as raised:
        load_settings(tmp_path, tmp_path / "out", rate=1.0, base_url="cdn.example.org")
    assert raised.value.option == "base_url"  # the file's bad rate is overridden, so not blamed


# -- one invalid setting at a time -----------------------------------------------------------------


@pytest.mark.parametrize(("toml", "problem"), [
    # engine and voice model
    ('[voice]\nengine = "festival"\n', "unknown engine 'festival' (valid: piper, gtts, espeak)"),
    ('[voice]\nmodel = "missing.onnx"\n', "voice model 'missing.onnx' does not exist"),
    ('[voice]\nmodel = "voice.bin"\n', "voice model 'voice.bin' is not a Piper .onnx file"),
    ('[voice]\nmodel = true\n', "voice.model must be text, not True"),
    # URLs
    (show(link='"example.org/show"'), "show.link 'example.org/show' is not an http:// or https:// URL"),
    (show(link='"ftp://example.org/"'), "show.link 'ftp://example.org/' is not an http:// or https:// URL"),
    (show(link='"https://"'), "show.link 'https://' is not an http:// or https:// URL"),
    (show(link='"https://exa mple.org/"'),
     "show.link 'https://exa mple.org/' is not an http:// or https:// URL"),
    (show(link='"https://example.org:http/"'),
     "show.link 'https://example.org:http/' is not an http:// or https:// URL"),
    (show(base_url='"https://[cdn.example.org/"'),
     "show.base_url 'https://[cdn.example.org/' is not an http:// or https:// URL"),
    (show(base_url='"https://cdn.example.org/a?x=1"'),
     "show.base_url 'https://cdn.example.org/a?x=1' must not have a ?query or #fragment"),
    # e-mail
    (show(owner_email='"owner"'), "show.owner_email 'owner' is not an e-mail address"),
    (show(owner_email='"owner@example"'), "show.owner_email 'owner@example' is not an e-mail address"),
    (show(owner_email='"own er@example.org"'),
     "show.owner_email 'own er@example.org' is not an e-mail address"),
    # Apple categories
    (show(category='"Health"'),
     f"show.category 'Health' is not an Apple Podcasts category (valid: {CATEGORIES})"),
    (show(subcategory='"Physics"'),
     "show.subcategory 'Physics' is not under 'Health & Fitness' (valid: Alternative Health, "
     "Fitness, Medicine, Mental Health, Nutrition, Sexuality)"),
    (show(category='"History"', subcategory='"Wars"'),
     "show.subcategory 'Wars' is not under 'History' (valid: none)"),
    # language
    (show(language='"english"'), "show.language 'english' is not an ISO 639 code such as en or en-us"),
    (show(language='"EN"'), "show.language 'EN' is not an ISO 639 code such as en or en-us"),
    (show(language='"e"'), "show.language 'e' is not an ISO 639 code such as en or en-us"),
    (show(language='""'), "show.language '' is not an ISO 639 code such as en or en-us"),
    # wrong types
    (show(explicit='"false"'), "show.explicit must be true or false, not 'false'"),
    (show(explicit='0'), "show.explicit must be true or false, not 0"),
    (show(language='1'), "show.language must be text, not 1"),
    (show(cover='1'), "show.cover must be text, not 1"),
    ('[voice]\ngtts_slow = "yes"\n', "voice.gtts_slow must be true or false, not 'yes'"),
    ('[voice]\nengine = 1\n', "voice.engine must be text, not 1"),
    ('[audio]\nbitrate_kbps = "96"\n', "audio.bitrate_kbps must be a whole number, not '96'"),
    ('[audio]\nbitrate_kbps = 96.0\n', "audio.bitrate_kbps must be a whole number, not 96.0"),
    ('[audio]\nchannels = true\n', "audio.channels must be a whole number, not True"),
    ('[audio]\nffmpeg = 1\n', "audio.ffmpeg must be text, not 1"),
    ('[disclaimer]\ntext = 1\n', "disclaimer.text must be text, not 1"),
    # audio values
    ('[audio]\nbitrate_kbps = 100\n',
     f"audio.bitrate_kbps 100 is not an MPEG-1 Layer III bitrate (valid: {BITRATES})"),
    ('[audio]\nbitrate_kbps = 0\n',
     f"audio.bitrate_kbps 0 is not an MPEG-1 Layer III bitrate (valid: {BITRATES})"),
    ('[audio]\nsample_rate = 22050\n', "audio.sample_rate 22050 is not 32000, 44100 or 48000"),
    ('[audio]\nchannels = 3\n', "audio.channels 3 is not 1 or 2"),
    ('[audio]\ntail_ms = -1\n', "audio.tail_ms -1 is not between 0 and 10000"),
    ('[audio]\nheading_pause_ms = 10001\n', "audio.heading_pause_ms 10001 is not between 0 and 10000"),
    ('[audio]\nffmpeg = "/no/such/ffmpeg"\n', "audio.ffmpeg '/no/such/ffmpeg' does not exist"),
    # files named by settings
    (show(cover='"cover.jpg"'), "show.cover 'cover.jpg' does not exist"),
    (show(date='"next week"'), "show.date 'next week' is not a date such as 2026-11-27"),
    (show(date='20261127'), "show.date 20261127 is not a date such as 2026-11-27"),
    (show(date='08:30:00'), "show.date datetime.time(8, 30) is not a date such as 2026-11-27"),
    ('[disclaimer]\nfile = "disclaimer.txt"\n',
     "disclaimer.file 'disclaimer.txt' cannot be read (No such file or directory)"),
    ('[disclaimer]\ntext = "a"\nfile = "gutaudio.toml"\n',
     "[disclaimer] gives both 'text' and 'file'; keep one"),
    ("[disclaimer]\nfile = 1\n", "disclaimer.file must be text, not 1"),
    ("disclaimer = 1\n" + SHOW, "[disclaimer] must be a table with 'text', 'file', 'default' or 'required'"),
])
def test_invalid_setting(tmp_path: Path, toml: str, problem: str) -> None:
    message = error_of(tmp_path, toml if "[show]" in toml else SHOW + toml)
    assert message == f"{tmp_path / CONFIG_FILENAME}: {problem}"


def test_voice_model_without_its_json(tmp_path: Path) -> None:
    make_voice(tmp_path / "voices", "x.onnx", config=False)
    message = error_of(tmp_path, SHOW + '[voice]\nmodel = "voices/x.onnx"\n')
    assert message == (
        f"{tmp_path / CONFIG_FILENAME}: voice model 'voices/x.onnx' has no config file "
        "'x.onnx.json' beside it"
    )


def test_article_setting_must_exist(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'article = "nope.md"\n' + SHOW)
    assert message == f"{tmp_path / CONFIG_FILENAME}: article 'nope.md' does not exist in {tmp_path}"


def test_article_setting_must_be_a_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, "article = 3\n" + SHOW)
    assert message == (
        f"{tmp_path / CONFIG_FILENAME}: 'article' must be a file name in the content folder"
    )


def test_disclaimer_file_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_bytes(b"caf\xe9")
    message = error_of(tmp_path, SHOW + '[disclaimer]\nfile = "d.txt"\n')
    assert message == f"{tmp_path / CONFIG_FILENAME}: disclaimer.file 'd.txt' is not UTF-8 text (byte 3)"


# -- unknown keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "problem"), [
    ('artcle = "a.md"\n' + SHOW,
     "unknown setting 'artcle' (did you mean 'article'? valid: article, show, voice, audio, build, "
     "speech, captions, proof, disclaimer)"),
    (SHOW + 'titel = "x"\n',
     f"unknown setting 'show.titel' (did you mean 'title'? valid: {SHOW_KEYS})"),
    (SHOW + '[voice]\nengin = "piper"\n',
     f"unknown setting 'voice.engin' (did you mean 'engine'? valid: {VOICE_KEYS})"),
    (SHOW + "[audio]\nbitrate = 96\n",
     f"unknown setting 'audio.bitrate' (did you mean 'bitrate_kbps'? valid: {AUDIO_KEYS})"),
    (SHOW + '[disclaimer]\ntxt = "x"\n',
     "unknown setting 'disclaimer.txt' (did you mean 'text'? valid: text, file, default, default_file, "
     "required)"),
    (SHOW + "[audio]\nloudness = 3\n",
     f"unknown setting 'audio.loudness' (did you mean 'loudness_lufs'? valid: {AUDIO_KEYS})"),
])
def test_unknown_key(tmp_path: Path, extra: str, problem: str) -> None:
    assert error_of(tmp_path, extra) == f"{tmp_path / CONFIG_FILENAME}: {problem}"


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'voice = "piper"\n' + SHOW)
    assert message == f"{tmp_path / CONFIG_FILENAME}: [voice] must be a table"


# -- required show metadata -----------------------------------------------------------------------


def test_missing_show_metadata(tmp_path: Path) -> None:
    message = error_of(tmp_path, show(author='"  "', description=None, link=None, owner_email=None,
                                       base_url=None))
    assert message == (
        f"{tmp_path / CONFIG_FILENAME}: [show] is missing required settings: author, description, "
        "link, owner_email, base_url"
    )


def test_missing_show_table(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[voice]\nengine = "piper"\n')
    assert message == (
        f"{tmp_path / CONFIG_FILENAME}: [show] is missing required settings: title, author, "
        "description, link, owner_email, base_url"
    )


def test_wrong_type_is_not_also_reported_missing(tmp_path: Path) -> None:
    message = error_of(tmp_path, show(title="5"))
    assert message == f"{tmp_path / CONFIG_FILENAME}: show.title must be text, not 5"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, tmp_path / "output")
    assert str(info.value) == (
        f"{tmp_path / CONFIG_FILENAME}: file not found; [show] is missing required settings: "
        "title, author, description, link, owner_email, base_url"
    )


# -- everything at once ---------------------------------------------------------------------------


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_config(tmp_path, '''\
        artcle = "x.md"

        [show]
        title = "T"
        author = "A"
        description = "D"
        link = "example.org"
        owner_email = "nope"
        base_url = "https://cdn.example.org/"
        language = "english"
        category = "Health & Fitness"
        subcategory = "Physics"
        explicit = "no"
        date = "soon"

        [voice]
        engine = "festival"
        model = "missing.onnx"

        [audio]
        bitrate_kbps = 100
        channels = "1"
        tail_ms = 99999
        ''')
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, tmp_path / "output")
    problems = str(info.value).removeprefix(f"{path}: ").split("; ")
    assert problems == [
        "unknown setting 'artcle' (did you mean 'article'? valid: article, show, voice, audio, "
        "build, speech, captions, proof, disclaimer)",
        "show.explicit must be true or false, not 'no'",
        "show.language 'english' is not an ISO 639 code such as en or en-us",
        "show.subcategory 'Physics' is not under 'Health & Fitness' (valid: Alternative Health, "
        "Fitness, Medicine, Mental Health, Nutrition, Sexuality)",
        "show.link 'example.org' is not an http:// or https:// URL",
        "show.owner_email 'nope' is not an e-mail address",
        "show.date 'soon' is not a date such as 2026-11-27",
        "unknown engine 'festival' (valid: piper, gtts, espeak)",
        "voice model 'missing.onnx' does not exist",
        "audio.channels must be a whole number, not '1'",
        f"audio.bitrate_kbps 100 is not an MPEG-1 Layer III bitrate (valid: {BITRATES})",
        "audio.tail_ms 99999 is not between 0 and 10000",
    ]


def test_a_problem_in_one_table_does_not_hide_another(tmp_path: Path) -> None:
    message = error_of(tmp_path, show(owner='"x"') + "[audio]\nbitrate_kbps = 100\n")
    assert message == (
        f"{tmp_path / CONFIG_FILENAME}: unknown setting 'show.owner' (did you mean 'owner_name'? "
        f"valid: {SHOW_KEYS}); audio.bitrate_kbps 100 is not an MPEG-1 Layer III bitrate "
        f"(valid: {BITRATES})"
    )


# -- the file itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "problem"), [
    ("[show\n", "Expected ']' at the end of a table declaration (at line 1, column 6)"),
    ("[show]\ntitle = \n", "Invalid value (at line 2, column 9)"),
    ('[show]\ntitle = "a"\ntitle = "b"\n', "Cannot overwrite a value (at line 3, column 12)"),
])
def test_invalid_toml_names_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, tmp_path / "output")
    assert str(info.value) == f"{path}: not valid TOML: {problem}"


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_FILENAME
    path.write_bytes(b'[show]\ntitle = "caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, tmp_path / "output")
    assert str(info.value) == f"{path}: is not UTF-8 text (byte 19); save it as UTF-8"


def test_config_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, tmp_path / "output")
    assert str(info.value) == f"{tmp_path / CONFIG_FILENAME}: cannot be read: Is a directory"


def test_missing_content_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "nope", tmp_path / "output")
    assert str(info.value) == f"{tmp_path / 'nope'}: content folder does not exist"


def test_content_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "article.txt", tmp_path / "output")
    assert str(info.value) == f"{tmp_path / 'article.txt'}: is a file, not a content folder"


def test_a_settings_error_exits_2_and_an_article_error_1_from_a_real_process(tmp_path: Path) -> None:
    """What a script calling gutaudio sees: the process's exit status, and one line on stderr."""
    def inspect(folder: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "gutaudio", "inspect", "--content", str(folder)],
                              capture_output=True, text=True, check=False, timeout=120)

    bad_setting = write_config(tmp_path / "settings", show(owner_email='"owner"')).parent
    (bad_setting / "a.txt").write_text("Fibre feeds the gut. Not medical advice.\n", encoding="utf-8")
    bad_article = write_config(tmp_path / "article", SHOW).parent
    (bad_article / "a.txt").write_text("\n\n", encoding="utf-8")
    setting, article = inspect(bad_setting), inspect(bad_article)
    assert (setting.returncode, setting.stdout, setting.stderr) == (
        2, "", f"Error: {bad_setting / CONFIG_FILENAME}: show.owner_email 'owner' is not an e-mail address\n")
    assert (article.returncode, article.stdout, article.stderr) == (
        1, "", f"Error: {bad_article / 'a.txt'}: has no text to speak\n")


def test_a_settings_error_can_be_caught_as_a_value_error(tmp_path: Path) -> None:
    write_config(tmp_path, show(language='"english"'))
    with pytest.raises(ValueError, match=r"^.*: show\.language 'english' is not an ISO 639 code"):
        load_settings(tmp_path, tmp_path / "output")


def test_control_characters_in_show_text_are_reported(tmp_path: Path) -> None:
    message = error_of(tmp_path, show(title='"Gut\\u0007Health"'))
    assert message == (f"{tmp_path / CONFIG_FILENAME}: show.title contains a control character "
                       "(such as \\u0007); remove it")


def test_podcast_guid_is_checked_and_kept(tmp_path: Path) -> None:
    message = error_of(tmp_path, show(podcast_guid='"not-a-uuid"'))
    assert message == f"{tmp_path / CONFIG_FILENAME}: show.podcast_guid 'not-a-uuid' is not a UUID"
    fixed = "917393E3-1B1E-5CEF-ACE4-EDAA54E1F810"
    settings = load(tmp_path, show(podcast_guid=f'"{fixed}"'))
    assert settings.show.podcast_guid == fixed.lower()


@pytest.mark.parametrize(
    ("body", "problem"),
    [("words = 3\n", '[words] must be a table of word = "respelling" lines'),
     ("[words]\nx = 1\n", "'x' must map to a non-empty respelling in quotes")],
)
def test_a_bad_lexicon_is_one_config_error(tmp_path: Path, body: str, problem: str) -> None:
    write_config(tmp_path, SHOW)
    (tmp_path / "lexicon.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, tmp_path / "output")
    assert str(info.value) == f"{tmp_path / 'lexicon.toml'}: {problem}"
