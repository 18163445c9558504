"""A refine killed (SIGKILL) between writing and merging, and two refines at once."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hotpass.store import LocalStore
from tests.python.hotpass.golden_run import SAMPLES, refine_into


def _refine_process(workspace: Path, inputs: list[Path], kill_at: str | None = None):
    """Start ``refine`` in a subprocess (optionally dying at a fault point); it prints the
    summary's published_ref and status as JSON."""
    script = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        import hotpass.faults
        from hotpass.pipeline import refine
        from hotpass.settings import load_settings
        hotpass.faults.KILL_AT = {kill_at!r}
        settings = load_settings(environ={{}}, overrides={{"workspace": Path({str(workspace)!r})}})
        summary = refine([Path(p) for p in {[str(p) for p in inputs]!r}], settings=settings,
                         export_dir=Path({str(workspace / "export")!r}))
        print(json.dumps({{"status": summary.status, "published_ref": summary.published_ref}}))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.fixture(scope="module")
def published_once(tmp_path_factory):
    """A workspace where an earlier run (three of the samples) is published."""
    workspace = tmp_path_factory.mktemp("published") / "ws"
    refine_into(workspace, SAMPLES[:-1])
    return workspace


@pytest.fixture(scope="module")
def uninterrupted(published_once, tmp_path_factory):
    """The same workspace after an uninterrupted run of all the samples."""
    workspace = tmp_path_factory.mktemp("uninterrupted") / "ws"
    shutil.copytree(published_once, workspace)
    return refine_into(workspace, SAMPLES)


@pytest.mark.parametrize("point", ["publish.after_stage", "publish.before_merge"])
def test_a_refine_killed_before_its_merge_leaves_main_and_the_next_run_completes(
    tmp_path, published_once, uninterrupted, point
):
    workspace = tmp_path / "ws"
    shutil.copytree(published_once, workspace)
    main_before = LocalStore(workspace / "store").resolve("main")
    export_before = (workspace / "export" / "organisations.parquet").read_bytes()

    killed = _refine_process(workspace, SAMPLES, kill_at=point)
    killed.communicate(timeout=300)
    assert killed.returncode == -9

    after_kill = LocalStore(workspace / "store")
    assert after_kill.resolve("main") == main_before
    assert (workspace / "export" / "organisations.parquet").read_bytes() == export_before
    branch = f"run-{uninterrupted.summary.run_id}"
    assert branch in after_kill.branches()  # the interrupted run's data waits on its branch

    again = refine_into(workspace, SAMPLES)
    assert again.summary.status == "published"
    assert after_kill.resolve("main") == again.summary.published_ref != main_before
    clean = LocalStore(uninterrupted.workspace / "store")
    for path in ("golden/organisations.parquet", "golden/contacts.parquet", "reports/gate.json"):
        assert after_kill.get("main", path) == clean.get("main", path)
    assert again.summary.run_id == uninterrupted.summary.run_id


def test_two_refines_at_once_run_one_after_the_other(tmp_path):
    workspace = tmp_path / "ws"
    runs = [_refine_process(workspace, SAMPLES[:-1]), _refine_process(workspace, SAMPLES)]
    results = []
    for process in runs:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert [r["status"] for r in results] == ["published", "published"]
    store = LocalStore(workspace / "store")
    publishes = [c for c in store.log("main") if c.message.startswith("publish")]
    assert len(publishes) == 2  # two merges, one after the other: never a mix
    last, earlier = publishes
    assert earlier.id in last.parents  # the later run merged onto the earlier publish
    assert store.resolve("main") == last.id
    assert {r["published_ref"] for r in results} == {earlier.id, last.id}
    exported = (workspace / "export" / "organisations.parquet").read_bytes()
    assert exported == store.get("main", "golden/organisations.parquet")
