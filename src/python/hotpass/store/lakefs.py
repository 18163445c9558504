"""The lakeFS backend: :class:`hotpass.store.protocol.VersionedStore` on a lakeFS repository,
through the ``lakefs`` Python SDK.

lakeFS does the versioning itself; this module maps the protocol onto its calls and its errors
onto ours (``no changes`` -> :class:`NothingToCommit` or "already merged", 409 on merge ->
:class:`MergeConflict` with the paths both sides changed). Credentials come from
:class:`hotpass.settings.LakeFSSettings` (which also reads lakectl's ``LAKECTL_*`` variables)
and never appear in messages. Garbage collection is lakeFS's own retention job, configured on
the server, so :meth:`LakeFSStore.gc` frees nothing here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import lakefs
from lakefs.exceptions import (
    BadRequestException,
    ConflictException,
    LakeFSException,
    NotAuthorizedException,
    NotFoundException,
)

from hotpass.store.protocol import Change, Commit, MergeConflict, NothingToCommit, StoreError

if TYPE_CHECKING:
    from hotpass.settings import LakeFSSettings

MAIN = "main"


def _commit(raw: Any) -> Commit:
    return Commit(
        id=raw.id,
        parents=tuple(raw.parents),
        message=raw.message,
        metadata=dict(raw.metadata or {}),
        created_at=datetime.fromtimestamp(raw.creation_date, UTC).isoformat(),
    )


def _reason(exc: LakeFSException) -> str:
    """lakeFS's error message without anything a request may have echoed back."""
    body = getattr(exc, "body", None) or ""
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body)
    return text.strip()[:200] or str(getattr(exc, "reason", "") or type(exc).__name__)


@contextlib.contextmanager
def _errors(what: str) -> Iterator[None]:
    try:
        yield
    except NotAuthorizedException:
        raise StoreError(
            f"lakeFS refused the credentials while trying to {what}: check "
            "HOTPASS_LAKEFS_ACCESS_KEY_ID / LAKECTL_CREDENTIALS_ACCESS_KEY_ID and the secret"
        ) from None
    except NotFoundException:
        raise StoreError(f"cannot {what}: unknown ref or path") from None
    except LakeFSException as exc:
        raise StoreError(f"cannot {what}: lakeFS said {_reason(exc)}") from None


