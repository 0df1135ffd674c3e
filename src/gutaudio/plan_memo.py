"""An article's plan (read and scripted) kept for the bytes and the settings it was made from.

Before a rebuild can see that nothing changed it must know every article's chapters and utterances,
and reading and scripting an article costs tens of ms and the import of every text rule: on an
archive of thousands, minutes of a build that makes nothing. So the plan is kept in the cache, one
pickle per key, under a key over everything it is made from: the article's bytes and its path, the
settings that reading and scripting use, gutaudio's own code, and the installed packages. Any change
to one of those reads the article again. What reading it said (warnings of text left unspoken, a
disclaimer added) is kept with the plan and said again, so a kept plan says what a fresh read would.

Only gutaudio's own readers are trusted this way (readers.built_in_reader): an article read by a third
party's reader, whose code the key does not cover, is read every time. A plan file is a pickle, and
loading a pickle can run code, so each is signed (HMAC-SHA256) with a random key kept in the cache
readable by its owner only: a file somebody else wrote into a shared cache is never loaded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .cache import ClipCache
from .config import Settings
from .edition import Plan
from .text_memo import code_digest

FORMAT_VERSION = 2
"""Bump when what a kept plan file holds changes shape: older files stop matching."""
LOGGER = "gutaudio"
"""The logger whose records (and its children's) are kept with a plan and said again."""


@dataclass(frozen=True)
class SaidWhileReading:
    """One log record given while an article was read and scripted, as it is said again."""

    logger: str
    level: int
    message: str


@dataclass(frozen=True)
class _Kept:
    """What a plan file holds: its key (a file is trusted only for the key it names) and the plan."""

    key: str
    plan: Plan
    said: tuple[SaidWhileReading, ...]


@functools.cache
def installed_packages() -> tuple[str, ...]:
    """The installed distributions as their metadata folders name them ("lxml-5.3.0.dist-info"): an
    upgrade of any library reading uses (Markdown, HTML, sentence splitting) gives another key."""
    names: set[str] = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names.update(item.name for item in listing
                             if item.name.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip file, or a path that is not there
            continue
    return tuple(sorted(names))


def plan_key(path: Path, data: bytes, settings: Settings) -> str:
    """What an article's plan is made from, as one SHA-256: its bytes, its path (which names its
    folder), the settings reading and scripting take, gutaudio's code and version, Python's (with its
    Unicode tables) and the installed packages, and the level gutaudio's logger says things from (a
    plan kept at -q has kept no warnings)."""
    heard_from = (logging.getLogger(LOGGER).getEffectiveLevel(), logging.root.manager.disable)
    made_from = repr((FORMAT_VERSION, __version__, code_digest(), sys.version, unicodedata.unidata_version,
                      installed_packages(), str(path), settings.disclaimer, settings.audio, settings.lexicon,
                      settings.speech, heard_from))
    digest = hashlib.sha256(made_from.encode("utf-8"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def remembered_plan(cache: ClipCache, key: str, make: Callable[[], Plan], reuse: bool = True) -> Plan:
    """The plan kept under key, its warnings said again; else make()'s, kept for the next build
    with what making it said. A kept file that is damaged, unsigned or of another key is made
    again; reuse=False (--force) makes it again whatever is kept."""
    secret = _secret(cache)
    kept = _load(cache.plan_data(key), key, secret) if reuse and secret else None
    if kept is not None:
        for said in kept.said:
            logging.getLogger(said.logger).log(said.level, "%s", said.message)
        return kept.plan
    with _listening() as said:
        plan = make()
    if secret is None:
        return plan
    try:
        data = pickle.dumps(_Kept(key, plan, tuple(said)), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return plan  # a plan holding something that does not pickle is simply not kept
    cache.keep_plan(key, hmac.digest(secret, data, "sha256") + data)
    return plan


SIGNATURE_BYTES = 32
"""The length of the HMAC-SHA256 each plan file starts with."""


def _secret(cache: ClipCache) -> bytes | None:
    """The cache's key for signing plans, made on first use; None when it cannot be kept, or when the
    file is not this user's alone (then no plan is loaded or kept). One stat per article: the bytes
    are read again only when the file is another one."""
    path = cache.plan_secret
    try:
        status = _made(path)
        if status.st_mode & 0o077 or (hasattr(os, "getuid") and status.st_uid != os.getuid()):
            return None
        return _secret_bytes(str(path), status.st_ino, status.st_mtime_ns)
    except OSError:
        return None


def _made(path: Path) -> os.stat_result:
    """The secret file's status, the file made first (random, owner-only) when there is none."""
    try:
        return path.stat()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another build made it meanwhile
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(SIGNATURE_BYTES))
        return path.stat()


@functools.lru_cache(maxsize=8)
def _secret_bytes(path: str, inode: int, modified_ns: int) -> bytes | None:
    """The secret file's bytes (inode and time name the file version they are read for)."""
    secret = Path(path).read_bytes()
    return secret if len(secret) == SIGNATURE_BYTES else None


def _load(data: bytes | None, key: str, secret: bytes) -> _Kept | None:
    """The kept plan in data when it is signed with secret, whole and of this key, else None."""
    if data is None or len(data) <= SIGNATURE_BYTES:
        return None
    signature, payload = data[:SIGNATURE_BYTES], data[SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, hmac.digest(secret, payload, "sha256")):
        return None  # written by somebody else, or damaged: never unpickled
    try:
        kept = pickle.loads(payload)
    except Exception:  # of classes since renamed: a plan is always made again
        return None
    if not (isinstance(kept, _Kept) and kept.key == key and isinstance(kept.plan, Plan)):
        return None
    return kept


class _Recorder(logging.Handler):
    """Keeps what gutaudio's loggers say (what their level lets through), as their handlers say it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.said: list[SaidWhileReading] = []
        self.thread = threading.get_ident()
        """Only what the reading thread says is kept (another build may log from its own)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one record's logger, level and message."""
        if record.thread != self.thread:
            return
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: as logging itself does
            self.handleError(record)
            return
        self.said.append(SaidWhileReading(record.name, record.levelno, message))


@contextmanager
def _listening() -> Iterator[list[SaidWhileReading]]:
    """What gutaudio's loggers say inside the block, as a list filled in as they say it."""
    recorder = _Recorder()
    logger = logging.getLogger(LOGGER)
    logger.addHandler(recorder)
    try:
        yield recorder.said
    finally:
        logger.removeHandler(recorder)
