"""Data contracts: pydantic row models (source of truth), pandera table schemas, JSON Schema."""

from hotpass.contracts.rows import (
    TABLE_MODELS,
    QuarantineRecord,
    RawRecord,
    StagedAddress,
    StagedContact,
    StagedOrganisation,
)

__all__ = [
    "TABLE_MODELS",
    "QuarantineRecord",
    "RawRecord",
    "StagedAddress",
    "StagedContact",
    "StagedOrganisation",
]
