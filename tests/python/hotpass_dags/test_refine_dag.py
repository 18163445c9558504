"""The hotpass_refine DAG: integrity, and a real ``airflow dags test`` on the samples."""

import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotpass.store import LocalStore
from tests.python.hotpass.golden_run import SAMPLES
from tests.python.hotpass.privacy_markers import (
    leaks,
    leaks_in_files,
    write_broken_markers,
    write_markers,
)

# Where the DAG files are (under Pants the source root is stripped); found without importing
# them, since Airflow must not be imported before AIRFLOW_HOME is set.
_SPEC = importlib.util.find_spec("hotpass_dags")
assert _SPEC is not None and _SPEC.submodule_search_locations
DAGS = Path(next(iter(_SPEC.submodule_search_locations)))


@pytest.fixture
def airflow_env(tmp_path, monkeypatch):
    """A private Airflow home (SQLite) and Hotpass workspace; set before Airflow is imported."""
    home, workspace = tmp_path / "airflow", tmp_path / "ws"
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS.resolve()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(tmp_path / "openlineage.jsonl"), "append": True}
        ),
        "HOTPASS_WORKSPACE": str(workspace),
        "HOTPASS_AIRFLOW_START_DATE": "2026-01-01",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_the_dag_imports_without_side_effects_and_every_task_calls_the_library(airflow_env):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    dag = bag.dags["hotpass_refine"]
    assert not Path(airflow_env["HOTPASS_WORKSPACE"]).exists()  # parsing wrote nothing
    assert [t.task_id for t in dag.topological_sort()] == [
        "select_inputs",
        "write",
        "audit",
        "publish",
    ]
    dag.check_cycle()
    assert dag.catchup is True
    assert dag.max_active_runs == 1
    assert set(dag.params) == {"backfill", "incremental", "since"}
    for task in dag.tasks:
        assert (task.retries or 0) >= 1
        source = inspect.getsource(task.python_callable)  # type: ignore[union-attr]
        assert "from hotpass." in source  # thin: the work is a library call
        assert "pyarrow" not in source and "duckdb" not in source
    outlets = {a.name for a in dag.get_task("publish").outlets}
    assert "hotpass_organisations" in outlets


def test_the_training_dag_is_weekly_and_its_tasks_call_the_training_job(airflow_env):
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS)).dags["hotpass_train"]
    assert [t.task_id for t in dag.topological_sort()] == ["train", "promote"]
    assert dag.catchup is False and dag.max_active_runs == 1
    assert getattr(dag.timetable, "expression", None) == "0 0 * * 0"  # @weekly: Sundays at midnight
    for task in dag.tasks:
        source = inspect.getsource(task.python_callable)  # type: ignore[union-attr]
        assert "from hotpass_train.job import" in source
        assert "mlflow" not in source and "sklearn" not in source


def _personal_values(workspace):
    import pyarrow.parquet as pq

    values: set[str] = set()
    for row in pq.read_table(workspace / "export" / "contacts.parquet").to_pylist():
        values.update(v for v in (row["name"], row["email"], row["phone"]) if v and len(v) >= 6)
    return values


def test_airflow_dags_test_publishes_the_day_emits_lineage_and_retrains(airflow_env, tmp_path):
    workspace = Path(airflow_env["HOTPASS_WORKSPACE"])
    landing = workspace / "landing" / "dt=2026-01-02"
    landing.mkdir(parents=True)
    for path in SAMPLES:
        shutil.copy(path, landing / path.name)
    write_markers(landing / "markers.csv")  # POPIA markers, searched for at the end
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        # The training task runs the job in its own process, as with the hotpass-train PEX.
        "HOTPASS_MODEL_TRAIN_COMMAND": f"{sys.executable} -m hotpass_train.job",
    }

    def airflow(*args: str, succeeds: bool = True) -> str:
        ran = subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        output = (ran.stdout + ran.stderr).decode(errors="replace")
        if succeeds:
            assert ran.returncode == 0, output[-3000:]
        return output

    airflow("db", "migrate")
    output = airflow("dags", "test", "hotpass_refine", "2026-01-02")

    record = json.loads((workspace / "intervals" / "2026-01-02.json").read_text())
    assert record["status"] == "published" and record["inputs"] == len(SAMPLES) + 1
    assert record["published_ref"] == LocalStore(workspace / "store").resolve("main")

    events = [
        json.loads(line) for line in (tmp_path / "openlineage.jsonl").read_text().splitlines()
    ]
    completed = {
        e["job"]["name"]: e
        for e in events
        if e["eventType"] == "COMPLETE" and "." in e["job"]["name"]
    }
    assert set(completed) == {
        f"hotpass_refine.{t}" for t in ("select_inputs", "write", "audit", "publish")
    }
    assert completed["hotpass_refine.write"]["inputs"][0]["name"].endswith("/landing")
    published = {o["name"] for o in completed["hotpass_refine.publish"]["outputs"]}
    assert any(name.endswith("/main/golden/organisations.parquet") for name in published)

    # The weekly retrain on what was just published: a challenger is registered; the samples
    # hold too little sales history for the gate, so the promote task reports a refusal.
    output += airflow("dags", "test", "hotpass_train", "2026-01-04")
    from hotpass.settings import load_settings
    from hotpass_train import registry

    settings = load_settings(environ={}, overrides={"workspace": workspace})
    challenger = registry.version_by_alias(settings, registry.CHALLENGER)
    assert challenger is not None
    assert challenger.tags["store_commit"] == record["published_ref"]
    assert "hotpass-lead-score/1" in output  # the promote task reported on the challenger

    # A day whose file the parser refuses: the write task fails at once, without retries
    # (retry_delay is 2 minutes; this would otherwise wait), and main stays where it was.
    broken = workspace / "landing" / "dt=2026-01-03"
    broken.mkdir()
    write_broken_markers(broken / "markers.csv")
    failed = airflow("dags", "test", "hotpass_refine", "2026-01-03", succeeds=False)
    assert "markers.csv" in failed and "AirflowFailException" in failed, failed[-3000:]
    assert not (workspace / "intervals" / "2026-01-03.json").exists()
    assert LocalStore(workspace / "store").resolve("main") == record["published_ref"]
    output += failed

    # POPIA: the markers reached the published tables, and nothing else.
    import pyarrow.parquet as pq

    names = pq.read_table(workspace / "export" / "organisations.parquet").column("display_name")
    assert len([n for n in names.to_pylist() if "qzvxmarker" in n.lower()]) >= 4
    lineage = tmp_path / "openlineage.jsonl"
    found = _markers_found(Path(airflow_env["AIRFLOW_HOME"]), workspace, output, lineage)
    assert {where: markers for where, markers in found.items() if markers} == {}
    text = lineage.read_text() + output
    assert [v for v in _personal_values(workspace) if v in text] == []


