"""Properties of a whole refine over random messy inputs (Hypothesis), in real workspaces.

Each example starts from the generator's CRM export (``hotpass.synthetic.write_generic_csv``:
duplicates with case, legal-suffix, spacing, float-phone and ``t/a`` variants) and messes it
up further: title rows above the header, blank rows, rows without a name, a workbook instead
of a CSV. Then:

- every row is accounted for: ``ingested = accepted + quarantined``, and ingested plus blank
  rows is every row below the header;
- the same rows in another order give the same organisations, of the same rows, under the
  same ids, with the same golden values and contacts (only record ids, which carry row
  numbers, and what is derived from them may differ);
- refining the same input twice publishes byte-identical data.

A second property draws the three workbook families and the CRM CSV of
``hotpass.synthetic.write_samples`` with a random seed, in any subset: every row is accounted
for (each quarantined row with its rule, each staged organisation in exactly one golden one),
and two refines publish the same bytes. Their rows are not permuted: continuation rows and
contact rows below an organisation mean something only in their place.

Each example runs two or three refines (about 15 s), so CI draws 4 and 3 examples a run (new
ones each run); ``HOTPASS_PROPERTY_EXAMPLES=50`` draws more of both on demand. The properties
are also held at scale by the benchmark's own checks.
"""

from __future__ import annotations

import csv
import io
import os
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from hotpass.publish import REGISTRY_PATH
from hotpass.store import LocalStore
from hotpass.synthetic import write_generic_csv, write_samples
from tests.python.hotpass.golden_run import main_data_digests, refine_into

pytestmark = pytest.mark.slow


