"""``hotpass validate`` and ``hotpass qa``: the quality gate on demand, and every check CI runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotpass.cli import exits
from hotpass.cli.progress import JsonOutputOption

if TYPE_CHECKING:
    from hotpass.settings import Settings


def _store_tables(ref: str, settings: Settings) -> dict[str, object]:
    """The golden tables a store ref (branch, tag, commit) holds, as the gate reads them."""
    from hotpass.publish import read_tables
    from hotpass.store import StoreError, open_store
    from hotpass.validate import gate_tables

    try:
        golden = read_tables(open_store(settings), ref, ("organisations", "contacts"))
    except StoreError as exc:
        typer.echo(
            f"hotpass validate: {ref!r} is neither a run id with kept tables nor a store ref "
            f"with golden tables ({exc})",
            err=True,
        )
        raise typer.Exit(exits.BAD_INPUT) from None
    return gate_tables(golden["organisations"], golden["contacts"])


def _gate(export: Path, settings: Settings, ref: str | None = None, as_json: bool = False) -> bool:
    """Run the gate on a run's kept tables or a store ref's golden tables (``ref``), or on an
    export's golden tables; print the verdict (text, or the gate's JSON)."""
    import pyarrow.parquet as pq

    from hotpass.cli.refine import print_failures
    from hotpass.validate import gate_tables
    from hotpass.validate.gate import GATE_TABLES, load_tables, run_gate

    if ref is not None and (settings.run_dir(ref) / GATE_TABLES).is_dir():
        tables, where = load_tables(settings.run_dir(ref) / GATE_TABLES), f"run {ref}"
    elif ref is not None:
        tables, where = _store_tables(ref, settings), f"store ref {ref}"
    else:
        names = ("organisations", "contacts")
        missing = [n for n in names if not (export / f"{n}.parquet").exists()]
        if missing:
            typer.echo(f"hotpass validate: {export} has no {', '.join(missing)} table", err=True)
            raise typer.Exit(exits.BAD_INPUT)
        tables = gate_tables(
            pq.read_table(export / "organisations.parquet"),
            pq.read_table(export / "contacts.parquet"),
        )
        where = str(export)
    gate = run_gate(tables, workspace=settings.workspace)
    if as_json:
        typer.echo(json.dumps({"checked": where, **gate.to_dict()}, indent=2, sort_keys=True))
        return gate.passed
    typer.echo(
        f"gate on {where}: {len(gate.errors)} error rule(s) failed, "
        f"{len(gate.warnings)} warning(s); Data Docs: {gate.data_docs}"
    )
    print_failures(gate.to_dict()["results"])
    return gate.passed


ExportOption = Annotated[
    Path | None, typer.Option(help="Export directory to check (default: <workspace>/export).")
]
WorkspaceOption = Annotated[Path | None, typer.Option(help="Workspace directory.")]


def validate(
    ref: Annotated[
        str | None,
        typer.Option(
            help="A run id (re-check every table that run's gate saw, all suites) or a store "
            "ref - branch, tag or commit (its golden tables)."
        ),
    ] = None,
    export: ExportOption = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOutputOption = False,
) -> None:
    """Run the quality gate on demand: a past run's tables, a version in the store, or an
    export's golden tables.

    Without --ref the golden-table suites run on the export (default <workspace>/export).
    Exit 0 when every error rule passes, 3 when one fails, 2 when the tables are missing.
    """
    from hotpass.settings import load_settings

    settings = load_settings(overrides={"workspace": workspace})
    if not _gate(export or settings.export_dir, settings, ref, as_json):
        raise typer.Exit(exits.BLOCKED)


def qa(
    export: ExportOption = None,
    workspace: WorkspaceOption = None,
    profiles: Annotated[
        list[Path] | None,
        typer.Option(help="Extra profile YAML files to lint (source or resolution profiles)."),
    ] = None,
) -> None:
    """The gate, the contracts drift check and the profile linter together, as CI runs them."""
    from hotpass.contracts.export import stale_exports
    from hotpass.errors import ProfileError
    from hotpass.profiles import builtin_profiles, load_profile
    from hotpass.resolve import builtin_configs, load_config
    from hotpass.settings import load_settings

    settings = load_settings(overrides={"workspace": workspace})
    failed: list[str] = []
    problems: list[str] = []
    try:
        checked = len(builtin_profiles()) + len(builtin_configs())
    except ProfileError as exc:
        problems.extend(exc.problems)
        checked = 0
    for path in profiles or []:
        try:
            # A resolution profile says what it compares; anything else is a source profile.
            resolution = "comparisons:" in path.read_text(encoding="utf-8")
            (load_config if resolution else load_profile)(str(path))
            checked += 1
        except (ProfileError, OSError) as exc:
            problems.extend(getattr(exc, "problems", [str(exc)]))
    typer.echo(f"profiles: {checked} valid, {len(problems)} problem(s)")
    for problem in problems:
        typer.echo(f"  {problem}")
    if problems:
        failed.append("profiles")
    stale = stale_exports(Path("schemas"), Path("docs/reference/schemas.md"))
    typer.echo(f"contracts: {'up to date' if not stale else 'stale: ' + ', '.join(stale)}")
    if stale:
        failed.append("contracts")
    if not _gate(export or settings.export_dir, settings):
        failed.append("gate")
    if failed:
        typer.echo(f"qa failed: {', '.join(failed)}")
        raise typer.Exit(exits.FAILED)
    typer.echo("qa passed")
