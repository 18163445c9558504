"""Cases for reusing a resolution (:mod:`hotpass.resolve.reuse`), shared by the DuckDB tests
(``test_reuse.py``) and the Spark ones (``test_spark.py``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from hotpass.duckdb_connection import quiet_duckdb
from hotpass.resolve import Resolution, load_config, resolve
from hotpass.resolve.features import organisation_features
from hotpass.resolve.reuse import ResolutionCache, resolution_fingerprint

CONFIG = load_config("organisations")


def cache_at(root: Path, *, reuse_scores: bool = True, retrain_after: float = 0.25) -> Any:
    return ResolutionCache(
        root,
        resolution_fingerprint(CONFIG),
        reuse_scores=reuse_scores,
        retrain_after=retrain_after,
    )


def organisation_features_of(export: Path) -> Any:
    """The organisation features (Arrow) of a refine's exported staged tables."""
    con = quiet_duckdb()
    con.register("orgs", pq.read_table(export / "staged" / "organisations.parquet"))
    con.register("addrs", pq.read_table(export / "staged" / "addresses.parquet"))
    return con.table(organisation_features(con, "orgs", "addrs")).to_arrow_table()


def resolve_with(
    records: Any, cache: Any, spark: Any | None = None
) -> tuple[Resolution, list[str]]:
    """Resolve ``records`` (Arrow) with ``cache``; the resolution and its progress lines."""
    con = quiet_duckdb()
    con.register("records_arrow", records)
    con.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    messages: list[str] = []
    found = resolve(
        con, "records", config=CONFIG, progress=messages.append, cache=cache, spark=spark
    )
    return found, messages


def rescored_records(messages: list[str]) -> int:
    found = [re.search(r"scoring the pairs of (\d+) new", m) for m in messages]
    numbers = [int(m.group(1)) for m in found if m]
    assert len(numbers) == 1, messages
    return numbers[0]


def earlier_and_later(features: Any) -> tuple[Any, Any, int]:
    """Records of an earlier run and of a later one: one record removed, one with another
    phone, two new records, and a new website for a name several earlier records share (its
    frequency changes, so their pairs' scores do). Returns also how many records share it."""
    rows = features.to_pylist()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["match_key"] and row["website_domain"]:
            by_name.setdefault(row["match_key"], []).append(row)
    shared = next(group for _, group in sorted(by_name.items()) if len(group) >= 2)
    keep = {r["unique_id"] for r in shared}
    others = [r for r in rows if r["unique_id"] not in keep]
    removed, changed = others[0], others[1]
    earlier = rows
    later = [
        {**r, "phone": "+27215559999"} if r is changed else r for r in rows if r is not removed
    ]
    later.append({**shared[0], "unique_id": "zz-new-1", "website_domain": "brand-new-site.co.za"})
    later.append({**others[2], "unique_id": "zz-new-2", "display_name": "Another Name"})
    return (
        features.from_pylist(earlier, features.schema),
        features.from_pylist(later, features.schema),
        sum(1 for r in rows if r["match_key"] == shared[0]["match_key"]),
    )


def assert_same(left: Resolution, right: Resolution) -> None:
    assert left.links.num_rows > 0 and left.review.num_rows > 0
    assert left.links.equals(right.links)
    assert left.review.equals(right.review)
    assert left.clusters.equals(right.clusters)
