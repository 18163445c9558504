"""Write-audit-publish through the embedded store and through the lakeFS backend."""

import io

import pyarrow.parquet as pq
import pytest

from hotpass.contracts.golden import ContractMismatch, arrow_schema
from hotpass.pipeline import refine
from hotpass.publish import parquet_bytes
from hotpass.settings import load_settings
from hotpass.store import LocalStore, open_store
from tests.python.hotpass.golden_run import SAMPLES, refine_into, write_broken_source
from tests.python.hotpass.store.fake_lakefs import FakeLakeFSServer


def test_a_passing_run_is_merged_into_main_tagged_and_idempotent(tmp_path):
    run = refine_into(tmp_path / "ws")
    store = LocalStore(tmp_path / "ws" / "store")
    assert run.summary.status == "published"
    assert run.summary.published_ref == store.resolve("main")
    assert store.resolve(f"published-{run.summary.run_id}") == store.resolve("main")
    assert "golden/organisations.parquet" in store.ls("main")
    assert "reports/report.html" in store.ls("main")
    assert "reports/data_docs/index.html" in store.ls("main")
    exported = (run.export / "organisations.parquet").read_bytes()
    assert store.get("main", "golden/organisations.parquet") == exported  # byte for byte
    published = pq.read_table(io.BytesIO(exported))
    assert published.schema == arrow_schema("organisations")  # the contract's, not inferred
    head = store.log("main", limit=1)[0]
    assert head.metadata["run_id"] == run.summary.run_id
    assert head.metadata["gate"] == "passed"
    # the branch holds the data commit, then the audit commit; main merged both
    assert run.summary.branch is not None
    branch_log = store.log(run.summary.branch)
    assert [c.message.split()[0] for c in branch_log[:2]] == ["audit", "refine"]
    commits = len(store.log("main"))
    again = refine_into(tmp_path / "ws")
    assert again.summary.published_ref == run.summary.published_ref
    assert len(store.log("main")) == commits  # the same data is not published twice


def test_a_blocked_run_leaves_main_untouched_and_its_branch_for_review(tmp_path):
    published = refine_into(tmp_path / "ws")
    store = LocalStore(tmp_path / "ws" / "store")
    main_before = store.resolve("main")
    source = tmp_path / "broken.csv"
    write_broken_source(source)
    blocked = refine_into(tmp_path / "ws", [source])
    assert blocked.summary.status == "blocked"
    assert blocked.summary.published_ref is None
    assert store.resolve("main") == main_before == published.summary.published_ref
    branch = blocked.summary.branch
    assert branch == f"run-{blocked.summary.run_id}"
    assert store.diff("main", branch)  # the blocked data waits on its branch
    assert store.get(branch, "reports/gate.json").startswith(b"{")
    assert store.log(branch, limit=1)[0].metadata["gate"] == "blocked"
    assert f"published-{blocked.summary.run_id}" not in store.tags()


def test_a_table_that_breaks_its_contract_is_not_published():
    import pyarrow as pa

    links = pa.table({"left_record_id": ["a::b::1"], "rule": ["amo"]})
    with pytest.raises(ContractMismatch, match="missing .*right_record_id"):
        parquet_bytes("links", links)
    quarantine = pa.table(
        {name: pa.array([None], pa.string()) for name in arrow_schema("quarantine").names}
    )
    with pytest.raises(ContractMismatch, match="nulls in required"):
        parquet_bytes("quarantine", quarantine)


def test_refine_publishes_to_lakefs_through_the_sdk(tmp_path, monkeypatch):
    server = FakeLakeFSServer(
        tmp_path / "lakefs", access_key_id="AKIAREFINE", secret_access_key="refine-secret"
    )
    with server.running() as endpoint:
        environ = {
            "LAKECTL_SERVER_ENDPOINT_URL": endpoint,
            "LAKECTL_CREDENTIALS_ACCESS_KEY_ID": "AKIAREFINE",
            "LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY": "refine-secret",
            "HOTPASS_LAKEFS_STORAGE_NAMESPACE": "local://hotpass",
        }
        settings = load_settings(environ=environ, overrides={"workspace": tmp_path / "ws"})
        summary = refine(SAMPLES, settings=settings, export_dir=tmp_path / "ws" / "export")
        store = open_store(settings)
        assert type(store).__name__ == "LakeFSStore"
        assert summary.status == "published"
        assert summary.published_ref == store.resolve("main")
        local = refine_into(tmp_path / "local")  # the same inputs through the embedded store
        for path in ("golden/organisations.parquet", "golden/contacts.parquet"):
            assert store.get("main", path) == LocalStore(tmp_path / "local" / "store").get(
                "main", path
            )
        again = refine(SAMPLES, settings=settings, export_dir=tmp_path / "ws" / "export")
        assert again.published_ref == summary.published_ref
    assert any(r.startswith("POST /api/v1/repositories/hotpass/refs/") for r in server.requests)
    assert local.summary.run_id == summary.run_id
    assert not (tmp_path / "ws" / "store").exists()  # nothing went to the embedded store
