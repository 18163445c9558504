"""Versioned storage of published data (lakeFS's model); see :mod:`hotpass.store.protocol`."""

from hotpass.store.local import LocalStore, NothingToCommit
from hotpass.store.protocol import (
    Change,
    Commit,
    MergeConflict,
    StoreBusy,
    StoreError,
    VersionedStore,
)

__all__ = [
    "Change",
    "Commit",
    "LocalStore",
    "MergeConflict",
    "NothingToCommit",
    "StoreBusy",
    "StoreError",
    "VersionedStore",
]
