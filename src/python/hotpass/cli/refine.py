"""``hotpass refine``: workbooks in, golden tables out, behind the quality gate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotpass.cli import exits
from hotpass.cli.progress import JsonOutputOption, QuietOption

if TYPE_CHECKING:
    from hotpass.pipeline import RunSummary


# The first words of the pipeline's progress messages, in run order (the terminal's bar).
STAGES = (
    "ingest",
    "standardise",
    "contracts",
    "resolve",
    "survive",
    "score",
    "leads",
    "write",
    "audit",
    "publish",
    "export",
)


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; directories expand to their workbooks and CSV files (sorted, no Office
    lock files)."""
    from hotpass.landing import input_files

    files: list[Path] = []
    for path in paths:
        files.extend(input_files(path) if path.is_dir() else [path])
    return files


def refine(
    inputs: Annotated[
        list[Path], typer.Argument(help="Workbooks, CSV files or directories of them.")
    ],
    profile: Annotated[
        str | None,
        typer.Option(help="Profile name or YAML path for every input (default: detect per file)."),
    ] = None,
    workspace: Annotated[
        Path | None, typer.Option(help="Workspace directory (default: ./.hotpass).")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(help="Where staged Parquet tables go (default: <workspace>/export)."),
    ] = None,
    summary_json: Annotated[
        Path | None, typer.Option(help="Also write the run summary as JSON here ('-' for stdout).")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="Settings file.")] = None,
    quiet: QuietOption = False,
    as_json: JsonOutputOption = False,
) -> None:
    """Refine workbooks into golden organisations and contacts, behind the quality gate.

    Exit 0 on success, 1 when the run failed, 2 on bad input, 3 when the gate blocked the
    run (nothing is written to the export directory then; the report still is).
    """
    from hotpass.cli.progress import reporter
    from hotpass.errors import HotpassError, InputError, ProfileError, SettingsError
    from hotpass.pipeline import refine as run_refine
    from hotpass.settings import load_settings

    try:
        settings = load_settings(config_file=config, overrides={"workspace": workspace})
    except SettingsError as exc:
        typer.echo(f"hotpass refine: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None
    files = expand_inputs(inputs)
    if not files:
        typer.echo("hotpass refine: no .xlsx or .csv inputs found", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    export_dir = export or settings.export_dir
    try:
        with reporter("refine", quiet=quiet or as_json, stages=STAGES) as report:
            summary = run_refine(
                files, settings=settings, profile=profile, export_dir=export_dir, progress=report
            )
    except (InputError, ProfileError, SettingsError) as exc:
        # SettingsError here: a setting the run could not honour (engine = spark without
        # pyspark, a Spark master that does not answer).
        typer.echo(f"hotpass refine: error: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None
    except HotpassError as exc:
        # Nothing was moved into the export directory: files are moved in only at the end.
        typer.echo(f"hotpass refine: failed: {exc}", err=True)
        raise typer.Exit(exits.FAILED) from None

    if summary_json is not None and str(summary_json) != "-":
        summary_json.parent.mkdir(parents=True, exist_ok=True)
        summary_json.write_text(summary.to_json() + "\n", encoding="utf-8")
    if as_json or str(summary_json) == "-":
        typer.echo(summary.to_json())
    elif quiet:
        typer.echo(
            f"run {summary.run_id}: {summary.status} ({summary.organisations} organisations)"
        )
    else:
        _print_summary(summary)
    if summary.status == "failed":
        raise typer.Exit(exits.FAILED)
    if summary.status == "blocked":
        raise typer.Exit(exits.BLOCKED)


def _print_summary(summary: RunSummary) -> None:
    typer.echo(f"run {summary.run_id}: {summary.status} in {summary.seconds:.1f}s")
    if summary.published_ref:
        typer.echo(f"  main at {summary.published_ref[:12]} (store branch {summary.branch})")
    elif summary.branch:
        typer.echo(f"  main unchanged; the run's data is on store branch {summary.branch}")
    for item in summary.inputs:
        unexpected = (
            f", {len(item['sheets_unexpected'])} unexpected sheet(s)"
            if item["sheets_unexpected"]
            else ""
        )
        typer.echo(
            f"  {Path(item['path']).name}: profile {item['profile']}, "
            f"{len(item['sheets_read'])} sheet(s) read, {item['rows_ingested']} rows, "
            f"{item['blank_skipped']} blank skipped{unexpected}"
        )
    rows = summary.rows
    typer.echo(
        f"rows: {rows['ingested']} ingested = {rows['accepted']} accepted"
        f" + {rows['quarantined']} quarantined ({rows['blank_skipped']} blank skipped)"
    )
    typer.echo("tables: " + ", ".join(f"{name} {count}" for name, count in summary.tables.items()))
    if summary.quarantine_by_rule:
        typer.echo(
            "quarantine: " + ", ".join(f"{r} {n}" for r, n in summary.quarantine_by_rule.items())
        )
    gate = summary.gate
    if gate:
        typer.echo(f"gate: {gate['errors']} error rule(s) failed, {gate['warnings']} warning(s)")
        print_failures(gate["results"])
    if summary.status == "blocked":
        typer.echo("blocked: nothing was published; the export directory is unchanged")
    for name, path in summary.outputs.items():
        typer.echo(f"  wrote {name}: {path}")


def print_failures(results: list[dict[str, Any]]) -> None:
    """One line per failed expectation: counts and sample ids, never values."""
    for result in results:
        if result["success"]:
            continue
        count = result["unexpected_count"]
        sample = f" e.g. {', '.join(result['sample_ids'])}" if result["sample_ids"] else ""
        typer.echo(
            f"  {result['severity']}: {result['suite']}: {result['expectation']}"
            f"({result['column'] or 'table'})"
            f"{'' if count is None else f': {count} unexpected'}{sample}"
        )
