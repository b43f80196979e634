"""Exclusive locks so two runs never write the same report section or store at once.

Analysts run builds on shared drives and start a second ``make`` by mistake; without a lock
two runs could swap half-written folders into place. The lock is an OS file lock
(``fcntl.flock``): the operating system releases it when the process ends, even if it is
killed, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.core.errors import BuildError, storage_error


@contextmanager
def exclusive(lock_file: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` while the block runs; fail at once if taken.

    ``what`` names the job in the message, e.g. "the build of 10_crime_overview for demo".
    """
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_file.open("a+")
    except OSError as error:  # a read-only or full disk: say so before any work starts
        raise storage_error(error, f"starting {what}", lock_file.parent,
                            kept="nothing was changed") from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildError(
                f"{what} is already running ({holder})",
                file=lock_file,
                hint="wait for it to finish; the lock is released when that run ends",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a process of another user counts as running).

    Temporary files and folders are named after the process writing them, so the next run
    can tell what a killed run left behind (its process has ended) from work in progress.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
