"""``hotpass contracts``: export the data contracts as JSON Schema and a reference page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpass.cli import exits

app = typer.Typer(help="Data contracts of the canonical tables.", no_args_is_help=True)


@app.command("export")
def export(
    schemas: Annotated[Path, typer.Option(help="Directory for the JSON Schemas.")] = Path(
        "schemas"
    ),
    docs: Annotated[Path, typer.Option(help="Generated reference page.")] = Path(
        "docs/reference/schemas.md"
    ),
    check: Annotated[
        bool, typer.Option(help="Fail (exit 1) if the files differ instead of writing.")
    ] = False,
) -> None:
    """Write schemas/*.schema.json and docs/reference/schemas.md from the row models, and
    expectations.md beside it from the gate's suites."""
    from hotpass.contracts.export import json_schemas, stale_exports, write_exports

    if check:
        stale = stale_exports(schemas, docs)
        if stale:
            typer.echo(
                "out of date (run 'hotpass contracts export'): " + ", ".join(stale), err=True
            )
            raise typer.Exit(exits.FAILED)
        typer.echo(f"{len(json_schemas()) + 2} contract files up to date")
        return
    for path in write_exports(schemas, docs):
        typer.echo(f"wrote {path}")
