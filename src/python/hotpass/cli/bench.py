"""``hotpass bench resolve``: the labelled entity-resolution benchmark, printed as figures."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Benchmarks that print figures (quality and speed).", no_args_is_help=True)


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