def _markers_found(home: Path, workspace: Path, output: str, lineage: Path) -> dict[str, list[str]]:
    """Where the POPIA markers are, outside the landing area and the columnar tables."""
    found = {"airflow dags test output": leaks(output.encode())}  # it carries the task logs
    found["openlineage events"] = leaks(lineage.read_bytes())
    found.update(leaks_in_files(home))  # the metadata database (XCom, params) and any logs
    landing = str(workspace / "landing")
    found.update(  # the store, reports, caches, interval records and the model registry
        (where, markers)
        for where, markers in leaks_in_files(workspace).items()
        if not where.startswith(landing)
    )
    for expected in ("airflow.db", "report.html", "mlflow.db", "input_example.json"):
        assert any(where.endswith(expected) for where in found), f"{expected} not searched"
    return found


@pytest.mark.slow
def test_a_backfill_through_a_real_scheduler_replays_three_days_idempotently(
    airflow_env, tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    from hotpass.cli.app import app

    workspace = Path(airflow_env["HOTPASS_WORKSPACE"])
    days = ["2026-03-01", "2026-03-02", "2026-03-03"]
    plan = {days[0]: SAMPLES[:2], days[1]: SAMPLES[2:3], days[2]: SAMPLES[3:]}
    for day, files in plan.items():
        folder = workspace / "landing" / f"dt={day}"
        folder.mkdir(parents=True)
        for path in files:
            shutil.copy(path, folder / path.name)
    settings = {
        "PYTHONPATH": os.pathsep.join(sys.path),
        "AIRFLOW_BIN": f"{sys.executable} -m airflow",
        "AIRFLOW_PORT": "18793",
        "HOTPASS_AIRFLOW_COMMAND": f"{sys.executable} -m airflow",
        "HOTPASS_AIRFLOW_START_DATE": days[0],
        "HOTPASS_AIRFLOW_END_DATE": days[-1],
    }
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    script = "infra/airflow/local-airflow.sh"
    runner = CliRunner()

    def backfill(summary: Path) -> list[dict[str, str]]:
        result = runner.invoke(
            app,
            ["backfill", "--airflow", "--from", days[0], "--to", days[-1], "--timeout", "600",
             "--summary-json", str(summary)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert f"({len(days)}/{len(days)})" in result.output  # progress, day by day
        intervals: list[dict[str, str]] = json.loads(summary.read_text())["intervals"]
        return intervals

    started = subprocess.run(
        [script, "start"], env=dict(os.environ), capture_output=True, check=False
    )
    try:
        assert started.returncode == 0, (started.stdout + started.stderr).decode()[-3000:]
        first = backfill(tmp_path / "first.json")  # creates the backfill, unpauses the DAG
        assert [r["status"] for r in first] == ["published"] * 3
        store = LocalStore(workspace / "store")
        assert store.resolve("main") == first[-1]["published_ref"]
        publishes = [
            c.metadata["run_id"] for c in store.log("main") if c.message.startswith("publish")
        ]
        assert publishes == [r["run_id"] for r in reversed(first)]  # in date order
        second = backfill(tmp_path / "second.json")  # replay: reprocess completed days
        assert [r["status"] for r in second] == ["unchanged"] * 3
        assert [r["published_ref"] for r in second] == [r["published_ref"] for r in first]
        assert store.resolve("main") == first[-1]["published_ref"]
    finally:
        subprocess.run([script, "stop"], env=dict(os.environ), timeout=120, check=False)
