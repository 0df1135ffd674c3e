"""An article's plan (read and scripted) is kept in the cache for the bytes, settings and code it was
made from: a rebuild that changes nothing reads no article, and says what reading it said."""

from __future__ import annotations

import hmac
import json
import logging
import os
import pickle
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import gutaudio.recipe
from gutaudio import plan_memo, readers
from gutaudio.cache import ClipCache
from gutaudio.config import load_settings
from gutaudio.plan_memo import SIGNATURE_BYTES, plan_key, remembered_plan
from gutaudio.recipe import build

from .conftest import SETTINGS_TOML, write_content, write_distribution

ESPEAK = SETTINGS_TOML.replace('engine = "piper"', 'engine = "espeak"')
pytestmark = pytest.mark.espeak

ARTICLE = """\
# Fibre and the gut

Fibre feeds the bacteria of the gut. Most adults eat too little of it.

Share on Facebook | Share on Twitter | Email

*This article is for educational purposes only. Always consult your physician.*
"""
"""An article whose reading says something: its share bar is not spoken, with a warning."""
SHARE_BAR_WARNING = 'not spoken (share bar): "Share on Facebook | Share on Twitter | Email"'


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the articles read and scripted (not taken from the cache)."""
    made: list[str] = []
    real = gutaudio.recipe.script_article

    def counting(article, settings):
        made.append(article.title)
        return real(article, settings)

    monkeypatch.setattr(gutaudio.recipe, "script_article", counting)
    return made


def _content(tmp_path: Path, article: str = ARTICLE, name: str = "fibre.md", settings: str = ESPEAK) -> Path:
    return write_content(tmp_path / "content", article, name, settings)


def _settings(tmp_path: Path):
    return load_settings(tmp_path / "content", tmp_path / "out", cache_dir=tmp_path / "cache")


def _plan_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "plans").glob("*/*.pickle"))


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_rebuild_that_changes_nothing_reads_no_article(tmp_path: Path, scripted: list[str]) -> None:
    _content(tmp_path)
    first = build(_settings(tmp_path))
    assert scripted == ["Fibre and the gut"]
    assert ClipCache(tmp_path / "cache").info().plans == 1
    manifest = (tmp_path / "out" / "build.json").read_bytes()
    again = build(_settings(tmp_path))
    assert scripted == ["Fibre and the gut"]  # the kept plan was used
    assert again.counts.synthesized == 0 and again.counts.chapters_encoded == 0
    assert [a.plan for a in again.articles] == [a.plan for a in first.articles]
    assert json.loads((tmp_path / "out" / "build.json").read_bytes())["articles"] == \
        json.loads(manifest)["articles"]


def test_a_kept_plan_says_again_what_reading_the_article_said(
        tmp_path: Path, scripted: list[str], caplog: pytest.LogCaptureFixture) -> None:
    _content(tmp_path)
    caplog.set_level(logging.INFO, logger="gutaudio")
    build(_settings(tmp_path))
    said_first = [w for w in _warnings(caplog) if "fibre.md" in w]
    assert any(SHARE_BAR_WARNING in w for w in said_first)
    caplog.clear()
    build(_settings(tmp_path))
    assert len(scripted) == 1
    assert [w for w in _warnings(caplog) if "fibre.md" in w] == said_first
    kept = [r for r in caplog.records if SHARE_BAR_WARNING in r.getMessage()]
    assert [r.name for r in kept] == ["gutaudio.readers.assemble"]  # from the logger that said it


def test_a_plan_kept_while_warnings_were_silenced_is_not_used_when_they_are_wanted(
        tmp_path: Path, scripted: list[str], caplog: pytest.LogCaptureFixture) -> None:
    _content(tmp_path)
    caplog.set_level(logging.ERROR, logger="gutaudio")  # as -q sets it
    build(_settings(tmp_path))
    caplog.set_level(logging.WARNING, logger="gutaudio")
    build(_settings(tmp_path))
    assert len(scripted) == 2
    assert any(SHARE_BAR_WARNING in w for w in _warnings(caplog))


@pytest.mark.parametrize("change", ["edit", "lexicon", "settings", "rename"])
def test_a_change_to_what_a_plan_is_made_from_reads_the_article_again(
        tmp_path: Path, scripted: list[str], change: str) -> None:
    content = _content(tmp_path)
    build(_settings(tmp_path))
    if change == "edit":
        article = content / "fibre.md"
        article.write_text(ARTICLE.replace("too little", "far too little"), encoding="utf-8")
    elif change == "lexicon":
        (content / "lexicon.toml").write_text('[words]\nfibre = "fyber"\n', encoding="utf-8")
    elif change == "settings":
        (content / "gutaudio.toml").write_text(ESPEAK + '\n[speech]\nimages = "skip"\n',
                                               encoding="utf-8")
    else:
        (content / "fibre.md").rename(content / "fibre-facts.md")
    result = build(_settings(tmp_path))
    assert len(scripted) == 2
    if change == "edit":
        assert "far too little" in (tmp_path / "out" / "fibre" / "episode.txt").read_text(encoding="utf-8")
    if change == "lexicon":
        assert any("fyber" in u.spoken for c in result.articles[0].plan.chapters for u in c.utterances)
    if change == "rename":
        assert [a.plan.folder for a in result.articles] == ["fibre-facts"]


@pytest.mark.parametrize("damage", ["truncated", "not a pickle", "another key", "empty", "unsigned",
                                    "signed with another secret"])
def test_a_damaged_kept_plan_is_made_again_and_replaced(
        tmp_path: Path, scripted: list[str], damage: str) -> None:
    _content(tmp_path)
    first = build(_settings(tmp_path))
    [kept] = _plan_files(tmp_path)
    whole = kept.read_bytes()
    if damage == "truncated":
        kept.write_bytes(whole[: len(whole) // 2])
    elif damage == "not a pickle":
        kept.write_bytes(b"this is not a plan")
    elif damage == "another key":  # a whole plan, signed, but filed under a name that is not its key
        stored = pickle.loads(whole[SIGNATURE_BYTES:])
        payload = pickle.dumps(type(stored)("0" * 64, stored.plan, stored.said))
        kept.write_bytes(hmac.digest(_secret_of(tmp_path), payload, "sha256") + payload)
    elif damage == "unsigned":  # what somebody else could write into a shared cache
        kept.write_bytes(pickle.dumps(pickle.loads(whole[SIGNATURE_BYTES:])))
    elif damage == "signed with another secret":
        payload = whole[SIGNATURE_BYTES:]
        kept.write_bytes(hmac.digest(b"x" * SIGNATURE_BYTES, payload, "sha256") + payload)
    else:
        kept.write_bytes(b"")
    again = build(_settings(tmp_path))
    assert len(scripted) == 2
    assert [a.plan for a in again.articles] == [a.plan for a in first.articles]
    assert kept.read_bytes() == whole  # made again and kept whole


def _secret_of(tmp_path: Path) -> bytes:
    return ClipCache(tmp_path / "cache").plan_secret.read_bytes()


def test_force_reads_every_article_and_keeps_what_it_read(tmp_path: Path, scripted: list[str]) -> None:
    _content(tmp_path)
    build(_settings(tmp_path), force=True)
    build(_settings(tmp_path), force=True)
    assert len(scripted) == 2
    build(_settings(tmp_path))  # the plan --force kept is used
    assert len(scripted) == 2


def test_an_unpickled_file_never_runs_code_it_was_not_signed_for(tmp_path: Path, scripted: list[str]) -> None:
    """A pickle planted in a shared cache, under the right name, is not loaded (loading it would
    have written a file)."""
    _content(tmp_path)
    build(_settings(tmp_path))
    [kept] = _plan_files(tmp_path)
    planted = tmp_path / "planted"

    class Payload:
        def __reduce__(self):
            return (Path.write_text, (planted, "ran"))

    kept.write_bytes(b"\0" * SIGNATURE_BYTES + pickle.dumps(Payload()))
    build(_settings(tmp_path))
    assert not planted.exists() and len(scripted) == 2


def test_a_secret_others_can_read_or_write_turns_the_memo_off(tmp_path: Path, scripted: list[str]) -> None:
    _content(tmp_path)
    build(_settings(tmp_path))
    secret = ClipCache(tmp_path / "cache").plan_secret
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    secret.chmod(0o644)
    build(_settings(tmp_path))
    build(_settings(tmp_path))
    assert len(scripted) == 3  # read every time, the kept plan not trusted


def test_an_article_read_by_a_third_partys_reader_is_read_every_time(
        tmp_path: Path, scripted: list[str], rst_reader: Path) -> None:
    """The key covers gutaudio's code and the installed packages, not a plugin's own source files,
    so what a plugin reads is never taken from the cache."""
    _content(tmp_path, "Sleep\n====\nSleep matters. This is not medical advice.\n", "sleep.rst")
    build(_settings(tmp_path))
    build(_settings(tmp_path))
    assert scripted == ["Sleep", "Sleep"]
    assert _plan_files(tmp_path) == []


def test_a_third_partys_reader_of_a_built_in_suffix_is_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One registered for .md whose entry sorts before gutaudio's own reads .md files: the key does
    not cover its code, so they are read every time."""
    write_distribution(tmp_path, "aamd", "[gutaudio.readers]\nmd = aamd:Reader\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    readers.forget_readers()
    try:
        assert not readers.built_in_reader(Path("a.md"))
        assert readers.built_in_reader(Path("a.txt"))
    finally:
        monkeypatch.undo()
        readers.forget_readers()
    assert readers.built_in_reader(Path("a.md"))


def test_only_the_reading_thread_is_heard() -> None:
    """What another thread logs while an article is read (another build, through the Python API)
    is not kept with this article's plan."""
    logger = logging.getLogger("gutaudio.readers.assemble")
    with plan_memo._listening() as said:
        other = threading.Thread(target=logger.warning, args=("from another build",))
        other.start()
        other.join()
        logger.warning("from this article")
    assert [s.message for s in said] == ["from this article"]


def test_a_plan_that_cannot_be_pickled_is_simply_not_kept(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache")
    unpicklable = lambda: None  # noqa: E731 - a value pickle refuses
    assert remembered_plan(cache, "ab" * 32, lambda: unpicklable) is unpicklable
    assert not cache.plans.exists() or not any(cache.plans.rglob("*.pickle"))


def test_the_key_names_the_bytes_the_path_and_the_settings(tmp_path: Path) -> None:
    _content(tmp_path)
    settings = _settings(tmp_path)
    path = tmp_path / "content" / "fibre.md"
    key = plan_key(path, b"x", settings)
    assert key == plan_key(path, b"x", settings)
    others = {plan_key(path, b"y", settings), plan_key(path.with_name("other.md"), b"x", settings),
              plan_key(path, b"x", load_settings(tmp_path / "content", tmp_path / "out",
                                                  cache_dir=tmp_path / "cache", engine="piper"))}
    assert key not in others and len(others) == 3


def test_cache_prune_and_clear_remove_the_kept_plans(tmp_path: Path) -> None:
    _content(tmp_path)
    build(_settings(tmp_path))
    cache = ClipCache(tmp_path / "cache")
    assert "1 article's plan" in cache.info().contents()
    [kept] = _plan_files(tmp_path)
    unfinished = kept.with_name(".tmp-stopped.pickle")
    unfinished.write_bytes(b"half")
    assert cache.prune(1).plans == 0 and kept.exists() and unfinished.exists()  # used today; fresh
    hours_ago = time.time() - 3 * 86400
    os.utime(kept, (hours_ago, hours_ago))
    os.utime(unfinished, (hours_ago, hours_ago))
    pruned = cache.prune(1)
    assert pruned.plans == 1 and not kept.exists() and not unfinished.exists()
    build(_settings(tmp_path))
    removed = cache.clear()
    assert removed.plans == 1 and not cache.plans.exists()


NOOP_PROBE = """\
import sys
from pathlib import Path
from gutaudio.config import load_settings
from gutaudio.recipe import build
root = Path(sys.argv[1])
build(load_settings(root / "content", root / "out", cache_dir=root / "cache"))
print(" ".join(sorted(m for m in sys.modules if m.startswith("gutaudio"))))
"""


def test_a_rebuild_that_changes_nothing_loads_no_text_rules(tmp_path: Path) -> None:
    """Where the memo saves its time: with every plan and text file kept, a fresh process builds
    without importing the readers' text rules, the script, the speech normalizers or the EPUB maker."""
    _content(tmp_path)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    run = [sys.executable, "-c", NOOP_PROBE, str(tmp_path)]
    first = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    again = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    rules = {"gutaudio.readers.assemble", "gutaudio.script", "gutaudio.speech", "gutaudio.epub"}
    assert rules <= set(first)
    assert not rules & set(again), sorted(rules & set(again))
