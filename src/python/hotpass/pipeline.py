"""The refine pipeline: the only module that knows the order of the stages.

ingest -> standardise -> contracts -> resolve -> survive -> score -> write-audit-publish (stage
the tables on branch ``run-<run_id>`` and commit; run the gate on what the commit holds; commit
the audit; merge into main and tag when it passed) -> write the export directory. A failed
error rule in the gate blocks the publish: main and the export directory are left as they
were; the run's branch keeps the data and the verdict for review.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hotpass import __version__
from hotpass.errors import HotpassError
from hotpass.locking import LockTimeout, exclusive
from hotpass.settings import Settings

if TYPE_CHECKING:
    from hotpass.store import VersionedStore

Status = Literal["staged", "published", "blocked", "failed"]
STAGED_TABLES = ("organisations", "contacts", "addresses", "quarantine")
EXPORT_TABLES = (
    "organisations",
    "contacts",
    "addresses",
    "links",
    "review_queue",
    "quarantine",
)
STAGED_EXPORTS = ("organisations", "contacts", "addresses")
ORG_IDS_FILE = Path("registry") / "organisation_ids.parquet"
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
    resolve: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] = field(default_factory=dict)
    branch: str | None = None
    published_ref: str | None = None
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

    from hotpass.contracts.tables import failing_rows

    for table in ("contacts", "addresses"):
        failures = failing_rows(table, frames[table].to_pandas())
        if failures:
            ids = frames[table].column("record_id").take(sorted(failures)[:5]).to_pylist()
            raise ContractError(
                f"{len(failures)} {table} row(s) break the contract "
                f"({next(iter(failures.values()))}); first records: {ids}"
            )
    organisations = frames["organisations"]
    failures = failing_rows("organisations", organisations.to_pandas())
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


def _standardise_frames(raw: Any, settings: Settings) -> tuple[dict[str, Any], int]:
    """Run standardise on the raw Arrow table; return the staged tables and accepted count."""
    import ibis

    from hotpass.engine import connect
    from hotpass.standardise import standardise

    order = {
        "organisations": ["source_file", "sheet", "excel_row"],
        "contacts": ["contact_id"],
        "addresses": ["address_id"],
        "quarantine": ["source_file", "sheet", "excel_row"],
    }
    con = connect(settings.workspace)
    try:
        staged = standardise(con.create_table("raw", ibis.memtable(raw)))
        try:
            frames = {
                name: getattr(staged, name).order_by(order[name]).to_pyarrow()
                for name in STAGED_TABLES
            }
            accepted = int(staged.accepted.count().to_pyarrow().as_py())
        finally:
            staged.release()
    finally:
        con.disconnect()
    return frames, accepted


def _resolve_and_survive(
    frames: dict[str, Any], settings: Settings, say: Progress
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Resolve staged organisations into clusters and build the golden layer.

    Returns the export tables and resolution statistics. Review decisions and the previous
    run's organisation ids are read from the workspace.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from hotpass.engine import connect
    from hotpass.resolve import load_config, resolve
    from hotpass.resolve.decisions import decisions_path, load_decisions
    from hotpass.resolve.features import organisation_features
    from hotpass.survive import survive

    config = load_config("organisations")
    decisions = load_decisions(decisions_path(settings.workspace))
    ids_file = settings.workspace / ORG_IDS_FILE
    previous_ids = pq.read_table(ids_file) if ids_file.exists() else None
    backend = connect(settings.workspace)
    con = backend.con
    try:
        for name in STAGED_TABLES:
            con.register(f"hotpass_{name}_arrow", frames[name])
            con.execute(
                f"CREATE TEMP TABLE hotpass_staged_{name} AS SELECT * FROM hotpass_{name}_arrow"
            )
            con.unregister(f"hotpass_{name}_arrow")
        features = organisation_features(
            con, "hotpass_staged_organisations", "hotpass_staged_addresses"
        )
        resolution = resolve(con, features, config=config, decisions=decisions, progress=say)
        con.register("hotpass_clusters_arrow", resolution.clusters)
        con.execute(
            "CREATE TEMP TABLE hotpass_final_clusters AS SELECT * FROM hotpass_clusters_arrow"
        )
        say("survive")
        golden = survive(
            con,
            organisations="hotpass_staged_organisations",
            contacts="hotpass_staged_contacts",
            addresses="hotpass_staged_addresses",
            clusters="hotpass_final_clusters",
            previous_ids=previous_ids,
        )
    finally:
        backend.disconnect()
    _check_nothing_lost(frames, golden)
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
        "seconds": {k: round(v, 3) for k, v in resolution.seconds.items()},
        "threshold": config.threshold,
        "review_floor": config.review_floor,
    }
    return tables, stats


def _check_nothing_lost(frames: dict[str, Any], golden: Any) -> None:
    """Every staged organisation and contact row must reach exactly one golden record."""
    import pyarrow.compute as pc

    orgs = golden.organisations.filter(
        pc.equal(golden.organisations["record_kind"], "organisation")
    )
    used = pc.list_flatten(orgs["source_records"])
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


def _write_exports(
    published: dict[str, bytes], frames: dict[str, Any], export_dir: Path
) -> dict[str, str]:
    """Write every table beside the export directory first, then move them in.

    The golden and resolution tables go to the top, byte for byte as published; the
    standardised rows they were built from go to ``staged/`` (reviewers compare the two).
    """
    import pyarrow.parquet as pq

    outputs: dict[str, str] = {}
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".hotpass-", dir=export_dir.parent))
    try:
        names = [*EXPORT_TABLES, *(f"staged/{name}" for name in STAGED_EXPORTS)]
        (staging / "staged").mkdir()
        for name in EXPORT_TABLES:
            (staging / f"{name}.parquet").write_bytes(published[name])
        for name in STAGED_EXPORTS:
            pq.write_table(frames[f"staged/{name}"], staging / f"staged/{name}.parquet")
        (export_dir / "staged").mkdir(parents=True, exist_ok=True)
        for name in names:
            target = export_dir / f"{name}.parquet"
            os.replace(staging / f"{name}.parquet", target)
            outputs[name] = str(target)
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


def _save_org_ids(ids: Any, path: Path) -> None:
    """Keep record -> org_id for the next run (atomically), so ids survive re-clustering."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    pq.write_table(ids, temporary)
    os.replace(temporary, path)


