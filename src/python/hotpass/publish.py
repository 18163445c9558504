"""Write-audit-publish into the versioned store: the store side of the pipeline's stages.

:func:`stage_run` writes the run's tables as zstd Parquet (each cast to its contract's Arrow
schema) to a fresh branch ``run-<run_id>`` from main and commits them with the run's metadata.
The gate then reads the tables back from that commit (:func:`read_tables`), so it checks
exactly the bytes that would be published; :func:`commit_audit` commits the report, gate
results and Data Docs on the branch; :func:`merge_run`, only for a passing run, merges the
branch into main and tags the merge ``published-<run_id>``. A blocked run leaves main
untouched and the branch for review. When main already holds the same data (a re-run of the
same inputs) nothing is merged and the run reports main's commit.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotpass.contracts.golden import conform
from hotpass.errors import HotpassError
from hotpass.faults import crash_point
from hotpass.store import MergeConflict, NothingToCommit, StoreError, VersionedStore

MAIN = "main"
DATA_PATHS = {
    "organisations": "golden/organisations.parquet",
    "contacts": "golden/contacts.parquet",
    "addresses": "golden/addresses.parquet",
    "links": "resolution/links.parquet",
    "review_queue": "resolution/review_queue.parquet",
    "quarantine": "quarantine/quarantine.parquet",
}
REPORT_FILES = ("report.html", "report.md", "gate.json", "run.json")
REPORTS = "reports"
RUN_FILE = f"{REPORTS}/run.json"  # counts, inputs, timings of the run (no personal data)
REGISTRY_PATH = "registry/organisation_ids.parquet"  # record -> org_id, for stable ids
WORK = "work/"  # what only the audit needs; never reaches main
WORK_PATHS = {
    # Only the columns the audit reads (hotpass.validate.input_columns): the raw rows in
    # every column cost 1.6 s to read back and again to encode at a million rows.
    "raw": f"{WORK}raw.parquet",
}
STAGED_ORGANISATIONS = "staged/organisations.parquet"  # published; the audit reads it too


class PublishConflict(RuntimeError, HotpassError):
    """Main changed under the run (another publish) on the same tables; nothing was merged."""


def run_branch(run_id: str) -> str:
    return f"run-{run_id}"


def published_tag(run_id: str) -> str:
    return f"published-{run_id}"


@dataclass(frozen=True)
class Published:
    branch: str
    published_ref: str  # main's commit holding this run's data
    merged: bool  # False when main already held exactly these tables


def encode_parquet(table: Any) -> bytes:
    """``table`` as zstd Parquet bytes, ready to put in the store."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def read_parquet(
    store: VersionedStore, ref: str, path: str, columns: Collection[str] | None = None
) -> Any:
    """The Parquet file at ``path`` on ``ref`` as an Arrow table; only those of ``columns`` it
    has when given (in the file's order)."""
    import pyarrow.parquet as pq

    data = io.BytesIO(store.get(ref, path))
    if columns is not None:
        wanted = set(columns)
        columns = [name for name in pq.ParquetFile(data).schema_arrow.names if name in wanted]
    return pq.read_table(data, columns=columns)


def parquet_bytes(name: str, table: Any) -> bytes:
    """``table`` as zstd Parquet in the Arrow schema of its contract
    (:func:`hotpass.contracts.golden.conform`)."""
    return encode_parquet(conform(name, table))


def _fresh_branch(store: VersionedStore, branch: str) -> None:
    if branch in store.branches():
        store.delete_branch(branch)  # an earlier attempt of the same run: start again
    store.create_branch(branch, MAIN)


