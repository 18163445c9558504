"""Stage ``validate``: quality scores, the Great Expectations gate and the run report.

Error rules that fail block publishing (the pipeline then writes nothing to the export
directory); warn rules are reported. Report and gate results are written for every run,
blocked or not, under ``<workspace>/runs/<run_id>/``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotpass.validate.gate import (
    GATE_TABLES,
    GateResult,
    load_suites,
    run_gate,
    suite_columns,
)
from hotpass.validate.quality import score_organisations
from hotpass.validate.report import ReportData, render_html, render_markdown

__all__ = ["Validation", "gate_tables", "input_columns", "score", "validate", "write_report"]

_NESTED = ("provenance", "source_records", "emails", "phones", "planes", "descriptions", "notes")
# Golden columns the audit never reads: the gate, the report and the count of changes since
# the published version all leave out per-field provenance, and the gate the contacts' member
# lists. Decoding the organisations' provenance alone took about 1 s at a million rows.
_UNREAD = {
    "organisations": {"provenance"},
    "contacts": {"provenance", "source_contacts", "source_records"},
}


@dataclass
class Validation:
    organisations: Any  # golden organisations with score and flags (Arrow)
    gate: GateResult
    report: ReportData


def gate_tables(
    organisations: Any,
    contacts: Any,
    sources: Any | None = None,
    raw: Any | None = None,
    raw_columns: Collection[str] | None = None,
) -> dict[str, Any]:
    """The pandas frames the suites validate (nested columns reduced to counts).

    Nested columns are dropped while the tables are still Arrow; of the raw rows only
    ``raw_columns`` (the columns the raw suites name; all when None) become pandas: a million
    raw rows in every column were most of the audit's memory.
    """
    import pyarrow.compute as pc

    counted = organisations.append_column(
        "source_record_count", pc.list_value_length(organisations.column("source_records"))
    )
    dropped = {*_NESTED, "locations", "data_quality_flags"}
    frame = counted.select([c for c in counted.column_names if c not in dropped]).to_pandas()
    people = contacts.select(
        [c for c in contacts.column_names if c not in _UNREAD["contacts"]]
    ).to_pandas()
    tables: dict[str, Any] = {"organisations": frame, "contacts": people}
    if sources is not None:
        tables["sources"] = sources
    if raw is not None:
        keep = [
            c
            for c in raw.column_names
            if c != "extra" and (raw_columns is None or c in {*raw_columns, "record_id"})
        ]
        for profile in sorted(set(raw.column("profile").to_pylist())):
            rows = raw.filter(pc.equal(raw.column("profile"), profile))
            tables[f"raw_{profile}"] = rows.select(keep).to_pandas()
    return tables


def _sources(con: Any, inputs: list[dict[str, Any]], quarantine: Any) -> Any:
    import pandas as pd

    con.register("hotpass_v_quarantine", quarantine)
    counts = dict(
        con.execute("SELECT source_file, count(*) FROM hotpass_v_quarantine GROUP BY 1").fetchall()
    )
    con.unregister("hotpass_v_quarantine")
    rows = []
    for item in inputs:
        name = Path(item["path"]).name
        ingested = int(item["rows_ingested"])
        quarantined = int(counts.get(name, 0))
        rows.append(
            {
                "source_file": name,
                "profile": item["profile"],
                "rows_ingested": ingested,
                "quarantined": quarantined,
                "quarantine_share": quarantined / ingested if ingested else 1.0,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["source_file", "profile", "rows_ingested", "quarantined", "quarantine_share"],
    )


# Per report field: (filled in the source, valid after standardise), over staged organisations.
_FIELD_CHECKS = {
    "name": ("name_raw IS NOT NULL", "display_name IS NOT NULL"),
    "website": ("website_raw IS NOT NULL", "website_domain IS NOT NULL"),
    "email": ("len(email_values) > 0", "len(emails) > 0"),
    "phone": ("len(phone_values) > 0", "len(phones) > 0"),
    "province": ("province_raw IS NOT NULL", "province IS NOT NULL"),
}


def input_columns(suites_dir: Path | None = None) -> dict[str, set[str]]:
    """The columns :func:`validate` reads of each table it is given: the audit reads only these
    from the store (all of the million raw rows' columns took 2.5 s)."""
    from hotpass.contracts.golden import arrow_schema

    staged = {
        word
        for checks in _FIELD_CHECKS.values()
        for check in checks
        for word in re.findall(r"[a-z_]+", check)
        if word != "len"  # SQL keywords are upper case
    }
    raw = suite_columns(load_suites(suites_dir), "raw_") | {"record_id", "profile"}
    golden = {
        name: {f.name for f in arrow_schema(name)} - unread for name, unread in _UNREAD.items()
    }
    return {"raw": raw, "staged_organisations": staged, **golden}


def _fields(con: Any, staged: Any) -> list[dict[str, Any]]:
    con.register("hotpass_v_staged", staged)
    pairs = _FIELD_CHECKS
    select = ", ".join(f"avg(({fill})::INT), avg(({valid})::INT)" for fill, valid in pairs.values())
    values = con.execute(f"SELECT {select} FROM hotpass_v_staged").fetchall()[0]
    con.unregister("hotpass_v_staged")
    return [
        {"name": name, "fill": float(values[2 * i] or 0), "valid": float(values[2 * i + 1] or 0)}
        for i, name in enumerate(pairs)
    ]


def _changes(previous: Any | None, current: Any) -> dict[str, int] | None:
    """Organisations added, removed, changed and unchanged since the published version."""
    if previous is None:
        return None
    from hotpass.versions.diff import diff_organisations

    diff = diff_organisations(previous, current)
    return {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "changed": len(diff.changed),
        "unchanged": diff.unchanged,
    }


def score(organisations: Any, contacts: Any, staged_organisations: Any) -> Any:
    """The golden organisations with ``data_quality_score`` and ``data_quality_flags``."""
    from hotpass.duckdb_connection import quiet_duckdb

    con = quiet_duckdb()
    try:
        return score_organisations(con, organisations, contacts, staged_organisations)
    finally:
        con.close()


def validate(
    *,
    run_id: str,
    organisations: Any,
    contacts: Any,
    staged_organisations: Any,
    raw: Any,
    quarantine: Any,
    inputs: list[dict[str, Any]],
    rows: dict[str, int],
    quarantine_by_rule: dict[str, int],
    review_pairs: int,
    workspace: Path,
    run_dir: Path,
    previous_organisations: Any | None = None,
    suites_dir: Path | None = None,
) -> Validation:
    """Run the gate over the scored golden tables and the inputs, assemble the report.

    ``previous_organisations``: the published organisations (Arrow) the report compares with.
    """
    from hotpass.duckdb_connection import quiet_duckdb

    con = quiet_duckdb()
    try:
        sources = _sources(con, inputs, quarantine)
        suites = load_suites(suites_dir)
        tables = gate_tables(
            organisations, contacts, sources, raw, raw_columns=suite_columns(suites, "raw_")
        )
        gate = run_gate(
            tables,
            workspace=workspace,
            suites=suites,
            keep_tables=run_dir / GATE_TABLES,
        )
        scores = organisations.column("data_quality_score").to_pylist()
        histogram = [0] * 10
        for score in scores:
            histogram[min(int(score * 10), 9)] += 1
        kinds = organisations.column("record_kind").to_pylist()
        report = ReportData(
            run_id=run_id,
            status="staged" if gate.passed else "blocked",
            rows=rows,
            quarantine_by_rule=quarantine_by_rule,
            organisation_rows=staged_organisations.num_rows,
            organisations=kinds.count("organisation"),
            sites=kinds.count("site"),
            contacts=contacts.num_rows,
            review_pairs=review_pairs,
            fields=_fields(con, staged_organisations),
            score_histogram=histogram,
            mean_score=sum(scores) / len(scores) if scores else 0.0,
            gate=gate,
            changes=_changes(previous_organisations, organisations),
            sources=sources.to_dict("records"),
        )
    finally:
        con.close()
    return Validation(organisations, gate, report)


def write_report(validation: Validation, directory: Path) -> dict[str, str]:
    """Write report.html, report.md, gate.json and the Data Docs into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.html").write_text(render_html(validation.report), encoding="utf-8")
    (directory / "report.md").write_text(render_markdown(validation.report), encoding="utf-8")
    gate = validation.gate.to_dict()
    # Relative to the report's folder (where the Data Docs are copied), so the file is the
    # same wherever the workspace lives.
    gate["data_docs"] = "data_docs/index.html" if validation.gate.data_docs else None
    (directory / "gate.json").write_text(json.dumps(gate, indent=2) + "\n", encoding="utf-8")
    written = {
        "report": str(directory / "report.html"),
        "report_md": str(directory / "report.md"),
        "gate": str(directory / "gate.json"),
    }
    if validation.gate.data_docs:
        docs = Path(validation.gate.data_docs).parent
        target = directory / "data_docs"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(docs, target)
        written["data_docs"] = str(target / "index.html")
    return written
