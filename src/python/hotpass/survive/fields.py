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

from hotpass.duckdb_connection import drop_tables

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
    # Most (group, field)s have one candidate (an organisation of one record, a person seen
    # once): they need no ranking, and only the contested ones are sorted.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_contested AS
        SELECT group_id, field FROM {candidates} WHERE value IS NOT NULL
        GROUP BY group_id, field HAVING count(*) > 1"""
    )
    # The winner's value rides along each candidate, so the losers need no join to it.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_ranked AS
        SELECT *, row_number() OVER w AS rank, first_value(value) OVER w AS winner
        FROM {candidates} SEMI JOIN hotpass_contested USING (group_id, field)
        WHERE value IS NOT NULL
        WINDOW w AS (PARTITION BY group_id, field ORDER BY {RANK_ORDER})"""
    )

    def first(column: str) -> str:
        return f"any_value({column}) FILTER (WHERE rank = 1)"

    def second(column: str) -> str:
        return f"any_value({column}) FILTER (WHERE rank = 2)"

    # One pass over each (group, field): winner, runner-up and losers read from one group
    # (joining the winners to their runners-up and losers took a third longer).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        WITH single AS (
            SELECT group_id, field, {first("value")} AS value,
                [{first("record_id")}] AS record_ids,
                -- Contested: there is always a runner-up ('only candidate' is below).
                CASE WHEN {first("valid")} <> {second("valid")} THEN 'validity'
                     WHEN {first("source_priority")} <> {second("source_priority")}
                         THEN 'source priority'
                     WHEN {first("recency")} IS DISTINCT FROM {second("recency")} THEN 'recency'
                     WHEN {first("completeness")} <> {second("completeness")}
                         THEN 'completeness'
                     WHEN {first("tie_key")} <> {second("tie_key")} THEN 'content digest'
                     WHEN {first("record_id")} <> {second("record_id")} THEN 'record id'
                     ELSE 'position in the cell' END AS rule,
                coalesce(list({{'record_id': record_id, 'value': value}} ORDER BY rank)
                    FILTER (WHERE rank > 1 AND value <> winner), []) AS losers
            FROM hotpass_ranked WHERE NOT multi GROUP BY group_id, field
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
        SELECT group_id, field, value, [value] AS "values", record_ids, rule, losers
        FROM single
        UNION ALL
        SELECT group_id, field, value, "values", record_ids, rule,
               []::STRUCT(record_id VARCHAR, value VARCHAR)[] AS losers
        FROM merged
        UNION ALL
        SELECT group_id, field, CASE WHEN multi THEN NULL ELSE value END AS value,
               [value] AS "values", [record_id] AS record_ids,
               CASE WHEN multi THEN 'merged' ELSE 'only candidate' END AS rule,
               []::STRUCT(record_id VARCHAR, value VARCHAR)[] AS losers
        FROM {candidates} ANTI JOIN hotpass_contested USING (group_id, field)
        WHERE value IS NOT NULL"""
    )
    drop_tables(con, "hotpass_contested")
