"""Business exports: formula injection, phones as text, do-not-contact withheld."""

import csv
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from hotpass.contracts.golden import arrow_schema
from hotpass.publish import DATA_PATHS, parquet_bytes
from hotpass.store import LocalStore
from hotpass.versions.export import export_version

INJECTIONS = ['=HYPERLINK("http://x.test")', "+27821234567", "-1+1", "@SUM(A1)", "\tTab", "\rCR"]


def _empty(name):
    return pa.Table.from_pylist([], schema=arrow_schema(name))


def _org(org_id, name, dnc=False, **extra):
    row: dict[str, Any] = {name_: None for name_ in arrow_schema("organisations").names}
    row.update(
        org_id=org_id,
        record_kind="organisation",
        display_name=name,
        match_key=name.lower(),
        emails=[f"ops@{org_id}.test"],
        phones=["+27115550100"],
        planes=[],
        descriptions=[],
        notes=[],
        locations=[],
        do_not_contact=dnc,
        source_records=[f"f.xlsx::S::{len(org_id)}"],
        provenance=[],
        data_quality_score=0.5,
        data_quality_flags=[],
        in_call_list=not dnc,
    )
    row.update(extra)
    return row


def _contact(contact_id, org_id, name, dnc=False):
    row: dict[str, Any] = {c: None for c in arrow_schema("contacts").names}
    row.update(
        contact_id=contact_id,
        org_id=org_id,
        name=name,
        phone="+27825550101",
        do_not_contact=dnc,
        placeholder=False,
        is_primary=True,
        source_contacts=[],
        source_records=[],
        provenance=[],
    )
    return row


@pytest.fixture
def version(tmp_path):
    store = LocalStore(tmp_path / "store")
    orgs = pa.Table.from_pylist(
        [
            _org("org_a", INJECTIONS[0], notes=INJECTIONS[2:]),
            _org("org_b", "Bravo Air", dnc=True),
            _org("org_c", "Charlie", category=INJECTIONS[3]),
        ],
        schema=arrow_schema("organisations"),
    )
    contacts = pa.Table.from_pylist(
        [
            _contact("c1", "org_a", INJECTIONS[4]),
            _contact("c2", "org_b", "Synthetic Person"),  # organisation is do-not-contact
            _contact("c3", "org_c", INJECTIONS[5], dnc=True),  # the person is
        ],
        schema=arrow_schema("contacts"),
    )
    tables = {name: _empty(name) for name in DATA_PATHS}
    tables.update(organisations=orgs, contacts=contacts)
    for name, path in DATA_PATHS.items():
        store.put("main", path, parquet_bytes(name, tables[name]))
    store.commit("main", "hand-made version")
    return store


def test_csv_cells_that_would_run_as_formulas_get_a_quote(version, tmp_path):
    export_version(version, "main", tmp_path / "out", formats=("csv",))
    with open(tmp_path / "out" / "organisations.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {r["org_id"]: r for r in rows}
    assert by_id["org_a"]["display_name"] == "'" + INJECTIONS[0]
    assert by_id["org_c"]["category"] == "'@SUM(A1)"
    assert by_id["org_a"]["phones"] == "'+27115550100"  # text, the + kept
    assert by_id["org_c"]["display_name"] == "Charlie"  # harmless text untouched
    with open(tmp_path / "out" / "contacts.csv", newline="") as handle:
        names = [r["name"] for r in csv.DictReader(handle)]
    assert names == ["'\tTab"]


def test_xlsx_has_one_sheet_per_table_frozen_header_filter_and_no_formulas(version, tmp_path):
    export_version(version, "main", tmp_path / "out", formats=("xlsx",))
    book = load_workbook(tmp_path / "out" / "hotpass.xlsx")
    assert book.sheetnames == [
        "organisations",
        "contacts",
        "addresses",
        "review_queue",
        "quarantine",
    ]
    sheet = book["organisations"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@\t\r"]
    assert {c.value for c in risky} >= {INJECTIONS[0], "+27115550100", "@SUM(A1)"}
    assert all(c.quotePrefix and c.data_type == "s" for c in risky)
    phones = [c for c in cells if c.value == "+27115550100"]
    assert phones and all(c.number_format == "@" for c in phones)


def test_do_not_contact_is_withheld_unless_asked(version, tmp_path):
    result = export_version(version, "main", tmp_path / "plain", formats=("csv",))
    assert result.withheld_contacts == 2
    with open(tmp_path / "plain" / "organisations.csv", newline="") as handle:
        orgs = {r["org_id"]: r for r in csv.DictReader(handle)}
    assert orgs["org_b"]["emails"] == "" and orgs["org_b"]["phones"] == ""
    assert orgs["org_a"]["emails"] == "ops@org_a.test"
    everything = export_version(
        version, "main", tmp_path / "all", formats=("csv", "parquet"), include_do_not_contact=True
    )
    assert everything.withheld_contacts == 0
    assert everything.rows["contacts"] == 3
    assert (tmp_path / "all" / "organisations.parquet").read_bytes() == version.get(
        "main", DATA_PATHS["organisations"]
    )
