"""``hotpass review``: look at uncertain pairs and accept or reject them.

Decisions go to ``<workspace>/review/decisions.csv`` and are applied on every later run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hotpass.cli import exits

app = typer.Typer(help="Review uncertain entity-resolution pairs.", no_args_is_help=True)
SHOWN = ("display_name", "website_domain", "email_domain", "province", "address", "registration")


def _queue(export: Path | None, workspace: Path | None) -> tuple[Any, Path]:
    import pyarrow.parquet as pq

    from hotpass.settings import load_settings

    settings = load_settings(overrides={"workspace": workspace})
    path = (export or settings.export_dir) / "review_queue.parquet"
    if not path.exists():
        typer.echo(f"hotpass review: {path} not found; run hotpass refine first", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    return pq.read_table(path), settings.workspace


ExportOption = Annotated[
    Path | None, typer.Option(help="Export directory (default: <workspace>/export).")
]
WorkspaceOption = Annotated[Path | None, typer.Option(help="Workspace directory.")]


@app.command("list")
def list_pairs(export: ExportOption = None, workspace: WorkspaceOption = None) -> None:
    """Show the pairs waiting for a decision, both records side by side with the evidence."""
    from rich.console import Console
    from rich.table import Table

    queue, _ = _queue(export, workspace)
    console = Console()
    if queue.num_rows == 0:
        console.print("review queue is empty")
        return
    for row in queue.to_pylist():
        probability = row["match_probability"]
        shown = "n/a" if probability is None else f"{probability:.3f}"
        table = Table(
            "", "left", "right", title=f"pair {row['pair_id']}  p={shown}  {row['reason']}"
        )
        table.add_row("record", row["left_record_id"], row["right_record_id"])
        for column in SHOWN:
            if f"left_{column}" in row:
                table.add_row(
                    column, str(row[f"left_{column}"] or ""), str(row[f"right_{column}"] or "")
                )
        console.print(table)
        console.print(f"evidence: {row['evidence'] or 'none'}")
    console.print(f"{queue.num_rows} pair(s); decide with: hotpass review accept|reject PAIR_ID...")


def _decide(decision: str, pair_ids: list[str], note: str, export: Any, workspace: Any) -> None:
    from hotpass.resolve.decisions import (
        PairDecision,
        decisions_path,
        now,
        record_decisions,
    )

    queue, root = _queue(export, workspace)
    by_id = {row["pair_id"]: row for row in queue.to_pylist()}
    unknown = [p for p in pair_ids if p not in by_id]
    if unknown:
        typer.echo(f"hotpass review: not in the review queue: {', '.join(unknown)}", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    stamp = now()
    decided = [
        PairDecision(
            p,
            by_id[p]["left_record_id"],
            by_id[p]["right_record_id"],
            decision,  # type: ignore[arg-type]
            stamp,
            note,
        )
        for p in pair_ids
    ]
    path = decisions_path(root)
    record_decisions(path, decided)
    typer.echo(f"{decision}ed {len(decided)} pair(s) in {path}; applied on the next refine")


NoteOption = Annotated[str, typer.Option(help="Why (kept with the decision).")]


@app.command("accept")
def accept(
    pair_ids: Annotated[list[str], typer.Argument(help="Pair ids from hotpass review list.")],
    note: NoteOption = "",
    export: ExportOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Accept pairs: their records are one organisation from the next run on."""
    _decide("accept", pair_ids, note, export, workspace)


@app.command("reject")
def reject(
    pair_ids: Annotated[list[str], typer.Argument(help="Pair ids from hotpass review list.")],
    note: NoteOption = "",
    export: ExportOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Reject pairs: their records are never merged, even through other records."""
    _decide("reject", pair_ids, note, export, workspace)
