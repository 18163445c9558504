"""The nested-result UDFs run as Arrow UDFs on DuckDB: whole vectors in, the same values out as
the plain functions give one at a time; on Spark they get one value per call."""

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpass.standardise import emails, phones, udfs

CELLS = st.lists(
    st.one_of(
        st.none(),
        st.text(max_size=30),
        st.sampled_from(["083 123 4567; 011 805 9015", "info@x.co.za, bad@", "27831234567.0"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=25, deadline=None)
@given(CELLS)
def test_a_column_through_duckdb_gives_what_each_value_gives_alone(cells):
    con = ibis.duckdb.connect()
    try:
        table = ibis.memtable(pa.table({"cell": pa.array(cells, pa.string())}))
        result = con.to_pyarrow(
            table.select(phones=udfs.phone_cell(table.cell), emails=udfs.email_cell(table.cell))
        )
    finally:
        con.disconnect()
    assert result.column("phones").to_pylist() == [phones.parse_phone_cell(c) for c in cells]
    assert result.column("emails").to_pylist() == [emails.parse_email_cell(c) for c in cells]


def test_one_value_per_call_goes_to_the_function_as_it_is():
    # How Ibis's PySpark backend calls an Arrow UDF (an Arrow-optimised Python UDF).
    assert udfs._each(phones.parse_phone_cell, dt.Array(udfs.PHONE), "083 123 4567") == (
        phones.parse_phone_cell("083 123 4567")
    )
    # Spark's Arrow-to-pandas step hands a missing text over as NaN.
    missing = udfs._each(phones.parse_phone_cell, dt.Array(udfs.PHONE), float("nan"))
    assert missing == phones.parse_phone_cell(None) == []
    vector = udfs._each(
        phones.parse_phone_cell, dt.Array(udfs.PHONE), pa.array(["083 123 4567", None])
    )
    assert isinstance(vector, pa.Array)
    assert vector.to_pylist() == [phones.parse_phone_cell("083 123 4567"), []]
