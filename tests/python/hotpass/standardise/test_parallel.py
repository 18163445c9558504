"""Input files standardised in worker processes give the rows they give in one process."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotpass.ingest import ingest
from hotpass.profiles import builtin_profiles
from hotpass.settings import load_settings
from hotpass.standardise import parallel
from tests.python.hotpass.golden_run import SAMPLES

_KEYS = {
    "organisations": "record_id",
    "contacts": "contact_id",
    "addresses": "address_id",
    "quarantine": "record_id",
}


SHAPES = st.dictionaries(
    st.text(min_size=1, max_size=8),
    # Rows and row numbers apart: blank lines leave numbers unused, and the sheets of one
    # workbook use the same numbers again.
    st.builds(
        lambda rows, rowwise, first, span: parallel.FileShape(rows, rowwise, first, first + span),
        st.integers(1, 10**5),
        st.booleans(),
        st.integers(1, 40),
        st.integers(0, 10**5),
    ),
    max_size=8,
)


@given(SHAPES, st.integers(100, 30_000))
def test_parts_cover_every_row_once_and_cut_only_rowwise_files(
    files: dict[str, parallel.FileShape], split_rows: int
) -> None:
    parts = parallel.plan_parts(files, split_rows)
    assert [p.rows for p in parts] == sorted((p.rows for p in parts), reverse=True)
    for name, shape in files.items():
        own = [p for p in parts if p.file == name]
        if not shape.rowwise or shape.rows <= split_rows:
            assert own == [parallel.Part(name, shape.rows)]
            continue
        # The ranges tile the file's rows from the first to the last, without a gap or overlap.
        ranges = sorted(p.excel_rows for p in own if p.excel_rows)
        span = shape.last_row - shape.first_row + 1
        assert len(ranges) == len(own) == min(-(-shape.rows // split_rows), span)
        assert ranges[0][0] == shape.first_row and ranges[-1][1] == shape.last_row
        assert all(low <= high for low, high in ranges)
        assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(ranges))


def test_worker_processes_give_the_rows_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(SAMPLES) > 1, "the samples are a dependency of this test (BUILD)"
    ingested = ingest(SAMPLES, profile=None, profiles=builtin_profiles(), spool=tmp_path)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 0)
    # crm_export.csv holds organisation rows only, so it is cut into parts of 4 rows; the
    # other samples have child rows and stay whole.
    monkeypatch.setattr(parallel, "SPLIT_ROWS", 4)
    results = {}
    messages: list[str] = []
    for workers in (1, 2):
        settings = load_settings(
            environ={},
            overrides={"workspace": tmp_path / "ws", "standardise_workers": workers},
        )
        results[workers] = parallel.standardise_spool(ingested, settings, progress=messages.append)
    started = re.fullmatch(
        r"standardise: (\d+) input\(s\) in (\d+) part\(s\) over 2 processes", messages[0]
    )
    assert started, messages
    assert int(started[1]) == len(SAMPLES)
    parts = int(started[2])
    assert parts >= len(SAMPLES) + 3  # crm_export.csv's 15 rows: at least 4 parts
    done = [
        re.fullmatch(r"standardise: part (\d+) of (\d+) done \((\d+) rows, [\d.]+ s\)", m)
        for m in messages[1:]
    ]
    assert all(done) and [int(m[1]) for m in done if m] == list(range(1, parts + 1)), messages
    assert sum(int(m[3]) for m in done if m) == ingested.rows
    (one, accepted_one), (two, accepted_two) = results[1], results[2]
    assert accepted_one == accepted_two > 0
    for name, key in _KEYS.items():
        assert one[name].num_rows > 0, name
        assert one[name].schema == two[name].schema, name
        assert one[name].sort_by(key).to_pylist() == two[name].sort_by(key).to_pylist(), name
