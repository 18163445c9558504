"""Stable organisation ids.

A cluster keeps the ``org_id`` most of its records had in the previous run (ties: the smaller
id). When a cluster splits, the part holding more of the old records keeps the id. A cluster
with no previous id gets ``org_`` + a hash of its smallest record id, so the same inputs give
the same ids even in a fresh workspace, and adding unrelated records changes no id.
"""

from __future__ import annotations

from typing import Any


def assign_org_ids(con: Any, clusters: str, previous: Any | None, *, out: str) -> None:
    """Write ``out`` (record_id, org_id) for every record in ``clusters``."""
    import pyarrow as pa

    if previous is None:
        previous = pa.table(
            {"record_id": pa.array([], pa.string()), "org_id": pa.array([], pa.string())}
        )
    con.register("hotpass_previous_ids", previous)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        WITH votes AS (
            SELECT c.cluster_id, p.org_id, count(*) AS n
            FROM {clusters} c JOIN hotpass_previous_ids p ON p.record_id = c.unique_id
            GROUP BY c.cluster_id, p.org_id
        ), best AS (
            SELECT * FROM votes QUALIFY row_number() OVER (
                PARTITION BY cluster_id ORDER BY n DESC, org_id) = 1
        ), kept AS (
            SELECT * FROM best QUALIFY row_number() OVER (
                PARTITION BY org_id ORDER BY n DESC, cluster_id) = 1
        ), fresh AS (
            SELECT c.cluster_id, k.org_id AS kept_id,
                   'org_' || substr(sha256(c.cluster_id), 1, 12) AS new_id
            FROM (SELECT DISTINCT cluster_id FROM {clusters}) c
            LEFT JOIN kept k USING (cluster_id)
        ), ids AS (
            -- The part split off a cluster may hash to the id the other part keeps.
            SELECT cluster_id, coalesce(kept_id, CASE
                WHEN new_id IN (SELECT org_id FROM kept)
                THEN 'org_' || substr(sha256(cluster_id || '#split'), 1, 12)
                ELSE new_id END) AS org_id
            FROM fresh
        )
        SELECT c.unique_id AS record_id, i.org_id
        FROM {clusters} c JOIN ids i USING (cluster_id)"""
    )
    con.unregister("hotpass_previous_ids")
