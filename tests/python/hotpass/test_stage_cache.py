"""Reusing unchanged inputs' staged rows gives the same published result as parsing every
input again, from the same published state."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from hotpass.pipeline import EXPORT_TABLES, STAGED_EXPORTS, RunSummary, refine
from hotpass.settings import load_settings
from hotpass.stage_cache import StageCache, code_fingerprint
from tests.python.hotpass.golden_run import SAMPLES, main_data_digests

_RUN_COLUMNS = {"run_id", "published_at", "refined_at"}
_TABLES = [*EXPORT_TABLES, *(f"staged/{name}" for name in STAGED_EXPORTS)]


def _run(workspace: Path, inputs: list[Path], *, reuse: bool) -> tuple[RunSummary, list[str]]:
    messages: list[str] = []
    settings = load_settings(environ={}, overrides={"workspace": workspace, "reuse_staged": reuse})
    summary = refine(
        inputs, settings=settings, export_dir=workspace / "export", progress=messages.append
    )
    return summary, messages


def _rows(workspace: Path, name: str) -> list[dict[str, Any]]:
    table = pq.read_table(workspace / "export" / f"{name}.parquet")
    rows: list[dict[str, Any]] = table.drop_columns(
        [c for c in table.column_names if c in _RUN_COLUMNS]
    ).to_pylist()
    return rows


def _reused(messages: list[str]) -> list[str]:
    return sorted(m.split()[1].rstrip(":") for m in messages if "its rows are reused" in m)


def test_a_new_input_beside_reused_ones_publishes_what_a_full_rerun_publishes(
    tmp_path: Path,
) -> None:
    first, added = SAMPLES[:-1], SAMPLES[-1]
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    _, messages = _run(incremental, first, reuse=True)
    assert _reused(messages) == []
    shutil.copytree(incremental, full)  # the same published state for both reruns

    summary, messages = _run(incremental, SAMPLES, reuse=True)
    rerun, rerun_messages = _run(full, SAMPLES, reuse=False)

    assert _reused(messages) == sorted(p.name for p in first)
    assert any(m.startswith(f"ingest {added.name} ") for m in messages)  # parsed
    assert _reused(rerun_messages) == []
    assert summary.status == rerun.status == "published"
    assert summary.run_id == rerun.run_id
    assert summary.rows == rerun.rows
    assert summary.inputs == rerun.inputs
    for name in _TABLES:
        assert _rows(incremental, name) == _rows(full, name), name
    # main holds the same bytes (write-audit-publish compares bytes to skip a no-op publish)
    published = main_data_digests(incremental)
    assert "staged/organisations.parquet" in published
    assert published == main_data_digests(full)


def test_a_changed_input_is_parsed_again(tmp_path: Path) -> None:
    csv = tmp_path / "crm_export.csv"
    shutil.copy(next(p for p in SAMPLES if p.suffix == ".csv"), csv)
    workspace = tmp_path / "ws"
    before, _ = _run(workspace, [csv], reuse=True)
    with csv.open("ab") as handle:
        handle.write("Zulu Test Aero;zulu-aero.invalid;;;Gauteng\r\n".encode("cp1252"))
    after, messages = _run(workspace, [csv], reuse=True)
    assert _reused(messages) == []
    assert after.rows["ingested"] == before.rows["ingested"] + 1
    again, messages = _run(workspace, [csv], reuse=True)
    assert _reused(messages) == [csv.name]
    assert again.rows == after.rows
    assert again.published_ref == after.published_ref  # the same bytes: nothing new to publish


def test_the_key_follows_the_code_profiles_and_limit_and_unused_entries_go(
    tmp_path: Path,
) -> None:
    base = code_fingerprint(["profile-a"], 10)
    assert code_fingerprint(["profile-a"], 10) == base
    assert code_fingerprint(["profile-b"], 10) != base
    assert code_fingerprint(["profile-a"], 11) != base

    workspace = tmp_path / "ws"
    _run(workspace, SAMPLES, reuse=True)
    root = workspace / "cache" / "inputs"
    assert len(list(root.iterdir())) == len(SAMPLES)
    _, messages = _run(workspace, SAMPLES[:1], reuse=True)
    assert _reused(messages) == [SAMPLES[0].name]
    assert len(list(root.iterdir())) == 1  # only the last run's inputs are kept

    # An entry whose completion marker is missing (a run killed while writing it) is ignored.
    (next(root.iterdir()) / "input.json").unlink()
    assert StageCache(root, "unused").find(SAMPLES[:1]) == {}
    _, messages = _run(workspace, SAMPLES[:1], reuse=True)
    assert _reused(messages) == []
    _, messages = _run(workspace, SAMPLES[:1], reuse=True)  # the entry was written anew
    assert _reused(messages) == [SAMPLES[0].name]


@pytest.mark.parametrize("reuse", [True, False])
def test_the_setting_turns_reuse_off(tmp_path: Path, reuse: bool) -> None:
    workspace = tmp_path / "ws"
    _run(workspace, SAMPLES[:1], reuse=True)
    _, messages = _run(workspace, SAMPLES[:1], reuse=reuse)
    assert _reused(messages) == ([SAMPLES[0].name] if reuse else [])
