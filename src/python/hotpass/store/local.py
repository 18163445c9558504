"""The embedded versioned store: lakeFS's model in a directory (default ``.hotpass/store``).

Layout::

    objects/ab/abcdef...        file contents, named by their sha256 (stored once)
    commits/<id>.json           parents, tree {path: sha256}, message, metadata, time
    refs/branches/<name>        the branch's head commit id
    refs/tags/<name>            a tag's commit id (tags never move)
    staging/<name>.json         the branch's uncommitted changes and the head they apply to
    lock                        held (flock) by the one writer at a time

Crash safety: every file is written to a temporary file, flushed to disk and renamed over its
target; a commit writes its objects and commit file first and moves the branch ref last, so a
process killed at any instant leaves every branch at its last commit. Uncommitted changes
whose base is no longer the head (a crash after the ref moved) are treated as committed.
Two writers: mutations take an exclusive lock; a second writer waits up to ``lock_timeout``
seconds, then fails with :class:`StoreBusy` and changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from hotpass.faults import crash_point
from hotpass.locking import LockTimeout, exclusive
from hotpass.store.protocol import (
    Change,
    Commit,
    MergeConflict,
    NothingToCommit,
    StoreBusy,
    StoreError,
)

MAIN = "main"
# lakeFS's rules, so a name valid here is valid on a lakeFS server: branches are word
# characters and dashes; tags may also hold dots.
_BRANCH_NAME = re.compile(r"^\w[-\w]{0,200}$", re.ASCII)
_TAG_NAME = re.compile(r"^\w[-\w.]{0,200}$", re.ASCII)
_COMMIT_ID = re.compile(r"^[0-9a-f]{64}$")


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass
class FsckReport:
    """What :meth:`LocalStore.fsck` found: ``problems`` mean damage, ``notes`` do not."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commits: int = 0
    objects: int = 0
    unreachable_commits: int = 0
    unreachable_objects: int = 0
    repaired: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_name(name: str, what: str) -> str:
    pattern = _BRANCH_NAME if what == "branch" else _TAG_NAME
    if not pattern.match(name) or ".." in name:
        raise StoreError(
            f"invalid {what} name {name!r}: use letters, digits, '_' and '-'"
            + (" and '.'" if what == "tag" else "")
        )
    return name


