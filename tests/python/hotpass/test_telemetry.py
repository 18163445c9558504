"""OpenTelemetry: spans per run and stage, run metrics, OTLP export, and no personal data."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hotpass import telemetry as telemetry_module
from hotpass.settings import load_settings
from hotpass.telemetry import Telemetry, install
from tests.python.hotpass.golden_run import refine_into

STAGES = {"refine", "write", "ingest", "standardise", "resolve_survive", "score", "leads"}


@pytest.fixture
def collected() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader]]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    metrics = InMemoryMetricReader()
    install(Telemetry(tracer_provider, MeterProvider(metric_readers=[metrics])))
    try:
        yield spans, metrics
    finally:
        install(None)


def _metric_points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    points: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points.setdefault(metric.name, []).extend(metric.data.data_points)
    return points


def _personal_values(export: Path) -> set[str]:
    values: set[str] = set()
    for row in pq.read_table(export / "contacts.parquet").to_pylist():
        values.update(v for v in (row["name"], row["email"], row["phone"]) if v and len(v) >= 5)
    return values


def test_a_refine_emits_a_span_tree_and_metrics_without_personal_data(
    collected: tuple[InMemorySpanExporter, InMemoryMetricReader], tmp_path: Path
) -> None:
    spans, metrics = collected
    run = refine_into(tmp_path / "ws")
    finished = {span.name.removeprefix("hotpass."): span for span in spans.get_finished_spans()}
    assert STAGES | {"audit", "publish"} <= set(finished)
    ids = {name: span.context.span_id for name, span in finished.items() if span.context}
    parents = {
        name: span.parent.span_id if span.parent else None for name, span in finished.items()
    }
    attributes: dict[str, dict[str, Any]] = {
        name: dict(span.attributes or {}) for name, span in finished.items()
    }
    assert parents["refine"] is None
    for child in ("write", "audit", "publish"):
        assert parents[child] == ids["refine"]
    for child in ("ingest", "standardise", "resolve_survive", "score", "leads"):
        assert parents[child] == ids["write"]
    rows = run.summary.rows
    assert attributes["standardise"]["hotpass.rows_in"] == rows["ingested"]
    assert attributes["standardise"]["hotpass.rows_out"] == rows["accepted"]
    assert attributes["refine"]["hotpass.run_id"] == run.summary.run_id
    assert attributes["audit"]["hotpass.gate_passed"] is True
    assert all(values["hotpass.seconds"] >= 0 for values in attributes.values())

    points = _metric_points(metrics)
    assert sum(p.value for p in points["hotpass.rows.in"]) == rows["ingested"]
    assert sum(p.value for p in points["hotpass.rows.out"]) == rows["accepted"]
    assert sum(p.value for p in points["hotpass.rows.quarantined"]) == rows["quarantined"]
    assert sum(p.value for p in points["hotpass.gate.failures"]) == 0
    stages = {p.attributes["hotpass.stage"] for p in points["hotpass.stage.duration"]}
    assert STAGES | {"audit", "publish"} <= stages

    text = repr(
        [(s.name, dict(s.attributes or {}), s.resource.attributes) for s in finished.values()]
    )
    text += repr([(name, [p.attributes for p in p_list]) for name, p_list in points.items()])
    personal = _personal_values(run.export)
    assert personal  # the check below looks for something real
    assert [value for value in personal if value in text] == []


def test_spans_reach_an_otlp_collector_over_http(tmp_path: Path) -> None:
    """A real HTTP server on 127.0.0.1 takes the collector's place: it accepts OTLP/HTTP
    protobuf posts like a collector's receiver; it does not prove a collector forwards them."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    from tests.python.hotpass.http_fakes import serve_handler

    received: list[ExportTraceServiceRequest] = []
    metric_posts: list[bytes] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/v1/traces":
                received.append(ExportTraceServiceRequest.FromString(body))
            elif self.path == "/v1/metrics":
                metric_posts.append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serve_handler(Collector) as url:
        settings = load_settings(
            environ={}, overrides={"workspace": tmp_path, "telemetry": {"otlp_endpoint": url}}
        )
        configured = telemetry_module._configure(settings)
        assert configured.enabled
        with configured.stage("refine", inputs=2) as stage:
            stage.set(run_id="r1")
        configured.rows(ingested=5, accepted=4, quarantined=1)
        configured.shutdown()  # flushes spans and metrics, as at the end of a CLI run
    spans = [
        span
        for request in received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    assert [span.name for span in spans] == ["hotpass.refine"]
    attributes = {a.key: a.value for a in spans[0].attributes}
    assert attributes["hotpass.run_id"].string_value == "r1"
    assert attributes["hotpass.inputs"].int_value == 2
    assert metric_posts and b"hotpass.rows.in" in metric_posts[0]


def test_without_configuration_telemetry_is_a_no_op_that_imports_nothing(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from hotpass.settings import load_settings\n"
        "from hotpass.telemetry import telemetry\n"
        f"workspace = Path({str(tmp_path)!r})\n"
        "t = telemetry(load_settings(environ={}, overrides={'workspace': workspace}))\n"
        "with t.stage('refine') as stage:\n"
        "    stage.set(rows_in=3)\n"
        "loaded = any(m.startswith('opentelemetry') for m in sys.modules)\n"
        "print(t.enabled, stage.attributes, loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "HOTPASS_"))}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    ran = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert ran.stdout.strip() == "False {'hotpass.rows_in': 3} False"
