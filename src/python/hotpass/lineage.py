"""OpenLineage events for refine runs outside Airflow, and the lineage graph of a run.

Each pipeline stage (``write``, ``audit``, ``publish``) is an OpenLineage job in namespace
``hotpass`` whose run has the refine as parent (a run id derived from the Hotpass run id), so a
refine emits what the Airflow provider emits for the DAG's tasks: START and COMPLETE (or FAIL)
with inputs and outputs. Facets carry schemas (column names and types), row counts, dataset
versions (file sha256, store commit), gate results (expectation, column, severity, success)
and the store commit - never a value from the data, so no name, email or phone number.

Imports the OpenLineage client: keep this module off the CLI's start-up path.

Events always go to ``<workspace>/lineage/events.jsonl`` (the report and ``hotpass lineage``
read it) and, when ``OPENLINEAGE_URL`` is set, also to that server (Marquez or any OpenLineage
HTTP endpoint, through the client's HTTP transport).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attr  # pants: no-infer-dep (attrs arrives with openlineage-python)
from openlineage.client.generated.base import RunFacet

if TYPE_CHECKING:
    from hotpass.settings import Settings

NAMESPACE = "hotpass"
PRODUCER = "urn:hotpass"
EVENTS_FILE = Path("lineage") / "events.jsonl"
LABEL_CHARS = 42  # what fits on one line of a graph box
_RUN_NAMESPACE = uuid.UUID("6f1c9a52-4d0e-4a8b-9a57-3c2f5e0b7d11")


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as lineage names it, with what may be said about it."""

    namespace: str
    name: str
    version: str | None = None
    rows: int | None = None
    schema: list[tuple[str, str]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)


def parent_run_id(run_id: str) -> str:
    """The OpenLineage run id of a Hotpass run: stable, so every stage points at one parent."""
    return str(uuid.uuid5(_RUN_NAMESPACE, run_id))


def events_path(settings: Settings) -> Path:
    return settings.workspace / EVENTS_FILE


def _clients(settings: Settings) -> list[Any]:
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.file import FileConfig, FileTransport

    path = events_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    clients = [
        OpenLineageClient(transport=FileTransport(FileConfig(log_file_path=str(path), append=True)))
    ]
    if os.environ.get("OPENLINEAGE_URL"):
        clients.append(OpenLineageClient())  # HTTP transport configured from the environment
    return clients


def _dataset(ref: DatasetRef, kind: str) -> Any:
    from openlineage.client.event_v2 import InputDataset, OutputDataset
    from openlineage.client.generated import (
        data_quality_assertions_dataset as dq,
    )
    from openlineage.client.generated import (
        dataset_version_dataset,
        input_statistics_input_dataset,
        output_statistics_output_dataset,
        schema_dataset,
    )

    facets: dict[str, Any] = {}
    if ref.schema:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(
            fields=[
                schema_dataset.SchemaDatasetFacetFields(name=n, type=t, ordinal_position=i + 1)
                for i, (n, t) in enumerate(ref.schema)
            ]
        )
    if ref.version:
        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=ref.version
        )
    if kind == "input":
        extra: dict[str, Any] = {}
        if ref.rows is not None:
            extra[
                "inputStatistics"
            ] = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(rowCount=ref.rows)
        if ref.assertions:
            extra["dataQualityAssertions"] = dq.DataQualityAssertionsDatasetFacet(
                assertions=[dq.Assertion(**a) for a in ref.assertions]
            )
        return InputDataset(ref.namespace, ref.name, facets=facets, inputFacets=extra)
    out: dict[str, Any] = {}
    if ref.rows is not None:
        out[
            "outputStatistics"
        ] = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=ref.rows)
    return OutputDataset(ref.namespace, ref.name, facets=facets, outputFacets=out)


class StageLineage:
    """One stage's OpenLineage run: fill ``inputs``/``outputs``/``store`` while it works."""

    def __init__(self, settings: Settings, run_id: str, stage: str) -> None:
        from openlineage.client.uuid import generate_new_uuid

        self.settings = settings
        self.run_id = run_id
        self.stage = stage
        self.ol_run_id = str(generate_new_uuid())
        self.inputs: list[DatasetRef] = []
        self.outputs: list[DatasetRef] = []
        self.store: dict[str, str] = {}

    def _event(self, state: str, error: BaseException | None = None) -> Any:
        from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
        from openlineage.client.generated import error_message_run, job_type_job, parent_run

        run_facets: dict[str, Any] = {
            "parent": parent_run.ParentRunFacet(
                run=parent_run.Run(runId=parent_run_id(self.run_id)),
                job=parent_run.Job(namespace=NAMESPACE, name="hotpass.refine"),
            ),
            "hotpass": HotpassRunFacet(runId=self.run_id, store=dict(self.store)),
        }
        if error is not None:
            # The type only: an exception message may quote data.
            run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=type(error).__name__, programmingLanguage="python"
            )
        job_facets: dict[str, Any] = {
            "jobType": job_type_job.JobTypeJobFacet(
                processingType="BATCH", integration="HOTPASS", jobType="TASK"
            )
        }
        return RunEvent(
            eventType=getattr(RunState, state),
            eventTime=datetime.now(UTC).isoformat(),
            run=Run(runId=self.ol_run_id, facets=run_facets),
            job=Job(namespace=NAMESPACE, name=f"hotpass.{self.stage}", facets=job_facets),
            producer=PRODUCER,
            inputs=[_dataset(d, "input") for d in self.inputs],
            outputs=[_dataset(d, "output") for d in self.outputs],
        )

    def emit(self, state: str, error: BaseException | None = None) -> None:
        event = self._event(state, error)
        for client in _clients(self.settings):
            client.emit(event)


