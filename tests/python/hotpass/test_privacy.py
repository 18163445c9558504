"""POPIA end to end: marker names, emails and phones seeded into the inputs, and marker lakeFS
credentials, must appear nowhere but in the published tables.

One ``hotpass refine`` through the CLI publishes to lakeFS (the fake server, driven by the real
SDK), sends spans and metrics to an OTLP collector and lineage to an OpenLineage server (one
real HTTP server on 127.0.0.1 records both), and prints spans to the console. A second refine
fails on a broken file that holds the markers, and ``hotpass doctor`` reports the setup. Every
byte those produced is searched: the terminal output, every request body the collector and the
lineage server received, and every file of the workspace and the lakeFS storage except
columnar tables (Parquet, Arrow), which are the published data and caches of it. The Airflow
side (``airflow dags test``, its logs and lineage) is held to the same rule by
``tests/python/hotpass_dags/test_refine_dag.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.python.hotpass.golden_run import SAMPLES
from tests.python.hotpass.http_fakes import serve_handler
from tests.python.hotpass.privacy_markers import (
    ACCESS_KEY,
    MARKER,
    SECRET_KEY,
    leaks,
    leaks_in_files,
    write_broken_markers,
    write_markers,
)
from tests.python.hotpass.store.fake_lakefs import FakeLakeFSServer

pytestmark = pytest.mark.slow


def test_markers_and_secrets_stay_inside_the_published_tables(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for sample in SAMPLES:
        shutil.copy(sample, inputs / sample.name)
    write_markers(inputs / "markers.csv")
    (tmp_path / "broken").mkdir()
    broken = write_broken_markers(tmp_path / "broken" / "markers.csv")

    received: list[tuple[str, bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        """OTLP/HTTP receiver and OpenLineage endpoint in one: records every body."""

        def do_POST(self) -> None:
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    lakefs = FakeLakeFSServer(
        tmp_path / "lakefs", access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY
    )
    workspace = tmp_path / "ws"
    outputs: list[bytes] = []
    with serve_handler(Receiver) as collector, lakefs.running() as endpoint:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "LAKECTL_SERVER_ENDPOINT_URL": endpoint,
            "LAKECTL_CREDENTIALS_ACCESS_KEY_ID": ACCESS_KEY,
            "LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY": SECRET_KEY,
            "HOTPASS_LAKEFS_STORAGE_NAMESPACE": "local://hotpass",
            "HOTPASS_TELEMETRY_OTLP_ENDPOINT": collector,
            "HOTPASS_TELEMETRY_CONSOLE": "true",
            "OPENLINEAGE_URL": collector,
        }

        def hotpass(*args: str) -> int:
            ran = subprocess.run(
                [sys.executable, "-c", "from hotpass.cli import main; main()", *args],
                env=env,
                capture_output=True,
                timeout=600,
                check=False,
            )
            outputs.append(ran.stdout + ran.stderr)
            return ran.returncode

        assert hotpass("refine", str(inputs), "--workspace", str(workspace)) == 0, outputs[-1]
        assert hotpass("refine", str(broken), "--workspace", str(workspace)) == 2, outputs[-1]
        hotpass("doctor", "--workspace", str(workspace))

    # The markers did reach the published tables (so the search below could find them).
    names = pq.read_table(workspace / "export" / "organisations.parquet").column("display_name")
    assert len([n for n in names.to_pylist() if MARKER in n.lower()]) >= 4
    assert {path for path, _ in received} >= {"/v1/traces", "/v1/metrics", "/api/v1/lineage"}

    found = {f"terminal output #{n}": leaks(out) for n, out in enumerate(outputs)}
    found.update({f"POST {path} #{n}": leaks(body) for n, (path, body) in enumerate(received)})
    found.update(leaks_in_files(workspace))
    found.update(leaks_in_files(tmp_path / "lakefs"))
    for expected in ("report.html", "gate.json", "events.jsonl", "index.html"):
        assert any(where.endswith(expected) for where in found), expected
    assert {where: markers for where, markers in found.items() if markers} == {}
