"""Scheduled intervals: one landing partition day -> one refine, as Airflow and
``hotpass backfill`` run them.

The inputs of day D are the landing snapshot for D (:func:`hotpass.landing.snapshot`). Re-running
a day is idempotent: the same files give the same run id, and a run published before keeps
that publish (``republish=False``): the day is reported ``unchanged`` with the commit that
published it, and main does not move back in time.
With ``incremental`` a day whose every input hash equals what main last published is skipped
before any work is done.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hotpass.ingest.readers import file_sha256
from hotpass.landing import snapshot
from hotpass.settings import Settings


@dataclass
class IntervalResult:
    day: str
    status: str  # published | blocked | unchanged | skipped | failed
    run_id: str | None = None
    published_ref: str | None = None
    inputs: int = 0
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def published_input_hashes(settings: Settings) -> set[str] | None:
    """The sha256 of every input main's data was refined from (None before a first publish)."""
    from hotpass.publish import RUN_FILE
    from hotpass.store import StoreError, open_store

    store = open_store(settings)
    try:
        info = json.loads(store.get("main", RUN_FILE))
    except StoreError:
        return None
    return {item["sha256"] for item in info["inputs"]}


def interval_inputs(
    landing: Path,
    day: date,
    settings: Settings,
    *,
    since: date | None = None,
    incremental: bool = False,
) -> tuple[list[Path], str | None]:
    """The files to refine for ``day`` and, when there are none, why."""
    files = snapshot(landing, day, since=since).files
    if not files:
        return [], f"no inputs in {landing} up to dt={day.isoformat()}"
    if incremental:
        published = published_input_hashes(settings)
        if published is not None and {file_sha256(p) for p in files} == published:
            return [], "incremental: every input is as last published"
    return files, None


def run_interval(
    landing: Path,
    day: date,
    settings: Settings,
    *,
    since: date | None = None,
    incremental: bool = False,
    export_dir: Path | None = None,
    progress: Any = None,
) -> IntervalResult:
    """Refine one day's snapshot (see the module docstring)."""
    from hotpass.pipeline import refine

    files, reason = interval_inputs(landing, day, settings, since=since, incremental=incremental)
    if not files:
        return skip_interval(settings, day, reason or "no inputs")
    summary = refine(
        files, settings=settings, export_dir=export_dir, progress=progress, republish=False
    )
    return _record_run(settings, day, summary, len(files))


def _record_run(settings: Settings, day: date, summary: Any, inputs: int) -> IntervalResult:
    """A refined day's outcome (``unchanged`` when main already had its publish), recorded."""
    status: str = summary.status
    if status == "published" and not summary.merged:
        status = "unchanged"
    result = IntervalResult(
        day.isoformat(), status, summary.run_id, summary.published_ref, inputs=inputs
    )
    record(settings, result)
    return result


def record_path(settings: Settings, day: date) -> Path:
    return settings.workspace / "intervals" / f"{day.isoformat()}.json"


def record(settings: Settings, result: IntervalResult) -> Path:
    """Keep an interval's outcome (for ``hotpass backfill --airflow`` to report)."""
    path = record_path(settings, date.fromisoformat(result.day))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
    temporary.replace(path)
    return path


def recorded(settings: Settings, day: date) -> IntervalResult | None:
    path = record_path(settings, day)
    if not path.exists():
        return None
    return IntervalResult(**json.loads(path.read_text(encoding="utf-8")))


def skip_interval(settings: Settings, day: date, reason: str) -> IntervalResult:
    """Record a day with nothing to refine."""
    result = IntervalResult(day.isoformat(), "skipped", reason=reason)
    record(settings, result)
    return result


def publish_interval(
    run_id: str, day: date, inputs: int, settings: Settings, *, export_dir: Path | None = None
) -> IntervalResult:
    """The publish stage of a scheduled day (a run published before keeps that publish),
    recorded for the backfill report."""
    from hotpass.pipeline import publish_run

    summary = publish_run(
        run_id, settings=settings, export_dir=export_dir, lineage=False, republish=False
    )
    return _record_run(settings, day, summary, inputs)
