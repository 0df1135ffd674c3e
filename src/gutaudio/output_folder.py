"""Where a build may write: the folders it refuses, and the lock that lets one build at a time in."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from pathlib import Path

from .config import MANIFEST_NAME
from .errors import OptionError

LOCKS_DIR = "gutaudio-locks"
"""Lock files live in the system's temporary folder, never beside the output in a checkout."""


def unsafe_output_reason(output: Path, content: Path, home: Path, *, force: bool = False) -> str | None:
    """Why a build must not write into output (all three paths resolved), or None when it may.

    A build replaces the whole output folder, so the content folder, a folder holding it (the
    project), the filesystem root and the home folder are refused always; a folder with files
    that no gutaudio build made is refused unless force is given.
    """
    if output.parent == output:
        return "is the root of the filesystem; build into a folder of its own"
    if output == home:
        return "is your home folder; build into a folder of its own"
    if output == content:
        return "is the content folder; build into a folder of its own, such as output"
    if content.is_relative_to(output):
        return f"contains the content folder {content}; build into a folder of its own, such as output"
    if output.is_relative_to(content):
        return f"is inside the content folder {content}; build into a folder beside it"
    if not force and _has_foreign_files(output):
        return ("holds files that gutaudio did not make (it has no build.json); build into an empty "
                "or new folder, or use --force to build into it anyway (its files are kept)")
    return None


def refuse_unsafe_output(output: Path, content: Path, *, force: bool = False) -> None:
    """Raise OptionError (for output_dir) when a build must not write into output."""
    reason = unsafe_output_reason(output.resolve(), content.resolve(), Path.home().resolve(),
                                  force=force)
    if reason is not None:
        raise OptionError("output_dir", f"{output}: {reason}")


def made_by_gutaudio(folder: Path) -> bool:
    """Whether folder holds a gutaudio build: a build.json that reads as a build manifest."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("articles"), list)


def _has_foreign_files(folder: Path) -> bool:
    """A folder that exists, is not empty, and is not a gutaudio build."""
    try:
        empty = next(folder.iterdir(), None) is None
    except NotADirectoryError:
        return False  # a file: the build says so in its own words
    except OSError:
        return False  # it does not exist (yet): the build makes it
    return not empty and not made_by_gutaudio(folder)


def lock_path(output: Path) -> Path:
    """The lock file that says a build is writing output: in the temporary folder, by its path."""
    name = hashlib.sha256(str(output.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    folder = Path(tempfile.gettempdir()) / LOCKS_DIR
    folder.mkdir(exist_ok=True)
    with contextlib.suppress(OSError):  # shared by every user, as /tmp is; sticky like it
        folder.chmod(0o1777)
    return folder / f"{name}.lock"
