"""The Typer application and its entry point.

Start-up stays fast: this module imports only Typer; each command imports the library
modules it needs inside its body, so ``hotpass --help`` never loads DuckDB, Great
Expectations, MLflow or Airflow.
"""

from __future__ import annotations

from typing import Annotated

import typer

from hotpass import __version__
from hotpass.cli import (
    backfill,
    bench,
    contracts,
    doctor,
    exits,
    explain,
    init,
    lineage,
    model,
    refine,
    resolve,
    review,
    samples,
    validate,
    version,
)

app = typer.Typer(
    name="hotpass",
    help="Refine messy aviation-organisation workbooks into governed, versioned golden records.",
    no_args_is_help=True,
    add_completion=False,
    # Unexpected errors are reported by main() in one line: a traceback's messages and
    # locals may hold contact data (POPIA).
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)

DEBUG_ENV = "HOTPASS_DEBUG"


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


app.command(name="init")(init.init)
app.command(name="refine")(refine.refine)
app.command(name="doctor")(doctor.doctor)
app.command(name="samples")(samples.samples)
app.command(name="resolve")(resolve.resolve)
app.command(name="explain")(explain.explain)
app.command(name="validate")(validate.validate)
app.command(name="qa")(validate.qa)
app.command(name="backfill")(backfill.backfill)
app.command(name="lineage")(lineage.lineage)
app.add_typer(review.app, name="review")
app.add_typer(contracts.app, name="contracts")
app.add_typer(bench.app, name="bench")
app.add_typer(version.app, name="version")
app.add_typer(model.app, name="model")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (the ``hotpass`` PEX runs this).

    An unexpected exception becomes one line naming its type, never its message (which may
    quote data), and exit code 1; ``HOTPASS_DEBUG=1`` shows the full traceback instead.
    """
    import os
    import sys

    try:
        app(args=argv, prog_name="hotpass")
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"hotpass: internal error ({type(exc).__name__}); nothing was published. "
            f"Set {DEBUG_ENV}=1 to see the traceback and report it.",
            file=sys.stderr,
        )
        sys.exit(exits.FAILED)
