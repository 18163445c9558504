"""Stable organisation ids.

A cluster keeps the ``org_id`` most of its records had in the previous run (ties: the smaller
id). A record is recognised by its content (``row_key``: a digest of its file, sheet and
values, not its row number), or else by its position when the organisation name there is
unchanged (a row whose phone was corrected). So re-sorting a sheet moves no id to another
organisation, and editing a row keeps its organisation's id. When a cluster splits, the part
holding more of the old records keeps the id. A cluster with no previous id gets ``org_`` + a
hash of its smallest ``row_key``: the same inputs give the same ids in a fresh workspace,
whatever their row order, and adding unrelated records changes no id.
"""

from __future__ import annotations

from typing import Any

# The values that make a row's content key: everything the row says, nothing about where it
# is. Columns an organisations table lacks are left out.
_CONTENT = (
    "source_file",
    "sheet",
    "profile",
    "name_raw",
    "source_key",
    "website_raw",
    "province_raw",
    "category",
    "org_type",
    "registration_status",
    "crm_status",
    "priority",
    "amo_number",
    "planes",
    "description",
    "notes",
    "load_date",
    "last_interaction_date",
    "last_order_date",
    "distance_bucket",
)
_RAW_LISTS = ("phone_values", "email_values")  # lists of {raw, ...}: the raw texts count


def _row_key(columns: set[str]) -> str:
    parts = [f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in _CONTENT if c in columns]
    parts += [
        f"coalesce(array_to_string(list_transform({c}, lambda v: v.raw), chr(30)), chr(0))"
        for c in _RAW_LISTS
        if c in columns
    ]
    return f"md5(concat_ws(chr(31), {', '.join(parts)}))"


def assign_org_ids(
    con: Any, clusters: str, previous: Any | None, *, organisations: str, out: str
) -> None:
    """Write ``out`` (record_id, org_id, row_key, match_key) for every record in ``clusters``;
    ``previous`` is an earlier ``out`` (a registry written before row keys has only
    record_id and org_id: its records are recognised by position alone)."""
    import pyarrow as pa

    if previous is None:
        previous = pa.table({"record_id": pa.array([], pa.string())})
    for name in ("org_id", "row_key", "match_key"):
        if name not in previous.column_names:
            previous = previous.append_column(name, pa.nulls(previous.num_rows, pa.string()))
    columns = {row[0] for row in con.execute(f"DESCRIBE {organisations}").fetchall()}
    match_key = "match_key" if "match_key" in columns else "NULL::VARCHAR"
    con.register("hotpass_previous_ids", previous)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        WITH present AS (
            SELECT c.unique_id AS record_id, c.cluster_id,
                   coalesce(k.row_key, md5(c.unique_id)) AS row_key, k.match_key
            FROM {clusters} c LEFT JOIN (
                SELECT record_id, {_row_key(columns)} AS row_key, {match_key} AS match_key
                FROM {organisations}) k ON k.record_id = c.unique_id
        ), by_content AS (
            SELECT c.record_id, c.cluster_id, min(p.org_id) AS org_id
            FROM present c JOIN hotpass_previous_ids p ON p.row_key = c.row_key
            GROUP BY c.record_id, c.cluster_id
        ), by_position AS (
            SELECT c.record_id, c.cluster_id, p.org_id
            FROM present c JOIN hotpass_previous_ids p
              ON p.record_id = c.record_id
             AND (p.row_key IS NULL OR p.match_key IS NOT DISTINCT FROM c.match_key)
            WHERE c.record_id NOT IN (SELECT record_id FROM by_content)
        ), votes AS (
            SELECT cluster_id, org_id, count(*) AS n
            FROM (SELECT * FROM by_content UNION ALL SELECT * FROM by_position)
            GROUP BY cluster_id, org_id
        ), best AS (
            SELECT * FROM votes QUALIFY row_number() OVER (
                PARTITION BY cluster_id ORDER BY n DESC, org_id) = 1
        ), kept AS (
            SELECT * FROM best QUALIFY row_number() OVER (
                PARTITION BY org_id ORDER BY n DESC, cluster_id) = 1
        ), fresh AS (
            SELECT c.cluster_id, k.org_id AS kept_id,
                   'org_' || substr(sha256(c.first_key), 1, 12) AS new_id
            FROM (SELECT cluster_id, min(row_key) AS first_key FROM present GROUP BY cluster_id) c
            LEFT JOIN kept k USING (cluster_id)
        ), numbered AS (
            -- Identical rows in two clusters hash alike: the second takes the split form.
            SELECT *, row_number() OVER (
                PARTITION BY new_id, kept_id IS NULL ORDER BY cluster_id) AS nth
            FROM fresh
        ), ids AS (
            -- The part split off a cluster may hash to the id the other part keeps.
            SELECT cluster_id, coalesce(kept_id, CASE
                WHEN nth > 1 OR new_id IN (SELECT org_id FROM kept)
                THEN 'org_' || substr(sha256(cluster_id || '#split'), 1, 12)
                ELSE new_id END) AS org_id
            FROM numbered
        )
        SELECT c.record_id, i.org_id, c.row_key, c.match_key
        FROM present c JOIN ids i USING (cluster_id)"""
    )
    con.unregister("hotpass_previous_ids")
