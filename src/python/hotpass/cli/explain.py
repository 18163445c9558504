"""``hotpass explain ORG_ID``: where every golden field came from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpass.cli import exits


def explain(
    org_id: Annotated[str, typer.Argument(help="A golden org_id (organisation or site).")],
    export: Annotated[
        Path | None, typer.Option(help="Export directory (default: <workspace>/export).")
    ] = None,
    workspace: Annotated[Path | None, typer.Option(help="Workspace directory.")] = None,
) -> None:
    """Print a golden organisation's fields with the record, rule and losing candidates."""
    from rich.console import Console
    from rich.table import Table

    from hotpass.duckdb_connection import quiet_duckdb
    from hotpass.settings import load_settings

    settings = load_settings(overrides={"workspace": workspace})
    path = (export or settings.export_dir) / "organisations.parquet"
    if not path.exists():
        typer.echo(f"hotpass explain: {path} not found; run hotpass refine first", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    con = quiet_duckdb()
    rows = con.execute(
        "SELECT display_name, record_kind, parent_org_id, source_records, provenance "
        "FROM read_parquet(?) WHERE org_id = ?",
        [str(path), org_id],
    ).fetchall()
    if not rows:
        typer.echo(f"hotpass explain: no organisation {org_id!r} in {path}", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    name, kind, parent, sources, provenance = rows[0]
    console = Console()
    console.print(f"[bold]{org_id}[/bold] {kind}: {name}")
    if parent:
        console.print(f"site of {parent}")
    console.print(f"source records ({len(sources)}): " + ", ".join(sources))
    table = Table("field", "value", "from record(s)", "rule", "losing candidates")
    for entry in provenance:
        value = entry["value"] if entry["value"] is not None else "; ".join(entry["values"])
        losers = "; ".join(f"{x['value']} ({x['record_id']})" for x in entry["losers"])
        table.add_row(entry["field"], value, "\n".join(entry["record_ids"]), entry["rule"], losers)
    console.print(table)
