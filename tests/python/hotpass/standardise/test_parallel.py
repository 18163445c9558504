"""Input files standardised in worker processes give the rows they give in one process."""

from __future__ import annotations

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


@given(
    st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 10**6), max_size=12),
    st.integers(1, 4),
)
def test_every_file_lands_in_one_group_and_the_groups_are_balanced(
    rows_by_file: dict[str, int], workers: int
) -> None:
    groups = parallel.file_groups(rows_by_file, workers)
    placed = [name for group in groups for name in group]
    assert sorted(placed) == sorted(rows_by_file)
    assert len(groups) <= workers
    if rows_by_file:
        loads = [sum(rows_by_file[name] for name in group) for group in groups]
        # Largest-first greedy: no group exceeds an even share by more than one file.
        even = sum(rows_by_file.values()) / workers
        assert max(loads) <= even + max(rows_by_file.values())


def test_worker_processes_give_the_rows_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(SAMPLES) > 1, "the samples are a dependency of this test (BUILD)"
    ingested = ingest(SAMPLES, profile=None, profiles=builtin_profiles(), spool=tmp_path)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 0)
    results = {}
    messages: list[str] = []
    for workers in (1, 2):
        settings = load_settings(
            environ={},
            overrides={"workspace": tmp_path / "ws", "standardise_workers": workers},
        )
        results[workers] = parallel.standardise_spool(ingested, settings, progress=messages.append)
    assert messages == [f"standardise: {len(SAMPLES)} input(s) over 2 processes"]
    (one, accepted_one), (two, accepted_two) = results[1], results[2]
    assert accepted_one == accepted_two > 0
    for name, key in _KEYS.items():
        assert one[name].num_rows > 0, name
        assert one[name].schema == two[name].schema, name
        assert one[name].sort_by(key).to_pylist() == two[name].sort_by(key).to_pylist(), name
