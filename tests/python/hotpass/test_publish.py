"""Write-audit-publish through the embedded store."""

from hotpass.store import LocalStore
from tests.python.hotpass.golden_run import refine_into, write_broken_source


def test_a_passing_run_is_merged_into_main_tagged_and_idempotent(tmp_path):
    run = refine_into(tmp_path / "ws")
    store = LocalStore(tmp_path / "ws" / "store")
    assert run.summary.status == "published"
    assert run.summary.published_ref == store.resolve("main")
    assert store.resolve(f"run-{run.summary.run_id}") == store.resolve("main")
    assert "golden/organisations.parquet" in store.ls("main")
    assert "reports/report.html" in store.ls("main")
    exported = (run.export / "organisations.parquet").read_bytes()
    assert store.get("main", "golden/organisations.parquet")[:4] == exported[:4] == b"PAR1"
    head = store.log("main", limit=1)[0]
    assert head.metadata["run_id"] == run.summary.run_id
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
    assert branch == f"run/{blocked.summary.run_id}"
    assert store.diff("main", branch)  # the blocked data waits on its branch
    assert store.get(branch, "reports/gate.json").startswith(b"{")
