"""Standardise the spooled raw rows in parts spread over worker processes.

Why parts of files: every standardise rule works on one row or inside one file (children attach
to organisations of the same file), so files standardised apart give the rows they give
together; ADR 0013 relies on the same fact. A file whose every row is an organisation goes
further: no row of it depends on another, so a large one is cut into ranges of rows
(ADR 0020). Why processes: the value normalisers are Python functions (ADR 0002) and hold the
GIL, so one process normalises on one core whatever DuckDB's threads. The parts go out
largest first to whichever process is free, so one slow file cannot leave a core idle.
A run with fewer than :data:`PARALLEL_MIN_ROWS` fresh rows, or with one part, stays in
process: a worker takes about a second to start.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotpass.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from hotpass.ingest import IngestResult

__all__ = [
    "PARALLEL_MIN_ROWS",
    "SPLIT_ROWS",
    "TABLES",
    "FileShape",
    "Part",
    "plan_parts",
    "standardise_spool",
]

PARALLEL_MIN_ROWS = 50_000
SPLIT_ROWS = 100_000  # a file of organisation rows only is cut into parts of about this size
TABLES = ("organisations", "contacts", "addresses", "quarantine")


@dataclass(frozen=True)
class FileShape:
    """What planning needs of one spooled file: its rows, whether every row is an
    organisation (``rowwise``), and its first and last ``excel_row``."""

    rows: int
    rowwise: bool
    first_row: int
    last_row: int


@dataclass(frozen=True)
class Part:
    """Rows one worker standardises: a whole file, or the rows of a row-wise file whose
    ``excel_row`` lies in ``excel_rows`` (both ends included)."""

    file: str
    rows: int
    excel_rows: tuple[int, int] | None = None


def plan_parts(files: Mapping[str, FileShape], split_rows: int | None = None) -> list[Part]:
    """Each file as one part, or a row-wise file over ``split_rows`` (default
    :data:`SPLIT_ROWS`) rows as ranges of about that many rows (by row number: blank lines make
    a range a little short), largest first, so the pool starts the long parts early and fills
    in with the short ones."""
    split_rows = split_rows or SPLIT_ROWS
    parts: list[Part] = []
    for name, shape in files.items():
        if not shape.rowwise or shape.rows <= split_rows:
            parts.append(Part(name, shape.rows))
            continue
        span = shape.last_row - shape.first_row + 1
        # Sheets of one workbook share row numbers, so a range holds at least one number.
        count = min(math.ceil(shape.rows / split_rows), span)
        bounds = [shape.first_row + span * i // count for i in range(count + 1)]
        parts.extend(
            Part(name, shape.rows // count, (low, high - 1))
            for low, high in itertools.pairwise(bounds)
        )
    return sorted(parts, key=lambda p: (-p.rows, p.file, p.excel_rows or (0, 0)))


def _file_shapes(raw_pattern: str) -> dict[str, FileShape]:
    from hotpass.duckdb_connection import quiet_duckdb

    with quiet_duckdb() as con:
        rows = con.execute(
            """SELECT source_file, count(*), bool_and(role = 'organisation'),
                      min(excel_row), max(excel_row)
               FROM read_parquet(?) GROUP BY source_file""",
            [raw_pattern],
        ).fetchall()
    return {
        name: FileShape(count, rowwise, first, last) for name, count, rowwise, first, last in rows
    }


def _standardise(
    raw_pattern: str, part: Part | None, settings: Settings
) -> tuple[dict[str, pa.Table], int]:
    from hotpass.engine import close_backend, open_backend
    from hotpass.standardise import standardise

    con = open_backend(settings)
    try:
        raw = con.read_parquet(raw_pattern, table_name="raw")
        if part is not None:
            raw = raw.filter(raw.source_file == part.file)
            if part.excel_rows is not None:
                raw = raw.filter(raw.excel_row.between(*part.excel_rows))
        staged = standardise(raw)
        try:
            frames = {name: getattr(staged, name).to_pyarrow() for name in TABLES}
            accepted = int(staged.accepted.count().to_pyarrow().as_py())
        finally:
            staged.release()
    finally:
        close_backend(con)
    return frames, accepted


def _worker(raw_pattern: str, part: Part, settings: Settings, out: Path) -> tuple[int, int, float]:
    """In a worker process: standardise ``part`` and leave the tables in ``out`` (Arrow IPC,
    which keeps the exact types); return the accepted count, the rows read (accepted and
    quarantined: each row ends in one place) and the seconds it took."""
    import time

    import pyarrow as pa

    started = time.perf_counter()
    frames, accepted = _standardise(raw_pattern, part, settings)
    for name, table in frames.items():
        with pa.ipc.new_file(out / f"{name}.arrow", table.schema) as writer:
            writer.write_table(table)
    rows = accepted + frames["quarantine"].num_rows
    return accepted, rows, time.perf_counter() - started


def standardise_spool(
    ingested: IngestResult, settings: Settings, *, progress: Callable[[str], None] | None = None
) -> tuple[dict[str, pa.Table], int]:
    """The staged tables (:data:`TABLES`) of the raw rows ``ingested`` spooled and how many raw
    rows were accepted. Parts of the files (:func:`plan_parts`) go to
    ``settings.standardise_workers`` processes (0: one per core) when the run is large enough
    (module docstring)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    import pyarrow as pa

    raw_pattern = ingested.raw_pattern
    workers = settings.standardise_workers or os.cpu_count() or 1
    if (
        settings.engine != "duckdb"  # Spark spreads the work itself
        or workers < 2  # noqa: PLR2004 - one worker is the process itself
        or ingested.rows < PARALLEL_MIN_ROWS
        or multiprocessing.current_process().daemon  # a daemon may not start processes
    ):
        return _standardise(raw_pattern, None, settings)
    parts = plan_parts(_file_shapes(raw_pattern))
    if len(parts) < 2:  # noqa: PLR2004
        return _standardise(raw_pattern, None, settings)
    processes = min(workers, len(parts))
    if progress is not None:
        progress(
            f"standardise: {len({p.file for p in parts})} input(s) in {len(parts)} part(s) "
            f"over {processes} processes"
        )
    # The engine's memory limit is shared out, so the workers together stay within it.
    share = settings.model_copy(
        update={"engine_memory_mb": max(256, settings.engine_memory_mb // processes)}
    )
    context = multiprocessing.get_context("spawn")  # a fork would copy DuckDB's threads
    with (
        tempfile.TemporaryDirectory(
            prefix=".standardise-", dir=ingested.raw_paths[0].parent
        ) as scratch,
        ProcessPoolExecutor(processes, mp_context=context) as pool,
    ):
        outs = [Path(scratch) / str(i) for i in range(len(parts))]
        for out in outs:
            out.mkdir()
        futures = [
            pool.submit(_worker, raw_pattern, part, share, out)
            for part, out in zip(parts, outs, strict=True)
        ]
        accepted = 0
        for done, future in enumerate(as_completed(futures), start=1):
            count, rows, seconds = future.result()
            accepted += count
            if progress is not None:
                progress(
                    f"standardise: part {done} of {len(parts)} done ({rows} rows, {seconds:.1f} s)"
                )
        frames = {}
        for name in TABLES:
            tables: list[Any] = []
            for out in outs:
                with pa.ipc.open_file(out / f"{name}.arrow") as reader:
                    tables.append(reader.read_all())
            frames[name] = pa.concat_tables(tables)
    return frames, accepted