def _standardise_and_check(
    raw: Any, settings: Settings, say: Progress
) -> tuple[dict[str, Any], int, dict[str, int]]:
    """Standardise, enforce the contracts, and check every ingested row is accounted for:
    (frames, rows accepted, quarantined rows by rule)."""
    say("standardise")
    frames, accepted = _standardise_frames(raw, settings)
    say("contracts")
    frames, moved = _enforce_contracts(frames)
    accepted -= moved
    quarantined = frames["quarantine"].num_rows
    if accepted + quarantined != raw.num_rows:
        raise AccountingError(
            f"{raw.num_rows} rows ingested but {accepted} accepted + {quarantined} quarantined"
        )
    rules: dict[str, int] = {}
    for rule in frames["quarantine"].column("rule").to_pylist():
        rules[rule] = rules.get(rule, 0) + 1
    return frames, accepted, rules


def _published_organisations(store: VersionedStore) -> Any | None:
    """Main's golden organisations (for the report's "changes since published"), if any."""
    from hotpass.publish import DATA_PATHS, read_tables

    if DATA_PATHS["organisations"] not in store.ls("main", "golden/"):
        return None
    return read_tables(store, "main", ("organisations",))["organisations"]


def refine(
    inputs: Sequence[Path],
    /,
    *,
    settings: Settings,
    profile: str | None = None,
    export_dir: Path | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Refine ``inputs`` and publish them through write-audit-publish (module docstring);
    when published, also write the tables as Parquet under ``export_dir``.

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
    try:
        with exclusive(
            settings.workspace / RUN_LOCK,
            timeout=RUN_LOCK_WAIT_S,
            on_wait=lambda: say("waiting: another refine is running in this workspace"),
        ):
            return _refine(inputs, settings, profile, export_dir, say)
    except LockTimeout:
        raise WorkspaceBusy(
            f"another refine held {settings.workspace} for {RUN_LOCK_WAIT_S:g} s; nothing was "
            "changed: try again when it has finished"
        ) from None


def _refine(
    inputs: Sequence[Path],
    settings: Settings,
    profile: str | None,
    export_dir: Path | None,
    say: Progress,
) -> RunSummary:
    from hotpass.ingest import ingest
    from hotpass.profiles import builtin_profiles, load_profile
    from hotpass.publish import DATA_PATHS, finish_run, read_tables, run_branch, stage_run
    from hotpass.store import open_store
    from hotpass.validate import score, validate, write_report

    started = time.perf_counter()
    chosen = load_profile(profile) if profile else None
    profiles = builtin_profiles()

    say(f"ingest: {len(inputs)} input(s)")
    ingested = ingest(
        inputs,
        profile=chosen,
        profiles=profiles,
        progress=say,
        max_bytes=settings.max_input_mb * 2**20,
    )
    fingerprints = [p.model_dump_json() for p in ([chosen] if chosen else profiles)]
    run_id = compute_run_id([s.sha256 for s in ingested.inputs], fingerprints)

    clock: dict[str, float] = {"ingest": time.perf_counter() - started}
    mark = time.perf_counter()
    frames, accepted, rules = _standardise_and_check(ingested.raw, settings, say)
    ingested_rows = ingested.raw.num_rows
    quarantined = frames["quarantine"].num_rows

    clock["standardise"] = time.perf_counter() - mark
    mark = time.perf_counter()
    tables, resolve_stats = _resolve_and_survive(frames, settings, say)
    clock["resolve_survive"] = time.perf_counter() - mark

    row_counts = {
        "ingested": ingested_rows,
        "blank_skipped": sum(s.blank_skipped for s in ingested.inputs),
        "accepted": accepted,
        "quarantined": quarantined,
    }
    report_dir = settings.run_dir(run_id)
    metadata = _commit_metadata(run_id, ingested.inputs, profile, row_counts, tables)
    store = open_store(settings)
    mark = time.perf_counter()
    say("validate: quality scores")
    tables["organisations"] = score(
        tables["organisations"], tables["contacts"], frames["organisations"]
    )
    previous = _published_organisations(store)
    say(f"publish: write the run to branch {run_branch(run_id)} and commit")
    staged = stage_run(store, run_id=run_id, tables=tables, metadata=metadata)
    say(f"validate: the Great Expectations gate on {staged.ref[:12]} (read back from the store)")
    gated = read_tables(store, staged.ref, ("organisations", "contacts"))
    validation = validate(
        run_id=run_id,
        organisations=gated["organisations"],
        contacts=gated["contacts"],
        staged_organisations=frames["organisations"],
        raw=ingested.raw,
        quarantine=frames["quarantine"],
        inputs=[asdict(s) for s in ingested.inputs],
        rows=row_counts,
        quarantine_by_rule=dict(sorted(rules.items())),
        review_pairs=tables["review_queue"].num_rows,
        workspace=settings.workspace,
        run_dir=report_dir,
        previous_organisations=previous,
    )
    clock["validate"] = time.perf_counter() - mark
    outputs = write_report(validation, report_dir)
    say(
        "publish: commit the audit"
        + (", merge into main and tag" if validation.gate.passed else "")
    )
    published = finish_run(
        store, staged, report_dir=report_dir, metadata=metadata, passed=validation.gate.passed
    )
    status: Status = "published" if published.published_ref else "blocked"
    if status == "blocked":
        say(f"validate: {len(validation.gate.errors)} error rule(s) failed; main untouched")
    else:
        _save_org_ids(tables["organisation_ids"], settings.workspace / ORG_IDS_FILE)
    if status == "published" and export_dir is not None:
        say(f"write: {export_dir}")
        assert published.published_ref is not None  # - status is published
        blobs = {
            name: store.get(published.published_ref, DATA_PATHS[name]) for name in EXPORT_TABLES
        }
        outputs.update(_write_exports(blobs, tables, export_dir))
        outputs.update(write_report(validation, export_dir))

    return RunSummary(
        run_id=run_id,
        status=status,
        inputs=[asdict(s) for s in ingested.inputs],
        rows=row_counts,
        tables={name: tables[name].num_rows for name in EXPORT_TABLES},
        quarantine_by_rule=dict(sorted(rules.items())),
        organisations=tables["organisations"].num_rows,
        contacts=tables["contacts"].num_rows,
        links=tables["links"].num_rows,
        review_pairs=tables["review_queue"].num_rows,
        resolve=resolve_stats,
        gate=validation.gate.to_dict(),
        branch=published.branch,
        published_ref=published.published_ref,
        stage_seconds={name: round(value, 3) for name, value in clock.items()},
        outputs=outputs,
        seconds=round(time.perf_counter() - started, 3),
    )
