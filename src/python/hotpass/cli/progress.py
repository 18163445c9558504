"""Output modes and progress: a Rich status line (or bar, when the steps are counted) on a
terminal's stderr, plain timestamped lines otherwise, nothing with ``--quiet`` or ``--json``
(stdout then holds only the one-line result, or the JSON)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import typer

QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress; print only the result line.")
]
JsonOutputOption = Annotated[
    bool, typer.Option("--json", help="No progress; print the result as JSON on stdout.")
]


def stage_position(message: str, stages: Sequence[str]) -> int | None:
    """Which of ``stages`` a progress message belongs to (its first word), if any."""
    words = message.split(maxsplit=1)
    key = words[0].rstrip(":") if words else ""
    return stages.index(key) if key in stages else None


@contextmanager
def reporter(
    command: str, *, quiet: bool = False, stages: Sequence[str] = ()
) -> Iterator[Callable[[str], None]]:
    """Yield a callback that reports one step; messages carry counts and ids, never values.
    With ``stages`` (the first words of the messages, in order) a terminal shows a bar."""
    if quiet:
        yield lambda _message: None
        return
    if sys.stderr.isatty() and stages:
        with _bar(command, len(stages)) as (bar, task):

            def staged(message: str) -> None:
                position = stage_position(message, stages)
                if position is not None:
                    bar.update(task, completed=position, description=message)
                bar.console.log(message)

            yield staged
            bar.update(task, completed=len(stages))
        return
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


@contextmanager
def counted(command: str, total: int, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Progress over ``total`` known steps: a Rich bar on a terminal, ``[k/n] label`` lines
    otherwise. Each call starts the next step."""
    if quiet:
        yield lambda _label: None
        return
    if sys.stderr.isatty():
        with _bar(command, total) as (bar, task):
            steps = {"done": -1}

            def advance(label: str) -> None:
                steps["done"] += 1
                bar.update(task, completed=steps["done"], description=label)

            yield advance
            bar.update(task, completed=total)
        return
    number = {"k": 0}

    def line(label: str) -> None:
        number["k"] += 1
        print(f"[{number['k']}/{total}] {label}", file=sys.stderr, flush=True)

    yield line


@contextmanager
def _bar(command: str, total: int) -> Iterator[tuple[Any, Any]]:
    """A Rich progress bar on stderr: ``command [####    ] k/n step elapsed``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn(command),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        yield bar, bar.add_task("", total=total)