@st.composite
def messy_inputs(draw: st.DrawFn) -> dict:
    rows = draw(st.integers(min_value=10, max_value=60))
    return {
        "seed": draw(st.integers(min_value=0, max_value=10_000)),
        "rows": rows,
        "titles": draw(st.integers(min_value=0, max_value=3)),
        "blank_after": draw(st.lists(st.integers(0, rows - 1), max_size=4)),
        # At most one row in twenty loses its name: more (rightly) trips the gate's 95% rule.
        "nameless": draw(st.lists(st.integers(0, rows - 1), max_size=rows // 20, unique=True)),
        "workbook": draw(st.booleans()),
        "order": random.Random(draw(st.integers(0, 2**32))).sample(range(rows), rows),
    }


def _write(folder: Path, spec: dict, order: list[int]) -> tuple[Path, int]:
    """The messy input in ``folder`` with its data rows in ``order``; returns the path and the
    number of physical rows below the header."""
    source = folder / "generated.csv"
    write_generic_csv(source, rows=spec["rows"], seed=spec["seed"])
    header, *body = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
    source.unlink()
    for index in spec["nameless"]:
        body[index] = ["", *body[index][1:]]
    lines: list[list[str]] = []
    for index in order:
        lines.append(body[index])
        lines.extend([[""] * len(header)] * spec["blank_after"].count(index))
    titles = [[f"CRM export part {n}"] for n in range(spec["titles"])]
    physical = len(lines)
    if spec["workbook"]:
        # A sheet ends at its last non-empty row: blank rows after it are not rows at all.
        while physical and not any(lines[physical - 1]):
            physical -= 1
        book = Workbook()
        for row in [*titles, header, *lines]:
            book.active.append([cell or None for cell in row])
        path = folder / "crm.xlsx"
        book.save(path)
    else:
        path = folder / "crm.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([*titles, header, *lines])
    return path, physical


def _golden_values(export: Path) -> tuple[list[dict], list[tuple]]:
    """The published golden values, without what names records by position: the source
    record lists and provenance of organisations, and the ids of contacts."""
    organisations = pq.read_table(export / "organisations.parquet")
    organisations = organisations.drop_columns(["source_records", "provenance"])
    contacts = pq.read_table(export / "contacts.parquet").select(
        ["org_id", "name", "role", "email", "phone", "note", "do_not_contact", "is_primary"]
    )
    return (
        sorted(organisations.to_pylist(), key=lambda row: row["org_id"]),
        sorted(tuple(str(v) for v in row.values()) for row in contacts.to_pylist()),
    )


def _members(workspace: Path) -> dict[str, list[str]]:
    """org_id -> the content keys of its records (``hotpass.survive.ids``; no row numbers)."""
    registry = LocalStore(workspace / "store").get("main", REGISTRY_PATH)
    members: dict[str, list[str]] = {}
    for row in pq.read_table(io.BytesIO(registry)).to_pylist():
        members.setdefault(row["org_id"], []).append(row["row_key"])
    return {org_id: sorted(keys) for org_id, keys in members.items()}


def _refines(examples: int) -> Any:
    """Settings for a property whose every example runs whole refines: ``examples`` per CI
    run unless ``HOTPASS_PROPERTY_EXAMPLES`` asks for more, no deadline, no shrinking (15 s
    an example)."""
    return settings(
        max_examples=int(os.environ.get("HOTPASS_PROPERTY_EXAMPLES", str(examples))),
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@_refines(examples=4)
@given(spec=messy_inputs())
def test_refine_accounts_for_every_row_is_order_free_and_deterministic(
    tmp_path_factory: pytest.TempPathFactory, spec: dict
) -> None:
    root = tmp_path_factory.mktemp("example")
    written = {}
    for name, order in (("sorted", list(range(spec["rows"]))), ("shuffled", spec["order"])):
        (root / name).mkdir()
        written[name] = _write(root / name, spec, order)

    first = refine_into(root / "ws-first", [written["sorted"][0]])
    rows = first.summary.rows
    assert first.summary.status == "published", first.summary.gate
    assert rows["ingested"] == rows["accepted"] + rows["quarantined"]
    assert rows["ingested"] + rows["blank_skipped"] == written["sorted"][1]
    assert first.summary.quarantine_by_rule.get("organisation_name_missing", 0) == len(
        spec["nameless"]
    )

    again = refine_into(root / "ws-again", [written["sorted"][0]])
    assert main_data_digests(again.workspace) == main_data_digests(first.workspace)

    shuffled = refine_into(root / "ws-shuffled", [written["shuffled"][0]])
    for count in ("ingested", "accepted", "quarantined"):
        assert shuffled.summary.rows[count] == rows[count]
    # The same organisations, made of the same rows, under the same ids, showing the same
    # values: survivorship breaks exact ties by content, not by row number.
    assert _members(shuffled.workspace) == _members(first.workspace)
    assert _golden_values(shuffled.export) == _golden_values(first.export)
    golden = pq.read_table(first.export / "organisations.parquet").to_pylist()
    organisations = {row["org_id"] for row in golden if row["record_kind"] == "organisation"}
    assert organisations == set(_members(first.workspace))


@_refines(examples=3)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    families=st.sets(st.integers(0, 3), min_size=1),
)
def test_any_mix_of_the_family_workbooks_accounts_for_every_row_deterministically(
    tmp_path_factory: pytest.TempPathFactory, seed: int, families: set[int]
) -> None:
    """The three workbook families and the CRM CSV (``hotpass.synthetic.write_samples``:
    headers below title rows, continuation rows, packed contacts, float phones), with a
    Hypothesis-chosen seed and any subset of the files."""
    root = tmp_path_factory.mktemp("families")
    paths = write_samples(root / "inputs", seed=seed)
    chosen = [paths[index] for index in sorted(families)]

    first = refine_into(root / "ws-first", chosen)
    rows = first.summary.rows
    assert first.summary.status == "published", first.summary.gate
    assert rows["ingested"] == rows["accepted"] + rows["quarantined"]
    again = refine_into(root / "ws-again", chosen)
    assert main_data_digests(again.workspace) == main_data_digests(first.workspace)
    quarantine = pq.read_table(first.export / "quarantine.parquet").to_pylist()
    assert len(quarantine) == rows["quarantined"]
    assert all(row["rule"] and row["reason"] for row in quarantine)
    staged = first.table("staged/organisations")
    # each in exactly one organisation
    assert sorted(first.organisation_members()) == sorted(r["record_id"] for r in staged)
