"""``hotpass bench``: refine speed and memory at a size (JSON report); ``hotpass bench
resolve``: the labelled entity-resolution benchmark. Both print figures, never assert them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hotpass.cli.exits import BAD_INPUT

app = typer.Typer(help="Benchmarks that print figures (quality and speed).")


@app.callback(invoke_without_command=True)
def throughput(
    ctx: typer.Context,
    rows: Annotated[
        int | None,
        typer.Option(min=100, help="Source rows to generate and refine (e.g. 100000, 1000000)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="JSON report path [default: dist/benchmarks/refine-ROWS.json]."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 11,
    workdir: Annotated[
        Path | None,
        typer.Option(
            help="Keep inputs and workspace here and reuse inputs generated for the same rows "
            "and seed [default: a temporary directory, removed]."
        ),
    ] = None,
) -> None:
    """Generate ROWS seeded source rows, refine them end to end, time each stage, rerun with 1%
    new rows, compare resolution with plain Splink, ingest the CSV alone at three sizes, time
    --help; write JSON."""
    if ctx.invoked_subcommand is not None:
        return
    if rows is None:
        typer.echo(ctx.get_help())
        typer.echo("\nGive --rows N, or a subcommand.", err=True)
        raise typer.Exit(BAD_INPUT)
    from hotpass.benchmark import run_benchmark, write_report

    report = run_benchmark(
        rows, seed=seed, workdir=workdir, progress=lambda m: typer.echo(f"bench: {m}", err=True)
    )
    target = write_report(report, out)
    _print_report(report)
    typer.echo(f"report: {target}")


def _print_report(report: dict[str, Any]) -> None:
    rows = report["rows"]
    typer.echo(
        f"rows ingested {rows['ingested']:,} (accepted {rows['accepted']:,}, quarantined "
        f"{rows['quarantined']:,}; {rows['blank_skipped']:,} blank skipped); "
        f"status {report['status']}"
    )
    typer.echo(
        f"end to end {report['end_to_end_s']:.1f} s, peak RSS {report['peak_rss_mb']:,.0f} MB"
        f" (largest worker process {report['peak_worker_rss_mb']:,.0f} MB)"
    )
    for name, stage in report["stages"].items():
        typer.echo(
            f"  {name:<16} {stage['seconds']:>8.2f} s  {stage['rows']:>10,} rows  "
            f"{stage['rows_per_s']:>10,} rows/s"
        )
    resolution = report["resolution"]
    typer.echo(
        f"resolution of {resolution['records']:,} records: hotpass {resolution['hotpass_s']:.1f} s"
        f" ({resolution['hotpass_clusters']:,} clusters), plain Splink "
        f"{resolution['plain_splink_s']:.1f} s ({resolution['plain_splink_clusters']:,}), "
        f"ratio {resolution['ratio']}"
    )
    typer.echo(
        "ingest alone (CSV): "
        + ", ".join(
            f"{p['rows']:,} rows {p['seconds']:.1f} s {p['peak_rss_mb']:,.0f} MB"
            for p in report["ingest_memory"]
        )
    )
    workbooks = report["workbook_memory"]
    for reader, how in (("calamine", "a sheet at a time"), ("openpyxl", "a row at a time")):
        typer.echo(
            f"ingest alone ({workbooks['file']}, {how}): "
            + ", ".join(
                f"{p['rows']:,} rows {p['seconds']:.1f} s {p['peak_rss_mb']:,.0f} MB"
                for p in workbooks[reader]
            )
        )
    typer.echo(f"hotpass --help (warm): {report['cli_help_s']:.3f} s")


@app.command("resolve")
def resolve(
    scale: Annotated[int, typer.Option(min=1, help="Generator scale (1 = 225 org rows).")] = 10,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
) -> None:
    """Generate labelled samples, refine them, print precision/recall/F1, records lost, time."""
    from hotpass.resolve.bench import run_benchmark

    typer.echo(f"bench resolve: generating scale {scale} (seed {seed}) and refining ...")
    result = run_benchmark(scale=scale, seed=seed)
    typer.echo(
        f"records {result.records}  true organisations {result.true_organisations}  "
        f"clusters {result.clusters}"
    )
    typer.echo(
        f"pairwise precision {result.precision:.4f}  recall {result.recall:.4f}  "
        f"F1 {result.f1:.4f}  records lost {result.records_lost}"
    )
    typer.echo("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items()))
    typer.echo("threshold sweep (certain links kept, no chaining guard):")
    for row in result.sweep:
        typer.echo(
            f"  >= {row['threshold']:<6} precision {row['precision']:.4f}  "
            f"recall {row['recall']:.4f}  F1 {row['f1']:.4f}"
        )
    typer.echo("scored pairs by probability band (share that are true matches):")
    for band in result.bands:
        typer.echo(
            f"  from {band['from']:<5} pairs {band['pairs']:>7}  true {band['true_share']:.3f}"
        )
