"""The quality gate: Great Expectations suites from ``data_expectations/`` run as one
checkpoint over the tables of a run.

Each expectation carries a GX severity: ``critical`` is an *error* rule that blocks
publishing, ``warning`` a *warn* rule that is only reported. Results keep counts and sample
ids (``org_id``, ``contact_id``, ``record_id``, ``source_file``), never values, so they can be
printed and logged without personal data. Data Docs are built into ``<workspace>/gx`` (a
fresh GX project each run) and copied beside the run's report.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warn"]
GATE_TABLES = "gate_tables"  # folder of a run directory holding the tables its gate saw
SAMPLE_IDS = 5


@dataclass
class ExpectationResult:
    suite: str
    table: str
    expectation: str
    column: str | None
    severity: Severity
    success: bool
    unexpected_count: int | None
    element_count: int | None
    sample_ids: list[str]
    why: str


@dataclass
class GateResult:
    results: list[ExpectationResult] = field(default_factory=list)
    data_docs: str | None = None

    @property
    def errors(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "warn"]

    @property
    def passed(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "data_docs": self.data_docs,
            "results": [asdict(r) for r in self.results],
        }


def load_tables(directory: Path) -> dict[str, Any]:
    """Tables kept by :func:`run_gate` (``keep_tables``), as pandas frames by table name."""
    import pandas as pd

    return {path.stem: pd.read_parquet(path) for path in sorted(directory.glob("*.parquet"))}


def load_suites(directory: Path | None = None) -> list[dict[str, Any]]:
    """The suites as JSON documents (GX suite format plus ``meta.hotpass_table``)."""
    if directory is not None:
        entries = sorted(directory.glob("*.json"))
        return [json.loads(p.read_text(encoding="utf-8")) for p in entries]
    folder = resources.files("data_expectations")
    return [
        json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    ]


_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


def suite_columns(suites: list[dict[str, Any]], table_prefix: str) -> set[str]:
    """Every column the suites of tables named ``table_prefix*`` refer to (a superset: every
    word of a ``row_condition`` counts, so ``role=="organisation"`` keeps ``role``)."""
    columns: set[str] = set()
    for suite in suites:
        if not suite["meta"]["hotpass_table"].startswith(table_prefix):
            continue
        columns.add(suite["meta"]["hotpass_id_column"])
        for expectation in suite["expectations"]:
            for key in _COLUMN_KWARGS:
                value = expectation["kwargs"].get(key)
                if isinstance(value, str):
                    columns.add(value)
                elif isinstance(value, list):
                    columns.update(value)
            condition = expectation["kwargs"].get("row_condition")
            if isinstance(condition, str):
                columns.update(re.findall(r"[A-Za-z_]\w*", condition))
    return columns


def batch_columns(document: dict[str, Any], columns: list[str]) -> list[str]:
    """The columns of a table (``columns``, in order) that GX reads for suite ``document``:
    those its expectations name, plus the id column for sample ids. GX reads its batch from
    Parquet into pandas, and the golden organisations' suite names 12 of their 23 gate
    columns. A suite with a table-shape expectation (``expect_table_column...``) sees every
    column."""
    if any(e["type"].startswith("expect_table_column") for e in document["expectations"]):
        return list(columns)
    named = suite_columns([document], document["meta"]["hotpass_table"])
    return [c for c in columns if c in named]


def start_importing() -> threading.Thread:
    """Import Great Expectations on a thread, so the audit can read its tables meanwhile:
    the imports take about 2 s, and decoding Parquet releases the GIL. A failed import is
    left for the gate itself to raise."""

    def load() -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network in a run
        try:
            import great_expectations  # noqa: F401
            from great_expectations.checkpoint.actions import UpdateDataDocsAction  # noqa: F401
        except Exception:  # noqa: S110 - run_gate imports it again and says what failed
            pass

    thread = threading.Thread(target=load, name="hotpass-import-gx", daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def without_batch_fingerprints() -> Iterator[None]:
    """Stop GX fingerprinting the pandas batches it reads while the block runs. The
    fingerprint (an md5 over pandas' hash of every row) only labels a batch in GX's own
    results; the gate names what it checked by run id and store commit. It took about 2 s of
    a million-row audit. GX has no setting for it, only a module-wide size threshold at and
    above which batches are not hashed: it is zero inside the block and restored after, so GX
    used elsewhere in the process (another task on an Airflow worker) keeps its fingerprints
    (ADR 0024)."""
    from great_expectations.execution_engine import pandas_execution_engine

    threshold = pandas_execution_engine.HASH_THRESHOLD
    pandas_execution_engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        pandas_execution_engine.HASH_THRESHOLD = threshold


def _context(root: Path) -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network in a run
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.enable_analytics(False)
    return context


def run_gate(tables: dict[str, Any], **options: Any) -> GateResult:
    """Run every suite whose table is in ``tables``; see :func:`_run_gate`. One gate at a time
    per workspace: they share its GX project folder (a second waits)."""
    from hotpass.locking import exclusive

    workspace: Path = options["workspace"]
    with exclusive(workspace / "gx.lock", timeout=1800.0):
        return _run_gate(tables, **options)


def _run_gate(
    tables: dict[str, Any],
    *,
    workspace: Path,
    suites: list[dict[str, Any]] | None = None,
    keep_tables: Path | None = None,
) -> GateResult:
    """Run every suite whose table is in ``tables`` (pandas DataFrames) as one checkpoint.

    ``keep_tables``: also keep the validated tables there as Parquet, so the same run can be
    validated again later (``hotpass validate --ref RUN_ID``).
    """
    import great_expectations as gx
    from great_expectations.checkpoint.actions import UpdateDataDocsAction
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    chosen = [s for s in (suites or load_suites()) if s["meta"]["hotpass_table"] in tables]
    # A fresh GX project per gate run: the suites in the repository are the source of truth,
    # and a stored checkpoint must never point at a table this run does not have.
    root = workspace / "gx"
    shutil.rmtree(root, ignore_errors=True)
    batches = root / "batches"
    batches.mkdir(parents=True)
    context = _context(root)
    source = context.data_sources.add_pandas_filesystem("hotpass", base_directory=str(batches))
    definitions = []
    meta: dict[str, dict[str, Any]] = {}
    for document in chosen:
        table = document["meta"]["hotpass_table"]
        id_column = document["meta"]["hotpass_id_column"]
        frame = tables[table]
        frame.to_parquet(batches / f"{table}.parquet", index=False)  # kept whole: keep_tables
        asset = source.add_parquet_asset(table, columns=batch_columns(document, list(frame)))
        batch = asset.add_batch_definition_path(table, path=f"{table}.parquet")
        suite = gx.ExpectationSuite(name=document["name"], meta=document.get("meta", {}))
        for item in document["expectations"]:
            suite.add_expectation_configuration(ExpectationConfiguration(**item))
        suite = context.suites.add(suite)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=document["name"], data=batch, suite=suite)
        )
        definitions.append(definition)
        meta[document["name"]] = {"table": table, "id_column": id_column}
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="hotpass_gate",
            validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="data_docs")],
            # No values in results or Data Docs (POPIA): row indices only, turned into ids.
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 0},
        )
    )
    with without_batch_fingerprints():
        outcome = checkpoint.run()
    gate = GateResult()
    for validation in outcome.run_results.values():
        suite_name = validation.suite_name
        info = meta[suite_name]
        frame = tables[info["table"]]
        for result in validation.results:
            config = result.expectation_config
            details = result.result or {}
            indices = details.get("unexpected_index_list") or []
            ids = [
                str(frame.iloc[i][info["id_column"]])
                for i in indices[:SAMPLE_IDS]
                if isinstance(i, int) and i < len(frame)
            ]
            gate.results.append(
                ExpectationResult(
                    suite=suite_name,
                    table=info["table"],
                    expectation=config.type,
                    column=config.kwargs.get("column"),
                    severity="error" if str(config.severity.value) == "critical" else "warn",
                    success=bool(result.success),
                    unexpected_count=details.get("unexpected_count"),
                    element_count=details.get("element_count"),
                    sample_ids=ids,
                    why=(config.meta or {}).get("why", ""),
                )
            )
    if keep_tables is not None:
        shutil.rmtree(keep_tables, ignore_errors=True)
        shutil.copytree(batches, keep_tables)
    # Data Docs are built; GX's stored results hold failing values (COMPLETE format), and the
    # batches are a copy of the data: neither is kept.
    shutil.rmtree(batches, ignore_errors=True)
    for stored in root.glob("gx/uncommitted/validations"):
        shutil.rmtree(stored, ignore_errors=True)
    sites = context.get_docs_sites_urls()
    if sites:
        gate.data_docs = sites[0]["site_url"].removeprefix("file://")
    return gate
