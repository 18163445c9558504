"""Survivorship: which candidate wins, and the rule recorded for it."""

from datetime import date

import duckdb
import pyarrow as pa
import pytest

from hotpass.survive.fields import survive_fields


def _run(rows):
    con = duckdb.connect()
    con.register(
        "candidates_arrow",
        pa.Table.from_pylist(
            rows,
            schema=pa.schema(
                [
                    ("group_id", pa.string()),
                    ("field", pa.string()),
                    ("multi", pa.bool_()),
                    ("record_id", pa.string()),
                    ("value", pa.string()),
                    ("valid", pa.bool_()),
                    ("source_priority", pa.int32()),
                    ("recency", pa.date32()),
                    ("completeness", pa.int32()),
                    ("position", pa.int32()),
                    ("tie_key", pa.uint64()),
                ]
            ),
        ),
    )
    con.execute("CREATE TABLE candidates AS SELECT * FROM candidates_arrow")
    survive_fields(con, "candidates", "out")
    return {row["field"]: row for row in con.sql("SELECT * FROM out").to_arrow_table().to_pylist()}


def _candidate(
    record,
    value,
    *,
    valid=True,
    priority=50,
    recency=None,
    complete=1,
    field="f",
    position=1,
    tie_key=7,
):
    return {
        "group_id": "g",
        "field": field,
        "multi": False,
        "record_id": record,
        "value": value,
        "valid": valid,
        "source_priority": priority,
        "recency": recency,
        "completeness": complete,
        "position": position,
        "tie_key": tie_key,
    }


@pytest.mark.parametrize(
    ("loser", "winner", "rule"),
    [
        ({"valid": False, "priority": 90}, {"valid": True, "priority": 10}, "validity"),
        ({"priority": 10, "recency": date(2025, 9, 1)}, {"priority": 90}, "source priority"),
        (
            {"recency": date(2024, 1, 1), "complete": 9},
            {"recency": date(2025, 1, 1), "complete": 1},
            "recency",
        ),
        ({"complete": 1, "tie_key": 1}, {"complete": 5, "tie_key": 2}, "completeness"),
        ({"tie_key": 2}, {"tie_key": 1}, "content digest"),
        ({}, {}, "record id"),
    ],
)
def test_rules_apply_in_order_and_the_deciding_rule_is_recorded(loser, winner, rule):
    # "b" loses on record id when nothing else differs, so the winner is always record "a".
    # Where the content digests differ, it is the smaller that wins, whatever the record id.
    result = _run([_candidate("b", "lose", **loser), _candidate("a", "win", **winner)])["f"]
    assert result["value"] == "win"
    assert result["record_ids"] == ["a"]
    assert result["rule"] == rule
    assert result["losers"] == [{"record_id": "b", "value": "lose"}]


def test_a_tie_goes_to_the_same_content_whatever_the_record_ids():
    """Re-sorting a file renumbers its records; the content digest still picks the winner."""
    kestrel = {"tie_key": 11}
    other = {"tie_key": 99}
    before = _run(
        [_candidate("row-2", "Kestrel", **kestrel), _candidate("row-3", "KESTREL", **other)]
    )
    after = _run(
        [_candidate("row-3", "Kestrel", **kestrel), _candidate("row-2", "KESTREL", **other)]
    )
    assert before["f"]["value"] == after["f"]["value"] == "Kestrel"
    assert before["f"]["rule"] == after["f"]["rule"] == "content digest"


def test_only_candidate_and_nulls_never_win():
    result = _run([_candidate("a", "x"), _candidate("b", None, priority=99)])["f"]
    assert (result["value"], result["rule"], result["losers"]) == ("x", "only candidate", [])


def test_agreeing_candidates_are_not_losers():
    result = _run([_candidate("a", "x", priority=90), _candidate("b", "x"), _candidate("c", "y")])
    assert result["f"]["losers"] == [{"record_id": "c", "value": "y"}]


def test_multi_valued_fields_merge_without_duplicates_best_first():
    rows = [
        {**_candidate("a", "Cessna", priority=10), "multi": True},
        {**_candidate("b", "Piper", priority=90), "multi": True},
        {**_candidate("c", "Cessna", priority=50), "multi": True},
    ]
    result = _run(rows)["f"]
    assert result["values"] == ["Piper", "Cessna"]
    assert result["record_ids"] == ["a", "b", "c"]
    assert result["rule"] == "merged"


def test_values_of_one_record_keep_their_order_in_the_cell():
    """Two emails of one record tie on every rule; the cell's order decides, on every run."""
    rows = [
        {**_candidate("a", value, position=position), "multi": True}
        for position, value in [(2, "ops@example.invalid"), (1, "info@example.invalid")]
    ]
    assert _run(rows)["f"]["values"] == ["info@example.invalid", "ops@example.invalid"]
    single = [_candidate("a", "second", position=2), _candidate("a", "first", position=1)]
    result = _run(single)["f"]
    assert (result["value"], result["rule"]) == ("first", "position in the cell")
