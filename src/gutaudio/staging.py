"""The new output tree a build makes beside output/, and its swap into place in one atomic step.

A build writes every file into a staging folder next to the output folder (files it keeps are
hard-linked in from the published tree), checks that tree, and only then swaps it in for the
output folder with renameat2(RENAME_EXCHANGE) where the system has it. A build that fails or
is killed at any moment leaves the previous complete build (or nothing), never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import OutputError
from .output_folder import lock_path

WORK_DIR = ".gutaudio-work"
"""Scratch files of a running build (joined WAVs), inside the staging tree; removed before it is
checked and published."""


class StagedTree:
    """A complete new output tree, made beside output/ and swapped in whole at the end."""

    def __init__(self, root: Path, output: Path) -> None:
        self.root = root
        self.output = output
        self.work = root / WORK_DIR
        self.files: list[str] = []
        self.unchanged: list[str] = []

    def reserve(self, relative: str) -> Path:
        """Register a file that another tool (ffmpeg, mutagen) will write; return its path."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if relative not in self.files:
            self.files.append(relative)
        return path

    def write(self, relative: str, data: bytes | str) -> None:
        """Stage a finished file, unless the published one already holds exactly this."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with contextlib.suppress(OSError):
            if (self.output / relative).read_bytes() == payload:
                self.unchanged.append(relative)
                return
        path = self.reserve(relative)
        try:
            path.write_bytes(payload)
        except OSError as e:
            raise OutputError(f"{path}: cannot write: {e.strerror or e}") from e

    def complete(self, output: Path, keep: set[str], ours: set[str]) -> list[str]:
        """Make the new tree whole, ready to check and swap in; return the files this build wrote.

        Files of the previous build that are kept (unchanged) are hard-linked into the new
        tree, and so are files in output/ that gutaudio did not make (a publisher's own), so
        nothing is copied and nothing of theirs is lost. Chapter files of these articles that
        the build no longer makes are left behind with the old tree.
        """
        shutil.rmtree(self.work, ignore_errors=True)
        written = set(self.files)
        try:
            if output.is_dir():
                for old in sorted(output.rglob("*")):
                    name = old.relative_to(output).as_posix()
                    if not old.is_file() or name in written:
                        continue
                    first = name.split("/", 1)[0]
                    mine = name in keep or first in ours
                    if mine and name not in keep:
                        continue  # a file this build no longer makes
                    target = self.root / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(old, target)
                    except OSError:
                        shutil.copy2(old, target)
        except OSError as e:
            raise OutputError(f"{output}: cannot publish the build: {e.strerror or e}") from e
        return sorted(written)

    def publish(self, output: Path) -> None:
        """Swap the complete new tree in for output/ in one step."""
        try:
            _swap_in(self.root, output.resolve())  # a symlinked output: its target
        except OSError as e:
            raise OutputError(f"{output}: cannot publish the build: {e.strerror or e}") from e


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _swap_in(new: Path, output: Path) -> None:
    """Put the folder new where output is, atomically where the system can (renameat2)."""
    if not output.exists():
        os.replace(new, output)
        return
    if _exchange(new, output):
        shutil.rmtree(new, ignore_errors=True)  # it now holds the old build
        return
    old = output.with_name(f".{output.name}.gutaudio-old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(output, old)
    try:
        os.replace(new, output)
    except OSError:
        os.replace(old, output)  # the last build back where it was: nothing half published
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step with Linux's renameat2(RENAME_EXCHANGE)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second),
                     rename_exchange) == 0


STAGING_PREFIX = ".gutaudio-build-"
"""Staging folders sit beside output/ as .gutaudio-build-<output name>-XXXX."""


@contextlib.contextmanager
def staged_tree(output: Path) -> Iterator[StagedTree]:
    """A staging folder beside output/, removed afterwards whether the build succeeds or not.

    Only one build may write an output folder at a time: a lock file beside it says so, and is
    removed when the build ends, so that nothing is left in a checkout. Staging folders left
    by a build that was killed are removed first.
    """
    parent = output.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(lock_path(output)), timeout=0)
        lock.acquire()
    except Timeout as e:
        raise OutputError(f"{output}: another gutaudio build is writing here; "
                          "wait for it to finish, then build again") from e
    except OSError as e:
        raise OutputError(f"{output}: cannot create the output folder: {e.strerror or e}") from e
    try:
        prefix = f"{STAGING_PREFIX}{output.name}-"
        for leftover in parent.glob(f"{prefix}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if output.exists() and not output.is_dir():
            raise OutputError(f"{output}: is a file, not an output folder")
        try:
            root = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
            root.chmod(0o777 & ~_umask())  # mkdtemp's 0700 would hide the published folder
        except OSError as e:
            what = "cannot write beside it" if output.exists() else "cannot create the output folder"
            raise OutputError(f"{output}: {what}: {e.strerror or e}") from e
        try:
            yield StagedTree(root, output)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    finally:
        with contextlib.suppress(OSError):
            Path(lock.lock_file).unlink()  # while still held, so no other build has it yet
        lock.release()
