"""``hotpass backfill``: replay landing partitions, one refine per day in date order -
in-process, or as an Airflow backfill of ``hotpass_refine`` (``--airflow``)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotpass.cli import exits
from hotpass.cli.progress import JsonOutputOption, QuietOption

if TYPE_CHECKING:
    from hotpass.intervals import IntervalResult
    from hotpass.settings import Settings


def _with_airflow(
    settings: Settings,
    first: date,
    last: date,
    reprocess: str,
    incremental: bool,
    since: date | None,
    timeout: float,
    quiet: bool,
) -> list[IntervalResult]:
    from hotpass.airflow_backfill import run_airflow_backfill
    from hotpass.errors import HotpassError

    if reprocess not in {"completed", "failed"}:
        typer.echo("hotpass backfill: --reprocess is completed or failed", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    try:
        return run_airflow_backfill(
            settings,
            first,
            last,
            reprocess=reprocess,
            incremental=incremental,
            since=since,
            timeout=timeout,
            progress=(lambda _m: None) if quiet else (lambda m: typer.echo(m, err=True)),
        )
    except HotpassError as exc:
        typer.echo(f"hotpass backfill: {exc}", err=True)
        raise typer.Exit(exits.FAILED) from None


def _in_process(
    settings: Settings, span: list[date], incremental: bool, since: date | None, quiet: bool
) -> list[IntervalResult]:
    from hotpass.cli.progress import counted

    results: list[IntervalResult] = []
    with counted("backfill", len(span), quiet=quiet) as step:
        for day in span:
            step(day.isoformat())
            result = _one_day(settings, day, incremental, since)
            results.append(result)
            if result.status == "failed":
                break  # later days build on this one: stop, keep what published
    return results


def _one_day(
    settings: Settings, day: date, incremental: bool, since: date | None
) -> IntervalResult:
    """Refine one day; a failure becomes the day's result (with a reason, never data)."""
    from hotpass.errors import HotpassError, InputError
    from hotpass.intervals import IntervalResult, run_interval

    try:
        return run_interval(
            settings.landing_dir,
            day,
            settings,
            since=since,
            incremental=incremental,
            export_dir=settings.export_dir,
        )
    except InputError as exc:
        return IntervalResult(day.isoformat(), "failed", reason=str(exc))
    except HotpassError as exc:
        return IntervalResult(day.isoformat(), "failed", reason=type(exc).__name__)


def backfill(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD), inclusive.")],
    landing: Annotated[
        Path | None, typer.Option(help="Landing area (default: <workspace>/landing).")
    ] = None,
    workspace: Annotated[Path | None, typer.Option(help="Workspace directory.")] = None,
    summary_json: Annotated[
        Path | None, typer.Option(help="Write the intervals as JSON here ('-' for stdout).")
    ] = None,
    incremental: Annotated[
        bool, typer.Option(help="Skip days whose inputs are exactly what main last published.")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Ignore landing partitions before this day.")
    ] = None,
    airflow: Annotated[
        bool,
        typer.Option(
            "--airflow",
            help="Create an Airflow backfill of hotpass_refine (AIRFLOW_HOME's Airflow) and "
            "wait for it, with progress.",
        ),
    ] = False,
    reprocess: Annotated[
        str, typer.Option(help="With --airflow: Airflow's reprocess behaviour (completed|failed).")
    ] = "completed",
    timeout: Annotated[
        float, typer.Option(help="With --airflow: seconds to wait for the backfill.")
    ] = 1800.0,
    quiet: QuietOption = False,
    as_json: JsonOutputOption = False,
) -> None:
    """Replay every day from --from to --to: each day refines its landing snapshot, here or
    (--airflow) through Airflow's scheduler.

    Exit 0 when every day published (or was unchanged or had nothing to do), 3 when a day was
    blocked by the gate, 1 when one failed, 2 on bad dates or input.
    """
    from hotpass.errors import SettingsError
    from hotpass.landing import days
    from hotpass.settings import load_settings

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        floor = date.fromisoformat(since) if since else None
        span = days(first, last)
        overrides = {"workspace": workspace, "landing": landing}
        settings = load_settings(overrides=overrides)
    except (ValueError, SettingsError) as exc:
        typer.echo(f"hotpass backfill: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None
    if not settings.landing_dir.is_dir():
        typer.echo(f"hotpass backfill: landing area {settings.landing_dir} not found", err=True)
        raise typer.Exit(exits.BAD_INPUT)
    if airflow:
        results = _with_airflow(
            settings, first, last, reprocess, incremental, floor, timeout, quiet or as_json
        )
    else:
        results = _in_process(settings, span, incremental, floor, quiet or as_json)
    text = json.dumps({"intervals": [r.to_dict() for r in results]}, indent=2) + "\n"
    if as_json or str(summary_json) == "-":
        typer.echo(text, nl=False)
    elif quiet:
        counts = Counter(r.status for r in results)
        typer.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    else:
        for result in results:
            ref = (result.published_ref or "")[:12]
            typer.echo(
                f"{result.day}  {result.status:<9} {result.run_id or '-':<16} {ref or '-':<12} "
                f"{result.reason or ''}".rstrip()
            )
    if summary_json is not None and str(summary_json) != "-":
        summary_json.write_text(text, encoding="utf-8")
    statuses = {r.status for r in results}
    if "failed" in statuses:
        raise typer.Exit(exits.FAILED)
    if "blocked" in statuses:
        raise typer.Exit(exits.BLOCKED)
