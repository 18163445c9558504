"""A refine of the committed samples into a workspace, shared by golden-layer tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from hotpass.pipeline import RunSummary, refine
from hotpass.settings import load_settings
from hotpass.store import LocalStore

SAMPLES = sorted(Path("samples").glob("*.xlsx")) + sorted(Path("samples").glob("*.csv"))


@dataclass
class Run:
    summary: RunSummary
    workspace: Path
    export: Path

    def table(self, name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = pq.read_table(self.export / f"{name}.parquet").to_pylist()
        return rows

    def organisation_members(self) -> list[str]:
        """The source records of every golden organisation (not site), repeats kept: a record
        in two organisations shows twice."""
        return [
            record
            for org in self.table("organisations")
            if org["record_kind"] == "organisation"
            for record in org["source_records"]
        ]

    def org_of(self) -> dict[str, str]:
        """record_id -> golden organisation (not site) id."""
        return {
            record: org["org_id"]
            for org in self.table("organisations")
            if org["record_kind"] == "organisation"
            for record in org["source_records"]
        }


def refine_into(workspace: Path, inputs: list[Path] | None = None) -> Run:
    settings = load_settings(environ={}, overrides={"workspace": workspace})
    export = workspace / "export"
    summary = refine(inputs or SAMPLES, settings=settings, export_dir=export)
    return Run(summary, workspace, export)


def main_data_digests(workspace: Path) -> dict[str, str]:
    """Path -> sha256 of every file on the store's main outside ``reports/`` (which hold run
    timings): two runs that should publish the same data must agree on all of them."""
    store = LocalStore(workspace / "store")
    return {
        path: hashlib.sha256(store.get("main", path)).hexdigest()
        for path in store.ls("main")
        if not path.startswith("reports/")
    }


def write_broken_source(path: Path) -> None:
    """A CSV whose rows are mostly quarantined (no names): the quality gate must block it."""
    lines = ["Organisation Name;Website;Email;Phone;Province"]
    lines += [f";site{i}.co.za;;;" for i in range(8)]
    lines += ["Alpha Aero;alpha.co.za;info@alpha.co.za;0215550100;Gauteng"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
