"""``hotpass lineage RUN_ID``: the lineage graph of a run as a picture."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpass.cli import exits


def lineage(
    run_id: Annotated[str, typer.Argument(help="A run id (from the run summary or version log).")],
    out: Annotated[
        Path | None,
        typer.Option(help="SVG file to write (default: <workspace>/runs/<run_id>/lineage.svg)."),
    ] = None,
    workspace: Annotated[Path | None, typer.Option(help="Workspace directory.")] = None,
) -> None:
    """Draw the run's datasets, jobs and versions from its OpenLineage events (SVG)."""
    from hotpass.lineage import events_path, lineage_graph, render_svg, run_events
    from hotpass.settings import load_settings

    settings = load_settings(overrides={"workspace": workspace})
    events = run_events(settings, run_id)
    if not events:
        typer.echo(
            f"hotpass lineage: no events for run {run_id} in {events_path(settings)}", err=True
        )
        raise typer.Exit(exits.BAD_INPUT)
    target = out or settings.run_dir(run_id) / "lineage.svg"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_svg(events), encoding="utf-8")
    nodes, edges = lineage_graph(events)
    jobs = sorted(label for node, label in nodes if node.startswith("job:"))
    typer.echo(
        f"run {run_id}: {len(events)} event(s), jobs {', '.join(jobs)}, "
        f"{len(nodes) - len(jobs)} dataset(s), {len(edges)} edge(s)"
    )
    typer.echo(f"wrote {target}")
