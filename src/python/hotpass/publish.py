"""Stage ``publish``: write-audit-publish into the versioned store.

:func:`stage_run` writes the run's tables as zstd Parquet (each cast to its contract's Arrow
schema) to branch ``run-<run_id>``, created from main, and commits them with the run's
metadata. The gate then reads the tables back from that commit (:func:`read_tables`), so it
checks exactly the bytes that would be published. :func:`finish_run` commits the report, gate
results and Data Docs on the branch and, when the gate passed, merges the branch into main and
tags the merge ``published-<run_id>``. A blocked run leaves main untouched and the branch for
review. When main already holds the same data (a re-run of the same inputs) nothing is written
and the run reports main's commit.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
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
REPORT_FILES = ("report.html", "report.md", "gate.json")
REPORTS = "reports"


class PublishConflict(RuntimeError, HotpassError):
    """Main changed under the run (another publish) on the same tables; nothing was merged."""


def run_branch(run_id: str) -> str:
    return f"run-{run_id}"


def published_tag(run_id: str) -> str:
    return f"published-{run_id}"


@dataclass(frozen=True)
class StagedRun:
    run_id: str
    branch: str
    ref: str  # the commit holding this run's tables: the branch's, or main's when unchanged
    unchanged: bool  # main already held exactly these tables; nothing was written


@dataclass(frozen=True)
class Published:
    branch: str
    commit: str | None  # the run branch's last commit (None when nothing new was written)
    published_ref: str | None  # main's commit holding this run's data (None when blocked)
    merged: bool


def parquet_bytes(name: str, table: Any) -> bytes:
    """``table`` as zstd Parquet in the Arrow schema of its contract
    (:func:`hotpass.contracts.golden.conform`)."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(conform(name, table), buffer, compression="zstd")
    return buffer.getvalue()


def _same_data(store: VersionedStore, ref: str, data: Mapping[str, bytes]) -> bool:
    published = [p for p in store.ls(ref) if p.endswith(".parquet") and p in DATA_PATHS.values()]
    if sorted(published) != sorted(data):
        return False
    return all(store.get(ref, path) == content for path, content in data.items())


def _fresh_branch(store: VersionedStore, branch: str) -> None:
    if branch in store.branches():
        store.delete_branch(branch)  # an earlier attempt of the same run: start again
    store.create_branch(branch, MAIN)


def stage_run(
    store: VersionedStore, *, run_id: str, tables: Mapping[str, Any], metadata: Mapping[str, str]
) -> StagedRun:
    """Write and commit the run's tables on its branch (see the module docstring)."""
    branch = run_branch(run_id)
    data = {path: parquet_bytes(name, tables[name]) for name, path in DATA_PATHS.items()}
    if _same_data(store, MAIN, data):
        return StagedRun(run_id, branch, store.resolve(MAIN), unchanged=True)
    _fresh_branch(store, branch)
    for path, content in data.items():
        store.put(branch, path, content)
    try:
        commit = store.commit(branch, f"refine run {run_id}", dict(metadata)).id
    except NothingToCommit:
        commit = store.resolve(branch)
    crash_point("publish.after_stage")
    return StagedRun(run_id, branch, commit, unchanged=False)


def read_tables(
    store: VersionedStore, ref: str, names: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The run tables at ``ref`` as Arrow tables, by name (all of them unless ``names``)."""
    import pyarrow.parquet as pq

    wanted = names or tuple(DATA_PATHS)
    return {name: pq.read_table(io.BytesIO(store.get(ref, DATA_PATHS[name]))) for name in wanted}


def _report_files(report_dir: Path) -> dict[str, bytes]:
    files = {f"{REPORTS}/{name}": (report_dir / name).read_bytes() for name in REPORT_FILES}
    docs = report_dir / "data_docs"
    if docs.is_dir():
        for path in sorted(p for p in docs.rglob("*") if p.is_file()):
            files[f"{REPORTS}/data_docs/{path.relative_to(docs).as_posix()}"] = path.read_bytes()
    return files


def finish_run(
    store: VersionedStore,
    staged: StagedRun,
    *,
    report_dir: Path,
    metadata: Mapping[str, str],
    passed: bool,
) -> Published:
    """Commit the audit (report, gate results, Data Docs); merge and tag when ``passed``."""
    if staged.unchanged and passed:
        return Published(staged.branch, None, store.resolve(MAIN), merged=False)
    if staged.unchanged:  # main's data fails today's gate: keep the verdict on a branch
        _fresh_branch(store, staged.branch)
    old_reports = [p for p in store.ls(staged.branch, f"{REPORTS}/")]
    files = _report_files(report_dir)
    for path in old_reports:
        if path not in files:
            store.delete(staged.branch, path)
    for path, content in files.items():
        store.put(staged.branch, path, content)
    audit = {**metadata, "gate": "passed" if passed else "blocked"}
    try:
        commit = store.commit(staged.branch, f"audit run {staged.run_id}", audit).id
    except NothingToCommit:
        commit = store.resolve(staged.branch)
    if not passed:
        return Published(staged.branch, commit, None, merged=False)
    crash_point("publish.before_merge")
    try:
        merged = store.merge(staged.branch, MAIN, f"publish run {staged.run_id}", audit)
    except MergeConflict as exc:
        raise PublishConflict(
            f"main changed while run {staged.run_id} was being checked (another publish "
            f"touched {len(exc.paths)} of the same file(s)); nothing was merged, the run "
            f"stays on branch {staged.branch}: run hotpass refine again"
        ) from None
    with contextlib.suppress(StoreError):  # tagged by an earlier publish of the same run
        store.tag(published_tag(staged.run_id), merged.id)
    return Published(staged.branch, commit, merged.id, merged=True)
