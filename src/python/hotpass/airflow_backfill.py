"""Drive an Airflow backfill of ``hotpass_refine`` from the CLI and follow it to the end.

Talks to Airflow through its command line (``airflow backfill create``, ``dags unpause``,
``dags list-runs``), never by importing it: only the DAG package may depend on Airflow (ADR
0003). The Airflow home and database are the caller's (``AIRFLOW_HOME``); the command is
``airflow.command`` in the settings. Each day's outcome is the interval record its ``publish``
(or ``select_inputs``) task wrote; a day whose run failed before recording is ``failed``.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Callable
from datetime import date, datetime

from hotpass.errors import HotpassError
from hotpass.intervals import IntervalResult, record_path, recorded
from hotpass.landing import days
from hotpass.settings import Settings

DAG_ID = "hotpass_refine"
_TERMINAL = {"success", "failed"}


class AirflowBackfillError(RuntimeError, HotpassError):
    """Airflow refused the backfill, or it did not finish in time."""


def _airflow(settings: Settings, *args: str, timeout: float = 300) -> str:
    command = [*shlex.split(settings.airflow.command), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AirflowBackfillError(
            f"cannot run `{' '.join(command[:2])} {args[0]}` ({type(exc).__name__}); set "
            "airflow.command (HOTPASS_AIRFLOW_COMMAND) to the Airflow executable"
        ) from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no output"]
        errors = [line for line in lines if "Error" in line or "Exception" in line]
        raise AirflowBackfillError(
            f"`airflow {' '.join(args[:2])}` failed: {(errors or lines)[-1].strip()[:300]}"
        )
    return done.stdout


def _create(
    settings: Settings,
    first: date,
    last: date,
    reprocess: str,
    conf: dict[str, object],
    wait: float,
) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            _airflow(
                settings,
                "backfill",
                "create",
                "--dag-id",
                DAG_ID,
                "--from-date",
                first.isoformat(),
                "--to-date",
                last.isoformat(),
                "--reprocess-behavior",
                reprocess,
                "--dag-run-conf",
                json.dumps(conf),
            )
            return
        except AirflowBackfillError as exc:
            # A freshly started Airflow may not have parsed the DAG yet; one backfill per DAG
            # (the previous one may still be closing); SQLite may be busy.
            transient = ("Could not find dag", "Another backfill is running", "database is locked")
            if not any(t in str(exc) for t in transient) or time.monotonic() > deadline:
                raise
            time.sleep(3)


def _runs(settings: Settings) -> list[dict[str, str]]:
    text = _airflow(settings, "dags", "list-runs", DAG_ID, "-o", "json")
    # Airflow may print log lines (which also start with "[") before the one JSON line.
    for line in text.splitlines():
        if line.startswith("[{") or line.strip() == "[]":
            runs: list[dict[str, str]] = json.loads(line)
            return runs
    return []


def run_airflow_backfill(
    settings: Settings,
    first: date,
    last: date,
    *,
    reprocess: str = "completed",
    incremental: bool = False,
    since: date | None = None,
    timeout: float = 1800.0,
    poll: float = 5.0,
    progress: Callable[[str], None] | None = None,
) -> list[IntervalResult]:
    """Create the backfill, unpause the DAG (its runs wait while it is paused) and wait until
    every day's run has finished; return the days' outcomes in date order."""
    say = progress or (lambda _message: None)
    span = days(first, last)
    began = datetime.now().astimezone()
    conf: dict[str, object] = {
        "backfill": True,
        "incremental": incremental,
        "since": since.isoformat() if since else None,
    }
    # A backfill that just ended stays "running" until the scheduler closes it, which takes
    # longer on a busy machine: a second backfill waits for that.
    _create(settings, first, last, reprocess, conf, wait=300)
    _airflow(settings, "dags", "unpause", DAG_ID)
    say(f"airflow: backfill of {len(span)} day(s) created; waiting for the scheduler")
    deadline = time.monotonic() + timeout
    finished: dict[date, str] = {}
    while len(finished) < len(span):
        if time.monotonic() > deadline:
            pending = ", ".join(d.isoformat() for d in span if d not in finished)
            raise AirflowBackfillError(f"backfill not finished after {timeout:g} s: {pending}")
        time.sleep(poll)
        for run in _runs(settings):
            day = datetime.fromisoformat(run["logical_date"]).date()
            ended = run.get("end_date")
            if day not in span or day in finished or run["state"] not in _TERMINAL or not ended:
                continue
            if datetime.fromisoformat(ended) >= began:
                finished[day] = run["state"]
                say(f"airflow: {day.isoformat()} {run['state']} ({len(finished)}/{len(span)})")
    results = []
    for day in span:
        result = recorded(settings, day)
        fresh = record_path(settings, day).exists() and (
            record_path(settings, day).stat().st_mtime >= began.timestamp()
        )
        if result is None or not fresh:
            result = IntervalResult(day.isoformat(), "failed", reason="the Airflow run failed")
        results.append(result)
    return results
