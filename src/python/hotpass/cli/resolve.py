"""``hotpass resolve TABLE...``: entity resolution alone, on any CSV or Parquet tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpass.cli import exits


def resolve(
    tables: Annotated[list[Path], typer.Argument(help="CSV or Parquet files.")],
    profile: Annotated[
        str, typer.Option(help="Resolution profile: built-in name or YAML path.")
    ] = "organisations",
    out: Annotated[Path, typer.Option(help="Directory for clusters, links and review.")] = Path(
        "resolved"
    ),
    workspace: Annotated[Path | None, typer.Option(help="Workspace directory.")] = None,
) -> None:
    """Deduplicate or link records by a resolution profile; write Parquet pairs and clusters.

    Every file is read whole; with a link profile each file is one source (its file name,
    unless the profile's source column is already in the data).
    """
    import duckdb
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from hotpass.duckdb_connection import quiet_duckdb
    from hotpass.errors import ProfileError
    from hotpass.resolve import load_config
    from hotpass.resolve import resolve as run_resolve
    from hotpass.resolve.decisions import decisions_path, load_decisions
    from hotpass.resolve.features import prepare_features
    from hotpass.settings import load_settings

    try:
        config = load_config(profile)
    except ProfileError as exc:
        typer.echo(f"hotpass resolve: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None
    settings = load_settings(overrides={"workspace": workspace})
    con = quiet_duckdb()
    selects = []
    for path in tables:
        if not path.is_file():
            typer.echo(f"hotpass resolve: {path}: no such file", err=True)
            raise typer.Exit(exits.BAD_INPUT)
        reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv"
        options = "" if reader == "read_parquet" else ", all_varchar = true, header = true"
        try:
            columns = [
                row[0]
                for row in con.execute(
                    f"DESCRIBE SELECT * FROM {reader}(?{options})", [str(path)]
                ).fetchall()
            ]
        except duckdb.Error as exc:
            typer.echo(f"hotpass resolve: {path}: cannot be read ({type(exc).__name__})", err=True)
            raise typer.Exit(exits.BAD_INPUT) from None
        needed = [config.unique_id, *(c.column for c in config.comparisons)]
        missing = [c for c in needed if c not in columns]
        if missing:
            typer.echo(
                f"hotpass resolve: {path}: missing column(s) {', '.join(missing)} "
                f"needed by profile {config.name}",
                err=True,
            )
            raise typer.Exit(exits.BAD_INPUT)
        source = ""
        if config.source_column and config.source_column not in columns:
            source = f", '{path.stem}' AS \"{config.source_column}\""
        literal = str(path).replace("'", "''")
        selects.append(f"SELECT *{source} FROM {reader}('{literal}'{options})")
    con.execute("CREATE TEMP TABLE hotpass_input AS " + " UNION ALL BY NAME ".join(selects))
    duplicates = con.execute(
        f'SELECT count(*) FROM (SELECT "{config.unique_id}" FROM hotpass_input '
        f"GROUP BY 1 HAVING count(*) > 1)"
    ).fetchall()[0][0]
    if duplicates:
        typer.echo(
            f"hotpass resolve: {duplicates} value(s) of {config.unique_id} occur more than once",
            err=True,
        )
        raise typer.Exit(exits.BAD_INPUT)
    prepare_features(con, "hotpass_input", config, "hotpass_features")
    result = run_resolve(
        con,
        "hotpass_features",
        config=config,
        decisions=load_decisions(decisions_path(settings.workspace)),
        progress=typer.echo,
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (
        ("clusters", result.clusters),
        ("links", result.links),
        ("review_queue", result.review),
    ):
        pq.write_table(frame, out / f"{name}.parquet")
    clusters = pc.count_distinct(result.clusters.column("cluster_id")).as_py()
    typer.echo(
        f"{result.clusters.num_rows} records -> {clusters} clusters; "
        f"{result.links.num_rows} links, {result.review.num_rows} pairs to review; wrote {out}"
    )
