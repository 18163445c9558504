"""Standardise the spooled raw rows, with input files spread over worker processes.

Why by file: every standardise rule works on one row or inside one file (children attach to
organisations of the same file), so files standardised apart give the rows they give together;
ADR 0013 relies on the same fact. Why processes: the value normalisers are Python functions
(ADR 0002) and hold the GIL, so one process normalises on one core whatever DuckDB's threads.
A run with fewer than :data:`PARALLEL_MIN_ROWS` fresh rows, or with one file, stays in process:
a worker takes about a second to start.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotpass.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from hotpass.ingest import IngestResult

__all__ = ["PARALLEL_MIN_ROWS", "TABLES", "file_groups", "standardise_spool"]

PARALLEL_MIN_ROWS = 50_000
TABLES = ("organisations", "contacts", "addresses", "quarantine")


def file_groups(rows_by_file: dict[str, int], workers: int) -> list[list[str]]:
    """The files in at most ``workers`` groups of about equal rows: each file, largest first,
    joins the group with the fewest rows so far."""
    groups: list[list[str]] = [[] for _ in range(workers)]
    load = [0] * workers
    for name, rows in sorted(rows_by_file.items(), key=lambda item: (-item[1], item[0])):
        lightest = load.index(min(load))
        groups[lightest].append(name)
        load[lightest] += rows
    return [group for group in groups if group]


def _standardise(
    raw_path: Path, files: list[str] | None, settings: Settings
) -> tuple[dict[str, pa.Table], int]:
    from hotpass.engine import close_backend, open_backend
    from hotpass.standardise import standardise

    con = open_backend(settings)
    try:
        raw = con.read_parquet(raw_path, table_name="raw")
        if files is not None:
            raw = raw.filter(raw.source_file.isin(files))
        staged = standardise(raw)
        try:
            frames = {name: getattr(staged, name).to_pyarrow() for name in TABLES}
            accepted = int(staged.accepted.count().to_pyarrow().as_py())
        finally:
            staged.release()
    finally:
        close_backend(con)
    return frames, accepted


def _worker(raw_path: Path, files: list[str], settings: Settings, out: Path) -> int:
    """In a worker process: standardise ``files`` and leave the tables in ``out`` (Arrow IPC,
    which keeps the exact types); return the accepted count."""
    import pyarrow as pa

    frames, accepted = _standardise(raw_path, files, settings)
    for name, table in frames.items():
        with pa.ipc.new_file(out / f"{name}.arrow", table.schema) as writer:
            writer.write_table(table)
    return accepted


def standardise_spool(
    ingested: IngestResult, settings: Settings, *, progress: Callable[[str], None] | None = None
) -> tuple[dict[str, pa.Table], int]:
    """The staged tables (:data:`TABLES`) of the raw rows ``ingested`` spooled and how many raw
    rows were accepted. Files go to ``settings.standardise_workers`` processes (0: one per
    core) when the run is large enough (module docstring)."""
    from concurrent.futures import ProcessPoolExecutor

    import pyarrow as pa

    raw_path = ingested.raw_path
    rows_by_file = {
        Path(summary.path).name: summary.rows_ingested
        for summary in ingested.inputs
        if summary.rows_ingested
    }
    workers = settings.standardise_workers or os.cpu_count() or 1
    if (
        settings.engine != "duckdb"  # Spark spreads the work itself
        or workers < 2  # noqa: PLR2004 - one worker is the process itself
        or len(rows_by_file) < 2  # noqa: PLR2004
        or sum(rows_by_file.values()) < PARALLEL_MIN_ROWS
        or multiprocessing.current_process().daemon  # a daemon may not start processes
    ):
        return _standardise(raw_path, None, settings)
    groups = file_groups(rows_by_file, workers)
    if progress is not None:
        progress(f"standardise: {len(rows_by_file)} input(s) over {len(groups)} processes")
    # The engine's memory limit is shared out, so the workers together stay within it.
    share = settings.model_copy(
        update={"engine_memory_mb": max(256, settings.engine_memory_mb // len(groups))}
    )
    context = multiprocessing.get_context("spawn")  # a fork would copy DuckDB's threads
    with (
        tempfile.TemporaryDirectory(prefix=".standardise-", dir=raw_path.parent) as scratch,
        ProcessPoolExecutor(len(groups), mp_context=context) as pool,
    ):
        outs = [Path(scratch) / str(i) for i in range(len(groups))]
        for out in outs:
            out.mkdir()
        futures = [
            pool.submit(_worker, raw_path, group, share, out)
            for group, out in zip(groups, outs, strict=True)
        ]
        accepted = sum(future.result() for future in futures)
        frames = {}
        for name in TABLES:
            parts: list[Any] = []
            for out in outs:
                with pa.ipc.open_file(out / f"{name}.arrow") as reader:
                    parts.append(reader.read_all())
            frames[name] = pa.concat_tables(parts)
    return frames, accepted
