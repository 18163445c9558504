"""A lakeFS REST API stand-in on 127.0.0.1, for driving the real ``lakefs`` SDK over HTTP.

lakeFS cannot be installed on these machines, so :class:`FakeLakeFSServer` answers the part of
lakeFS's REST API (``/api/v1``) that :class:`hotpass.store.lakefs.LakeFSStore` uses: config,
repositories, branches, objects (raw upload, ranged download, list, delete), commits, log,
diff (two- and three-dot), merge, revert and tags. Bodies are built with ``lakefs_sdk.models``
and the status codes are the ones the SDK expects (201 on create, 204 on delete, 400 "no
changes", 404, 409 on conflicts, 401 without the right basic-auth credentials). Names are
validated with lakeFS's own patterns. Semantics are delegated to the embedded
:class:`hotpass.store.LocalStore`.

What it does NOT prove: that a real lakeFS server behaves the same (its merge strategies,
conflict rules on staged changes, ref expressions such as ``main~1``, pagination beyond one
page, pre-signed URLs, object metadata, retention/garbage collection, auth policies), or
anything about performance or concurrency of a real server. The live test
(``LAKECTL_SERVER_ENDPOINT_URL`` set) runs the same conformance suite against a real one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from lakefs_sdk import models as sdk_models

from hotpass.store import LocalStore, MergeConflict, NothingToCommit, StoreError
from tests.python.hotpass.http_fakes import serve_handler

models: Any = sdk_models  # generated models; the package does not declare its exports
BRANCH_ID = re.compile(r"^\w[-\w]*$", re.ASCII)
REPOSITORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")


class _Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, message: str) -> _Reply:
    return _Reply(status, models.Error(message=message))


def _page(results: list[Any]) -> models.Pagination:
    return models.Pagination(
        has_more=False, next_offset="", results=len(results), max_per_page=1000
    )


class FakeLakeFSServer:
    """Serve a fake lakeFS on 127.0.0.1 (an ephemeral port) backed by LocalStores in ``root``."""

    def __init__(self, root: Path, *, access_key_id: str, secret_access_key: str) -> None:
        self.root = root
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.repositories: dict[str, tuple[LocalStore, str, int]] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[str]:
        """Start the server; yield its endpoint URL (``http://127.0.0.1:<port>``)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []  # the SDK streams uploads from a file object, chunked
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _serve(self, method: str) -> None:
                body = self._body()
                try:
                    with fake._lock:
                        fake.handle(method, self.path, dict(self.headers), body)
                    raise _Reply(500, models.Error(message="no reply"))
                except _Reply as reply:
                    self._send(reply)

            def _send(self, reply: _Reply) -> None:
                if isinstance(reply.body, bytes):
                    payload, kind = reply.body, "application/octet-stream"
                elif isinstance(reply.body, str):
                    payload, kind = reply.body.encode(), "text/html"
                elif reply.body is None:
                    payload, kind = b"", "application/json"
                else:
                    payload, kind = reply.body.to_json().encode(), "application/json"
                self.send_response(reply.status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

        with serve_handler(Handler) as url:
            yield url

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> None:
        url = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = [unquote(p) for p in url.path.split("/") if p]
        self.requests.append(f"{method} /{'/'.join(parts)}")
        if parts[:2] != ["api", "v1"]:
            raise _error(404, "not found")
        parts = parts[2:]
        if parts == ["healthcheck"]:
            raise _Reply(204)
        expected = base64.b64encode(
            f"{self.access_key_id}:{self.secret_access_key}".encode()
        ).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            raise _error(401, "error authenticating request")
        if parts == ["config"]:
            raise _Reply(200, self._config())
        if parts == ["repositories"] and method == "POST":
            self._create_repository(json.loads(body))
        if len(parts) < 2 or parts[0] != "repositories":
            raise _error(404, "not found")
        name, rest = parts[1], parts[2:]
        if name not in self.repositories:
            raise _error(404, "repository not found")
        store, namespace, created = self.repositories[name]
        try:
            self._route(store, method, rest, query, headers, body, name, namespace, created)
        except MergeConflict:
            raise _error(409, "conflict found") from None
        except NothingToCommit:
            raise _error(400, "commit: no changes") from None
        except StoreError as exc:
            text = str(exc)
            if "unknown" in text or "is not" in text:
                raise _error(404, "not found") from None
            if "exists" in text:
                raise _error(409, "already exists") from None
            raise _error(400, text) from None

    # -- endpoints ------------------------------------------------------------------------------

    def _config(self) -> models.Config:
        storage = models.StorageConfig(
            blockstore_type="local",
            blockstore_namespace_example="local://path",
            blockstore_namespace_ValidityRegex="^local://",
            pre_sign_support=False,
            pre_sign_support_ui=False,
            import_support=False,
            import_validity_regex="^local://",
        )
        return models.Config(
            version_config=models.VersionConfig(version="fake"), storage_config=storage
        )

    def _create_repository(self, spec: dict[str, Any]) -> None:
        creation = models.RepositoryCreation.from_dict(spec)
        if not REPOSITORY_ID.match(creation.name):
            raise _error(400, "validation error: repository name")
        if creation.name in self.repositories:
            raise _error(409, "repository already exists")
        store = LocalStore(self.root / creation.name)
        created = int(datetime.now().timestamp())
        self.repositories[creation.name] = (store, creation.storage_namespace, created)
        raise _Reply(201, self._repository(creation.name, creation.storage_namespace, created))

    @staticmethod
    def _repository(name: str, namespace: str, created: int) -> models.Repository:
        return models.Repository(
            id=name, creation_date=created, default_branch="main", storage_namespace=namespace
        )

    def _commit(self, store: LocalStore, ref: str) -> models.Commit:
        found = store.log(ref, limit=1)[0]
        return self._commit_model(found)

    @staticmethod
    def _commit_model(found: Any) -> models.Commit:
        return models.Commit(
            id=found.id,
            parents=list(found.parents),
            committer="hotpass-test",
            message=found.message,
            creation_date=int(datetime.fromisoformat(found.created_at).timestamp()),
            meta_range_id="",
            metadata=dict(found.metadata),
        )

    def _stats(self, path: str, data: bytes) -> models.ObjectStats:
        return models.ObjectStats(
            path=path,
            path_type="object",
            physical_address=f"local://{hashlib.sha256(data).hexdigest()}",
            checksum=hashlib.md5(data).hexdigest(),  # - lakeFS's etag, not security
            size_bytes=len(data),
            mtime=int(datetime.now().timestamp()),
        )

    def _route(  # - one branch per endpoint reads best as a table
        self,
        store: LocalStore,
        method: str,
        rest: list[str],
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
        name: str,
        namespace: str,
        created: int,
    ) -> None:
        if not rest and method == "GET":
            raise _Reply(200, self._repository(name, namespace, created))
        if rest == ["branches"] and method == "GET":
            refs = [models.Ref(id=b, commit_id=c) for b, c in store.branches().items()]
            raise _Reply(200, models.RefList(pagination=_page(refs), results=refs))
        if rest == ["branches"] and method == "POST":
            creation = models.BranchCreation.from_dict(json.loads(body))
            if not BRANCH_ID.match(creation.name):
                raise _error(400, "validation error: branch name")
            raise _Reply(201, store.create_branch(creation.name, creation.source))
        if rest == ["tags"] and method == "GET":
            refs = [models.Ref(id=t, commit_id=c) for t, c in store.tags().items()]
            raise _Reply(200, models.RefList(pagination=_page(refs), results=refs))
        if rest == ["tags"] and method == "POST":
            creation = models.TagCreation.from_dict(json.loads(body))
            commit_id = store.tag(creation.id, creation.ref)
            raise _Reply(201, models.Ref(id=creation.id, commit_id=commit_id))
        if len(rest) == 2 and rest[0] == "commits" and method == "GET":
            raise _Reply(200, self._commit(store, rest[1]))
        if len(rest) == 2 and rest[0] == "branches":
            branch = rest[1]
            if method == "DELETE":
                store.delete_branch(branch)
                raise _Reply(204)
            raise _Reply(200, models.Ref(id=branch, commit_id=store.branches()[branch]))
        if len(rest) == 3 and rest[0] == "branches":
            self._branch_action(store, method, rest[1], rest[2], query, body)
        if len(rest) >= 3 and rest[0] == "refs":
            self._ref_action(store, method, rest[1], rest[2:], query, headers, body)
        raise _error(404, "not found")

    def _branch_action(
        self,
        store: LocalStore,
        method: str,
        branch: str,
        action: str,
        query: dict[str, str],
        body: bytes,
    ) -> None:
        if action == "objects" and method == "POST":
            store.put(branch, query["path"], body)
            raise _Reply(201, self._stats(query["path"], body))
        if action == "objects" and method == "DELETE":
            store.delete(branch, query["path"])
            raise _Reply(204)
        if action == "commits" and method == "POST":
            creation = models.CommitCreation.from_dict(json.loads(body))
            found = store.commit(branch, creation.message, creation.metadata or {})
            raise _Reply(201, self._commit_model(found))
        if action == "revert" and method == "POST":
            creation = models.RevertCreation.from_dict(json.loads(body))
            target = store.log(creation.ref, limit=1)[0]
            if len(target.parents) > 1 and creation.parent_number != 1:
                raise _error(400, "parent_number must be 1 for a merge commit here")
            store.revert(branch, target.id)
            raise _Reply(204)
        raise _error(404, "not found")

    def _ref_action(
        self,
        store: LocalStore,
        method: str,
        ref: str,
        rest: list[str],
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        if rest == ["objects"] and method == "GET":
            data = store.get(ref, query["path"])
            self._ranged(data, headers.get("Range"))
        if rest == ["objects", "ls"]:
            prefix = query.get("prefix", "")
            stats = [self._stats(p, store.get(ref, p)) for p in store.ls(ref, prefix)]
            raise _Reply(200, models.ObjectStatsList(pagination=_page(stats), results=stats))
        if rest == ["commits"]:
            amount = int(query.get("amount") or 1000)
            commits = [self._commit_model(c) for c in store.log(ref, limit=amount)]
            raise _Reply(200, models.CommitList(pagination=_page(commits), results=commits))
        if len(rest) == 2 and rest[0] == "diff":
            self._diff(store, ref, rest[1], query.get("type", "three_dot"))
        if len(rest) == 2 and rest[0] == "merge" and method == "POST":
            merge = models.Merge.from_dict(json.loads(body) if body else {})
            before = store.resolve(rest[1])
            merged = store.merge(ref, rest[1], merge.message or "", merge.metadata or {})
            if merged.id == before:
                raise _error(400, "no changes")
            raise _Reply(200, models.MergeResult(reference=merged.id))
        raise _error(404, "not found")

    @staticmethod
    def _ranged(data: bytes, header: str | None) -> None:
        if not header:
            raise _Reply(200, data)
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", header)
        if match is None:
            raise _error(400, "bad range")
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else len(data) - 1
        if start >= len(data) and data:
            raise _Reply(416, b"", {"Content-Range": f"bytes */{len(data)}"})
        chunk = data[start : end + 1]
        last = start + len(chunk) - 1
        raise _Reply(206, chunk, {"Content-Range": f"bytes {start}-{last}/{len(data)}"})

    def _diff(self, store: LocalStore, left: str, right: str, kind: str) -> None:
        if kind == "two_dot":
            base = left
        else:  # three_dot: what right changed since its merge base with left
            # the same ancestry walk LocalStore's merge uses
            left_history = set(store._ancestors(store.resolve(left)))
            base = next(c for c in store._ancestors(store.resolve(right)) if c in left_history)
        diffs = [
            models.Diff(type=c.kind, path=c.path, path_type="object", size_bytes=None)
            for c in store.diff(base, right)
        ]
        raise _Reply(200, models.DiffList(pagination=_page(diffs), results=diffs))