class LakeFSStore:
    """A lakeFS repository as a versioned store (the repository is created when a storage
    namespace is configured and it does not exist yet)."""

    def __init__(
        self,
        *,
        endpoint: str,
        access_key_id: str,
        secret_access_key: str,
        repository: str,
        storage_namespace: str | None = None,
    ) -> None:
        host = endpoint.rstrip("/")
        self._client = lakefs.Client(  # type: ignore[no-untyped-call]
            host=host, username=access_key_id, password=secret_access_key
        )
        self.repository_id = repository
        self._repo = lakefs.Repository(repository, client=self._client)
        with _errors(f"open repository {repository!r}"):
            try:
                self._repo.properties  # noqa: B018 - one request: does it exist, may we read it?
            except NotFoundException:
                if not storage_namespace:
                    raise StoreError(
                        f"lakeFS repository {repository!r} does not exist: create it, or set "
                        "lakefs.storage_namespace so Hotpass creates it"
                    ) from None
                self._repo.create(storage_namespace, default_branch=MAIN, exist_ok=True)

    @classmethod
    def from_settings(cls, settings: LakeFSSettings) -> LakeFSStore:
        if not settings.endpoint or not settings.access_key_id or not settings.secret_access_key:
            raise StoreError(
                "lakeFS needs an endpoint, an access key id and a secret: set "
                "HOTPASS_LAKEFS_* or LAKECTL_* variables, or the [lakefs] section"
            )
        return cls(
            endpoint=settings.endpoint,
            access_key_id=settings.access_key_id,
            secret_access_key=settings.secret_access_key.get_secret_value(),
            repository=settings.repository,
            storage_namespace=settings.storage_namespace,
        )

    @property
    def _sdk(self) -> Any:
        return self._client.sdk_client

    # -- refs -----------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        try:
            commit_id: str = self._repo.ref(ref).get_commit().id
        except NotFoundException:
            raise StoreError(f"unknown ref {ref!r}") from None
        except LakeFSException as exc:
            raise StoreError(f"cannot resolve {ref!r}: lakeFS said {_reason(exc)}") from None
        return commit_id

    def _listing(self, call: Any, *args: Any) -> list[Any]:
        results: list[Any] = []
        after = ""
        while True:
            page = call(*args, after=after, amount=1000)
            results.extend(page.results)
            if not page.pagination.has_more:
                return results
            after = page.pagination.next_offset

    def branches(self) -> dict[str, str]:
        with _errors("list branches"):
            refs = self._listing(self._sdk.branches_api.list_branches, self.repository_id)
        return {r.id: r.commit_id for r in sorted(refs, key=lambda r: r.id)}

    def tags(self) -> dict[str, str]:
        with _errors("list tags"):
            refs = self._listing(self._sdk.tags_api.list_tags, self.repository_id)
        return {r.id: r.commit_id for r in sorted(refs, key=lambda r: r.id)}

    def create_branch(self, name: str, source: str) -> str:
        try:
            branch = self._repo.branch(name).create(source)
        except ConflictException:
            raise StoreError(f"branch {name!r} exists") from None
        except NotFoundException:
            raise StoreError(f"unknown ref {source!r}") from None
        except LakeFSException as exc:
            raise StoreError(f"cannot create branch {name!r}: lakeFS said {_reason(exc)}") from None
        return self.resolve(branch.id)

    def delete_branch(self, name: str) -> None:
        if name == MAIN:
            raise StoreError("the main branch cannot be deleted")
        try:
            self._repo.branch(name).delete()
        except NotFoundException:
            raise StoreError(f"unknown branch {name!r}") from None
        except LakeFSException as exc:
            raise StoreError(f"cannot delete branch {name!r}: lakeFS said {_reason(exc)}") from None

    def tag(self, name: str, ref: str) -> str:
        commit_id = self.resolve(ref)
        try:
            self._repo.tag(name).create(commit_id)
        except ConflictException:
            raise StoreError(f"tag {name!r} exists (tags never move)") from None
        except LakeFSException as exc:
            raise StoreError(f"cannot tag {name!r}: lakeFS said {_reason(exc)}") from None
        return commit_id

    # -- objects --------------------------------------------------------------------------------

    def put(self, branch: str, path: str, data: bytes) -> None:
        with _errors(f"write {path!r} on branch {branch!r}"):
            self._repo.branch(branch).object(path).upload(data, mode="wb", pre_sign=False)

    def delete(self, branch: str, path: str) -> None:
        with _errors(f"delete {path!r} on branch {branch!r}"):
            self._repo.branch(branch).object(path).delete()

    def get(self, ref: str, path: str) -> bytes:
        try:
            with self._repo.ref(ref).object(path).reader(mode="rb", pre_sign=False) as reader:
                data = reader.read()
        except (NotFoundException, FileNotFoundError):
            raise StoreError(f"{path!r} is not in {ref!r}") from None
        except LakeFSException as exc:
            raise StoreError(
                f"cannot read {path!r} at {ref!r}: lakeFS said {_reason(exc)}"
            ) from None
        assert isinstance(data, bytes)  # - opened in binary mode
        return data

    def ls(self, ref: str, prefix: str = "") -> list[str]:
        with _errors(f"list {ref!r}"):
            stats = self._listing(
                lambda *a, **k: self._sdk.objects_api.list_objects(*a, prefix=prefix, **k),
                self.repository_id,
                ref,
            )
        return sorted(s.path for s in stats)

    # -- history --------------------------------------------------------------------------------

    def commit(
        self, branch: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> Commit:
        try:
            self._repo.branch(branch).commit(message, metadata=dict(metadata or {}))
        except BadRequestException as exc:
            if "no changes" in _reason(exc):
                raise NothingToCommit(f"branch {branch!r} has no changes to commit") from None
            raise StoreError(f"cannot commit {branch!r}: lakeFS said {_reason(exc)}") from None
        except LakeFSException as exc:
            raise StoreError(f"cannot commit {branch!r}: lakeFS said {_reason(exc)}") from None
        return self.log(branch, limit=1)[0]

    def log(self, ref: str, limit: int | None = None) -> list[Commit]:
        """Commits from ``ref`` back along first parents, newest first."""
        with _errors(f"read the log of {ref!r}"):
            commits = self._sdk.refs_api.log_commits(
                self.repository_id, ref, amount=limit or 1000, first_parent=True
            ).results
        return [_commit(c) for c in commits[:limit]]

    def _diff(self, left: str, right: str, kind: str) -> list[Change]:
        with _errors(f"diff {left!r} and {right!r}"):
            raw = self._listing(
                lambda *a, **k: self._sdk.refs_api.diff_refs(*a, type=kind, **k),
                self.repository_id,
                left,
                right,
            )
        return sorted(
            (Change(d.path, d.type) for d in raw if d.path_type == "object"), key=lambda c: c.path
        )

    def diff(self, left: str, right: str) -> list[Change]:
        return self._diff(left, right, "two_dot")

    def merge(
        self, source: str, destination: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> Commit:
        try:
            self._repo.ref(source).merge_into(
                destination, message=message, metadata=dict(metadata or {})
            )
        except ConflictException:
            # lakeFS names no paths: the conflicts are the paths both sides changed since the
            # merge base (three-dot diffs in each direction).
            theirs = {c.path for c in self._diff(destination, source, "three_dot")}
            ours = {c.path for c in self._diff(source, destination, "three_dot")}
            raise MergeConflict(sorted(theirs & ours)) from None
        except BadRequestException as exc:
            if "no changes" in _reason(exc):  # already merged: publishing again is a no-op
                return self.log(destination, limit=1)[0]
            raise StoreError(f"cannot merge {source!r}: lakeFS said {_reason(exc)}") from None
        except LakeFSException as exc:
            raise StoreError(f"cannot merge {source!r}: lakeFS said {_reason(exc)}") from None
        return self.log(destination, limit=1)[0]

    def revert(self, branch: str, commit_id: str) -> Commit:
        target = self.log(commit_id, limit=1)[0]
        if not target.parents:
            raise StoreError("the first commit cannot be reverted")
        try:
            self._repo.branch(branch).revert(
                target.id, parent_number=1 if len(target.parents) > 1 else 0
            )
        except ConflictException:
            changed = [c.path for c in self._diff(target.parents[0], target.id, "two_dot")]
            raise MergeConflict(changed) from None
        except LakeFSException as exc:
            raise StoreError(f"cannot revert {commit_id!r}: lakeFS said {_reason(exc)}") from None
        return self.log(branch, limit=1)[0]

    def gc(self) -> int:
        """lakeFS frees unreferenced data with its own garbage-collection job (retention rules
        set on the server); nothing is freed from here."""
        return 0