def stage_run(
    store: VersionedStore,
    *,
    run_id: str,
    tables: Mapping[str, Any],
    files: Mapping[str, bytes],
    metadata: Mapping[str, str],
    parquet: Mapping[str, Any] | None = None,
) -> str:
    """Write the run's tables (and ``files``: run facts; ``parquet``: Arrow tables by path, the
    working data, staged rows and registry) on a fresh branch ``run-<run_id>`` from main and
    commit them; return the commit id."""
    from concurrent.futures import ThreadPoolExecutor

    branch = run_branch(run_id)
    _fresh_branch(store, branch)
    # Arrow encodes without the GIL: the tables are encoded side by side, one per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        encoded = {
            **{
                path: pool.submit(parquet_bytes, name, tables[name])
                for name, path in DATA_PATHS.items()
            },
            **{path: pool.submit(encode_parquet, table) for path, table in (parquet or {}).items()},
        }
        for path, future in encoded.items():
            store.put(branch, path, future.result())
    for path, content in files.items():
        store.put(branch, path, content)
    try:
        commit = store.commit(branch, f"refine run {run_id}", dict(metadata)).id
    except NothingToCommit:  # nothing differs from main (not expected: work/ is never on main)
        commit = store.resolve(branch)
    crash_point("publish.after_stage")
    return commit


def read_tables(
    store: VersionedStore, ref: str, names: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The run tables at ``ref`` as Arrow tables, by name (all of them unless ``names``)."""
    wanted = names or tuple(DATA_PATHS)
    return {name: read_parquet(store, ref, DATA_PATHS[name]) for name in wanted}


def _report_files(report_dir: Path) -> dict[str, bytes]:
    files = {f"{REPORTS}/{name}": (report_dir / name).read_bytes() for name in REPORT_FILES}
    docs = report_dir / "data_docs"
    if docs.is_dir():
        for path in sorted(p for p in docs.rglob("*") if p.is_file()):
            files[f"{REPORTS}/data_docs/{path.relative_to(docs).as_posix()}"] = path.read_bytes()
    return files


def commit_audit(store: VersionedStore, run_id: str, *, report_dir: Path, passed: bool) -> str:
    """Commit the report, gate results, Data Docs and run facts on the run branch, dropping
    the working files (and any report of an earlier attempt); return the commit id."""
    branch = run_branch(run_id)
    files = _report_files(report_dir)
    for path in store.ls(branch, f"{REPORTS}/") + store.ls(branch, WORK):
        if path not in files:
            store.delete(branch, path)
    for path, content in files.items():
        store.put(branch, path, content)
    metadata = dict(store.log(branch, limit=1)[0].metadata)
    metadata["gate"] = "passed" if passed else "blocked"
    try:
        return store.commit(branch, f"audit run {run_id}", metadata).id
    except NothingToCommit:
        return store.resolve(branch)


def _same_data(store: VersionedStore, left: str, right: str) -> bool:
    """Whether two refs hold the same published data (reports aside)."""
    return not [c for c in store.diff(left, right) if not c.path.startswith(f"{REPORTS}/")]


def merge_run(store: VersionedStore, run_id: str, *, republish: bool = True) -> Published:
    """Merge an audited run branch into main and tag it ``published-<run_id>``; when main
    already holds the same data nothing new is written and main's commit is returned.

    ``republish=False`` (replaying scheduled intervals): a run published before keeps its
    earlier publish - its tag's commit is returned and main does not move back in time.
    """
    branch = run_branch(run_id)
    tags = store.tags()
    if not republish and published_tag(run_id) in tags:
        return Published(branch, tags[published_tag(run_id)], merged=False)
    if _same_data(store, MAIN, branch):
        return Published(branch, store.resolve(MAIN), merged=False)
    metadata = dict(store.log(branch, limit=1)[0].metadata)
    crash_point("publish.before_merge")
    try:
        merged = store.merge(branch, MAIN, f"publish run {run_id}", metadata)
    except MergeConflict as exc:
        raise PublishConflict(
            f"main changed while run {run_id} was being checked (another publish "
            f"touched {len(exc.paths)} of the same file(s)); nothing was merged, the run "
            f"stays on branch {branch}: run hotpass refine again"
        ) from None
    with contextlib.suppress(StoreError):  # tagged by an earlier publish of the same run
        store.tag(published_tag(run_id), merged.id)
    return Published(branch, merged.id, merged=True)
