"""Plain in-memory DuckDB connections for the set-based steps that need no Ibis.

Kept apart from :mod:`hotpass.engine` (which imports Ibis) so that modules the training job
shares, such as :mod:`hotpass.leads`, do not pull Ibis into ``hotpass-train.pex``.
"""

from __future__ import annotations

from typing import Any


def quiet_duckdb() -> Any:
    """An in-memory DuckDB connection without DuckDB's per-query progress bar (it would draw
    on stderr in the middle of a run's own progress)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def drop_tables(con: Any, *tables: str) -> None:
    """Drop working tables (those that exist) as soon as they are used up: DuckDB keeps a
    table's buffers until then, and at a million records they set a run's peak memory."""
    for table in tables:
        con.execute('DROP TABLE IF EXISTS "' + table.replace('"', '""') + '"')
