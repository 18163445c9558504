"""A golden row's ``provenance`` list, cut from ordered entries rather than built by a DuckDB
``list()``.

Survivorship writes one provenance entry per (golden row, field): a struct holding lists
(the merged values, the record ids, the losing candidates). Gathering them per row with
DuckDB's ``list()`` aggregate copied every nested value one at a time: at a million records
that took 7 of the 16 seconds of the golden organisations. Sorted by the engine instead,
the entries are cut into one list per row by offsets, and no nested value is copied again
(docs/adr/0021).
"""

from __future__ import annotations

from typing import Any

__all__ = ["with_provenance"]


def with_provenance(table: Any, key: str, entries: Any) -> Any:
    """``table`` with a ``provenance`` column: per row, the ``entry`` of every row of
    ``entries`` (columns ``key`` and ``entry``, a struct) whose ``key`` is the row's.

    ``table`` holds each ``key`` once; ``entries`` come in the order of ``table``'s rows,
    each row's entries in the order its list keeps. A row with no entries gets an empty list.
    An entry naming no row, or out of order, is an error: nothing is silently dropped."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    row = pc.index_in(entries.column(key), value_set=table.column(key))
    if row.null_count:
        raise ValueError(f"{row.null_count} provenance entries name no row of the table")
    rows = row.to_numpy()
    if np.any(rows[1:] < rows[:-1]):
        raise ValueError("provenance entries are not in the order of the table's rows")
    offsets = np.searchsorted(rows, np.arange(table.num_rows + 1, dtype=rows.dtype))
    lists = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()), entries.column("entry").combine_chunks()
    )
    return table.append_column("provenance", lists)
