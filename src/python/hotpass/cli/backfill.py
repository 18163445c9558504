"""``hotpass backfill``: replay landing partitions, one refine per day in date order -
in-process, or as an Airflow backfill of ``hotpass_refine`` (``--airflow``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from hotpass.intervals import IntervalResult
    from hotpass.settings import Settings

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_BLOCKED = 3


def _with_airflow(
    settings: Settings,
    first: date,
    last: date,
    reprocess: str,
    incremental: bool,
    since: date | None,
    timeout: float,
) -> list[IntervalResult]:
    from hotpass.airflow_backfill import run_airflow_backfill
    from hotpass.errors import HotpassError

    if reprocess not in {"completed", "failed"}:
        typer.echo("hotpass backfill: --reprocess is completed or failed", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        return run_airflow_backfill(
            settings,
            first,
            last,
            reprocess=reprocess,
            incremental=incremental,
            since=since,
            timeout=timeout,
            progress=lambda message: typer.echo(message, err=True),
        )
    except HotpassError as exc:
        typer.echo(f"hotpass backfill: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None


def _in_process(
    settings: Settings, span: list[date], incremental: bool, since: date | None
) -> list[IntervalResult]:
    from hotpass.errors import HotpassError, InputError
    from hotpass.intervals import IntervalResult, run_interval

    results: list[IntervalResult] = []
    for number, day in enumerate(span, start=1):
        typer.echo(f"[{number}/{len(span)}] {day.isoformat()}", err=True)
        try:
            result = run_interval(
                settings.landing_dir,
                day,
                settings,
                since=since,
                incremental=incremental,
                export_dir=settings.export_dir,
            )
        except InputError as exc:
            result = IntervalResult(day.isoformat(), "failed", reason=str(exc))
        except HotpassError as exc:
            result = IntervalResult(day.isoformat(), "failed", reason=type(exc).__name__)
        results.append(result)
        if result.status == "failed":
            break  # later days build on this one: stop, keep what published
    return results


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
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if not settings.landing_dir.is_dir():
        typer.echo(f"hotpass backfill: landing area {settings.landing_dir} not found", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if airflow:
        results = _with_airflow(settings, first, last, reprocess, incremental, floor, timeout)
    else:
        results = _in_process(settings, span, incremental, floor)
    for result in results:
        ref = (result.published_ref or "")[:12]
        typer.echo(
            f"{result.day}  {result.status:<9} {result.run_id or '-':<16} {ref or '-':<12} "
            f"{result.reason or ''}".rstrip()
        )
    if summary_json is not None:
        text = json.dumps({"intervals": [r.to_dict() for r in results]}, indent=2) + "\n"
        if str(summary_json) == "-":
            typer.echo(text, nl=False)
        else:
            summary_json.write_text(text, encoding="utf-8")
    statuses = {r.status for r in results}
    if "failed" in statuses:
        raise typer.Exit(EXIT_FAILED)
    if "blocked" in statuses:
        raise typer.Exit(EXIT_BLOCKED)
