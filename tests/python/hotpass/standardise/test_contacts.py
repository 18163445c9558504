from hypothesis import given
from hypothesis import strategies as st

from hotpass.standardise.contacts import (
    contact_from_columns,
    contacts_with_details,
    parse_contact_cell,
)


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


def test_one_contact_takes_the_row_phone_and_email():
    [contact] = contacts_with_details(
        "Ann Smith (CFI)", "+27 11 805 9015 / 9016", "ann@crane-air.co.za"
    )
    assert contact["phone"] == "+27118059015"
    assert contact["email"] == "ann@crane-air.co.za"


def test_details_pair_by_position_when_counts_agree_and_not_otherwise():
    pair = contacts_with_details(
        "A One (CFI); B Two (Owner)", "0821234567; 0831234567", "a@x-air.co.za"
    )
    assert [c["phone"] for c in pair] == ["+27821234567", "+27831234567"]
    assert [c["email"] for c in pair] == [None, None]


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