@attr.define
class HotpassRunFacet(RunFacet):
    """The Hotpass run a stage belongs to, and the store commits its data is in."""

    runId: str  # - OpenLineage facet fields are camelCase
    store: dict[str, str]

    @staticmethod
    def _get_schema() -> str:
        return "urn:hotpass:facet:HotpassRunFacet:1"


@contextlib.contextmanager
def stage_lineage(
    settings: Settings, run_id: str, stage: str, *, enabled: bool = True
) -> Iterator[StageLineage]:
    """Emit START now and COMPLETE (or FAIL, then re-raise) when the block ends."""
    lineage = StageLineage(settings, run_id, stage)
    if not enabled:
        yield lineage
        return
    lineage.emit("START")
    try:
        yield lineage
    except BaseException as exc:
        lineage.emit("FAIL", exc)
        raise
    lineage.emit("COMPLETE")


# -- reading and drawing ------------------------------------------------------------------------


def run_events(settings: Settings, run_id: str) -> list[dict[str, Any]]:
    """The events of one Hotpass run from the workspace's event file, oldest first."""
    path = events_path(settings)
    if not path.exists():
        return []
    parent = parent_run_id(run_id)
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        facet = event.get("run", {}).get("facets", {}).get("parent", {})
        if facet.get("run", {}).get("runId") == parent:
            events.append(event)
    return events


def lineage_graph(
    events: list[dict[str, Any]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(nodes as (id, label), edges) of the latest event per job: dataset -> job -> dataset.
    A dataset's label is its last path parts and, on a second line, its version."""
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        latest[event["job"]["name"]] = event
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []

    def dataset_node(item: dict[str, Any]) -> str:
        key = f"{item['namespace']}:{item['name']}"
        version = item.get("facets", {}).get("version", {}).get("datasetVersion")
        label = item["name"].rsplit("/", 3)
        short = "/".join(label[-3:]) if len(label) > 1 else item["name"]
        if version or key not in nodes:  # keep the label that names a version
            nodes[key] = short + (f"\n@{version[:12]}" if version else "")
        return key

    for name, event in latest.items():
        job = f"job:{name}"
        nodes[job] = name
        for item in event.get("inputs", []):
            edges.append((dataset_node(item), job))
        for item in event.get("outputs", []):
            edges.append((job, dataset_node(item)))
    return list(nodes.items()), sorted(set(edges))


def render_svg(events: list[dict[str, Any]]) -> str:
    """The lineage graph as a self-contained SVG: columns by depth, jobs as rounded boxes."""
    nodes, edges = lineage_graph(events)
    if not nodes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="40">'
            '<text x="8" y="24">no lineage events for this run</text></svg>'
        )
    depth = {node: 0 for node, _ in nodes}
    for _ in range(len(nodes)):  # longest path from a source; the graph is a small DAG
        for left, right in edges:
            depth[right] = max(depth[right], depth[left] + 1)
    columns: dict[int, list[str]] = {}
    for node, _ in nodes:
        columns.setdefault(depth[node], []).append(node)
    labels = dict(nodes)
    width, height, gap_x, gap_y = 250, 34, 60, 10
    place: dict[str, tuple[int, int]] = {}
    for column, members in columns.items():
        for row, node in enumerate(sorted(members)):
            place[node] = (10 + column * (width + gap_x), 10 + row * (height + gap_y))
    total_w = 20 + (max(columns) + 1) * (width + gap_x)
    total_h = 20 + max(len(m) for m in columns.values()) * (height + gap_y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
        'font-family="sans-serif" font-size="11">'
    ]
    for left, right in edges:
        (x1, y1), (x2, y2) = place[left], place[right]
        parts.append(
            f'<line x1="{x1 + width}" y1="{y1 + height // 2}" x2="{x2}" y2="{y2 + height // 2}" '
            'stroke="#888"/>'
        )
    for node, (x, y) in place.items():
        job = node.startswith("job:")
        fill, radius = ("#dbe9ff", 10) if job else ("#f4f4f4", 2)
        lines = [
            escape(line if len(line) <= LABEL_CHARS else "..." + line[3 - LABEL_CHARS :])
            for line in labels[node].split("\n")
        ]
        text = "".join(
            f'<tspan x="{x + 6}" y="{y + 14 + 13 * i}">{line}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="{radius}" '
            f'fill="{fill}" stroke="#555"/><text>{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def store_dataset(settings: Settings, ref: str, path: str, **details: Any) -> DatasetRef:
    """A file in the versioned store at ``ref``, named the way lineage tools expect."""
    if settings.lakefs.endpoint:
        from urllib.parse import urlsplit

        host = urlsplit(settings.lakefs.endpoint).netloc.rsplit("@", 1)[-1]
        return DatasetRef(
            f"lakefs://{host}", f"{settings.lakefs.repository}/{ref}/{path}", **details
        )
    root = (settings.workspace / "store").resolve()
    return DatasetRef("file", f"{root}/{ref}/{path}", **details)
