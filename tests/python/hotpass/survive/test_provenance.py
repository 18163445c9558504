"""Provenance lists cut from ordered entries (hotpass.survive.provenance)."""

import pyarrow as pa
import pytest

from hotpass.survive.provenance import with_provenance


def _entries(pairs):
    return pa.table(
        {
            "org_id": [org for org, _ in pairs],
            "entry": pa.array([{"field": field} for _, field in pairs]),
        }
    )


def test_each_row_gets_its_own_entries_in_order_and_a_row_without_any_an_empty_list():
    table = pa.table({"org_id": ["a", "b", "c"], "kind": ["x", "y", "z"]})
    entries = _entries([("a", "display_name"), ("a", "emails"), ("c", "phones")])
    result = with_provenance(table, "org_id", entries)
    assert result.column_names == ["org_id", "kind", "provenance"]
    assert result.column("provenance").to_pylist() == [
        [{"field": "display_name"}, {"field": "emails"}],
        [],
        [{"field": "phones"}],
    ]


def test_entries_in_several_batches_land_on_the_right_rows():
    table = pa.table({"org_id": ["a", "b"]})
    entries = pa.concat_tables(
        [_entries([("a", "display_name")]), _entries([("a", "emails"), ("b", "phones")])]
    )
    result = with_provenance(table, "org_id", entries)
    assert [len(row) for row in result.column("provenance").to_pylist()] == [2, 1]


def test_an_entry_naming_no_row_is_an_error_not_dropped():
    table = pa.table({"org_id": ["a"]})
    with pytest.raises(ValueError, match="1 provenance entries name no row"):
        with_provenance(table, "org_id", _entries([("a", "x"), ("z", "y")]))


def test_entries_out_of_the_tables_order_are_an_error():
    table = pa.table({"org_id": ["a", "b"]})
    with pytest.raises(ValueError, match="not in the order"):
        with_provenance(table, "org_id", _entries([("b", "x"), ("a", "y")]))
