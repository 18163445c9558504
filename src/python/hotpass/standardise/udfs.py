"""The value normalisers as Ibis scalar UDFs, for the few steps that need a Python library
per value (phonenumbers, email-validator, tldextract) or per-value parsing no SQL function does.
Everything set-based (joins, attachment, counts, quarantine) stays in Ibis expressions.

UDFs are registered with DuckDB's ``null_handling="special"``: NULL arguments reach the Python
function as None and a None result becomes NULL.

The UDFs that return lists or structs are Arrow UDFs (:func:`_each`): DuckDB turns a nested
Python result into its own values one at a time, about 4 microseconds a row on top of the
function's own work; built by Arrow from a whole vector, the same results cost almost nothing
(docs/adr/0021). UDFs returning text, dates or booleans stay row-wise: there it makes no
difference."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

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


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _each(function: Callable[..., Any], returns: dt.DataType, *columns: Any) -> Any:
    """``function`` (one value per argument) over whole columns, the results built by Arrow as
    ``returns``. DuckDB calls an Arrow UDF with a vector of each argument; Spark calls it (an
    Arrow-optimised Python UDF in Ibis's PySpark backend) with one value each, a missing text
    arriving as NaN (its Arrow-to-pandas step), which goes to ``function`` as None."""
    if not isinstance(columns[0], pa.Array | pa.ChunkedArray):
        return function(*(None if _is_nan(value) else value for value in columns))
    values = [column.to_pylist() for column in columns]
    return pa.array([function(*row) for row in zip(*values, strict=True)], returns.to_pyarrow())


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


@ibis.udf.scalar.pyarrow(null_handling="special")
def phone_cell(raw: str) -> dt.Array(PHONE):  # type: ignore[valid-type]
    return _each(phones.parse_phone_cell, dt.Array(PHONE), raw)


@ibis.udf.scalar.pyarrow(null_handling="special")
def email_cell(raw: str) -> dt.Array(EMAIL):  # type: ignore[valid-type]
    return _each(emails.parse_email_cell, dt.Array(EMAIL), raw)


@ibis.udf.scalar.pyarrow(null_handling="special")
def website(raw: str) -> WEBSITE:  # type: ignore[valid-type]
    return _each(websites.parse_website, WEBSITE, raw)  # type: ignore[no-any-return]


@ibis.udf.scalar.pyarrow(null_handling="special")
def address_cell(raw: str) -> dt.Array(ADDRESS):  # type: ignore[valid-type]
    return _each(addresses.split_address_cell, dt.Array(ADDRESS), raw)


@ibis.udf.scalar.pyarrow(null_handling="special")
def contact_cell(raw: str) -> dt.Array(CONTACT):  # type: ignore[valid-type]
    return _each(contacts.parse_contact_cell, dt.Array(CONTACT), raw)


@ibis.udf.scalar.pyarrow(null_handling="special")
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
    return _each(  # type: ignore[no-any-return]
        _sheet_contact_row,
        CONTACT,
        first_name,
        surname,
        position,
        phone,
        mobile,
        landline,
        whatsapp,
        email,
    )


def _sheet_contact_row(
    first_name: str | None,
    surname: str | None,
    position: str | None,
    phone: str | None,
    mobile: str | None,
    landline: str | None,
    whatsapp: str | None,
    email: str | None,
) -> Any:
    return contacts.contact_from_columns(
        first_name, surname, position, [phone, mobile, landline, whatsapp], email
    )
