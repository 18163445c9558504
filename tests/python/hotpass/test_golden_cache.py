"""Keeping unchanged organisations' golden rows gives the same published result as building
every organisation again, from the same published state."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from hotpass.golden_cache import GoldenCache, survive_fingerprint
from hotpass.pipeline import RunSummary, refine
from hotpass.settings import load_settings
from hotpass.store import LocalStore
from tests.python.hotpass.golden_run import SAMPLES, main_data_digests


def _run(workspace: Path, inputs: list[Path], *, reuse: bool) -> tuple[RunSummary, int]:
    """The run's summary and how many organisations kept earlier golden rows."""
    messages: list[str] = []
    settings = load_settings(
        environ={}, overrides={"workspace": workspace, "reuse_golden": reuse, "reuse_scores": reuse}
    )
    summary = refine(
        inputs, settings=settings, export_dir=workspace / "export", progress=messages.append
    )
    kept = [m for m in messages if "kept their golden rows" in m]
    return summary, int(kept[0].split()[1]) if kept else 0


def _same_main(left: Path, right: Path) -> None:
    published = main_data_digests(left)
    assert "golden/organisations.parquet" in published and "golden/contacts.parquet" in published
    assert published == main_data_digests(right)


def test_a_new_input_rebuilds_only_the_organisations_it_touches(tmp_path: Path) -> None:
    first = SAMPLES[:-1]
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    _, kept = _run(incremental, first, reuse=True)
    assert kept == 0  # nothing to keep in a new workspace
    shutil.copytree(incremental, full)

    summary, kept = _run(incremental, SAMPLES, reuse=True)
    rerun, kept_in_full = _run(full, SAMPLES, reuse=False)

    organisations = summary.tables["organisations"]
    assert 0 < kept < organisations  # some kept, some built again
    assert kept_in_full == 0
    assert summary.status == rerun.status == "published"
    assert summary.tables == rerun.tables
    _same_main(incremental, full)


def test_a_changed_value_in_an_input_reaches_the_golden_record(tmp_path: Path) -> None:
    csv = tmp_path / "crm_export.csv"
    source = next(p for p in SAMPLES if p.suffix == ".csv")
    shutil.copy(source, csv)
    inputs = [*(p for p in SAMPLES if p != source), csv]
    workspace = tmp_path / "ws"
    _run(workspace, inputs, reuse=True)
    before = LocalStore(workspace / "store").get("main", "golden/organisations.parquet")
    # The same records, every province now another: only the values changed.
    lines = csv.read_bytes().decode("cp1252").split("\r\n")
    lines[1:] = [
        line.rsplit(";", 1)[0] + ";Limpopo" if line.strip(";") else line for line in lines[1:]
    ]
    csv.write_bytes("\r\n".join(lines).encode("cp1252"))

    full = tmp_path / "full"
    shutil.copytree(workspace, full)
    summary, kept = _run(workspace, inputs, reuse=True)
    _run(full, inputs, reuse=False)

    assert summary.status == "published"
    assert kept > 0  # organisations with no record from the CSV
    after = LocalStore(workspace / "store").get("main", "golden/organisations.parquet")
    assert after != before
    _same_main(workspace, full)
    organisations = pq.read_table(workspace / "export" / "organisations.parquet")
    assert pc.sum(pc.equal(organisations.column("province"), "Limpopo")).as_py() > 0


def test_an_entry_from_other_code_or_an_unfinished_one_is_ignored(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    _run(workspace, SAMPLES, reuse=True)
    root = workspace / "cache" / "golden"
    assert GoldenCache(root, survive_fingerprint()).load() is not None
    assert GoldenCache(root, "other survivorship code").load() is None

    _, kept = _run(workspace, SAMPLES, reuse=True)
    assert kept > 0
    (root / "latest" / "golden.json").unlink()  # a run killed while writing the entry
    assert GoldenCache(root, survive_fingerprint()).load() is None
    _, kept = _run(workspace, SAMPLES, reuse=True)
    assert kept == 0
    _, kept = _run(workspace, SAMPLES, reuse=True)  # the entry was written anew
    assert kept > 0
