"""Progress reporting: a Rich status line on a terminal, plain timestamped lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def reporter(command: str) -> Iterator[Callable[[str], None]]:
    """Yield a callback that reports one step; messages carry counts and ids, never values."""
    if sys.stderr.isatty():
        from rich.console import Console

        console = Console(stderr=True)
        with console.status(f"{command}: starting") as status:

            def report(message: str) -> None:
                status.update(f"{command}: {message}")
                console.log(message)

            yield report
        return
    started = time.monotonic()

    def plain(message: str) -> None:
        print(
            f"[{command} +{time.monotonic() - started:6.1f}s] {message}",
            file=sys.stderr,
            flush=True,
        )

    yield plain
