"""Versioned-store conformance: every backend must pass these.

Backends: the embedded LocalStore; the lakeFS backend through the real ``lakefs`` SDK against
the fake lakeFS server on 127.0.0.1 (see its docstring for what that does not prove); and, when
``LAKECTL_SERVER_ENDPOINT_URL`` is set, the lakeFS backend against that real server (a fresh
repository per test under ``HOTPASS_TEST_LAKEFS_NAMESPACE``, default ``local://hotpass-test``).
"""

import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from hotpass.store import (
    Change,
    LocalStore,
    MergeConflict,
    NothingToCommit,
    StoreBusy,
    StoreError,
)
from tests.python.hotpass.store.fake_lakefs import FakeLakeFSServer

LIVE = os.environ.get("LAKECTL_SERVER_ENDPOINT_URL")
BACKENDS = ["local", "lakefs-fake"] + (["lakefs-live"] if LIVE else [])


@pytest.fixture(scope="module")
def fake_lakefs(tmp_path_factory):
    server = FakeLakeFSServer(
        tmp_path_factory.mktemp("lakefs"), access_key_id="AKIATEST", secret_access_key="s3cr3t"
    )
    with server.running() as endpoint:
        yield server, endpoint


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    from hotpass.store.lakefs import LakeFSStore

    repository = f"hotpass-test-{uuid.uuid4().hex[:12]}"
    if request.param == "lakefs-fake":
        _server, endpoint = request.getfixturevalue("fake_lakefs")
        return LakeFSStore(
            endpoint=endpoint,
            access_key_id="AKIATEST",
            secret_access_key="s3cr3t",
            repository=repository,
            storage_namespace=f"local://{repository}",
        )
    assert LIVE is not None
    namespace = os.environ.get("HOTPASS_TEST_LAKEFS_NAMESPACE", "local://hotpass-test")
    return LakeFSStore(
        endpoint=LIVE,
        access_key_id=os.environ["LAKECTL_CREDENTIALS_ACCESS_KEY_ID"],
        secret_access_key=os.environ["LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY"],
        repository=repository,
        storage_namespace=f"{namespace.rstrip('/')}/{repository}",
    )


def test_a_new_repository_has_an_empty_main(store):
    assert list(store.branches()) == ["main"]
    assert store.ls("main") == []
    assert [c.message.lower() for c in store.log("main")] == ["repository created"]


def test_staged_objects_are_visible_on_the_branch_and_committed_atomically(store):
    store.create_branch("run-1", "main")
    store.put("run-1", "golden/organisations.parquet", b"v1")
    assert store.get("run-1", "golden/organisations.parquet") == b"v1"
    assert store.ls("main") == []  # other branches never see it
    commit = store.commit("run-1", "refine", {"run_id": "1", "rows": "3"})
    assert store.resolve("run-1") == commit.id
    assert store.get(commit.id, "golden/organisations.parquet") == b"v1"
    assert store.log("run-1", limit=1)[0].metadata == {"run_id": "1", "rows": "3"}
    with pytest.raises(NothingToCommit):
        store.commit("run-1", "again")


