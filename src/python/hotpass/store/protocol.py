"""The versioned-store interface, in lakeFS's model: one repository of branches; objects under
paths; commits with metadata; diff, merge (with conflict detection), revert, tags and log.

Backends: :mod:`hotpass.store.local` (embedded, under the workspace) and
:mod:`hotpass.store.lakefs` (a lakeFS server, through the ``lakefs`` SDK);
:func:`hotpass.store.open_store` picks one from the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from hotpass.errors import HotpassError

ChangeKind = Literal["added", "removed", "changed"]


class StoreError(RuntimeError, HotpassError):
    """A store operation could not be done (unknown ref, bad name, ...)."""


class StoreBusy(StoreError):
    """Another writer holds the store; nothing was changed."""


class NothingToCommit(StoreError):
    """The branch has no uncommitted changes."""


class MergeConflict(StoreError):
    """Both sides changed the same paths since they diverged; nothing was merged."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(f"merge conflict on {len(paths)} path(s): {', '.join(paths[:5])}")


@dataclass(frozen=True)
class Commit:
    id: str
    parents: tuple[str, ...]
    message: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    created_at: str = ""


@dataclass(frozen=True)
class Change:
    path: str
    kind: ChangeKind


class VersionedStore(Protocol):
    def create_branch(self, name: str, source: str) -> str:
        """Create ``name`` at ``source`` (a branch, tag or commit); return its commit id."""

    def delete_branch(self, name: str) -> None:
        ...

    def branches(self) -> dict[str, str]:
        """Branch name -> head commit id."""

    def put(self, branch: str, path: str, data: bytes) -> None:
        """Stage ``data`` at ``path`` on ``branch`` (visible on the branch, not yet committed)."""

    def delete(self, branch: str, path: str) -> None:
        ...

    def get(self, ref: str, path: str) -> bytes:
        ...

    def ls(self, ref: str, prefix: str = "") -> list[str]:
        ...

    def commit(
        self, branch: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> Commit:
        """Commit the branch's staged changes atomically."""

    def log(self, ref: str, limit: int | None = None) -> list[Commit]:
        ...

    def diff(self, left: str, right: str) -> list[Change]:
        """What changed from ``left`` to ``right`` (committed content)."""

    def merge(
        self, source: str, destination: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> Commit:
        """Merge ``source`` into branch ``destination``; :class:`MergeConflict` if both sides
        changed a path differently since their common ancestor."""

    def revert(self, branch: str, commit_id: str) -> Commit:
        """Commit on ``branch`` the inverse of ``commit_id``'s changes."""

    def tag(self, name: str, ref: str) -> str:
        ...

    def tags(self) -> dict[str, str]:
        ...

    def resolve(self, ref: str) -> str:
        """The commit id a branch, tag or commit id names."""

    def gc(self) -> int:
        """Delete data no branch, tag, staging area or commit refers to; return objects freed."""
