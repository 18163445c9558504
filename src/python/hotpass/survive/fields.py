"""Per-field survivorship: which candidate value becomes the golden value, and why.

Candidates are ranked by explicit rules, in this order: validity, source priority, recency,
completeness, then the record's content digest (``tie_key``), record id and the value's
position in its cell. So ties are broken the same way on every run and in every row order: a
re-sorted file picks the same winners, and two emails of one record keep the order the cell
gave them. The record id decides only between records of identical content. The rule that
separated the winner from the runner-up is recorded with the winner and the losing candidates.
Multi-valued fields are merged: every distinct value, best-ranked first.
"""

from __future__ import annotations

from typing import Any

RANK_ORDER = (
    "valid DESC, source_priority DESC, recency DESC NULLS LAST, completeness DESC, tie_key, "
    "record_id, position"
)


def survive_fields(con: Any, candidates: str, out: str) -> None:
    """Rank ``candidates`` and write one row per (group_id, field) to ``out``.

    ``candidates`` columns: group_id, field, multi (bool), record_id, value (VARCHAR), valid,
    source_priority, recency (DATE), completeness, position (of the value in its record's
    list; 1 for single values), tie_key (UBIGINT, from the record's content). ``out``
    columns: group_id, field, value (single-valued winner), values (merged list), record_ids,
    rule, losers (list of {record_id, value}).
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_ranked AS
        SELECT *, row_number() OVER (PARTITION BY group_id, field ORDER BY {RANK_ORDER}) AS rank
        FROM {candidates} WHERE value IS NOT NULL"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        WITH single AS (
            SELECT w.group_id, w.field, w.value, [w.record_id] AS record_ids,
                CASE WHEN r.record_id IS NULL THEN 'only candidate'
                     WHEN w.valid <> r.valid THEN 'validity'
                     WHEN w.source_priority <> r.source_priority THEN 'source priority'
                     WHEN w.recency IS DISTINCT FROM r.recency THEN 'recency'
                     WHEN w.completeness <> r.completeness THEN 'completeness'
                     WHEN w.tie_key <> r.tie_key THEN 'content digest'
                     WHEN w.record_id <> r.record_id THEN 'record id'
                     ELSE 'position in the cell' END AS rule
            FROM hotpass_ranked w
            LEFT JOIN hotpass_ranked r
              ON r.group_id = w.group_id AND r.field = w.field AND r.rank = 2
            WHERE w.rank = 1 AND NOT w.multi
        ), losers AS (
            SELECT l.group_id, l.field,
                   list({{'record_id': l.record_id, 'value': l.value}} ORDER BY l.rank) AS losers
            FROM hotpass_ranked l JOIN single s USING (group_id, field)
            WHERE l.rank > 1 AND l.value <> s.value
            GROUP BY l.group_id, l.field
        ), merged_values AS (
            SELECT group_id, field, value, min(rank) AS best, list(DISTINCT record_id) AS ids
            FROM hotpass_ranked WHERE multi GROUP BY group_id, field, value
        ), merged AS (
            SELECT group_id, field, NULL::VARCHAR AS value,
                   list(value ORDER BY best) AS "values",
                   list_sort(list_distinct(flatten(list(ids)))) AS record_ids,
                   'merged' AS rule
            FROM merged_values GROUP BY group_id, field
        )
        SELECT s.group_id, s.field, s.value, [s.value] AS "values", s.record_ids, s.rule,
               coalesce(l.losers, []) AS losers
        FROM single s LEFT JOIN losers l USING (group_id, field)
        UNION ALL
        SELECT group_id, field, value, "values", record_ids, rule,
               []::STRUCT(record_id VARCHAR, value VARCHAR)[] AS losers
        FROM merged"""
    )
