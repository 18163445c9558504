"""Stage ``publish``: write-audit-publish into the versioned store.

The run's tables are written as zstd Parquet to branch ``run/<run_id>`` (created from main)
with the report, and committed with the run's metadata. The gate has already checked exactly
these tables; when it passed the branch is merged into main and tagged ``run-<run_id>``. A
blocked run leaves main untouched and the branch for review. When main already holds the same
data (a re-run of the same inputs), nothing is written and the summary reports main's commit.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotpass.store import NothingToCommit, StoreError, VersionedStore

DATA_PATHS = {
    "organisations": "golden/organisations.parquet",
    "contacts": "golden/contacts.parquet",
    "addresses": "golden/addresses.parquet",
    "links": "resolution/links.parquet",
    "review_queue": "resolution/review_queue.parquet",
    "quarantine": "quarantine/quarantine.parquet",
}
REPORT_FILES = ("report.html", "report.md", "gate.json")


@dataclass(frozen=True)
class Published:
    branch: str
    commit: str | None  # the run branch's commit (None when nothing new was written)
    published_ref: str | None  # main's commit holding this run's data (None when blocked)
    merged: bool


def _parquet(table: Any) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def _same_data(store: VersionedStore, ref: str, data: Mapping[str, bytes]) -> bool:
    published = [p for p in store.ls(ref) if p.endswith(".parquet")]
    if sorted(published) != sorted(data):
        return False
    return all(store.get(ref, path) == content for path, content in data.items())


def publish(
    store: VersionedStore,
    *,
    run_id: str,
    tables: Mapping[str, Any],
    report_dir: Path,
    metadata: Mapping[str, str],
    passed: bool,
) -> Published:
    """Write, commit and (when ``passed``) merge one run; see the module docstring."""
    branch = f"run/{run_id}"
    data = {path: _parquet(tables[name]) for name, path in DATA_PATHS.items()}
    if passed and _same_data(store, "main", data):
        return Published(branch, None, store.resolve("main"), merged=False)
    if branch in store.branches():
        store.delete_branch(branch)  # an earlier attempt of the same run: start again
    store.create_branch(branch, "main")
    for path, content in data.items():
        store.put(branch, path, content)
    for name in REPORT_FILES:
        store.put(branch, f"reports/{name}", (report_dir / name).read_bytes())
    try:
        commit = store.commit(branch, f"refine run {run_id}", dict(metadata)).id
    except NothingToCommit:
        commit = store.resolve(branch)
    if not passed:
        return Published(branch, commit, None, merged=False)
    merged = store.merge(branch, "main", f"publish run {run_id}", dict(metadata))
    with contextlib.suppress(StoreError):  # tagged by an earlier publish of the same run
        store.tag(f"run-{run_id}", merged.id)
    return Published(branch, commit, merged.id, merged=True)
