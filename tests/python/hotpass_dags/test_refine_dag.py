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


def _personal_values(workspace):
    import pyarrow.parquet as pq

    values: set[str] = set()
    for row in pq.read_table(workspace / "export" / "contacts.parquet").to_pylist():
        values.update(v for v in (row["name"], row["email"], row["phone"]) if v and len(v) >= 6)
    return values


def test_airflow_dags_test_publishes_the_day_and_emits_lineage(airflow_env, tmp_path):
    workspace = Path(airflow_env["HOTPASS_WORKSPACE"])
    landing = workspace / "landing" / "dt=2026-01-02"
    landing.mkdir(parents=True)
    for path in SAMPLES:
        shutil.copy(path, landing / path.name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    airflow = [sys.executable, "-m", "airflow"]
    migrated = subprocess.run(
        [*airflow, "db", "migrate"], env=env, capture_output=True, timeout=300, check=False
    )
    assert migrated.returncode == 0, migrated.stderr.decode()[-2000:]
    ran = subprocess.run(
        [*airflow, "dags", "test", "hotpass_refine", "2026-01-02"],
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    output = (ran.stdout + ran.stderr).decode(errors="replace")
    assert ran.returncode == 0, output[-3000:]

    record = json.loads((workspace / "intervals" / "2026-01-02.json").read_text())
    assert record["status"] == "published" and record["inputs"] == len(SAMPLES)
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
    text = (tmp_path / "openlineage.jsonl").read_text() + output
    logs = Path(airflow_env["AIRFLOW_HOME"]) / "logs"
    text += "".join(p.read_text(errors="replace") for p in logs.rglob("*") if p.is_file())
    assert [v for v in _personal_values(workspace) if v in text] == []


def _wait_for_records(workspace, days, newer_than, timeout=600):
    """Interval records of ``days`` written after ``newer_than`` (the backfill's outcome)."""
    import time

    deadline = time.monotonic() + timeout
    paths = [workspace / "intervals" / f"{day}.json" for day in days]
    while time.monotonic() < deadline:
        if all(p.exists() and p.stat().st_mtime > newer_than for p in paths):
            return [json.loads(p.read_text()) for p in paths]
        time.sleep(3)
    raise AssertionError(f"backfill did not finish within {timeout} s")


@pytest.mark.slow
def test_a_backfill_through_a_real_scheduler_replays_three_days_idempotently(airflow_env, tmp_path):
    import time

    workspace = Path(airflow_env["HOTPASS_WORKSPACE"])
    days = ["2026-03-01", "2026-03-02", "2026-03-03"]
    plan = {days[0]: SAMPLES[:2], days[1]: SAMPLES[2:3], days[2]: SAMPLES[3:]}
    for day, files in plan.items():
        folder = workspace / "landing" / f"dt={day}"
        folder.mkdir(parents=True)
        for path in files:
            shutil.copy(path, folder / path.name)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "AIRFLOW_BIN": f"{sys.executable} -m airflow",
        "AIRFLOW_PORT": "18793",
        "HOTPASS_AIRFLOW_START_DATE": days[0],
        "HOTPASS_AIRFLOW_END_DATE": days[-1],
    }
    airflow = [sys.executable, "-m", "airflow"]
    script = "infra/airflow/local-airflow.sh"

    def backfill(*extra):
        """Create a backfill (once the previous one is marked complete); return when its runs
        were created, not finished."""
        deadline = time.monotonic() + 120
        while True:
            created = subprocess.run(
                [*airflow, "backfill", "create", "--dag-id", "hotpass_refine",
                 "--from-date", days[0], "--to-date", days[-1], *extra],
                env=env, capture_output=True, timeout=300, check=False,
            )  # fmt: skip
            busy = b"Another backfill is running" in created.stderr
            if not busy or time.monotonic() > deadline:
                break
            time.sleep(3)
        assert created.returncode == 0, created.stderr.decode()[-2000:]

    started = subprocess.run(
        [script, "start"], env=env, capture_output=True, timeout=300, check=False
    )
    try:
        assert started.returncode == 0, (started.stdout + started.stderr).decode()[-3000:]
        began = time.time()
        # New DAGs start paused: the backfill's runs wait for the unpause. (With
        # depends_on_past, Airflow asks for an explicit reprocess behaviour.)
        backfill("--reprocess-behavior", "failed")
        unpaused = subprocess.run(
            [*airflow, "dags", "unpause", "hotpass_refine"],
            env=env,
            capture_output=True,
            check=False,
        )
        assert unpaused.returncode == 0
        first = _wait_for_records(workspace, days, began)
        assert [r["status"] for r in first] == ["published"] * 3
        store = LocalStore(workspace / "store")
        assert store.resolve("main") == first[-1]["published_ref"]
        publishes = [
            c.metadata["run_id"] for c in store.log("main") if c.message.startswith("publish")
        ]
        assert publishes == [r["run_id"] for r in reversed(first)]  # in date order
        began = time.time()
        backfill("--reprocess-behavior", "completed")
        second = _wait_for_records(workspace, days, began)
        assert [r["status"] for r in second] == ["unchanged"] * 3
        assert [r["published_ref"] for r in second] == [r["published_ref"] for r in first]
        assert store.resolve("main") == first[-1]["published_ref"]
    finally:
        subprocess.run([script, "stop"], env=env, timeout=120, check=False)
