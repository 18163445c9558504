import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hotpass.ingest import ingest
from hotpass.profiles import builtin_profiles
from hotpass.settings import load_settings
from hotpass.standardise.contacts import contact_from_columns, parse_contact_cell
from hotpass.standardise.parallel import standardise_spool


def names_and_roles(cell):
    return [(c["name"], c["role"]) for c in parse_contact_cell(cell)]


def test_packed_forms():
    assert names_and_roles("Ann Smith (CFI); Bo Ng (Owner)") == [
        ("Ann Smith", "CFI"),
        ("Bo Ng", "Owner"),
    ]
    assert names_and_roles("Ann Smith \u2014 Chief Pilot") == [("Ann Smith", "Chief Pilot")]
    assert names_and_roles("Ann Smith - Chief Pilot") == [("Ann Smith", "Chief Pilot")]
    assert names_and_roles("Ann Smith") == [("Ann Smith", None)]


def test_not_publicly_listed_becomes_a_role_only_contact():
    [contact] = parse_contact_cell("Accountable Manager (Not Publicly Listed)")
    assert contact["name"] is None
    assert contact["role"] == "Accountable Manager"
    assert contact["placeholder"] is True
    assert contact["reason"] == "placeholder name: role-only contact"


def test_pure_placeholders_are_dropped():
    assert parse_contact_cell("-") == []
    assert parse_contact_cell("Office") == []


def _packed_contacts(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> dict[str, list]:
    """Standardise a generic CSV of (organisation, contact cell, phone cell, email cell) rows;
    each organisation's packed contacts as (name, phone, phone_raw, phone_kind, email), in
    cell order."""
    path = tmp_path / "packed.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Organisation Name", "Contact Person", "Phone", "Email"])
        writer.writerows(rows)
    ingested = ingest([path], profile=None, profiles=builtin_profiles(), spool=tmp_path)
    settings = load_settings(environ={}, overrides={"workspace": tmp_path / "ws"})
    frames, _ = standardise_spool(ingested, settings)
    names = {r["record_id"]: r["name_raw"] for r in frames["organisations"].to_pylist()}
    found: dict[str, list] = {}
    for c in sorted(frames["contacts"].to_pylist(), key=lambda c: c["contact_id"]):
        found.setdefault(names[c["org_record_id"]], []).append(
            (c["name"], c["phone"], c["phone_raw"], c["phone_kind"], c["email"])
        )
    return found


def test_packed_contacts_take_their_own_rows_phones_and_emails(tmp_path: Path) -> None:
    found = _packed_contacts(
        tmp_path,
        [
            # One contact takes the first valid phone and email of the row.
            (
                "Crane Air",
                "Ann Smith (CFI)",
                "Web form; +27 11 805 9015 / 9016",
                "bad@; ann@crane-air.co.za",
            ),
            # Two contacts, two phones: by position; one email for two people: nobody's.
            (
                "Ng Aviation",
                "A One (CFI); B Two (Owner)",
                "0821234567; 0831234567",
                "a@ng-air.co.za",
            ),
            # Two contacts, three phones: the counts disagree, so no phone is given.
            ("Tern Flight", "C Three; D Four", "0821234567; 0831234567; 0841234567", ""),
            # A contact without phone or email keeps its name.
            ("Kite Air", "E Five (Owner)", "", ""),
        ],
    )
    assert found == {
        "Crane Air": [
            ("Ann Smith", "+27118059015", "+27 11 805 9015", "landline", "ann@crane-air.co.za")
        ],
        "Ng Aviation": [
            ("A One", "+27821234567", "0821234567", "mobile", None),
            ("B Two", "+27831234567", "0831234567", "mobile", None),
        ],
        "Tern Flight": [("C Three", None, None, None, None), ("D Four", None, None, None, None)],
        "Kite Air": [("E Five", None, None, None, None)],
    }


def test_sheet_columns_full_name_in_first_name_and_placeholder_people():
    whole = contact_from_columns("Ann Smith", None, "CFI", ["27831234567"], None)
    assert whole is not None
    assert whole["name"] == "Ann Smith"
    assert whole["phone"] == "+27831234567"
    office = contact_from_columns("-", "-", "Office", ["+27118059015"], "info@x-air.co.za")
    assert office is not None
    assert office["name"] is None
    assert office["placeholder"] is True
    assert office["phone"] == "+27118059015"
    assert contact_from_columns(None, None, None, [None], None) is None


@given(st.text(max_size=80))
def test_never_crashes_and_each_contact_has_a_name_or_role(text):
    for contact in parse_contact_cell(text):
        assert contact["name"] or contact["role"]