class LocalStore:
    """:class:`hotpass.store.protocol.VersionedStore` on the local filesystem."""

    def __init__(self, root: Path, *, lock_timeout: float = 30.0) -> None:
        self.root = root
        self.lock_timeout = lock_timeout
        if not (root / "refs" / "branches" / MAIN).exists():
            with self._locked():
                if not (root / "refs" / "branches" / MAIN).exists():
                    first = self._write_commit((), {}, "repository created", {})
                    _write_atomically(self._branch_file(MAIN), first.id.encode())

    # -- plumbing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with exclusive(self.root / "lock", timeout=self.lock_timeout):
                yield
        except LockTimeout:
            raise StoreBusy(
                f"another process is writing to the store at {self.root} "
                f"(waited {self.lock_timeout:g} s); nothing was changed"
            ) from None

    def _branch_file(self, name: str) -> Path:
        return self.root / "refs" / "branches" / quote(_check_name(name, "branch"), safe="")

    def _tag_file(self, name: str) -> Path:
        return self.root / "refs" / "tags" / quote(_check_name(name, "tag"), safe="")

    def _staging_file(self, name: str) -> Path:
        return self.root / "staging" / f"{quote(name, safe='')}.json"

    def _object_file(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / digest

    def _read_commit(self, commit_id: str) -> dict[str, object]:
        path = self.root / "commits" / f"{commit_id}.json"
        if not path.exists():
            raise StoreError(f"unknown commit {commit_id}")
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def _tree(self, commit_id: str) -> dict[str, str]:
        tree = self._read_commit(commit_id)["tree"]
        assert isinstance(tree, dict)  # - written by _write_commit
        return dict(tree)

    def _write_commit(
        self,
        parents: tuple[str, ...],
        tree: Mapping[str, str],
        message: str,
        metadata: Mapping[str, str],
    ) -> Commit:
        created = datetime.now(UTC).isoformat(timespec="microseconds")
        body = {
            "parents": list(parents),
            "tree": dict(sorted(tree.items())),
            "message": message,
            "metadata": {str(k): str(v) for k, v in sorted(metadata.items())},
            "created_at": created,
        }
        encoded = json.dumps(body, sort_keys=True).encode()
        commit_id = hashlib.sha256(encoded).hexdigest()
        _write_atomically(
            self.root / "commits" / f"{commit_id}.json",
            json.dumps({"id": commit_id, **body}, sort_keys=True, indent=1).encode(),
        )
        return Commit(commit_id, parents, message, body["metadata"], created)  # type: ignore[arg-type]

    def _staged(self, branch: str) -> dict[str, str | None]:
        path = self._staging_file(branch)
        if not path.exists():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["base"] != self.resolve(branch):
            return {}  # committed already: a crash came after the ref moved
        changes: dict[str, str | None] = data["changes"]
        return changes

    def _stage(self, branch: str, changes: Mapping[str, str | None]) -> None:
        data = {"base": self.resolve(branch), "changes": dict(sorted(changes.items()))}
        _write_atomically(self._staging_file(branch), json.dumps(data).encode())

    def _view(self, ref: str) -> dict[str, str]:
        """Committed tree of ``ref``, with a branch's uncommitted changes on top."""
        tree = self._tree(self.resolve(ref))
        if self._is_branch(ref):
            for path, digest in self._staged(ref).items():
                if digest is None:
                    tree.pop(path, None)
                else:
                    tree[path] = digest
        return tree

    def _is_branch(self, ref: str) -> bool:
        return bool(_BRANCH_NAME.match(ref)) and self._branch_file(ref).exists()

    def _ancestors(self, commit_id: str) -> list[str]:
        seen: dict[str, None] = {}
        queue = [commit_id]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen[current] = None
            parents = self._read_commit(current)["parents"]
            assert isinstance(parents, list)  # - written by _write_commit
            queue.extend(parents)
        return list(seen)

    def _move(self, branch: str, commit: Commit) -> Commit:
        crash_point("store.before_ref")
        _write_atomically(self._branch_file(branch), commit.id.encode())
        crash_point("store.after_ref")
        with contextlib.suppress(FileNotFoundError):
            self._staging_file(branch).unlink()
        return commit

    # -- the protocol ---------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        ancestor = re.fullmatch(r"(.+)~(\d*)", ref)
        if ancestor:  # lakeFS's (and git's) REF~N: N first parents back
            current = self.resolve(ancestor.group(1))
            for _ in range(int(ancestor.group(2) or 1)):
                parents = self._read_commit(current)["parents"]
                assert isinstance(parents, list)  # - written by _write_commit
                if not parents:
                    raise StoreError(f"unknown ref {ref!r}: history is shorter")
                current = str(parents[0])
            return current
        if _BRANCH_NAME.match(ref) and self._branch_file(ref).exists():
            return self._branch_file(ref).read_text(encoding="utf-8").strip()
        if _TAG_NAME.match(ref) and ".." not in ref and self._tag_file(ref).exists():
            return self._tag_file(ref).read_text(encoding="utf-8").strip()
        if _COMMIT_ID.match(ref) and (self.root / "commits" / f"{ref}.json").exists():
            return ref
        raise StoreError(f"unknown ref {ref!r}")

    def branches(self) -> dict[str, str]:
        folder = self.root / "refs" / "branches"
        from urllib.parse import unquote

        return {
            unquote(p.name): p.read_text(encoding="utf-8").strip()
            for p in sorted(folder.iterdir())
            if not p.name.startswith(".")
        }

    def tags(self) -> dict[str, str]:
        from urllib.parse import unquote

        folder = self.root / "refs" / "tags"
        if not folder.exists():
            return {}
        return {
            unquote(p.name): p.read_text(encoding="utf-8").strip()
            for p in sorted(folder.iterdir())
            if not p.name.startswith(".")
        }

    def create_branch(self, name: str, source: str) -> str:
        with self._locked():
            if self._branch_file(name).exists():
                raise StoreError(f"branch {name!r} exists")
            head = self.resolve(source)
            _write_atomically(self._branch_file(name), head.encode())
            return head

    def delete_branch(self, name: str) -> None:
        if name == MAIN:
            raise StoreError("the main branch cannot be deleted")
        with self._locked():
            if not self._branch_file(name).exists():
                raise StoreError(f"unknown branch {name!r}")
            self._branch_file(name).unlink()
            with contextlib.suppress(FileNotFoundError):
                self._staging_file(name).unlink()

    def put(self, branch: str, path: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        target = self._object_file(digest)
        with self._locked():  # under the lock, so gc never frees an object being staged
            if not self._is_branch(branch):
                raise StoreError(f"unknown branch {branch!r}")
            if not target.exists():  # content addressed: an unchanged file costs nothing
                _write_atomically(target, data)
            changes = self._staged(branch)
            changes[path] = digest
            self._stage(branch, changes)

    def delete(self, branch: str, path: str) -> None:
        with self._locked():
            if path not in self._view(branch):
                raise StoreError(f"{path!r} is not on branch {branch!r}")
            changes = self._staged(branch)
            changes[path] = None
            self._stage(branch, changes)

    def get(self, ref: str, path: str) -> bytes:
        tree = self._view(ref)
        if path not in tree:
            raise StoreError(f"{path!r} is not in {ref!r}")
        return self._object_file(tree[path]).read_bytes()

    def ls(self, ref: str, prefix: str = "") -> list[str]:
        return sorted(p for p in self._view(ref) if p.startswith(prefix))

    def commit(
        self, branch: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> Commit:
        with self._locked():
            head = self.resolve(branch)
            tree = self._tree(head)
            changes = self._staged(branch)
            before = dict(tree)
            for path, digest in changes.items():
                if digest is None:
                    tree.pop(path, None)
                else:
                    tree[path] = digest
            if tree == before:
                raise NothingToCommit(f"branch {branch!r} has no changes to commit")
            commit = self._write_commit((head,), tree, message, metadata or {})
            return self._move(branch, commit)

    def log(self, ref: str, limit: int | None = None) -> list[Commit]:
        """Commits from ``ref`` back along first parents, newest first."""
        commits: list[Commit] = []
        current: str | None = self.resolve(ref)
        while current is not None and (limit is None or len(commits) < limit):
            data = self._read_commit(current)
            parents: tuple[str, ...] = tuple(data["parents"])  # type: ignore[arg-type]
            metadata: dict[str, str] = data["metadata"]  # type: ignore[assignment]
            commits.append(
                Commit(current, parents, str(data["message"]), metadata, str(data["created_at"]))
            )
            current = parents[0] if parents else None
        return commits

    def diff(self, left: str, right: str) -> list[Change]:
        before, after = self._tree(self.resolve(left)), self._tree(self.resolve(right))
        changes = [Change(p, "added") for p in after.keys() - before.keys()]
        changes += [Change(p, "removed") for p in before.keys() - after.keys()]
        changes += [
            Change(p, "changed") for p in before.keys() & after.keys() if before[p] != after[p]
        ]
        return sorted(changes, key=lambda c: c.path)

    def merge(
        self, source: str, destination: str, message: str, metadata: Mapping[str, str] | None = None
    ) -> Commit:
        with self._locked():
            if self._staged(destination):
                raise StoreError(f"branch {destination!r} has uncommitted changes")
            theirs, ours = self.resolve(source), self.resolve(destination)
            ours_ancestors = set(self._ancestors(ours))
            base = next(c for c in self._ancestors(theirs) if c in ours_ancestors)
            base_tree, their_tree, our_tree = self._tree(base), self._tree(theirs), self._tree(ours)
            merged = dict(our_tree)
            conflicts = []
            for path in base_tree.keys() | their_tree.keys():
                if base_tree.get(path) == their_tree.get(path):
                    continue  # unchanged on their side
                if base_tree.get(path) != our_tree.get(path) and our_tree.get(
                    path
                ) != their_tree.get(path):
                    conflicts.append(path)
                elif their_tree.get(path) is None:
                    merged.pop(path, None)
                else:
                    merged[path] = their_tree[path]
            if conflicts:
                raise MergeConflict(sorted(conflicts))
            if merged == our_tree:  # nothing new: merging the same content twice is a no-op
                head: Commit = self.log(ours, limit=1)[0]
                return head
            commit = self._write_commit((ours, theirs), merged, message, metadata or {})
            return self._move(destination, commit)

    def revert(self, branch: str, commit_id: str) -> Commit:
        with self._locked():
            if self._staged(branch):
                raise StoreError(f"branch {branch!r} has uncommitted changes")
            target = self._read_commit(self.resolve(commit_id))
            parents = target["parents"]
            assert isinstance(parents, list)  # - written by _write_commit
            if not parents:
                raise StoreError("the first commit cannot be reverted")
            before, after = self._tree(parents[0]), self._tree(str(target["id"]))
            head = self.resolve(branch)
            tree = self._tree(head)
            conflicts = [
                p
                for p in before.keys() | after.keys()
                if before.get(p) != after.get(p) and tree.get(p) != after.get(p)
            ]
            if conflicts:
                raise MergeConflict(sorted(conflicts))
            for path in before.keys() | after.keys():
                if before.get(path) is None:
                    tree.pop(path, None)
                else:
                    tree[path] = before[path]
            commit = self._write_commit(
                (head,), tree, f"revert {str(target['id'])[:12]}", {"reverts": str(target["id"])}
            )
            return self._move(branch, commit)

    def tag(self, name: str, ref: str) -> str:
        with self._locked():
            path = self._tag_file(name)
            if path.exists():
                raise StoreError(f"tag {name!r} exists (tags never move)")
            commit_id = self.resolve(ref)
            _write_atomically(path, commit_id.encode())
            return commit_id

    def gc(self) -> int:
        with self._locked():
            heads = [*self.branches().values(), *self.tags().values()]
            reachable: set[str] = set()
            for head in heads:
                reachable.update(self._ancestors(head))
            used: set[str] = set()
            for commit_id in reachable:
                used.update(self._tree(commit_id).values())
            for staging in (self.root / "staging").glob("*.json"):
                changes = json.loads(staging.read_text(encoding="utf-8"))["changes"]
                used.update(d for d in changes.values() if d)
            for path in (self.root / "commits").glob("*.json"):
                if path.stem not in reachable:
                    path.unlink()
            freed = 0
            for path in (self.root / "objects").glob("*/*"):
                if path.name not in used and not path.name.startswith(".tmp-"):
                    path.unlink()
                    freed += 1
            return freed

    def fsck(self, *, repair: bool = False) -> FsckReport:
        """Check the store the way a crash could have broken it, under the writer's lock.

        Problems (the store is damaged): a ref naming a missing commit, a commit file whose
        content does not hash to its id or whose parent is missing, an object missing or not
        hashing to its name. Notes (harmless, what a killed writer leaves): temporary files of
        an interrupted write, staged changes whose base is gone, commits and objects no ref
        reaches (``gc`` frees them). ``repair`` deletes the temporary files, nothing else.
        """
        report = FsckReport()
        with self._locked():
            heads: dict[str, str] = {}
            for kind in ("branches", "tags"):
                for path in sorted((self.root / "refs" / kind).glob("*")):
                    if path.name.startswith(".tmp-"):
                        continue
                    commit_id = path.read_text(encoding="utf-8").strip()
                    if not _COMMIT_ID.match(commit_id) or not self._commit_path(commit_id).exists():
                        report.problems.append(f"{kind[:-1]} {path.name}: no commit {commit_id!r}")
                    else:
                        heads[f"{kind[:-1]} {path.name}"] = commit_id
            reachable = self._check_commits(heads.values(), report)
            used = self._check_staging(report)
            for commit_id in reachable:
                used.update(self._tree(commit_id).values())
            self._check_objects(used, report)
            for path in (self.root / "commits").glob("*.json"):
                if path.stem not in reachable:
                    report.unreachable_commits += 1
            for path in sorted(self.root.rglob(".tmp-*")):
                report.notes.append(
                    f"temporary file of an interrupted write: {path.relative_to(self.root)}"
                )
                if repair:
                    path.unlink()
                    report.repaired += 1
            report.commits, report.objects = len(reachable), len(used)
        return report

    def _commit_path(self, commit_id: str) -> Path:
        return self.root / "commits" / f"{commit_id}.json"

    def _check_commits(self, heads: Iterable[str], report: FsckReport) -> set[str]:
        reachable: set[str] = set()
        seen: set[str] = set()  # each damaged commit is reported once
        queue = list(heads)
        while queue:
            commit_id = queue.pop()
            if commit_id in seen:
                continue
            seen.add(commit_id)
            path = self._commit_path(commit_id)
            if not path.exists():
                report.problems.append(f"commit {commit_id[:12]}: missing (a parent of another)")
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                body = {k: v for k, v in data.items() if k != "id"}
                digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            except (ValueError, TypeError):
                report.problems.append(f"commit {commit_id[:12]}: not readable JSON")
                continue
            if digest != commit_id:
                report.problems.append(f"commit {commit_id[:12]}: content does not match its id")
                continue
            reachable.add(commit_id)
            queue.extend(data["parents"])
        return reachable

    def _check_staging(self, report: FsckReport) -> set[str]:
        used: set[str] = set()
        for path in sorted((self.root / "staging").glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if not self._commit_path(data["base"]).exists():
                report.notes.append(f"staged changes of {path.stem} on a missing base commit")
                continue
            used.update(d for d in data["changes"].values() if d)
        return used

    def _check_objects(self, used: set[str], report: FsckReport) -> None:
        for digest in sorted(used):
            path = self._object_file(digest)
            if not path.exists():
                report.problems.append(f"object {digest[:12]}: missing")
                continue
            with path.open("rb") as handle:
                hashed = hashlib.file_digest(handle, "sha256").hexdigest()
            if hashed != digest:
                report.problems.append(f"object {digest[:12]}: content does not match its name")
        stored = {
            p.name for p in (self.root / "objects").glob("*/*") if not p.name.startswith(".tmp-")
        }
        report.unreachable_objects = len(stored - used)
