"""Arrow tables in key order, copied only when they are not in it already.

Published Parquet bytes follow both the row order and the chunking, so the staged and golden
tables are put in key order as one chunk before they are written. Sorting a table that is
already sorted must not copy it: a take of a million rows' nested columns took over a second.
"""

from __future__ import annotations

from typing import Any

__all__ = ["in_key_order", "merged_in_key_order"]


def in_key_order(table: Any, keys: list[str]) -> Any:
    """``table`` sorted by ``keys`` (ascending); the table itself when it already is."""
    import numpy as np
    import pyarrow.compute as pc

    order = pc.sort_indices(table, sort_keys=[(key, "ascending") for key in keys])
    if np.array_equal(order.to_numpy(), np.arange(table.num_rows)):
        return table
    return table.take(order)


def merged_in_key_order(parts: list[Any], keys: list[str]) -> Any:
    """The rows of ``parts`` (one schema) in ``keys`` order, as one chunk.

    Parts whose keys do not interleave (each input file's staged rows: their keys begin with
    the file) are sorted alone and put in the order of their first rows; the whole is copied
    in a new order only if that did not already give it.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    filled = [in_key_order(part, keys) for part in parts if part.num_rows]
    if not filled:
        return pa.concat_tables(parts).combine_chunks()
    firsts = pa.concat_tables([part.select(keys).slice(0, 1) for part in filled])
    by_first = pc.sort_indices(firsts, sort_keys=[(key, "ascending") for key in keys])
    merged = pa.concat_tables([filled[i] for i in by_first.to_pylist()])
    return in_key_order(merged, keys).combine_chunks()
