"""One exclusive file lock (``flock``), shared by the embedded store and the refine run lock.

The kernel drops the lock when its holder dies, even by SIGKILL, so a crashed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator
from pathlib import Path


class LockTimeout(TimeoutError):
    """The lock stayed held by another process for the whole wait."""


@contextlib.contextmanager
def exclusive(
    path: Path, *, timeout: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing); wait up to ``timeout`` seconds.

    ``on_wait`` is called once, when the lock is found taken (to tell the user why nothing
    moves). Raises :class:`LockTimeout` when the wait runs out.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                if time.monotonic() >= deadline:
                    raise LockTimeout(str(path)) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
