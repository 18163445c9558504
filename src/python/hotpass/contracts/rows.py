"""Pydantic row models of the canonical tables: the source of truth for every contract.

JSON Schemas in ``schemas/`` and ``docs/reference/schemas.md`` are generated from these models
(``hotpass contracts export``); the pandera table models in :mod:`hotpass.contracts.tables`
are checked against them by the tests.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from hotpass.profiles.model import CANONICAL_FIELDS, DateOrder, PrivacyBasis, Role

RECORD_ID = r"^.+::.+::[1-9][0-9]*$"
E164 = r"^\+[1-9][0-9]{6,14}$"
E164Number = Annotated[str, StringConstraints(pattern=E164)]
AttachMethod = Literal["key", "name", "same_row", "continuation"]
Province = Literal[
    "Eastern Cape",
    "Free State",
    "Gauteng",
    "KwaZulu-Natal",
    "Limpopo",
    "Mpumalanga",
    "North West",
    "Northern Cape",
    "Western Cape",
]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PhoneValue(_Row):
    """One phone as found in a cell: its raw text and either an E.164 number or a reason."""

    raw: str
    e164: str | None = Field(pattern=E164)
    kind: str | None
    reason: str | None


class EmailValue(_Row):
    """One email as found in a cell: its raw text and either a valid address or a reason."""

    raw: str
    email: str | None
    domain: str | None
    generic_domain: bool | None = Field(description="a mailbox provider such as gmail.com")
    reason: str | None


class SourceRef(_Row):
    """Where a row came from: ``record_id = "{file}::{sheet}::{excel_row}"``."""

    record_id: str = Field(pattern=RECORD_ID)
    source_file: str
    sheet: str
    excel_row: int = Field(ge=1)
    profile: str


class _RawBase(SourceRef):
    """One non-blank input row, every cell as text (canonical fields as columns)."""

    file_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    role: Role
    source_priority: int = Field(ge=0, le=100)
    privacy_basis: PrivacyBasis
    collected_at: date | None
    attach_by_key: bool
    attach_by_name: bool
    parent_record_id: str | None
    continuation_type: str | None
    date_order: DateOrder
    extra: str | None = Field(description="JSON object of unmapped columns: header -> text")


RawRecord: type[_RawBase] = create_model(  # type: ignore[call-overload]
    "RawRecord",
    __base__=_RawBase,
    __doc__=_RawBase.__doc__,
    **{name: (str | None, Field(default=None)) for name in CANONICAL_FIELDS},
)


class StagedOrganisation(SourceRef):
    """An organisation row with normalised values beside the raw ones."""

    source_priority: int = Field(ge=0, le=100)
    privacy_basis: PrivacyBasis
    collected_at: date | None
    name_raw: str
    display_name: str = Field(min_length=1)
    match_key: str = Field(min_length=1, pattern=r"^[^\W_]+( [^\W_]+)*$")
    location_qualifier: str | None
    source_key: str | None
    website_raw: str | None
    website_url: str | None
    website_domain: str | None = Field(description="the organisation's own registrable domain")
    website_kind: Literal["own", "social", "directory"] | None
    email_values: list[EmailValue] = Field(
        description="every email in the cell, raw beside normalised"
    )
    phone_values: list[PhoneValue] = Field(
        description="every phone in the cell(s), raw beside E.164"
    )
    emails: list[str]
    phones: list[E164Number]
    province_raw: str | None
    province: Province | None
    category: str | None
    org_type: str | None
    registration_status: str | None
    crm_status: str | None
    priority: str | None
    do_not_contact: bool
    amo_number: str | None
    planes: str | None
    description: str | None
    notes: str | None
    load_date: date | None = Field(description="when the row was loaded; not an interaction")
    last_interaction_date: date | None = Field(description="the latest outreach or note")
    last_order_date: date | None = Field(description="the latest order (a sales outcome)")
    distance_bucket: str | None
    issues: list[str] = Field(description="per-value problems: 'field: reason' (no values)")


class StagedContact(_Row):
    """One whole contact: name, role, email and phone stay together."""

    contact_id: str
    record_id: str = Field(pattern=RECORD_ID)
    org_record_id: str = Field(pattern=RECORD_ID)
    attach_method: AttachMethod
    source_file: str
    profile: str
    name: str | None
    role: str | None
    email: str | None
    phone: str | None = Field(pattern=E164)
    phone_raw: str | None = Field(description="the cell text the phone was parsed from")
    phone_kind: str | None
    placeholder: bool
    note: str | None
    do_not_contact: bool


class StagedAddress(_Row):
    """One address of an organisation: a street or postal part, or a satellite station."""

    address_id: str
    record_id: str = Field(pattern=RECORD_ID)
    org_record_id: str = Field(pattern=RECORD_ID)
    attach_method: AttachMethod
    source_file: str
    profile: str
    address_type: str | None
    kind: Literal["street", "postal"]
    text: str | None
    airport: str | None


class QuarantineRecord(SourceRef):
    """A raw row that reached no staged table, with the rule it broke (never its values)."""

    role: Role
    rule: str
    reason: str


TABLE_MODELS: dict[str, type[_Row]] = {
    "raw": RawRecord,
    "organisations": StagedOrganisation,
    "contacts": StagedContact,
    "addresses": StagedAddress,
    "quarantine": QuarantineRecord,
}
