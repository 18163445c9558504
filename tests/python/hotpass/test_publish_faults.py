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
from tests.python.hotpass.golden_run import SAMPLES, main_data_digests, refine_into


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


# Every stage boundary of a refine, in run order (hotpass.faults names them), and inside each
# of its three store commits: the run branch's, the audit's and the merge into main.
BEFORE_MAIN_MOVES = [
    "ingest.start",
    "standardise.start",
    "resolve_survive.start",
    "score.start",
    "leads.start",
    "store.before_ref#1",
    "store.after_ref#1",
    "write.end",
    "audit.start",
    "store.before_ref#2",
    "audit.end",
    "publish.before_merge",
    "store.before_ref#3",
]
AFTER_MAIN_MOVED = ["store.after_ref#3", "export.moving#2", "refine.end"]


def _fsck(workspace: Path) -> None:
    report = LocalStore(workspace / "store").fsck()
    assert report.ok, report.problems


@pytest.mark.slow
@pytest.mark.parametrize("point", BEFORE_MAIN_MOVES + AFTER_MAIN_MOVED)
def test_a_refine_killed_anywhere_leaves_main_whole_and_the_next_run_completes(
    tmp_path, published_once, uninterrupted, point
):
    workspace = tmp_path / "ws"
    shutil.copytree(published_once, workspace)
    main_before = main_data_digests(workspace)
    export_before = (workspace / "export" / "organisations.parquet").read_bytes()

    killed = _refine_process(workspace, SAMPLES, kill_at=point)
    killed.communicate(timeout=300)
    assert killed.returncode == -9  # it reached the point and died there

    _fsck(workspace)
    clean = main_data_digests(uninterrupted.workspace)
    if point in BEFORE_MAIN_MOVES:
        assert main_data_digests(workspace) == main_before
        assert (workspace / "export" / "organisations.parquet").read_bytes() == export_before
    else:
        assert main_data_digests(workspace) == clean  # the merge is whole, never a mix

    again = refine_into(workspace, SAMPLES)
    assert again.summary.status == "published"
    assert again.summary.run_id == uninterrupted.summary.run_id
    assert main_data_digests(workspace) == clean
    for name in ("organisations", "contacts", "quarantine"):
        assert (workspace / "export" / f"{name}.parquet").read_bytes() == (
            uninterrupted.export / f"{name}.parquet"
        ).read_bytes()
    assert not list(workspace.glob(".hotpass-export-*"))  # a killed export's leftovers went
    _fsck(workspace)


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


def _data(store: LocalStore, ref: str) -> dict[str, bytes]:
    """The published data at ``ref``: everything but the run's reports and working files."""
    return {
        path: store.get(ref, path)
        for path in store.ls(ref)
        if not path.startswith(("reports/", "work/"))
    }


@pytest.mark.slow
def test_two_refines_and_a_revert_at_once_happen_in_some_serial_order(tmp_path, published_once):
    workspace = tmp_path / "ws"
    shutil.copytree(published_once, workspace)
    start = LocalStore(workspace / "store").resolve("main")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    revert = [sys.executable, "-c", "from hotpass.cli import main; main()", "version", "revert"]
    processes = [
        _refine_process(workspace, SAMPLES),
        subprocess.Popen(
            [*revert, "main", "--workspace", str(workspace)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ),
        _refine_process(workspace, SAMPLES[1:]),
    ]
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, (out + err).decode()[-2000:]  # no conflict, no mix

    store = LocalStore(workspace / "store")
    chain = []
    commit = store.log("main", limit=1)[0]
    while commit.id != start:
        chain.append(commit)
        commit = store.log(commit.parents[0], limit=1)[0]
    kinds = sorted(c.message.split()[0] for c in chain)
    assert kinds.count("revert") == 1 and 1 <= kinds.count("publish") <= 2
    for commit in chain:  # each step is one whole operation on the step before it
        before = commit.parents[0]
        if commit.message.startswith("publish"):
            run_branch = f"run-{commit.metadata['run_id']}"
            assert _data(store, commit.id) == _data(store, run_branch)
            assert store.log(run_branch, limit=1)[0].id in commit.parents
        else:
            undone = store.log(before, limit=1)[0]
            assert _data(store, commit.id) == _data(store, undone.parents[0])
