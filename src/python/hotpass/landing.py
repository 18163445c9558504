"""The dated landing area: ``<landing>/dt=YYYY-MM-DD/`` folders of workbooks and CSV files.

Teams drop new or updated workbooks into the folder of the day they arrived. The inputs of a
refine for day D are the *latest copy of every file name* in the partitions up to D (and from
``since`` on, when given): a workbook that did not change is not dropped again, and a run for
any past day sees exactly what was known that day - which is what makes a backfill replay
history faithfully. Paths are resolved and must stay inside the landing area (a symlink or a
``..`` pointing elsewhere is refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from hotpass.errors import InputError

INPUT_SUFFIXES = (".xlsx", ".xlsm", ".csv")
_PARTITION = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Snapshot:
    day: date
    files: list[Path]  # the latest copy of each file name, sorted by name
    partitions: list[date]  # the partitions that contributed a file


def input_files(folder: Path) -> list[Path]:
    """The workbooks and CSV files directly in ``folder`` (sorted; Office lock files skipped)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith("~$")
    )


def partitions(landing: Path) -> list[date]:
    """Every ``dt=YYYY-MM-DD`` folder of the landing area, oldest first."""
    if not landing.is_dir():
        return []
    days = []
    for child in landing.iterdir():
        match = _PARTITION.match(child.name)
        if match and child.is_dir():
            days.append(date.fromisoformat(match.group(1)))
    return sorted(days)


def snapshot(landing: Path, day: date, *, since: date | None = None) -> Snapshot:
    """The inputs of a run for ``day`` (see the module docstring)."""
    root = landing.resolve()
    latest: dict[str, Path] = {}
    used: set[date] = set()
    for partition in partitions(landing):
        if partition > day or (since is not None and partition < since):
            continue
        for path in input_files(landing / f"dt={partition.isoformat()}"):
            resolved = path.resolve()
            if not resolved.is_relative_to(root):
                raise InputError(
                    "points outside the landing area; copy the file into the partition instead",
                    file=str(path),
                )
            latest[path.name] = resolved
            used.add(partition)
    files = [latest[name] for name in sorted(latest)]
    contributing = sorted({date.fromisoformat(p.parent.name[3:]) for p in files} & used)
    return Snapshot(day, files, contributing)


def days(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
