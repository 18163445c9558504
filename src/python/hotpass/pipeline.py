"""The refine pipeline: the only module that knows the order of the stages.

Today: ingest -> standardise -> write staged tables. Later stages (resolve, survive, validate,
score, publish) slot in here as they land.
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
from typing import Any, Literal

from hotpass import __version__
from hotpass.errors import HotpassError
from hotpass.settings import Settings

Status = Literal["staged", "published", "blocked", "failed"]
STAGED_TABLES = ("organisations", "contacts", "addresses", "quarantine")
Progress = Callable[[str], None]


@dataclass
class RunSummary:
    run_id: str
    status: Status
    inputs: list[dict[str, Any]]
    rows: dict[str, int]
    tables: dict[str, int]
    quarantine_by_rule: dict[str, int]
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    hotpass_version: str = __version__

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


class AccountingError(RuntimeError, HotpassError):
    """Rows went missing between stages: a bug, never a data problem."""


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


def _write_exports(frames: dict[str, Any], export_dir: Path) -> dict[str, str]:
    """Write every table beside the export directory first, then move them in."""
    import pyarrow.parquet as pq

    outputs: dict[str, str] = {}
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".hotpass-", dir=export_dir.parent))
    try:
        for name, frame in frames.items():
            pq.write_table(frame, staging / f"{name}.parquet")
        export_dir.mkdir(parents=True, exist_ok=True)
        for name in STAGED_TABLES:
            target = export_dir / f"{name}.parquet"
            os.replace(staging / f"{name}.parquet", target)
            outputs[name] = str(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outputs


def refine(
    inputs: Sequence[Path],
    /,
    *,
    settings: Settings,
    profile: str | None = None,
    export_dir: Path | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Refine ``inputs`` into staged tables written as Parquet under ``export_dir``.

    Profiles are loaded and validated before any data is read. The export directory receives
    files only when every stage succeeded: they are written to a temporary directory beside it
    and moved in at the end.

    Raises:
        ProfileError: an unknown or invalid profile.
        InputError: an input that cannot be read (naming file, sheet, column or row).
        ContractError, AccountingError: a bug; nothing is written.
    """
    from hotpass.ingest import ingest
    from hotpass.profiles import builtin_profiles, load_profile

    say = progress or (lambda _message: None)
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

    say("standardise")
    frames, accepted = _standardise_frames(ingested.raw, settings)

    say("contracts")
    frames, moved = _enforce_contracts(frames)
    accepted -= moved
    ingested_rows = ingested.raw.num_rows
    quarantined = frames["quarantine"].num_rows
    if accepted + quarantined != ingested_rows:
        raise AccountingError(
            f"{ingested_rows} rows ingested but {accepted} accepted + {quarantined} quarantined"
        )
    rules: dict[str, int] = {}
    for rule in frames["quarantine"].column("rule").to_pylist():
        rules[rule] = rules.get(rule, 0) + 1

    outputs: dict[str, str] = {}
    if export_dir is not None:
        say(f"write: {export_dir}")
        outputs = _write_exports(frames, export_dir)

    return RunSummary(
        run_id=run_id,
        status="staged",
        inputs=[asdict(s) for s in ingested.inputs],
        rows={
            "ingested": ingested_rows,
            "blank_skipped": sum(s.blank_skipped for s in ingested.inputs),
            "accepted": accepted,
            "quarantined": quarantined,
        },
        tables={name: frame.num_rows for name, frame in frames.items()},
        quarantine_by_rule=dict(sorted(rules.items())),
        outputs=outputs,
        seconds=round(time.perf_counter() - started, 3),
    )
