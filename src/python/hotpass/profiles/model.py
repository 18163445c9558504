"""Typed, frozen models of a source profile, validated when the YAML is loaded."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["organisation", "contact", "address"]
PrivacyBasis = Literal["legitimate_interest", "consent", "public_register", "contract"]
DateOrder = Literal["day_first", "month_first"]

# Every raw cell is mapped onto one of these names; standardise knows what each one means.
CanonicalField = Literal[
    "organisation_name",
    "source_key",
    "website",
    "email",
    "phone",
    "mobile",
    "landline",
    "whatsapp",
    "province",
    "category",
    "org_type",
    "registration_status",
    "crm_status",
    "priority",
    "address",
    "address_type",
    "airport",
    "contacts_cell",
    "first_name",
    "surname",
    "position",
    "notes",
    "load_date",
    "interaction_date",
    "order_date",
    "amo_number",
    "planes",
    "description",
    "invalid_marker",
    "distance",
]


CANONICAL_FIELDS: tuple[str, ...] = get_args(CanonicalField)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def header_key(text: str) -> str:
    """How header labels are compared: case, spacing and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class ColumnSpec(_Frozen):
    """Where a canonical field's values are: a header among ``synonyms``, or the n-th unnamed
    column that holds data (``unnamed: 1``) for sheets that leave a header blank."""

    synonyms: tuple[str, ...] = ()
    unnamed: int | None = Field(default=None, ge=1)
    required: bool = False

    @model_validator(mode="after")
    def _located(self) -> ColumnSpec:
        if not self.synonyms and self.unnamed is None:
            raise ValueError("a column needs synonyms or unnamed")
        return self


class HeaderSpec(_Frozen):
    """The header is the first of the top ``search_rows`` rows matching ``min_matches`` synonyms."""

    search_rows: int = Field(default=10, ge=1, le=100)
    min_matches: int = Field(default=2, ge=1)


class AttachSpec(_Frozen):
    """How child rows find their organisation in the same file: by key when the key is real,
    else by the organisation name's match key."""

    by_key: bool = False
    by_name: bool = True


class ContinuationSpec(_Frozen):
    """Rows whose ``when_blank`` field is empty continue the organisation above them
    (the CAA register's satellite stations) and become addresses of it."""

    when_blank: CanonicalField = "organisation_name"
    address_type: str = "satellite"


class SheetSpec(_Frozen):
    name: str
    role: Role
    header: HeaderSpec = HeaderSpec()
    columns: dict[CanonicalField, ColumnSpec]
    # Columns that never make a row non-blank on their own (a pre-filled ID).
    filler_columns: tuple[CanonicalField, ...] = ()
    # Header labels of columns that are read but deliberately not mapped (a side table).
    ignore_columns: tuple[str, ...] = ()
    attach: AttachSpec | None = None
    # Values set on every row of the sheet (the CAA register holds only AMOs).
    constants: dict[CanonicalField, str] = Field(default_factory=dict)
    continuation: ContinuationSpec | None = None
    optional: bool = False
    # How date strings are read: "26/07/2025" (day_first) or "07/26/2025" (month_first).
    date_order: DateOrder = "day_first"

    @model_validator(mode="after")
    def _consistent(self) -> SheetSpec:
        problems = []
        if self.role in {"contact", "address"} and self.attach is None:
            problems.append(f"sheet {self.name!r}: a {self.role} sheet needs 'attach'")
        if self.role == "organisation" and "organisation_name" not in self.columns:
            problems.append(f"sheet {self.name!r}: an organisation sheet maps organisation_name")
        unknown = [c for c in self.filler_columns if c not in self.columns]
        if unknown:
            problems.append(f"sheet {self.name!r}: filler_columns not mapped: {unknown}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class IgnoredSheet(_Frozen):
    name: str
    reason: str


class DetectSpec(_Frozen):
    """A workbook belongs to this family when it has every one of ``required_sheets``."""

    required_sheets: tuple[str, ...] = ()
    fallback: bool = False


class Profile(_Frozen):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    source_priority: int = Field(ge=0, le=100)
    privacy_basis: PrivacyBasis
    collected_at: date | None = None
    detect: DetectSpec
    sheets: tuple[SheetSpec, ...]
    ignored_sheets: tuple[IgnoredSheet, ...] = ()

    @model_validator(mode="after")
    def _sheets_unique(self) -> Profile:
        names = [s.name for s in self.sheets] + [s.name for s in self.ignored_sheets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"sheets listed twice: {duplicates}")
        missing = [s for s in self.detect.required_sheets if s not in {x.name for x in self.sheets}]
        if missing:
            raise ValueError(f"detect.required_sheets not among sheets: {missing}")
        return self

    def sheet(self, name: str) -> SheetSpec | None:
        for spec in self.sheets:
            if header_key(spec.name) == header_key(name):
                return spec
        return None
