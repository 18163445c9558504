"""``hotpass init [DIR]``: a workspace ready for a first refine, and the command to run next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpass.cli import exits


def init(
    directory: Annotated[Path, typer.Argument(help="Workspace directory to create.")] = Path(
        "hotpass-workspace"
    ),
    samples: Annotated[
        bool, typer.Option(help="Put today's synthetic sample workbooks in the landing area.")
    ] = True,
    force: Annotated[bool, typer.Option(help="Rewrite an existing settings file.")] = False,
) -> None:
    """Create a workspace: settings file (every option, commented), profile copies, a dated
    landing area with sample workbooks; then print the next command."""
    from datetime import date

    from hotpass.workspace import WorkspaceExists, create_workspace

    try:
        made = create_workspace(directory, day=date.today(), samples=samples, force=force)
    except (WorkspaceExists, OSError) as exc:
        typer.echo(f"hotpass init: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None
    typer.echo(f"created workspace {made.root}")
    typer.echo(f"  settings  {made.settings_file} (every option listed, commented)")
    typer.echo(f"  profiles  {len(made.profiles)} copies in {made.root / 'profiles'}")
    typer.echo(f"  landing   {made.landing_day} ({len(made.samples)} sample file(s))")
    typer.echo("next:")
    typer.echo(f"  hotpass refine {made.landing_day} --config {made.settings_file}")
    typer.echo(f"  hotpass doctor --config {made.settings_file}")
