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


ROW = "hotpass_row"  # a row's position in the table given to with_computed_columns


def with_computed_columns(
    con: Any, table: Any, view: str, query: str, params: dict[str, Any] | None = None
) -> Any:
    """``table`` (Arrow) with the columns ``query`` computes appended, row for row.

    ``query`` reads ``table`` as view ``view``, which also carries each row's position as
    column ``hotpass_row``; it must return ``hotpass_row`` and one row per row of the table.
    Only the new columns leave DuckDB, and the table's own columns stay the Arrow arrays they
    were: passing the golden organisations through DuckDB whole copied their nested
    provenance (about 3 s of a million-row run, in the quality and the lead scores).
    """
    import numpy as np
    import pyarrow as pa

    positions = pa.array(np.arange(table.num_rows, dtype=np.int64))
    con.register(view, table.append_column(ROW, positions))
    try:
        computed = con.sql(
            f"SELECT * EXCLUDE ({ROW}) FROM ({query}) ORDER BY {ROW}", params=params
        ).to_arrow_table()
    finally:
        con.unregister(view)
    if computed.num_rows != table.num_rows:
        raise ValueError(
            f"computed {computed.num_rows} row(s) for a table of {table.num_rows}: the query "
            "must keep one row per row"
        )
    for field, column in zip(computed.schema, computed.columns, strict=True):
        table = table.append_column(field, column.combine_chunks())
    return table
