"""The value normalisers as Ibis scalar UDFs, for the few steps that need a Python library
per value (phonenumbers, email-validator, tldextract) or per-value parsing no SQL function does.
Everything set-based (joins, attachment, counts, quarantine) stays in Ibis expressions.

UDFs are registered with DuckDB's ``null_handling="special"``: NULL arguments reach the Python
function as None and a None result becomes NULL."""

from __future__ import annotations

import datetime as _dt

import ibis
import ibis.expr.datatypes as dt

from hotpass.standardise import (
    addresses,
    contacts,
    dates,
    emails,
    names,
    phones,
    provinces,
    status,
    websites,
)

PHONE = dt.Struct({"raw": "string", "e164": "string", "kind": "string", "reason": "string"})
EMAIL = dt.Struct(
    {
        "raw": "string",
        "email": "string",
        "domain": "string",
        "generic_domain": "boolean",
        "reason": "string",
    }
)
WEBSITE = dt.Struct(
    {"raw": "string", "url": "string", "domain": "string", "kind": "string", "reason": "string"}
)
CONTACT = dt.Struct(
    {
        "name": "string",
        "role": "string",
        "email": "string",
        "phone": "string",
        "phone_raw": "string",
        "phone_kind": "string",
        "placeholder": "boolean",
        "reason": "string",
    }
)
ADDRESS = dt.Struct({"kind": "string", "text": "string"})


@ibis.udf.scalar.python(null_handling="special")
def display_name(raw: str) -> str:
    return names.display_name(raw)  # type: ignore[return-value]


@ibis.udf.scalar.python(null_handling="special")
def match_key(raw: str) -> str:
    return names.match_key(raw)  # type: ignore[return-value]


@ibis.udf.scalar.python(null_handling="special")
def location_qualifier(raw: str) -> str:
    return names.location_qualifier(raw)  # type: ignore[return-value]


@ibis.udf.scalar.python(null_handling="special")
def province(raw: str) -> str:
    return provinces.normalise_province(raw)  # type: ignore[return-value]


@ibis.udf.scalar.python(null_handling="special")
def calendar_date(raw: str, order: str) -> _dt.date:
    return dates.parse_date(raw, month_first=order == "month_first")  # type: ignore[return-value]


@ibis.udf.scalar.python(null_handling="special")
def do_not_contact(raw: str) -> bool:
    return status.is_do_not_contact(raw)


@ibis.udf.scalar.python(null_handling="special")
def phone_cell(raw: str) -> dt.Array(PHONE):  # type: ignore[valid-type]
    return phones.parse_phone_cell(raw)


@ibis.udf.scalar.python(null_handling="special")
def email_cell(raw: str) -> dt.Array(EMAIL):  # type: ignore[valid-type]
    return emails.parse_email_cell(raw)


@ibis.udf.scalar.python(null_handling="special")
def website(raw: str) -> WEBSITE:  # type: ignore[valid-type]
    return websites.parse_website(raw)


@ibis.udf.scalar.python(null_handling="special")
def address_cell(raw: str) -> dt.Array(ADDRESS):  # type: ignore[valid-type]
    return addresses.split_address_cell(raw)


@ibis.udf.scalar.python(null_handling="special")
def contact_cell(raw: str) -> dt.Array(CONTACT):  # type: ignore[valid-type]
    return contacts.parse_contact_cell(raw)


@ibis.udf.scalar.python(null_handling="special")
def sheet_contact(
    first_name: str,
    surname: str,
    position: str,
    phone: str,
    mobile: str,
    landline: str,
    whatsapp: str,
    email: str,
) -> CONTACT:  # type: ignore[valid-type]
    return contacts.contact_from_columns(
        first_name, surname, position, [phone, mobile, landline, whatsapp], email
    )
