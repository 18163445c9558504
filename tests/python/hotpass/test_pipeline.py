"""End to end: the committed samples through ingest and standardise, exact counts."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hotpass.errors import InputError
from hotpass.pipeline import STAGED_EXPORTS, refine
from hotpass.settings import load_settings

SAMPLES = sorted(Path("samples").glob("*.xlsx")) + sorted(Path("samples").glob("*.csv"))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    settings = load_settings(environ={"HOTPASS_WORKSPACE": str(base / "ws")})
    summary = refine(SAMPLES, settings=settings, export_dir=base / "export")
    tables = {
        name: pq.read_table(base / "export" / "staged" / f"{name}.parquet")
        for name in STAGED_EXPORTS
    }
    tables["quarantine"] = pq.read_table(base / "export" / "quarantine.parquet")
    return summary, tables


def test_every_row_is_accounted_for_with_exact_counts(run):
    summary, tables = run
    # Blank rows between data rows are counted; formatted but empty rows below a sheet's last
    # value are not rows of the sheet (the reader stops at the last cell holding a value).
    assert summary.rows == {
        "ingested": 316,
        "blank_skipped": 101,
        "accepted": 311,
        "quarantined": 5,
    }
    assert {name: tables[name].num_rows for name in STAGED_EXPORTS} == {
        "organisations": 225,
        "contacts": 148,
        "addresses": 113,
    }
    assert summary.tables["quarantine"] == 5
    assert summary.quarantine_by_rule == {
        "contact_empty": 1,
        "contact_orphan": 3,
        "organisation_name_missing": 1,
    }
    per_input = {
        Path(i["path"]).name: (i["profile"], i["rows_ingested"], i["blank_skipped"])
        for i in summary.inputs
    }
    assert per_input == {
        "contact_database.xlsx": ("contact_database", 160, 0),
        "crm_export.csv": ("generic", 15, 1),
        "reachout.xlsx": ("reachout", 91, 100),
        "sacaa.xlsx": ("sacaa", 50, 0),
    }
    assert tables["quarantine"].num_rows == summary.rows["quarantined"]


def test_children_attach_by_key_name_row_and_continuation(run):
    _, tables = run
    contacts = tables["contacts"].to_pylist()
    organisations = {r["record_id"] for r in tables["organisations"].to_pylist()}
    assert {c["org_record_id"] for c in contacts} <= organisations
    by_sheet_method = {(c["record_id"].split("::")[1], c["attach_method"]) for c in contacts}
    assert ("Contact Info", "key") in by_sheet_method
    assert ("Contact Info", "name") in by_sheet_method  # rows without an ID
    assert ("Company_Contacts", "name") in by_sheet_method  # C_ID is garbage there
    assert ("Company_Contacts", "key") not in by_sheet_method
    addresses = tables["addresses"].to_pylist()
    satellites = [a for a in addresses if a["attach_method"] == "continuation"]
    assert len(satellites) == 6
    assert all(
        a["address_type"] == "satellite" and "::CAA::" in a["org_record_id"] for a in satellites
    )
    assert {a["org_record_id"] for a in addresses} <= organisations


def test_values_are_normalised(run):
    _, tables = run
    organisations = tables["organisations"].to_pylist()
    assert all(o["province"] != "Unknown" for o in organisations)
    assert any(o["province_raw"] == "Unknown" and o["province"] is None for o in organisations)
    phones = [p for o in organisations for p in o["phones"]]
    assert phones and all(p.startswith("+") and p[1:].isdigit() for p in phones)
    contacts = tables["contacts"].to_pylist()
    contact_phones = [c["phone"] for c in contacts if c["phone"]]
    assert contact_phones and all(p.startswith("+") and ".0" not in p for p in contact_phones)
    assert any(o["do_not_contact"] for o in organisations)
    assert any(
        o["website_kind"] == "directory" and o["website_domain"] is None for o in organisations
    )
    assert any(c["placeholder"] and c["role"] for c in contacts)


def test_run_id_is_stable_for_the_same_inputs(run, tmp_path):
    summary, _ = run
    again = refine(SAMPLES, settings=load_settings(environ={"HOTPASS_WORKSPACE": str(tmp_path)}))
    assert again.run_id == summary.run_id
    assert json.loads(summary.to_json())["status"] == "published"


def test_bad_input_writes_nothing(tmp_path):
    export = tmp_path / "export"
    corrupt = tmp_path / "broken.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InputError, match="broken.xlsx"):
        refine(
            [*SAMPLES, corrupt],
            settings=load_settings(environ={"HOTPASS_WORKSPACE": str(tmp_path / "ws")}),
            export_dir=export,
        )
    assert not export.exists()


def test_two_inputs_with_one_file_name_are_refused_before_reading(tmp_path):
    """Record ids are made from file names: two files called crm_export.csv would share ids."""
    source = next(p for p in SAMPLES if p.suffix == ".csv")
    other = tmp_path / "elsewhere" / source.name
    other.parent.mkdir()
    other.write_bytes(source.read_bytes()[:200])  # another file, the same name
    export = tmp_path / "export"
    settings = load_settings(environ={"HOTPASS_WORKSPACE": str(tmp_path / "ws")})
    with pytest.raises(InputError) as raised:
        refine([*SAMPLES, other], settings=settings, export_dir=export)
    assert raised.value.file == source.name
    assert str(source) in str(raised.value) and str(other) in str(raised.value)
    assert not export.exists()
    assert not (tmp_path / "ws" / "store").exists()  # nothing ingested, nothing staged


def test_an_organisation_breaking_its_contract_moves_to_quarantine_with_its_children(run):
    from hotpass.pipeline import _enforce_contracts

    _, tables = run
    organisations = tables["organisations"]
    keyed = next(c for c in tables["contacts"].to_pylist() if c["attach_method"] == "key")
    rows = organisations.to_pylist()
    position = next(i for i, r in enumerate(rows) if r["record_id"] == keyed["org_record_id"])
    victim = rows[position]
    rows[position] = {**victim, "province": "Atlantis"}
    broken = dict(tables)
    broken["organisations"] = type(organisations).from_pylist(rows, schema=organisations.schema)
    checked, moved = _enforce_contracts(broken)
    assert checked["organisations"].num_rows == organisations.num_rows - 1
    quarantined = checked["quarantine"].to_pylist()
    entry = next(q for q in quarantined if q["record_id"] == victim["record_id"])
    assert entry["rule"].startswith("contract: province")
    children = [
        c
        for c in tables["contacts"].to_pylist()
        if c["org_record_id"] == victim["record_id"] and c["record_id"] != victim["record_id"]
    ]
    assert children
    assert moved == 1 + len({c["record_id"] for c in children})
    assert all(c["org_record_id"] != victim["record_id"] for c in checked["contacts"].to_pylist())


def test_a_list_item_breaking_its_pattern_quarantines_only_its_organisation(run):
    """The phones' pattern is checked in Arrow, over every organisation's list at once."""
    from hotpass.pipeline import _enforce_contracts

    _, tables = run
    organisations = tables["organisations"]
    rows = organisations.to_pylist()
    position = next(i for i, r in enumerate(rows) if len(r["phones"]) >= 1)
    victim = rows[position]
    rows[position] = {**victim, "phones": [*victim["phones"], "0831234567"]}  # not E.164
    broken = {
        **tables,
        "organisations": type(organisations).from_pylist(rows, organisations.schema),
    }
    checked, _ = _enforce_contracts(broken)
    assert checked["organisations"].num_rows == organisations.num_rows - 1
    moved = [q for q in checked["quarantine"].to_pylist() if q["rule"].startswith("contract:")]
    assert [q["record_id"] for q in moved] == [victim["record_id"]]
    assert moved[0]["rule"].startswith("contract: phones: items_match")


def test_the_report_counts_the_changes_since_the_published_version(tmp_path):
    """The audit reads the golden organisations without their provenance; the changes it
    reports are still those of a diff of the whole tables."""
    from hotpass.versions.diff import diff_organisations

    settings = load_settings(environ={"HOTPASS_WORKSPACE": str(tmp_path / "ws")})
    export = tmp_path / "export"
    refine(SAMPLES[:-1], settings=settings, export_dir=export)
    before = pq.read_table(export / "organisations.parquet")
    assert "provenance" in before.column_names
    refine(SAMPLES, settings=settings, export_dir=export)
    diff = diff_organisations(before, pq.read_table(export / "organisations.parquet"))
    assert diff.added and diff.changed and diff.unchanged
    report = (export / "report.md").read_text(encoding="utf-8").splitlines()
    assert (
        f"- since last published: added {len(diff.added)}, removed {len(diff.removed)}, "
        f"changed {len(diff.changed)}, unchanged {diff.unchanged}"
    ) in report