def test_content_is_stored_once(tmp_path):
    store = LocalStore(tmp_path / "store")  # lakeFS deduplicates (or not) on its own storage
    store.put("main", "a.parquet", b"same bytes")
    store.put("main", "b.parquet", b"same bytes")
    store.commit("main", "two paths, one content")
    objects = [p for p in (store.root / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 1


def test_diff_names_added_removed_and_changed_paths(store):
    store.put("main", "keep", b"1")
    store.put("main", "change", b"1")
    store.put("main", "remove", b"1")
    first = store.commit("main", "first")
    store.put("main", "change", b"2")
    store.delete("main", "remove")
    store.put("main", "add", b"1")
    second = store.commit("main", "second")
    assert store.diff(first.id, second.id) == [
        Change("add", "added"),
        Change("change", "changed"),
        Change("remove", "removed"),
    ]


def _run_branch(store, branch, main_content, run_content):
    """main holds ``golden = main_content``; ``branch`` forks it and commits ``run_content``."""
    store.put("main", "golden", main_content)
    store.commit("main", "base")
    store.create_branch(branch, "main")
    store.put(branch, "golden", run_content)
    store.commit(branch, branch)


def test_merge_brings_changes_and_is_idempotent(store):
    _run_branch(store, "run-2", b"0", b"new")
    merged = store.merge("run-2", "main", "publish run 2")
    assert store.get("main", "golden") == b"new"
    assert set(merged.parents) == {store.log("main", 2)[1].id, store.resolve("run-2")}
    again = store.merge("run-2", "main", "publish run 2 again")
    assert again.id == merged.id  # nothing new to publish


def test_conflicting_changes_are_refused_and_main_is_untouched(store):
    _run_branch(store, "run-3", b"0", b"theirs")
    store.put("main", "golden", b"ours")
    head = store.commit("main", "hotfix").id
    with pytest.raises(MergeConflict) as caught:
        store.merge("run-3", "main", "publish run 3")
    assert caught.value.paths == ["golden"]
    assert store.resolve("main") == head


def test_revert_undoes_one_commit(store):
    store.put("main", "golden", b"good")
    store.commit("main", "good")
    store.put("main", "golden", b"bad")
    store.put("main", "extra", b"bad")
    bad = store.commit("main", "bad")
    store.revert("main", bad.id)
    assert store.get("main", "golden") == b"good"
    assert store.ls("main") == ["golden"]


def test_tags_never_move_and_resolve_like_branches(store):
    store.put("main", "golden", b"1")
    first = store.commit("main", "one")
    assert store.tag("published-1", "main") == first.id
    store.put("main", "golden", b"2")
    store.commit("main", "two")
    assert store.resolve("published-1") == first.id
    assert store.get("published-1", "golden") == b"1"
    with pytest.raises(StoreError, match="exists"):
        store.tag("published-1", "main")
    with pytest.raises(StoreError, match="unknown ref"):
        store.resolve("nope")


def test_gc_frees_only_unreferenced_data(tmp_path):
    store = LocalStore(tmp_path / "store")  # lakeFS runs garbage collection as a server job
    store.create_branch("run-4", "main")
    store.put("run-4", "golden", b"abandoned run")
    store.commit("run-4", "blocked run")
    store.put("main", "golden", b"published")
    store.commit("main", "published")
    store.put("main", "staged", b"not yet committed")
    store.delete_branch("run-4")
    assert store.gc() == 1
    assert store.get("main", "golden") == b"published"
    assert store.get("main", "staged") == b"not yet committed"


def test_a_second_writer_waits_then_fails_clearly(tmp_path):
    first = LocalStore(tmp_path / "store")
    second = LocalStore(tmp_path / "store", lock_timeout=0.2)
    with first._locked(), pytest.raises(StoreBusy, match="another process is writing"):
        second.put("main", "x", b"1")
    second.put("main", "x", b"1")  # free again
    assert second.ls("main") == ["x"]


@pytest.mark.parametrize("point", ["before_ref", "after_ref"])
def test_a_kill_at_any_point_of_a_commit_leaves_branches_consistent(tmp_path, point):
    root = tmp_path / "store"
    store = LocalStore(root)
    store.put("main", "golden", b"v1")
    before = store.commit("main", "v1").id
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        import hotpass.faults
        from hotpass.store import LocalStore
        store = LocalStore(Path({str(root)!r}))
        store.put("main", "golden", b"v2")
        hotpass.faults.KILL_AT = "store." + {point!r}
        store.commit("main", "v2")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run([sys.executable, "-c", script], check=False, env=env)
    assert killed.returncode == -9
    after = LocalStore(root)
    head = after.resolve("main")
    if point == "before_ref":
        assert head == before
        assert after.get("main", "golden") == b"v2"  # still staged, nothing lost
        after.commit("main", "v2 again")
    else:
        assert head != before
        assert after.ls("main") == ["golden"]
        with pytest.raises(NothingToCommit):  # the stale staging counts as committed
            after.commit("main", "nothing")
    assert after.get("main", "golden") == b"v2"
