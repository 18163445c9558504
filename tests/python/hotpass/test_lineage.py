"""OpenLineage events of a refine outside Airflow: what they carry, and what they never do."""

import json
from typing import Any

import pyarrow.parquet as pq
from typer.testing import CliRunner

from hotpass.cli.app import app
from hotpass.lineage import parent_run_id
from tests.python.hotpass.golden_run import refine_into

runner = CliRunner()


def _personal_values(export):
    """Every name, email and phone the run saw (contacts and organisations)."""
    values: set[str] = set()
    contacts = pq.read_table(export / "contacts.parquet").to_pylist()
    for row in contacts:
        values.update(v for v in (row["name"], row["email"], row["phone"]) if v)
    staged = pq.read_table(export / "staged" / "contacts.parquet").to_pylist()
    for row in staged:
        values.update(v for v in (row["name"], row["email"], row["phone"], row["phone_raw"]) if v)
    for org in pq.read_table(export / "organisations.parquet").to_pylist():
        values.update(org["emails"] + org["phones"])
    return {v for v in values if len(v) >= 6}


def test_a_refine_emits_start_and_complete_per_stage_with_datasets_and_no_personal_data(tmp_path):
    run = refine_into(tmp_path / "ws")
    lines = (tmp_path / "ws" / "lineage" / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert [(e["job"]["name"], e["eventType"]) for e in events] == [
        ("hotpass.write", "START"),
        ("hotpass.write", "COMPLETE"),
        ("hotpass.audit", "START"),
        ("hotpass.audit", "COMPLETE"),
        ("hotpass.publish", "START"),
        ("hotpass.publish", "COMPLETE"),
    ]
    parent = parent_run_id(run.summary.run_id)
    assert {e["run"]["facets"]["parent"]["run"]["runId"] for e in events} == {parent}
    write = events[1]
    assert {i["facets"]["version"]["datasetVersion"] for i in write["inputs"]} == {
        item["sha256"] for item in run.summary.inputs
    }
    organisations = next(
        o for o in write["outputs"] if o["name"].endswith("golden/organisations.parquet")
    )
    assert (
        organisations["outputFacets"]["outputStatistics"]["rowCount"] == run.summary.organisations
    )
    columns = [f["name"] for f in organisations["facets"]["schema"]["fields"]]
    assert columns[:3] == ["org_id", "parent_org_id", "record_kind"]
    audit = events[3]
    assertions = audit["inputs"][0]["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert assertions and all(a["success"] for a in assertions)
    publish = events[5]
    assert (
        publish["run"]["facets"]["hotpass"]["store"]["published_ref"] == run.summary.published_ref
    )
    assert all(
        o["facets"]["version"]["datasetVersion"] == run.summary.published_ref
        for o in publish["outputs"]
    )
    text = "\n".join(lines)
    leaked = [v for v in _personal_values(run.export) if v in text]
    assert leaked == []
    report = (run.export / "report.html").read_text()
    assert "<h2>Lineage</h2><svg" in report and "hotpass.write" in report


def test_hotpass_lineage_draws_the_run(tmp_path):
    run = refine_into(tmp_path / "ws")
    out = tmp_path / "lineage.svg"
    result = runner.invoke(
        app, ["lineage", run.summary.run_id, "--workspace", str(tmp_path / "ws"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "jobs hotpass.audit, hotpass.publish, hotpass.write" in result.output
    svg = out.read_text()
    assert svg.startswith("<svg") and svg.count("<rect") >= 3 + 4 + 6
    assert (
        run.summary.published_ref and run.summary.published_ref[:12] in svg
    )  # main's datasets are labelled with the commit
    missing = runner.invoke(app, ["lineage", "nope", "--workspace", str(tmp_path / "ws")])
    assert missing.exit_code == 2


def test_events_also_go_to_an_openlineage_http_endpoint_when_configured(tmp_path, monkeypatch):
    """A real HTTP server on 127.0.0.1 stands in for Marquez (which cannot run here): it
    accepts ``POST /api/v1/lineage`` like Marquez does; it does not prove Marquez stores or
    shows the events."""
    from http.server import BaseHTTPRequestHandler

    from tests.python.hotpass.http_fakes import serve_handler

    received: list[dict[str, Any]] = []

    class Marquez(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/api/v1/lineage":
                received.append(json.loads(body))
            self.send_response(201 if self.path == "/api/v1/lineage" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serve_handler(Marquez) as url:
        monkeypatch.setenv("OPENLINEAGE_URL", url)
        run = refine_into(tmp_path / "ws")
    assert [(e["job"]["name"], e["eventType"]) for e in received][::5] == [
        ("hotpass.write", "START"),
        ("hotpass.publish", "COMPLETE"),
    ]
    assert len(received) == 6
    assert received[-1]["run"]["facets"]["hotpass"]["runId"] == run.summary.run_id
    file_events = (tmp_path / "ws" / "lineage" / "events.jsonl").read_text().splitlines()
    assert len(file_events) == 6  # the workspace file gets them too
