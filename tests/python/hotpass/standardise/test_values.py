"""Provinces, websites, dates, statuses and address cells."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotpass.standardise.addresses import split_address_cell
from hotpass.standardise.dates import parse_date
from hotpass.standardise.provinces import Province, normalise_province
from hotpass.standardise.status import is_do_not_contact
from hotpass.standardise.websites import parse_website


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kwa-Zulu Natal", "KwaZulu-Natal"),
        ("KZN", "KwaZulu-Natal"),
        ("gauteng", "Gauteng"),
        ("W Cape", "Western Cape"),
        ("North-West", "North West"),
        ("Unknown", None),
        ("N/A", None),
        ("", None),
        (None, None),
    ],
)
def test_provinces(raw, expected):
    assert normalise_province(raw) == expected


@given(st.text(max_size=30))
def test_province_is_always_one_of_nine_or_none_and_idempotent(text):
    value = normalise_province(text)
    assert value is None or value in {p.value for p in Province}
    assert normalise_province(value) == value


def test_website_domain_is_kept_apart_from_the_page():
    value = parse_website("WWW.Crane-Air.co.za/contact-us/")
    assert value is not None
    assert value["domain"] == "crane-air.co.za"
    assert value["url"] == "https://crane-air.co.za/contact-us"
    assert value["kind"] == "own"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("https://www.facebook.com/someclub", "social"), ("sa-airports.co.za/tenants", "directory")],
)
def test_social_and_directory_pages_are_recognised(raw, kind):
    value = parse_website(raw)
    assert value is not None
    assert value["kind"] == kind


def test_not_a_website():
    value = parse_website("info@crane-air.co.za")
    assert value is not None
    assert value["domain"] is None
    assert value["reason"] == "an email, not a website"


@given(st.text(max_size=60))
def test_website_parse_is_idempotent(text):
    first = parse_website(text)
    if first and first["url"]:
        again = parse_website(first["url"])
        assert again is not None
        assert again["url"] == first["url"]
        assert again["domain"] == first["domain"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("26/07/2025", date(2025, 7, 26)),
        ("2025-07-26", date(2025, 7, 26)),
        ("05/07/2025", date(2025, 7, 5)),
        ("45864", date(2025, 7, 26)),
        ("next week", None),
        ("31/02/2025", None),
    ],
)
def test_dates_are_day_first(raw, expected):
    assert parse_date(raw) == expected


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_date_forms_agree(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day


@pytest.mark.parametrize(
    ("raw", "expected"), [("DNC", True), ("ntc", True), ("Active", False), (None, False)]
)
def test_do_not_contact(raw, expected):
    assert is_do_not_contact(raw) is expected


def test_street_and_postal_run_together_are_split():
    parts = split_address_cell("12 Hangar Rd, Pretoria 0182PO Box 80602, Pretoria 0001")
    assert parts == [
        {"kind": "street", "text": "12 Hangar Rd, Pretoria 0182"},
        {"kind": "postal", "text": "PO Box 80602, Pretoria 0001"},
    ]


def test_month_first_sheets_read_month_first():
    assert parse_date("07/26/2025", month_first=True) == date(2025, 7, 26)
    assert parse_date("07/26/2025") is None
    assert parse_date("2025-07-26", month_first=True) == date(2025, 7, 26)


@given(st.text(max_size=40))
def test_date_parsing_never_crashes(text):
    parsed = parse_date(text)
    assert parsed is None or date(1950, 1, 1) <= parsed < date(2100, 1, 1)
    assert parse_date(text, month_first=True) is None or isinstance(
        parse_date(text, month_first=True), date
    )


@given(st.text(max_size=120))
def test_address_split_never_loses_text(text):
    parts = split_address_cell(text)
    joined = "".join(p["text"] for p in parts).replace(" ", "")
    original = " ".join(text.split()).strip(" ,;").replace(" ", "")
    assert all(p["kind"] in {"street", "postal"} and p["text"] for p in parts)
    assert set(joined) <= set(original)
