"""hotpass version log | show | diff | tag | revert | export on a refined workspace."""

import json

import pytest
from typer.testing import CliRunner

from hotpass.cli.app import app
from hotpass.publish import DATA_PATHS, read_tables
from hotpass.store import LocalStore
from hotpass.versions.export import BUSINESS_TABLES
from tests.python.hotpass.golden_run import SAMPLES, refine_into

runner = CliRunner()


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """A workspace whose main holds two publishes: three samples, then all four."""
    workspace = tmp_path_factory.mktemp("versions") / "ws"
    first = refine_into(workspace, SAMPLES[:-1])
    second = refine_into(workspace, SAMPLES)
    return workspace, first, second


def _run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_log_and_show_list_publishes_with_their_metadata(two_versions):
    workspace, first, second = two_versions
    result = _run("version", "log", "--workspace", str(workspace))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(second.summary.published_ref[:12])
    assert f"run_id {first.summary.run_id}" in lines[1]
    assert f"published-{second.summary.run_id}" in lines[0]
    shown = _run(
        "version",
        "show",
        f"published-{first.summary.run_id}",
        "--json",
        "--workspace",
        str(workspace),
    )
    data = json.loads(shown.output)
    assert data["id"] == first.summary.published_ref
    assert data["metadata"]["rows.ingested"] == str(first.summary.rows["ingested"])
    assert "golden/organisations.parquet" in data["files"]


def test_diff_lists_organisation_changes_between_publishes(two_versions):
    workspace, first, second = two_versions
    result = _run("version", "diff", "main~1", "main", "--json", "--workspace", str(workspace))
    assert result.exit_code == 0
    diff = json.loads(result.output)
    changed_files = {f["path"] for f in diff["files"]}
    assert "golden/organisations.parquet" in changed_files
    organisations = diff["organisations"]
    store = LocalStore(workspace / "store")
    before, after = (
        read_tables(store, run.summary.published_ref, ("organisations",))[
            "organisations"
        ].to_pylist()
        for run in (first, second)
    )
    before_ids, after_ids = {o["org_id"] for o in before}, {o["org_id"] for o in after}
    assert {r["org_id"] for r in organisations["added"]} == after_ids - before_ids
    assert {r["org_id"] for r in organisations["removed"]} == before_ids - after_ids
    old = {o["org_id"]: o for o in before}
    for row in organisations["changed"]:
        new = next(o for o in after if o["org_id"] == row["org_id"])
        for name in row["fields"]:
            assert old[row["org_id"]][name] != new[name]
    assert organisations["unchanged"] + len(organisations["changed"]) == len(before_ids & after_ids)
    text = _run("version", "diff", "main~1", "main", "--limit", "1", "--workspace", str(workspace))
    assert "organisations:" in text.output and "more (--limit, --json)" in text.output


def test_tag_revert_and_export(two_versions, tmp_path):
    workspace, first, _second = two_versions
    tagged = _run("version", "tag", "before-crm", "main~1", "--workspace", str(workspace))
    assert tagged.exit_code == 0
    again = runner.invoke(
        app, ["version", "tag", "before-crm", "main", "--workspace", str(workspace)]
    )
    assert again.exit_code == 2 and "never move" in again.output
    store = LocalStore(workspace / "store")
    reverted = _run("version", "revert", "main", "--workspace", str(workspace))
    assert reverted.exit_code == 0
    assert store.get("main", "golden/organisations.parquet") == store.get(
        "before-crm", "golden/organisations.parquet"
    )
    exported = _run(
        "version", "export", "before-crm", str(tmp_path / "out"), "--workspace", str(workspace)
    )
    assert exported.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [f"{name}.parquet" for name in DATA_PATHS]
        + [f"{name}.csv" for name in BUSINESS_TABLES]
        + ["hotpass.xlsx"]
    )
    assert (tmp_path / "out" / "organisations.parquet").read_bytes() == store.get(
        first.summary.published_ref, "golden/organisations.parquet"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["version", "show", "no-such-ref"], "unknown ref"),
        (["version", "export", "main", "OUT", "--format", "pdf"], "unknown format"),
    ],
)
def test_bad_refs_and_options_exit_2_with_a_message(two_versions, tmp_path, args, message):
    workspace, _first, _second = two_versions
    args = [a.replace("OUT", str(tmp_path / "x")) for a in args]
    result = runner.invoke(app, [*args, "--workspace", str(workspace)])
    assert result.exit_code == 2
    assert message in result.output


def test_a_workspace_without_a_store_says_to_refine_first(tmp_path):
    result = runner.invoke(app, ["version", "log", "--workspace", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "run hotpass refine first" in result.output


def test_fsck_passes_a_sound_store_and_names_what_is_damaged(two_versions, tmp_path):
    import shutil

    workspace = tmp_path / "ws"
    shutil.copytree(two_versions[0], workspace)
    sound = _run("version", "fsck", "--workspace", str(workspace), "--json")
    assert sound.exit_code == 0
    report = json.loads(sound.output)
    assert report["ok"] and report["problems"] == [] and report["commits"] >= 3

    store = workspace / "store"
    leftover = store / "objects" / ".tmp-abc123"
    leftover.write_bytes(b"half a write")
    noted = _run("version", "fsck", "--workspace", str(workspace))
    assert noted.exit_code == 0
    assert "note: temporary file of an interrupted write: objects/.tmp-abc123" in noted.output

    main_tree = json.loads(
        (store / "commits" / f"{LocalStore(store).resolve('main')}.json").read_text()
    )["tree"]
    victim = store / "objects" / main_tree["golden/organisations.parquet"][:2]
    (victim / main_tree["golden/organisations.parquet"]).write_bytes(b"bit rot")
    first_commit = LocalStore(store).log("main")[-1].id
    (store / "commits" / f"{first_commit}.json").unlink()
    damaged = _run("version", "fsck", "--workspace", str(workspace), "--repair")
    assert damaged.exit_code == 1
    assert (
        f"problem: object {main_tree['golden/organisations.parquet'][:12]}: content does not"
        in (damaged.output)
    )
    assert f"problem: commit {first_commit[:12]}: missing" in damaged.output
    assert "DAMAGED" in damaged.output and "1 temporary file(s) removed" in damaged.output
    assert not leftover.exists()
