"""The Typer application and its entry point.

Start-up stays fast: this module imports only Typer; each command imports the library
modules it needs inside its body, so ``hotpass --help`` never loads DuckDB, Great
Expectations, MLflow or Airflow.
"""

from __future__ import annotations

from typing import Annotated

import typer

from hotpass import __version__
from hotpass.cli import contracts, doctor, refine, samples

app = typer.Typer(
    name="hotpass",
    help="Refine messy aviation-organisation workbooks into governed, versioned golden records.",
    no_args_is_help=True,
    add_completion=False,
    # Locals may hold contact data: never print them in tracebacks (POPIA).
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"hotpass {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Hotpass command line."""


app.command(name="refine")(refine.refine)
app.command(name="doctor")(doctor.doctor)
app.command(name="samples")(samples.samples)
app.add_typer(contracts.app, name="contracts")


def main() -> None:
    """Console entry point (the ``hotpass`` PEX runs this)."""
    app(prog_name="hotpass")
