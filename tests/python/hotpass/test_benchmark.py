"""``hotpass bench``: the report's figures are consistent with each other and with the run.

No timing is asserted (speed targets are read off the report, not tested); what is tested is
that every figure is there, belongs to the step it names, and adds up.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotpass.benchmark import CURVE, _isolated, _peak_rss_mb, run_benchmark, write_report
from hotpass.cli import app
from hotpass.cli.exits import BAD_INPUT

ROWS = 1500


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    messages: list[str] = []
    report = run_benchmark(ROWS, seed=3, workdir=workdir, progress=messages.append)
    return report, workdir, messages


def test_the_report_accounts_for_every_row_of_the_requested_size(bench):
    report, workdir, _ = bench
    rows = report["rows"]
    assert report["status"] == "published"
    assert rows["accepted"] + rows["quarantined"] == rows["ingested"]
    assert ROWS * 0.9 <= rows["ingested"] <= ROWS * 1.1
    generated = json.loads((workdir / "inputs" / "manifest.json").read_text())["generated"]
    assert [Path(p).name for p in generated["paths"]] == [i["file"] for i in report["inputs"]]
    assert "crm_bulk_export.csv" in {i["file"] for i in report["inputs"]}


def test_stages_are_in_pipeline_order_with_rates_from_their_own_rows(bench):
    report, _, _ = bench
    stages = report["stages"]
    assert list(stages)[:3] == ["ingest", "standardise", "resolve_survive"]
    assert {"audit", "publish"} <= set(stages)
    assert stages["ingest"]["rows"] == report["rows"]["ingested"]
    assert stages["resolve_survive"]["rows"] == report["resolution"]["records"]
    for stage in stages.values():
        assert stage["seconds"] > 0
        # rows/s comes from the unrounded seconds: within the rounding of "seconds"
        slowest, fastest = stage["rows"] / (stage["seconds"] + 0.005), stage["rows"] / max(
            stage["seconds"] - 0.005, 1e-3
        )
        assert slowest - 1 <= stage["rows_per_s"] <= fastest + 1
    assert sum(s["seconds"] for s in stages.values()) <= report["end_to_end_s"] + 0.5
    steps = report["steps"]
    assert {"ingest", "standardise", "resolve", "survive", "audit"} <= set(steps)
    assert max(s["peak_rss_mb"] for s in steps.values()) <= report["peak_rss_mb"] + 1


def test_resolution_is_measured_against_plain_splink_on_the_same_records(bench):
    report, _, _ = bench
    resolution = report["resolution"]
    assert resolution["records"] > 0
    assert 0 < resolution["hotpass_clusters"] <= resolution["records"]
    assert 0 < resolution["plain_splink_clusters"] <= resolution["records"]
    assert resolution["ratio"] == round(resolution["hotpass_s"] / resolution["plain_splink_s"], 3)


def test_the_incremental_run_reuses_every_unchanged_input_and_adds_the_new_rows(bench):
    report, _, _ = bench
    incremental = report["incremental"]
    assert incremental["status"] == "published"
    assert incremental["inputs_reused"] == len(report["inputs"])
    # the new CSV holds rows_added data rows; blank ones are skipped, the rest ingested
    assert incremental["rows"]["ingested"] - report["rows"]["ingested"] > 0
    assert incremental["rows"]["ingested"] - report["rows"]["ingested"] <= incremental["rows_added"]
    assert incremental["share_of_full"] == round(incremental["seconds"] / report["end_to_end_s"], 3)
    assert list(incremental["stages"]) == list(report["stages"])


def test_the_gate_alone_is_timed_over_every_row_the_incremental_runs_gate_saw(bench):
    report, _, _ = bench
    incremental = report["incremental"]
    gate = incremental["gate_alone"]
    assert gate["passed"]
    tables = incremental["tables"]
    sources = len(report["inputs"]) + 1  # a row per input file, the new CSV's included
    golden = tables["organisations"] + tables["contacts"]
    assert gate["rows"] == incremental["rows"]["ingested"] + golden + sources
    assert gate["seconds"] == round(gate["import_s"] + gate["checkpoint_s"], 2)
    assert gate["share_of_full"] == round(gate["seconds"] / report["end_to_end_s"], 3)


def test_ingest_memory_is_measured_at_three_growing_sizes(bench):
    report, _, _ = bench
    curve = report["ingest_memory"]
    assert len(curve) == len(CURVE)
    assert [p["rows"] for p in curve] == sorted({p["rows"] for p in curve})
    assert curve[-1]["rows"] == report["generator"]["csv_rows"]
    assert all(p["peak_rss_mb"] > 0 and p["bytes"] > 0 for p in curve)
    assert report["cli_help_s"] > 0


def test_workbook_memory_is_measured_at_three_sizes_read_both_ways(bench):
    report, _, _ = bench
    workbooks = report["workbook_memory"]
    assert workbooks["file"] == "reachout.xlsx"
    by_sheet, by_row = workbooks["calamine"], workbooks["openpyxl"]
    assert [p["share"] for p in by_sheet] == [p["share"] for p in by_row] == list(CURVE)
    # Both readers give every cut the same rows, and each cut has more than the one before.
    assert [p["rows"] for p in by_row] == [p["rows"] for p in by_sheet]
    assert [p["rows"] for p in by_sheet] == sorted({p["rows"] for p in by_sheet})
    assert [p["bytes"] for p in by_sheet] == sorted({p["bytes"] for p in by_sheet})
    assert all(p["peak_rss_mb"] > 0 for p in by_sheet + by_row)


def test_a_spawned_step_reports_its_own_peak_memory_not_its_parents():
    ballast = bytearray(768 * 2**20)
    ballast[:: 2**12] = b"\1" * len(ballast[:: 2**12])  # touched: resident, not just reserved
    mine = _peak_rss_mb()
    assert mine >= 768
    assert _isolated(_peak_rss_mb) < mine - 512


def test_inputs_are_reused_for_the_same_rows_and_seed(bench, tmp_path):
    report, workdir, messages = bench
    assert not any("reusing" in m for m in messages)
    again: list[str] = []
    second = run_benchmark(ROWS, seed=3, workdir=workdir, progress=again.append)
    assert any("reusing" in m for m in again)
    assert second["rows"] == report["rows"]
    target = write_report(second, tmp_path / "out" / "bench.json")
    assert json.loads(target.read_text())["rows"] == report["rows"]


def test_bench_without_rows_or_subcommand_is_refused():
    result = CliRunner().invoke(app, ["bench"])
    assert result.exit_code == BAD_INPUT
    assert "--rows" in result.output
