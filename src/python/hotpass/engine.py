"""The query engine: an Ibis connection and the few operations that need backend care.

Ibis 12 with DuckDB 2.0 and sqlglot 30.x cannot drop tables through Ibis (``DROP TABLE IF
EXISTS`` is rendered without its name), so ``Table.cache()``/``release()`` and
``drop_table`` are avoided: intermediates are materialised with ``create_table`` and dropped
with plain SQL here.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from hotpass.errors import SettingsError
from hotpass.settings import Settings

_names = itertools.count(1)


def connect(workspace: Path, *, memory_mb: int) -> Any:
    """An in-process DuckDB connection that holds at most ``memory_mb`` and spills the rest to
    ``<workspace>/tmp`` (setting ``engine_memory_mb``; DuckDB's default, 80% of the machine,
    let survivorship of a million rows reach 14 GB). DuckDB's own per-query progress bar is
    off: a run reports its progress through its stages."""
    scratch = workspace / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    backend = ibis.duckdb.connect(temp_directory=str(scratch), memory_limit=f"{memory_mb}MB")
    backend.con.execute("SET enable_progress_bar = false")
    return backend


def _spark() -> Any:
    try:
        # Not a dependency of hotpass.pex (see src/python/hotpass/BUILD).
        import hotpass.spark
    except ImportError as exc:
        raise SettingsError(
            [
                "engine = spark needs pyspark, which this build does not ship: run "
                "hotpass-spark.pex (./pants package src/python/hotpass:hotpass-spark) "
                f"or set engine = duckdb ({exc})"
            ]
        ) from exc
    return hotpass.spark


def open_backend(settings: Settings) -> Any:
    """The Ibis backend standardise runs on: DuckDB in process, or Spark when
    ``engine = "spark"`` (a Spark backend is shared by the process; see :mod:`hotpass.spark`)."""
    if settings.engine == "spark":
        return _spark().connect(settings)
    return connect(settings.workspace, memory_mb=settings.engine_memory_mb)


def spark_session(settings: Settings) -> Any | None:
    """The SparkSession Splink scores pairs in when ``engine = "spark"``, else None."""
    return _spark().session(settings) if settings.engine == "spark" else None


def close_backend(backend: Any) -> None:
    """Close a backend from :func:`open_backend`; the process's Spark session stays up for the
    stages after this one."""
    if backend.name != "pyspark":
        backend.disconnect()


def materialise(table: ir.Table, /, *, prefix: str = "hotpass_tmp") -> ir.Table:
    """Execute ``table`` once into a temporary backend table and return that table."""
    backend = table.get_backend()
    if backend.name == "pyspark":
        # Ibis's Spark cache compiles the query without registering its Python UDFs.
        backend._register_udfs(table)
        return table.cache()
    name = f"{prefix}_{next(_names)}"
    return backend.create_table(name, table, temp=True)


def drop(table: ir.Table, /) -> None:
    """Drop a table made by :func:`materialise`."""
    backend = table.get_backend()
    if backend.name == "pyspark":
        table.release()
        return
    name = table.op().name  # unqualified; get_name() adds "temp.main."
    backend.con.execute(f'DROP TABLE "{name}"')
