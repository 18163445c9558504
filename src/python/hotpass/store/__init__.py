"""Versioned storage of published data (lakeFS's model); see :mod:`hotpass.store.protocol`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotpass.store.local import LocalStore
from hotpass.store.protocol import (
    Change,
    Commit,
    MergeConflict,
    NothingToCommit,
    StoreBusy,
    StoreError,
    VersionedStore,
)

if TYPE_CHECKING:
    from hotpass.settings import Settings


def open_store(settings: Settings) -> VersionedStore:
    """The lakeFS repository when an endpoint is configured, else the embedded store under the
    workspace (created on first use)."""
    if settings.lakefs.endpoint:
        # Imported here: the SDK costs ~0.7 s and the embedded store does not need it.
        from hotpass.store.lakefs import LakeFSStore

        return LakeFSStore.from_settings(settings.lakefs)
    return LocalStore(settings.workspace / "store")


def store_location(settings: Settings) -> str:
    """Where the store lives, for messages (never includes credentials)."""
    if settings.lakefs.endpoint:
        from hotpass.doctor import redact_url

        where = redact_url(settings.lakefs.endpoint)
        return f"lakeFS repository {settings.lakefs.repository!r} at {where}"
    return str(settings.workspace / "store")


__all__ = [
    "Change",
    "Commit",
    "LocalStore",
    "MergeConflict",
    "NothingToCommit",
    "StoreBusy",
    "StoreError",
    "VersionedStore",
    "open_store",
    "store_location",
]
