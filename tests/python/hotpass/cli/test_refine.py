import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from hotpass.cli import app

runner = CliRunner()


def test_refine_samples_writes_tables_and_summary(tmp_path):
    summary_path = tmp_path / "summary.json"
    result = runner.invoke(
        app,
        [
            "refine",
            "samples",
            "--workspace",
            str(tmp_path / "ws"),
            "--export",
            str(tmp_path / "out"),
            "--summary-json",
            str(summary_path),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(summary_path.read_text())
    assert (
        summary["rows"]["ingested"] == summary["rows"]["accepted"] + summary["rows"]["quarantined"]
    )
    assert sorted(summary["outputs"]) == [
        "addresses",
        "contacts",
        "data_docs",
        "gate",
        "links",
        "organisations",
        "quarantine",
        "report",
        "report_md",
        "review_queue",
        "staged/addresses",
        "staged/contacts",
        "staged/organisations",
    ]
    assert all(Path(p).exists() for p in summary["outputs"].values())
    assert summary["organisations"] < summary["rows"]["accepted"]
    assert summary["review_pairs"] == len(pq.read_table(summary["outputs"]["review_queue"]))
    assert {i["profile"] for i in summary["inputs"]} == {
        "contact_database",
        "generic",
        "reachout",
        "sacaa",
    }
    assert "316 ingested = 311 accepted + 5 quarantined" in result.output


def test_missing_input_is_a_one_line_error_with_exit_2(tmp_path):
    export = tmp_path / "out"
    result = runner.invoke(app, ["refine", str(tmp_path / "absent.xlsx"), "--export", str(export)])
    assert result.exit_code == 2
    assert "absent.xlsx: file does not exist" in result.output
    assert not export.exists()


def test_unknown_profile_is_rejected_before_reading(tmp_path):
    result = runner.invoke(
        app, ["refine", "samples", "--profile", "nope", "--export", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "unknown profile 'nope'" in result.output


def test_json_and_quiet_modes_print_only_the_result(tmp_path):
    workspace = ["--workspace", str(tmp_path / "ws")]
    as_json = runner.invoke(app, ["refine", "samples", *workspace, "--json"])
    assert as_json.exit_code == 0, as_json.output
    summary = json.loads(as_json.stdout)  # stdout is the JSON document and nothing else
    assert summary["status"] == "published"
    assert "[refine" not in as_json.output  # no progress lines either
    quiet = runner.invoke(app, ["refine", "samples", *workspace, "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output == (
        f"run {summary['run_id']}: published ({summary['organisations']} organisations)\n"
    )
