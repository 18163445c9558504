"""``hotpass_refine``: the daily refine of the landing partition, with catch-up.

Each task is one pipeline stage calling one library function; the tasks hand each other only
file paths and the run id (XCom), while the data itself passes through the run's store branch.
The logical date picks the landing snapshot (``<landing>/dt=YYYY-MM-DD/``). Params:
``incremental`` (skip a day whose inputs are exactly what main last published), ``since``
(ignore landing partitions before this date) and ``backfill`` (recorded with the run; replays
never move main back in time). Inlets and outlets are Assets, so the OpenLineage provider
emits inputs and outputs natively; the stages therefore emit no lineage of their own here.

Settings come from the environment of the Airflow workers (``HOTPASS_WORKSPACE``,
``HOTPASS_LANDING``, ``HOTPASS_AIRFLOW_START_DATE``, ...), read when the file is parsed -
nothing is written or connected to at parse time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, Asset, Param, task

from hotpass.publish import DATA_PATHS
from hotpass.settings import load_settings

_settings = load_settings()
LANDING = Asset(name="hotpass_landing", uri=f"file://{_settings.landing_dir.resolve()}")
BRANCH = Asset(
    name="hotpass_run_branch", uri=f"file://{(_settings.workspace / 'store').resolve()}/run"
)
GOLDEN = [
    Asset(
        name=f"hotpass_{name}",
        uri=f"file://{(_settings.workspace / 'store').resolve()}/main/{path}",
    )
    for name, path in DATA_PATHS.items()
]


def _day(context: dict[str, Any]) -> Any:
    return context["logical_date"].date()


@contextmanager
def _bad_input_fails_at_once() -> Iterator[None]:
    """A bad input (file, profile or settings) does not mend itself between retries: fail the
    task at once with the library's message, which names the file, sheet and row. Airflow logs
    the whole traceback: ``from None`` keeps any chained cause, which may quote a cell, out of
    the task log (POPIA; the readers already drop the parsers' own errors)."""
    from airflow.exceptions import AirflowFailException

    from hotpass.errors import InputError, ProfileError, SettingsError

    try:
        yield
    except (InputError, ProfileError, SettingsError) as exc:
        raise AirflowFailException(str(exc)) from None


with DAG(
    dag_id="hotpass_refine",
    description="Refine the day's landing snapshot into golden records, behind the quality gate",
    schedule="@daily",
    start_date=datetime.combine(_settings.airflow.start_date, datetime.min.time()),
    end_date=(
        datetime.combine(_settings.airflow.end_date, datetime.min.time())
        if _settings.airflow.end_date
        else None
    ),
    catchup=True,
    max_active_runs=1,  # days publish in order; one refine at a time per workspace
    # Days build on each other (ids, "changes since published"): a day starts only when the
    # day before has finished, in scheduled runs and backfills alike; a failed day holds the
    # later ones until it is cleared and re-run.
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "depends_on_past": True,
        "wait_for_downstream": True,
    },
    params={
        "backfill": Param(False, type="boolean", description="this run replays history"),
        "incremental": Param(False, type="boolean", description="skip unchanged inputs"),
        "since": Param(None, type=["null", "string"], description="first landing partition"),
    },
    tags=["hotpass"],
) as dag:

    @task(inlets=[LANDING])
    def select_inputs(**context: Any) -> list[str]:
        """The day's landing snapshot; a day without (changed) inputs is skipped."""
        from datetime import date

        from airflow.exceptions import AirflowSkipException

        from hotpass.intervals import interval_inputs, skip_interval

        settings = load_settings()
        params = context["params"]
        since = date.fromisoformat(params["since"]) if params.get("since") else None
        with _bad_input_fails_at_once():
            files, reason = interval_inputs(
                settings.landing_dir,
                _day(context),
                settings,
                since=since,
                incremental=bool(params.get("incremental")),
            )
        if not files:
            skip_interval(settings, _day(context), reason or "no inputs")
            raise AirflowSkipException(reason)
        return [str(p) for p in files]

    @task(inlets=[LANDING], outlets=[BRANCH])
    def write(files: list[str]) -> str:
        """Stage write: ingest -> score, committed on branch run-<run_id>."""
        from pathlib import Path

        from hotpass.pipeline import write_run

        with _bad_input_fails_at_once():
            return write_run([Path(f) for f in files], settings=load_settings(), lineage=False)

    @task(inlets=[BRANCH])
    def audit(hotpass_run: str) -> bool:
        """Stage audit: the quality gate on the branch; the verdict is committed there."""
        from hotpass.pipeline import audit_run

        return audit_run(hotpass_run, settings=load_settings(), lineage=False)

    @task(inlets=[BRANCH], outlets=GOLDEN)
    def publish(hotpass_run: str, files: list[str], **context: Any) -> dict[str, Any]:
        """Stage publish: merge into main and tag, or fail the run when the gate blocked."""
        from airflow.exceptions import AirflowFailException

        from hotpass.intervals import publish_interval

        settings = load_settings()
        result = publish_interval(
            hotpass_run, _day(context), len(files), settings, export_dir=settings.export_dir
        )
        if result.status == "blocked":
            raise AirflowFailException(
                f"run {hotpass_run}: the quality gate blocked the publish; see "
                f"hotpass version diff main run-{hotpass_run}"
            )
        return result.to_dict()

    # Airflow's task decorators turn these calls into XCom references (typed as the values).
    inputs = select_inputs()
    written = write(inputs)  # type: ignore[arg-type]
    checked = audit(written)  # type: ignore[arg-type]
    published = publish(written, inputs)  # type: ignore[arg-type]
    checked >> published
