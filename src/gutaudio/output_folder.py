"""Where a build may write: the folders it refuses, and the lock that lets one build at a time in."""

from __future__ import annotations

from pathlib import Path

from .errors import OptionError

PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "package.json")
"""Files that say a folder is a project (a checkout), which no build may replace."""
JUNK_NAMES = frozenset({".DS_Store", ".gitkeep", ".keep", "Thumbs.db", "desktop.ini"})
"""Files a folder may hold and still count as empty: what file browsers and git leave."""


def unsafe_output_reason(output: Path, content: Path, home: Path, *, force: bool = False,
                         working: Path | None = None) -> str | None:
    """Why a build must not write into output (all paths resolved), or None when it may.

    A build replaces the whole output folder, so these are refused always: the filesystem
    root, the home folder or one holding it, the content folder, one holding it (the project)
    or inside it, the working folder or one holding it, and a project folder that is not
    already a gutaudio build. A folder with other files that no gutaudio build made is
    refused unless force is given.
    """
    if output.parent == output:
        return "is the root of the filesystem; build into a folder of its own"
    if output == home:
        return "is your home folder; build into a folder of its own"
    if home.is_relative_to(output):
        return "holds your home folder; build into a folder of its own"
    if output == content:
        return "is the content folder; build into a folder of its own, such as output"
    if content.is_relative_to(output):
        return f"contains the content folder {content}; build into a folder of its own, such as output"
    if output.is_relative_to(content):
        return f"is inside the content folder {content}; build into a folder beside it"
    if working is not None and working.is_relative_to(output):
        which = "is" if working == output else "holds"
        return f"{which} the working folder; build into a folder of its own, such as output"
    marker = next((m for m in PROJECT_MARKERS if (output / m).exists()), None)
    if marker is not None and not made_by_gutaudio(output):
        return f"is a project folder (it has {marker}); build into a folder of its own"
    if not force and _has_foreign_files(output):
        return ("holds files that gutaudio did not make (it has no build.json); build into an empty "
                "or new folder, or use --force to build into it anyway (its files are kept)")
    return None


def refuse_unsafe_output(output: Path, content: Path, *, force: bool = False) -> None:
    """Raise OptionError (for output_dir) when a build must not write into output."""
    reason = unsafe_output_reason(output.resolve(), content.resolve(), Path.home().resolve(),
                                  force=force, working=Path.cwd().resolve())
    if reason is not None:
        raise OptionError("output_dir", f"{output}: {reason}")


def made_by_gutaudio(folder: Path) -> bool:
    """Whether folder holds a gutaudio build (of any version)."""
    from .manifest import is_build_manifest  # the records load the audio module: only when asked

    return is_build_manifest(folder)


def _has_foreign_files(folder: Path) -> bool:
    """A folder that exists, is not empty, and is not a gutaudio build."""
    try:
        empty = all(entry.name in JUNK_NAMES for entry in folder.iterdir())
    except NotADirectoryError:
        return False  # a file: the build says so in its own words
    except OSError:
        return False  # it does not exist (yet): the build makes it
    return not empty and not made_by_gutaudio(folder)


def lock_path(output: Path) -> Path:
    """The lock file that says a build is writing output: beside it, on the same filesystem.

    Beside the output, every process that can write the output sees the lock (a lock in a
    temporary folder is not shared by containers or by services with a private /tmp). The
    build removes it when it is done, and .gitignore covers it while a build runs.
    """
    resolved = output.resolve()
    return resolved.parent / f".{resolved.name}.gutaudio.lock"
