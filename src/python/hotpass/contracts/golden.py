"""Contracts of the published tables (golden records, resolution, quarantine) and the explicit
Arrow schemas derived from them.

Publishing casts every table to :func:`arrow_schema` of its contract, so the Parquet in the store
has one declared shape whatever the engine inferred: column order, types and nullability come
from these models, and a column that is missing, unexpected or null where the contract forbids
it stops the run.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from typing import Any, Literal, Union

from pydantic import BaseModel, Field

from hotpass.contracts.rows import E164Number, QuarantineRecord, StagedAddress, _Row
from hotpass.errors import HotpassError

RecordKind = Literal["organisation", "site"]


class Loser(_Row):
    """A value a lower-ranked record offered for a field."""

    record_id: str
    value: str | None


class ProvenanceEntry(_Row):
    """Which records a golden field came from, and the rule that chose it."""

    field: str
    value: str | None
    values: list[str]
    record_ids: list[str]
    rule: str
    losers: list[Loser]


class GoldenOrganisation(_Row):
    """One organisation (or site of one) after resolution and survivorship."""

    org_id: str = Field(description="stable across runs (registry of record ids)")
    parent_org_id: str | None = Field(description="the organisation a site belongs to")
    record_kind: RecordKind
    display_name: str
    match_key: str
    website_url: str | None
    website_domain: str | None
    emails: list[str]
    phones: list[E164Number]
    province: str | None
    category: str | None
    org_type: str | None
    registration_status: str | None
    crm_status: str | None
    priority: str | None
    amo_number: str | None
    planes: list[str]
    descriptions: list[str]
    notes: list[str]
    locations: list[str]
    last_interaction_date: date | None
    last_order_date: date | None
    distance_bucket: str | None
    do_not_contact: bool = Field(description="any record of the organisation said so")
    source_records: list[str] = Field(description="every staged record merged into this one")
    provenance: list[ProvenanceEntry]
    data_quality_score: float = Field(ge=0, le=1)
    data_quality_flags: list[str]
    lead_score: float | None = Field(ge=0, le=1, description="the champion model's estimate")
    lead_model_version: str | None = Field(description="registered version that scored it")
    in_call_list: bool = Field(description="false for do-not-contact organisations")


class GoldenContact(_Row):
    """One person at a golden organisation (same email, or same name and phone, merged)."""

    contact_id: str
    org_id: str
    name: str | None
    role: str | None
    email: str | None
    phone: str | None
    note: str | None
    do_not_contact: bool
    placeholder: bool
    is_primary: bool
    source_contacts: list[str]
    source_records: list[str]
    provenance: list[ProvenanceEntry]


class GoldenAddress(StagedAddress):
    """An address of a golden organisation: the staged address and the organisation it
    belongs to."""

    org_id: str


class ResolutionLink(_Row):
    """Two records resolution put in one organisation, and why."""

    left_record_id: str
    right_record_id: str
    rule: str
    match_probability: float | None
    match_weight: float | None
    evidence: str | None
    status: str


class ReviewPair(_Row):
    """A pair a person should decide; ``left_*``/``right_*`` columns (one pair per compared
    field of the resolution profile) show both records side by side."""

    pair_id: str
    left_record_id: str
    right_record_id: str
    match_probability: float | None
    match_weight: float | None
    reason: str
    evidence: str | None


GOLDEN_MODELS: dict[str, type[_Row]] = {
    "organisations": GoldenOrganisation,
    "contacts": GoldenContact,
    "addresses": GoldenAddress,
    "links": ResolutionLink,
    "review_queue": ReviewPair,
    "quarantine": QuarantineRecord,
}
# Tables that carry profile-dependent columns beyond their contract, all text.
_SIDE_BY_SIDE = {"review_queue": ("left_", "right_")}


class ContractMismatch(RuntimeError, HotpassError):
    """A published table does not have the shape its contract declares (a bug upstream)."""


def _arrow_type(annotation: Any) -> tuple[Any, bool]:
    """The Arrow type of a field annotation, and whether it may be null."""
    import pyarrow as pa

    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _arrow_type(args[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _arrow_type(inner[0])[0], True
    if origin is list:
        return pa.list_(_arrow_type(args[0])[0]), False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _struct(annotation), False
    simple = {
        str: pa.string(),
        bool: pa.bool_(),
        int: pa.int64(),
        float: pa.float64(),
        date: pa.date32(),
    }
    if origin is Literal or annotation in simple:
        return (pa.string() if origin is Literal else simple[annotation]), False
    raise TypeError(f"no Arrow type for {annotation!r}")


def _fields(model: type[BaseModel]) -> list[Any]:
    import pyarrow as pa

    hints = typing.get_type_hints(model, include_extras=True)
    fields = []
    for name in model.model_fields:
        arrow, nullable = _arrow_type(hints[name])
        fields.append(pa.field(name, arrow, nullable=nullable))
    return fields


def _struct(model: type[BaseModel]) -> Any:
    import pyarrow as pa

    return pa.struct(_fields(model))


def arrow_schema(name: str, columns: list[str] | None = None) -> Any:
    """The Arrow schema of published table ``name``; ``columns`` (the table's own) adds the
    side-by-side text columns tables such as ``review_queue`` may carry."""
    import pyarrow as pa

    fields = _fields(GOLDEN_MODELS[name])
    prefixes = _SIDE_BY_SIDE.get(name, ())
    known = {f.name for f in fields}
    extra = [c for c in columns or [] if c not in known and c.startswith(prefixes) and prefixes]
    return pa.schema(fields + [pa.field(c, pa.string()) for c in extra])


def conform(name: str, table: Any) -> Any:
    """``table`` cast to its contract's Arrow schema, columns in contract order.

    Raises:
        ContractMismatch: a column is missing or unexpected, a value cannot be cast, or a
            column the contract makes required holds nulls (names only, never values).
    """
    import pyarrow as pa

    schema = arrow_schema(name, table.column_names)
    missing = [f.name for f in schema if f.name not in table.column_names]
    extra = [c for c in table.column_names if c not in schema.names]
    if missing or extra:
        raise ContractMismatch(
            f"table {name!r} does not match its contract: missing {missing}, unexpected {extra}"
        )
    nulls = [f.name for f in schema if not f.nullable and table.column(f.name).null_count]
    if nulls:
        raise ContractMismatch(f"table {name!r} has nulls in required column(s) {nulls}")
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        # Arrow's message may quote a value: name the table and the error kind only.
        raise ContractMismatch(
            f"table {name!r} cannot take its contract's types ({type(exc).__name__})"
        ) from None
