"""The refine pipeline: the only module that knows the order of the stages.

ingest -> standardise -> contracts -> resolve -> survive -> score (data quality, then leads with
the champion model when one is registered) -> write-audit-publish (stage
the tables on branch ``run-<run_id>`` and commit; run the gate on what the commit holds; commit
the audit; merge into main and tag when it passed) -> write the export directory. A failed
error rule in the gate blocks the publish: main and the export directory are left as they
were; the run's branch keeps the data and the verdict for review.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hotpass import __version__
from hotpass.errors import HotpassError
from hotpass.faults import crash_point
from hotpass.locking import LockTimeout, exclusive
from hotpass.settings import Settings
from hotpass.telemetry import telemetry

if TYPE_CHECKING:
    from hotpass.lineage import StageLineage
    from hotpass.stage_cache import RunInputs, StageCache
    from hotpass.store import VersionedStore

Status = Literal["staged", "published", "blocked", "failed"]
# The progress note of an input whose rows come from the stage cache (hotpass.stage_cache).
REUSED_NOTE = "unchanged since an earlier run, its rows are reused"
EXPORT_TABLES = (
    "organisations",
    "contacts",
    "addresses",
    "links",
    "review_queue",
    "quarantine",
)
STAGED_EXPORTS = ("organisations", "contacts", "addresses")
# One refine at a time per workspace: runs are serialised, never interleaved.
RUN_LOCK = "refine.lock"
RUN_LOCK_WAIT_S = 1800.0
Progress = Callable[[str], None]


@dataclass
class RunSummary:
    run_id: str
    status: Status
    inputs: list[dict[str, Any]]
    rows: dict[str, int]
    tables: dict[str, int]
    quarantine_by_rule: dict[str, int]
    organisations: int = 0
    contacts: int = 0
    links: int = 0
    review_pairs: int = 0
    lead_model: str | None = None  # the registered model version that scored the leads
    resolve: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] = field(default_factory=dict)
    branch: str | None = None
    published_ref: str | None = None
    merged: bool = False  # this run added a commit to main (False: main already had its data)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    hotpass_version: str = __version__

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


class AccountingError(RuntimeError, HotpassError):
    """Rows went missing between stages: a bug, never a data problem."""


class WorkspaceBusy(RuntimeError, HotpassError):
    """Another refine kept the workspace for longer than a run waits."""


class ContractError(RuntimeError, HotpassError):
    """A derived table (contacts, addresses) broke its contract: a bug in a normaliser."""


def compute_run_id(file_hashes: Sequence[str], profile_fingerprints: Sequence[str]) -> str:
    """Same inputs, profiles and code version -> same run id."""
    digest = hashlib.sha256()
    for part in [*sorted(file_hashes), *sorted(profile_fingerprints), __version__]:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _enforce_contracts(frames: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Check every staged table against its contract.

    Organisation rows that fail move to quarantine (with their same-row contacts and
    addresses); a failing contact or address row is a normaliser bug and stops the run.
    Returns the checked frames and how many raw rows moved to quarantine.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from hotpass.contracts.tables import contract_frame, failing_rows

    for table in ("contacts", "addresses"):
        failures = failing_rows(table, contract_frame(frames[table]))
        if failures:
            ids = frames[table].column("record_id").take(sorted(failures)[:5]).to_pylist()
            raise ContractError(
                f"{len(failures)} {table} row(s) break the contract "
                f"({next(iter(failures.values()))}); first records: {ids}"
            )
    organisations = frames["organisations"]
    failures = failing_rows("organisations", contract_frame(organisations))
    if not failures:
        return frames, 0
    positions = sorted(failures)
    bad = organisations.take(positions)
    bad_ids = pa.array(bad.column("record_id").to_pylist())
    moved = pa.table(
        {
            "record_id": bad.column("record_id"),
            "source_file": bad.column("source_file"),
            "sheet": bad.column("sheet"),
            "excel_row": bad.column("excel_row"),
            "profile": bad.column("profile"),
            "role": pa.array(["organisation"] * len(positions)),
            "rule": pa.array([f"contract: {failures[p]}" for p in positions]),
            "reason": pa.array(
                ["organisation row breaks the staged-organisation contract"] * len(positions)
            ),
        }
    )
    checked = dict(frames)
    checked["organisations"] = organisations.filter(
        pc.invert(pc.is_in(organisations.column("record_id"), bad_ids))
    )
    orphaned: dict[str, tuple[str, str]] = {}
    for table, role in (("contacts", "contact"), ("addresses", "address")):
        frame = frames[table]
        gone = pc.is_in(frame.column("org_record_id"), bad_ids)
        checked[table] = frame.filter(pc.invert(gone))
        for record_id, profile in zip(
            frame.filter(gone).column("record_id").to_pylist(),
            frame.filter(gone).column("profile").to_pylist(),
            strict=True,
        ):
            if record_id not in set(bad_ids.to_pylist()):
                orphaned[record_id] = (role, profile)
    children = [
        (rid, *rid.rsplit("::", 2), role, profile)
        for rid, (role, profile) in sorted(orphaned.items())
    ]
    orphans = pa.table(
        {
            "record_id": [c[0] for c in children],
            "source_file": [c[1] for c in children],
            "sheet": [c[2] for c in children],
            "excel_row": [int(c[3]) for c in children],
            "profile": [c[5] for c in children],
            "role": [c[4] for c in children],
            "rule": ["organisation_quarantined"] * len(children),
            "reason": ["the organisation this row attaches to broke its contract"] * len(children),
        }
    )
    schema = frames["quarantine"].schema
    checked["quarantine"] = pa.concat_tables(
        [frames["quarantine"], moved.cast(schema), orphans.cast(schema)]
    )
    return checked, len(positions) + len(children)


def _return_freed_arrow_memory() -> None:
    """Hand the memory of Arrow tables already dropped back to the system. Arrow's allocator
    (mimalloc) keeps freed pages for reuse: at a million rows, 0.75 GB of the standardised
    parts' memory stayed resident after they were dropped, under survivorship's peak."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _resolve_and_survive(
    frames: dict[str, Any],
    settings: Settings,
    say: Progress,
    previous_ids: Any | None,
    content_keys: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Resolve staged organisations into clusters and build the golden layer.

    Returns the export tables and resolution statistics. Review decisions are read from the
    workspace; ``previous_ids`` is the published record -> org_id registry (None at first);
    ``content_keys`` (source_file, content_key) lets unchanged organisations keep the golden
    rows of the latest run (:mod:`hotpass.golden_cache`).
    """
    import pyarrow.compute as pc

    from hotpass.duckdb_connection import drop_tables
    from hotpass.engine import connect, spark_session
    from hotpass.golden_cache import GoldenCache, survive_fingerprint
    from hotpass.resolve import load_config, resolve
    from hotpass.resolve.decisions import decisions_path, load_decisions
    from hotpass.resolve.features import organisation_features
    from hotpass.resolve.reuse import ResolutionCache, resolution_fingerprint
    from hotpass.standardise.parallel import TABLES
    from hotpass.survive import survive

    config = load_config("organisations")
    decisions = load_decisions(decisions_path(settings.workspace))
    backend = connect(settings.workspace, memory_mb=settings.engine_memory_mb)
    con = backend.con
    try:
        for name in TABLES:
            # Scanned where they are (Arrow, zero copy): a DuckDB copy of a million staged
            # rows took memory survivorship then had to spill.
            con.register(f"hotpass_staged_{name}", frames[name])
        features = organisation_features(
            con, "hotpass_staged_organisations", "hotpass_staged_addresses"
        )
        resolution = resolve(
            con,
            features,
            config=config,
            decisions=decisions,
            progress=say,
            spark=spark_session(settings),
            cache=ResolutionCache(
                settings.workspace / "cache" / "resolution",
                resolution_fingerprint(config),
                reuse_scores=settings.reuse_scores,
                retrain_after=settings.retrain_resolution_after,
            ),
        )
        drop_tables(con, features)
        con.register("hotpass_clusters_arrow", resolution.clusters)
        con.execute(
            "CREATE TEMP TABLE hotpass_final_clusters AS SELECT * FROM hotpass_clusters_arrow"
        )
        cache = (
            GoldenCache(settings.workspace / "cache" / "golden", survive_fingerprint())
            if settings.reuse_golden
            else None
        )
        earlier = cache.load() if cache is not None else None
        _return_freed_arrow_memory()  # survivorship sets the run's peak
        say("survive")
        golden = survive(
            con,
            organisations="hotpass_staged_organisations",
            contacts="hotpass_staged_contacts",
            addresses="hotpass_staged_addresses",
            clusters="hotpass_final_clusters",
            previous_ids=previous_ids,
            content_keys=content_keys,
            earlier=earlier,
        )
        del earlier
        if golden.reused:
            say(
                f"survive: {golden.reused} organisation(s) unchanged since the latest run kept "
                "their golden rows"
            )
    finally:
        backend.disconnect()
    _check_nothing_lost(frames, golden)
    if cache is not None:
        cache.save(golden)
    tables = {
        "organisations": golden.organisations,
        "contacts": golden.contacts,
        "addresses": golden.addresses,
        "links": resolution.links,
        "review_queue": resolution.review,
        "quarantine": frames["quarantine"],
        "organisation_ids": golden.record_org_ids,
        **{f"staged/{name}": frames[name] for name in STAGED_EXPORTS},
    }
    stats = {
        "records": resolution.clusters.num_rows,
        "clusters": pc.count_distinct(resolution.clusters.column("cluster_id")).as_py(),
        "decisions_applied": len(decisions),
        "training": resolution.training,
        "seconds": {k: round(v, 3) for k, v in resolution.seconds.items()},
        "threshold": config.threshold,
        "review_floor": config.review_floor,
    }
    return tables, stats


def _check_nothing_lost(frames: dict[str, Any], golden: Any) -> None:
    """Every staged organisation and contact row must reach exactly one golden record."""
    import pyarrow.compute as pc

    # Only the column it reads is filtered: filtering the table copied every nested column.
    organisation = pc.equal(golden.organisations["record_kind"], "organisation")
    used = pc.list_flatten(golden.organisations["source_records"].filter(organisation))
    staged = frames["organisations"].column("record_id")
    if (
        len(used) != len(staged)
        or len(pc.unique(used)) != len(staged)
        or not pc.all(pc.is_in(staged, value_set=used), min_count=0).as_py()
    ):
        raise AccountingError(
            f"{len(staged)} staged organisation rows but {len(pc.unique(used))} reached golden "
            f"records ({len(used)} references)"
        )
    people = pc.list_flatten(golden.contacts["source_contacts"])
    staged_contacts = frames["contacts"].num_rows
    if len(people) != staged_contacts or len(pc.unique(people)) != staged_contacts:
        raise AccountingError(
            f"{staged_contacts} staged contacts but {len(pc.unique(people))} reached golden "
            "contacts"
        )


_EXPORT_STAGING = ".hotpass-export-"


def _write_exports(store: VersionedStore, ref: str, export_dir: Path) -> dict[str, str]:
    """Copy the published tables, staged rows and report at ``ref`` byte for byte into the
    export directory: written beside it first, then moved in file by file (a run killed while
    moving leaves a mix, which the next run's export replaces; main is already whole).

    The golden and resolution tables go to the top; the standardised rows they were built
    from go to ``staged/`` (reviewers compare the two); report, gate results and Data Docs too.
    """
    from hotpass.publish import DATA_PATHS, REPORTS

    wanted = {f"{name}.parquet": DATA_PATHS[name] for name in EXPORT_TABLES}
    wanted.update({f"staged/{name}.parquet": f"staged/{name}.parquet" for name in STAGED_EXPORTS})
    wanted.update({p[len(REPORTS) + 1 :]: p for p in store.ls(ref, f"{REPORTS}/")})
    wanted.pop("run.json", None)
    outputs: dict[str, str] = {}
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    # Named after the export directory, so only this directory's leftovers (of a killed run;
    # runs into it take turns) are removed, never a sibling directory's export in progress.
    prefix = f"{_EXPORT_STAGING}{export_dir.name}-"
    for leftover in export_dir.parent.glob(f"{prefix}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=export_dir.parent))
    try:
        for relative, path in wanted.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.get(ref, path))
        shutil.rmtree(export_dir / "data_docs", ignore_errors=True)
        for relative in sorted(wanted):
            target = export_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
            crash_point("export.moving")
        for name in EXPORT_TABLES:
            outputs[name] = str(export_dir / f"{name}.parquet")
        for name in STAGED_EXPORTS:
            outputs[f"staged/{name}"] = str(export_dir / "staged" / f"{name}.parquet")
        outputs["report"] = str(export_dir / "report.html")
        outputs["report_md"] = str(export_dir / "report.md")
        outputs["gate"] = str(export_dir / "gate.json")
        if (export_dir / "data_docs" / "index.html").exists():
            outputs["data_docs"] = str(export_dir / "data_docs" / "index.html")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outputs


def _commit_metadata(
    run_id: str,
    inputs: Sequence[Any],
    profile: str | None,
    rows: dict[str, int],
    tables: dict[str, Any],
) -> dict[str, str]:
    """What a run's commit records: ids, input hashes, profile, code version, row counts."""
    return {
        "run_id": run_id,
        "hotpass_version": __version__,
        "inputs": ",".join(f"{Path(i.path).name}:{i.sha256[:12]}" for i in inputs),
        "profile": profile or "detected",
        **{f"rows.{name}": str(count) for name, count in rows.items()},
        "organisations": str(tables["organisations"].num_rows),
    }


# Staged rows in a fixed order (unique keys), however they were made or reused.
_STAGED_ORDER = {
    "organisations": ["source_file", "sheet", "excel_row"],
    "contacts": ["contact_id"],
    "addresses": ["address_id"],
    # A row's contacts are quarantined with its row number: the id and rule break the tie.
    "quarantine": ["source_file", "sheet", "excel_row", "record_id", "rule"],
}


def _standardise_and_check(
    read: RunInputs, settings: Settings, say: Progress, cache: StageCache | None
) -> tuple[dict[str, Any], int, dict[str, int]]:
    """Standardise the freshly ingested files, enforce the contracts on their rows (and cache
    the result), add the reused files' rows, and check every ingested row is accounted for:
    (frames, rows accepted, quarantined rows by rule). Reused rows met the same contracts
    when they were cached: the contracts check one row at a time, and their code is part of
    the cache key."""
    from hotpass.key_order import merged_in_key_order
    from hotpass.standardise.parallel import TABLES, standardise_spool

    fresh = None
    accepted = 0
    if read.fresh.inputs:
        say("standardise")
        fresh, accepted = standardise_spool(read.fresh, settings, progress=say)
        say("contracts")
        fresh, moved = _enforce_contracts(fresh)
        accepted -= moved
    if read.reused:
        say(f"standardise: staged rows of {len(read.reused)} unchanged input(s) reused")
    for reused in read.reused.values():
        summary = reused.summary
        accepted += summary.rows_ingested - reused.table("quarantine").num_rows
    # A reused file's rows were cached in key order: merged, not sorted again (a take of a
    # million staged organisations took 1.2 s of an incremental run).
    frames = {
        name: merged_in_key_order(parts, _STAGED_ORDER[name])
        for name, parts in read.staged(TABLES, fresh).items()
    }
    fresh = None  # the unsorted parts, 0.7 GB at a million rows
    _return_freed_arrow_memory()
    quarantined = frames["quarantine"].num_rows
    if accepted + quarantined != read.rows:
        raise AccountingError(
            f"{read.rows} rows ingested but {accepted} accepted + {quarantined} quarantined"
        )
    if cache is not None and read.fresh.inputs:
        cache.save(read.fresh, frames)  # sorted by file: each file's rows are one slice
    import pyarrow.compute as pc

    counts = pc.value_counts(frames["quarantine"].column("rule")).to_pylist()
    rules = {item["values"]: item["counts"] for item in counts}
    return frames, accepted, rules


def _published_organisations(store: VersionedStore, columns: Collection[str]) -> Any | None:
    """Main's golden organisations (for the report's "changes since published"), if any: only
    ``columns`` of them."""
    from hotpass.publish import DATA_PATHS, read_parquet

    if DATA_PATHS["organisations"] not in store.ls("main", "golden/"):
        return None
    return read_parquet(store, "main", DATA_PATHS["organisations"], columns)


def refine(
    inputs: Sequence[Path],
    /,
    *,
    settings: Settings,
    profile: str | None = None,
    export_dir: Path | None = None,
    progress: Progress | None = None,
    republish: bool = True,
) -> RunSummary:
    """Refine ``inputs`` and publish them through write-audit-publish (module docstring);
    when published, also write the tables as Parquet under ``export_dir``. ``republish``:
    see :func:`publish_run`.

    Profiles are loaded and validated before any data is read. The export directory receives
    files only when every stage succeeded: they are written to a temporary directory beside it
    and moved in at the end. One refine runs at a time per workspace: a second one waits for
    the first (up to ``RUN_LOCK_WAIT_S``), so runs are serialised, never interleaved.

    Raises:
        ProfileError: an unknown or invalid profile.
        InputError: an input that cannot be read (naming file, sheet, column or row).
        WorkspaceBusy: another refine kept the workspace for the whole wait.
        PublishConflict: main changed under the run (another writer on a shared lakeFS).
        ContractError, AccountingError: a bug; nothing is written.
    """
    say = progress or (lambda _message: None)
    with workspace_turn(settings, say):
        return _refine(inputs, settings, profile, export_dir, say, republish)


@contextlib.contextmanager
def workspace_turn(settings: Settings, say: Progress) -> Iterator[None]:
    """Hold the workspace's run lock: refines and ``hotpass version revert`` take turns, so
    concurrent ones happen in some serial order, never interleaved (a revert landing between
    a run's branch and its merge would otherwise make the merge conflict).

    Raises:
        WorkspaceBusy: another holder kept the lock for ``RUN_LOCK_WAIT_S``.
    """
    waiting = "waiting: another refine or revert is running in this workspace"
    try:
        with exclusive(
            settings.workspace / RUN_LOCK, timeout=RUN_LOCK_WAIT_S, on_wait=lambda: say(waiting)
        ):
            yield
    except LockTimeout:
        raise WorkspaceBusy(
            f"another run held {settings.workspace} for {RUN_LOCK_WAIT_S:g} s; nothing was "
            "changed: try again when it has finished"
        ) from None


def _champion(settings: Settings) -> str | None:
    """The champion lead model's version, looked up once per run (None without a registry,
    and then MLflow is never imported)."""
    from hotpass_train.registry import registry_exists

    if not registry_exists(settings):
        return None
    from hotpass_train.score import champion_version

    return champion_version(settings)


def _score_leads(
    tables: dict[str, Any], settings: Settings, champion: str | None, say: Progress
) -> Any:
    """Golden organisations with the champion's lead scores (empty when there is none)."""
    from hotpass.leads import with_lead_scores

    organisations = tables["organisations"]
    if champion is None:
        say(
            "leads: no champion model yet, lead_score left empty "
            "(hotpass model train, then hotpass model promote)"
        )
        return with_lead_scores(organisations, None, None)
    from hotpass_train.score import scored_organisations

    say(f"leads: scoring {organisations.num_rows} organisation(s) with {champion} (champion)")
    return scored_organisations(settings, organisations, tables["contacts"], champion)


def _transform_and_stage(
    ingested: RunInputs,
    cache: StageCache | None,
    run_id: str,
    settings: Settings,
    profile: str | None,
    say: Progress,
    started: float,
    ol: StageLineage,
    champion: str | None,
    stage_fingerprint: str,
) -> None:
    """The write stage after ingest: everything up to the commit on the run branch.
    ``stage_fingerprint`` is the stage cache's key of the code, profiles and size limit
    (:func:`hotpass.stage_cache.code_fingerprint`)."""
    from hotpass.contracts.golden import arrow_schema
    from hotpass.golden_cache import content_keys
    from hotpass.lineage import store_dataset
    from hotpass.publish import (
        DATA_PATHS,
        REGISTRY_PATH,
        RUN_FILE,
        WORK_PATHS,
        read_parquet,
        run_branch,
        stage_run,
    )
    from hotpass.store import open_store
    from hotpass.validate import score

    tel = telemetry(settings)
    clock: dict[str, float] = {"ingest": time.perf_counter() - started}
    with tel.stage("standardise", rows_in=ingested.rows) as stage:
        frames, accepted, rules = _standardise_and_check(ingested, settings, say, cache)
        stage.set(rows_out=accepted, rows_quarantined=frames["quarantine"].num_rows)
    clock["standardise"] = stage.seconds

    store = open_store(settings)
    with tel.stage("resolve_survive", records=frames["organisations"].num_rows) as stage:
        previous_ids = (
            read_parquet(store, "main", REGISTRY_PATH)
            if REGISTRY_PATH in store.ls("main", "registry/")
            else None
        )
        tables, resolve_stats = _resolve_and_survive(
            frames,
            settings,
            say,
            previous_ids,
            content_keys(ingested.inputs, stage_fingerprint),
        )
        stage.set(
            organisations=tables["organisations"].num_rows, contacts=tables["contacts"].num_rows
        )
    clock["resolve_survive"] = stage.seconds
    with tel.stage("score", organisations=tables["organisations"].num_rows) as stage:
        say("score: data-quality scores")
        tables["organisations"] = score(
            tables["organisations"], tables["contacts"], frames["organisations"]
        )
    clock["score"] = stage.seconds
    with tel.stage("leads", model=champion or "none") as stage:
        tables["organisations"] = _score_leads(tables, settings, champion, say)
    clock["leads"] = stage.seconds

    row_counts = {
        "ingested": ingested.rows,
        "blank_skipped": sum(s.blank_skipped for s in ingested.inputs),
        "accepted": accepted,
        "quarantined": frames["quarantine"].num_rows,
    }
    tel.rows(
        ingested=row_counts["ingested"],
        accepted=accepted,
        quarantined=row_counts["quarantined"],
    )
    run_info = {
        "run_id": run_id,
        "profile": profile,
        "inputs": [asdict(s) for s in ingested.inputs],
        "rows": row_counts,
        "tables": {name: tables[name].num_rows for name in EXPORT_TABLES},
        "quarantine_by_rule": dict(sorted(rules.items())),
        "resolve": resolve_stats,
        "lead_model": champion,
        "stage_seconds": clock,
    }
    from hotpass.ingest import RAW_SCHEMA
    from hotpass.validate import input_columns

    audited = input_columns()["raw"]
    parquet = {
        WORK_PATHS["raw"]: ingested.raw([f.name for f in RAW_SCHEMA if f.name in audited]),
        **{f"staged/{name}.parquet": frames[name] for name in STAGED_EXPORTS},
        REGISTRY_PATH: tables["organisation_ids"],
    }
    files = {RUN_FILE: json.dumps(run_info, indent=2, sort_keys=True).encode() + b"\n"}
    say(f"write: the run's tables to branch {run_branch(run_id)}")
    commit = stage_run(
        store,
        run_id=run_id,
        tables=tables,
        files=files,
        parquet=parquet,
        metadata=_commit_metadata(run_id, ingested.inputs, profile, row_counts, tables),
    )
    ol.store = {"branch": run_branch(run_id), "commit": commit}
    ol.outputs = [
        store_dataset(
            settings,
            run_branch(run_id),
            DATA_PATHS[name],
            version=commit,
            rows=tables[name].num_rows,
            schema=[(f.name, str(f.type)) for f in arrow_schema(name)],
        )
        for name in DATA_PATHS
    ]


def write_run(
    inputs: Sequence[Path],
    /,
    *,
    settings: Settings,
    profile: str | None = None,
    progress: Progress | None = None,
    lineage: bool = True,
) -> str:
    """Stage "write": ingest, standardise, check the contracts, resolve, survive and score, then
    commit everything on branch ``run-<run_id>`` of the store. Returns the run id.

    Besides the published tables the commit holds what the later stages need and nothing
    else carries between them: ``work/`` (raw rows and staged organisations, for the gate; the
    audit commit deletes them), ``staged/``, ``registry/organisation_ids.parquet`` and
    ``reports/run.json`` (counts, inputs, timings - no personal data).
    """
    say = progress or (lambda _message: None)
    with telemetry(settings).stage("write", inputs=len(inputs)) as stage:
        run_id = _write(inputs, settings, profile, say, lineage)
        stage.set(run_id=run_id)
    return run_id


def _write(
    inputs: Sequence[Path], settings: Settings, profile: str | None, say: Progress, lineage: bool
) -> str:
    from hotpass.ingest import check_file_names, ingest
    from hotpass.lineage import DatasetRef, stage_lineage
    from hotpass.profiles import builtin_profiles, load_profile
    from hotpass.stage_cache import RunInputs, StageCache, code_fingerprint

    started = time.perf_counter()
    chosen = load_profile(profile) if profile else None
    profiles = builtin_profiles()

    say(f"ingest: {len(inputs)} input(s)")
    check_file_names(inputs)
    settings.workspace.mkdir(parents=True, exist_ok=True)
    fingerprints = [p.model_dump_json() for p in ([chosen] if chosen else profiles)]
    max_bytes = settings.max_input_mb * 2**20
    stage_fingerprint = code_fingerprint(fingerprints, max_bytes)
    cache = (
        StageCache(settings.workspace / "cache" / "inputs", stage_fingerprint)
        if settings.reuse_staged
        else None
    )
    with tempfile.TemporaryDirectory(prefix=".spool-", dir=settings.workspace) as spool:
        with telemetry(settings).stage("ingest", inputs=len(inputs)) as stage:
            reused = cache.find(inputs) if cache is not None else {}
            for path in reused:
                say(f"ingest {path.name}: {REUSED_NOTE}")
            fresh = ingest(
                [path for path in inputs if path not in reused],
                profile=chosen,
                profiles=profiles,
                progress=say,
                max_bytes=max_bytes,
                spool=Path(spool),
                workers=settings.ingest_workers,
                stream_above=settings.stream_workbooks_above_mb * 2**20,
            )
            ingested = RunInputs(list(inputs), fresh, reused)
            stage.set(rows_in=ingested.rows, inputs_reused=len(reused))
        champion = _champion(settings)
        if champion is not None:  # a new champion re-scores the same inputs: a new run
            fingerprints.append(f"lead-model:{champion}")
        run_id = compute_run_id([s.sha256 for s in ingested.inputs], fingerprints)

        with stage_lineage(settings, run_id, "write", enabled=lineage) as ol:
            ol.inputs = [
                DatasetRef(
                    "file", str(Path(i.path).resolve()), version=i.sha256, rows=i.rows_ingested
                )
                for i in ingested.inputs
            ]
            _transform_and_stage(
                ingested,
                cache,
                run_id,
                settings,
                profile,
                say,
                started,
                ol,
                champion,
                stage_fingerprint,
            )
        if cache is not None:
            cache.keep_used()
        return run_id


def audit_run(
    run_id: str, /, *, settings: Settings, progress: Progress | None = None, lineage: bool = True
) -> bool:
    """Stage "audit": run the gate on the tables the run branch holds, write the report, commit
    report, gate results and Data Docs on the branch (dropping ``work/``). True when it passed.
    """
    from hotpass.lineage import stage_lineage

    with (
        telemetry(settings).stage("audit", run_id=run_id) as stage,
        stage_lineage(settings, run_id, "audit", enabled=lineage) as ol,
    ):
        passed = _audit(run_id, settings, progress or (lambda _message: None), ol)
        stage.set(gate_passed=passed)
        return passed


def _audit(run_id: str, settings: Settings, say: Progress, ol: StageLineage) -> bool:
    from hotpass.contracts.golden import arrow_schema
    from hotpass.lineage import render_svg, run_events, store_dataset
    from hotpass.publish import (
        DATA_PATHS,
        RUN_FILE,
        STAGED_ORGANISATIONS,
        WORK_PATHS,
        commit_audit,
        read_parquet,
        read_tables,
        run_branch,
    )
    from hotpass.store import open_store
    from hotpass.validate import input_columns, validate, write_report
    from hotpass.validate.gate import start_importing

    mark = time.perf_counter()
    start_importing()  # while the tables are read
    store = open_store(settings)
    branch = run_branch(run_id)
    checked = store.resolve(branch)
    run_info = json.loads(store.get(branch, RUN_FILE))
    say(f"audit: the Great Expectations gate on {checked[:12]} (read from the store)")
    columns = input_columns()
    tables = {
        **read_tables(store, branch, ("quarantine", "review_queue")),
        **{
            name: read_parquet(store, branch, DATA_PATHS[name], columns[name])
            for name in ("organisations", "contacts")
        },
    }
    report_dir = settings.run_dir(run_id)
    validation = validate(
        run_id=run_id,
        organisations=tables["organisations"],
        contacts=tables["contacts"],
        staged_organisations=read_parquet(
            store, branch, STAGED_ORGANISATIONS, columns["staged_organisations"]
        ),
        raw=read_parquet(store, branch, WORK_PATHS["raw"], columns["raw"]),
        quarantine=tables["quarantine"],
        inputs=run_info["inputs"],
        rows=run_info["rows"],
        quarantine_by_rule=run_info["quarantine_by_rule"],
        review_pairs=tables["review_queue"].num_rows,
        workspace=settings.workspace,
        run_dir=report_dir,
        previous_organisations=_published_organisations(store, columns["organisations"]),
    )
    ol.inputs = [
        store_dataset(
            settings,
            branch,
            DATA_PATHS[name],
            version=checked,
            rows=tables[name].num_rows,
            schema=[(f.name, str(f.type)) for f in arrow_schema(name)],
            assertions=[
                {
                    "assertion": r.expectation,
                    "column": r.column,
                    "success": r.success,
                    "severity": r.severity,
                }
                for r in validation.gate.results
                if r.table == name and r.suite.startswith("golden_")
            ],
        )
        for name in ("organisations", "contacts")
    ]
    validation.report.lineage_svg = render_svg(run_events(settings, run_id))
    write_report(validation, report_dir)
    run_info["stage_seconds"]["audit"] = time.perf_counter() - mark
    (report_dir / "run.json").write_text(json.dumps(run_info, indent=2, sort_keys=True) + "\n")
    passed = validation.gate.passed
    telemetry(settings).gate_failures(len(validation.gate.errors))
    if not passed:
        say(f"audit: {len(validation.gate.errors)} error rule(s) failed; main stays as it was")
    commit = commit_audit(store, run_id, report_dir=report_dir, passed=passed)
    ol.store = {"branch": branch, "commit": commit, "gate": "passed" if passed else "blocked"}
    ol.outputs = [store_dataset(settings, branch, "reports/gate.json", version=commit)]
    return passed


def publish_run(
    run_id: str,
    /,
    *,
    settings: Settings,
    export_dir: Path | None = None,
    progress: Progress | None = None,
    lineage: bool = True,
    republish: bool = True,
) -> RunSummary:
    """Stage "publish": when the audit passed, merge the run branch into main and tag it (a run
    whose tables main already holds publishes nothing new; with ``republish=False`` a run
    published before keeps that publish); then write ``export_dir``.
    Returns the run's summary, read back from the store."""
    from hotpass.lineage import stage_lineage

    with (
        telemetry(settings).stage("publish", run_id=run_id) as stage,
        stage_lineage(settings, run_id, "publish", enabled=lineage) as ol,
    ):
        say = progress or (lambda _message: None)
        summary = _publish(run_id, settings, export_dir, say, ol, republish=republish)
        stage.set(status=summary.status, merged=summary.merged)
        return summary


def _publish(
    run_id: str,
    settings: Settings,
    export_dir: Path | None,
    say: Progress,
    ol: StageLineage,
    *,
    republish: bool,
) -> RunSummary:
    from hotpass.lineage import store_dataset
    from hotpass.publish import DATA_PATHS, RUN_FILE, merge_run, run_branch
    from hotpass.store import open_store

    mark = time.perf_counter()
    store = open_store(settings)
    branch = run_branch(run_id)
    run_info = json.loads(store.get(branch, RUN_FILE))
    gate = json.loads(store.get(branch, "reports/gate.json"))
    outputs = {
        "report": str(settings.run_dir(run_id) / "report.html"),
        "gate": str(settings.run_dir(run_id) / "gate.json"),
    }
    published_ref, merged = None, False
    if gate["passed"]:
        say("publish: merge into main and tag")
        published = merge_run(store, run_id, republish=republish)
        published_ref, merged = published.published_ref, published.merged
        if export_dir is not None:
            assert published_ref is not None  # - merge_run always names main's commit
            say(f"export: {export_dir}")
            outputs.update(_write_exports(store, published_ref, export_dir))
    run_info["stage_seconds"]["publish"] = time.perf_counter() - mark
    ol.store = {"branch": branch, "status": "published" if published_ref else "blocked"}
    ol.inputs = [store_dataset(settings, branch, path) for path in DATA_PATHS.values()]
    if published_ref:
        ol.store["published_ref"] = published_ref
        ol.outputs = [
            store_dataset(settings, "main", path, version=published_ref)
            for path in DATA_PATHS.values()
        ]
    tables = {name: run_info["tables"][name] for name in EXPORT_TABLES}
    return RunSummary(
        run_id=run_id,
        status="published" if published_ref else "blocked",
        inputs=run_info["inputs"],
        rows=run_info["rows"],
        tables=tables,
        quarantine_by_rule=run_info["quarantine_by_rule"],
        organisations=tables["organisations"],
        contacts=tables["contacts"],
        links=tables["links"],
        review_pairs=tables["review_queue"],
        resolve=run_info["resolve"],
        lead_model=run_info.get("lead_model"),
        gate=gate,
        branch=branch,
        published_ref=published_ref,
        merged=merged,
        stage_seconds={k: round(v, 3) for k, v in run_info["stage_seconds"].items()},
        outputs=outputs,
    )


def _refine(
    inputs: Sequence[Path],
    settings: Settings,
    profile: str | None,
    export_dir: Path | None,
    say: Progress,
    republish: bool,
) -> RunSummary:
    started = time.perf_counter()
    with telemetry(settings).stage("refine", inputs=len(inputs)) as stage:
        run_id = write_run(inputs, settings=settings, profile=profile, progress=say)
        stage.set(run_id=run_id)
        audit_run(run_id, settings=settings, progress=say)
        summary = publish_run(
            run_id, settings=settings, export_dir=export_dir, progress=say, republish=republish
        )
        stage.set(status=summary.status, organisations=summary.organisations)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary
