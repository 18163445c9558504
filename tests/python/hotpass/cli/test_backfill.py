"""hotpass backfill in-process: three landing partitions, replayed twice."""

import json
import shutil

from typer.testing import CliRunner

from hotpass.cli.app import app
from hotpass.store import LocalStore
from tests.python.hotpass.golden_run import SAMPLES

runner = CliRunner()


def _landing(root):
    """Day 1 brings two workbooks, day 2 a third, day 3 the CSV export."""
    plan = {
        "2026-03-01": SAMPLES[:2],
        "2026-03-02": SAMPLES[2:3],
        "2026-03-03": SAMPLES[3:],
    }
    for day, files in plan.items():
        folder = root / f"dt={day}"
        folder.mkdir(parents=True)
        for path in files:
            shutil.copy(path, folder / path.name)


def _backfill(workspace, summary, *extra, start="2026-02-28"):
    result = runner.invoke(
        app,
        [
            "backfill",
            "--from",
            start,
            "--to",
            "2026-03-03",
            "--workspace",
            str(workspace),
            "--summary-json",
            str(summary),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(summary.read_text())["intervals"]


def test_a_backfill_publishes_each_day_in_order_and_a_replay_changes_nothing(tmp_path):
    workspace = tmp_path / "ws"
    _landing(workspace / "landing")
    first = _backfill(workspace, tmp_path / "first.json")
    assert [i["status"] for i in first] == ["skipped", "published", "published", "published"]
    assert len({i["run_id"] for i in first[1:]}) == 3  # each day refines a different snapshot
    store = LocalStore(workspace / "store")
    publishes = [c for c in store.log("main") if c.message.startswith("publish")]
    assert [c.metadata["run_id"] for c in reversed(publishes)] == [i["run_id"] for i in first[1:]]
    assert store.resolve("main") == first[-1]["published_ref"]
    inputs = [int(i["inputs"]) for i in first[1:]]
    assert inputs == [2, 3, 4]  # each day sees every file landed so far

    second = _backfill(workspace, tmp_path / "second.json")
    assert [i["status"] for i in second] == ["skipped", "unchanged", "unchanged", "unchanged"]
    assert [i["published_ref"] for i in second] == [i["published_ref"] for i in first]
    assert store.resolve("main") == first[-1]["published_ref"]  # main never went back
    span = ["--from", "2026-02-28", "--to", "2026-03-03"]
    quiet = runner.invoke(app, ["backfill", *span, "--workspace", str(workspace), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == "1 skipped, 3 unchanged\n"

    incremental = _backfill(workspace, tmp_path / "third.json", "--incremental", start="2026-03-03")
    assert [i["status"] for i in incremental] == ["skipped"]
    assert "as last published" in incremental[0]["reason"]


def test_bad_dates_and_a_missing_landing_area_exit_2(tmp_path):
    bad = runner.invoke(app, ["backfill", "--from", "2026-03-05", "--to", "2026-03-01"])
    assert bad.exit_code == 2 and "before it starts" in bad.output
    missing = runner.invoke(
        app,
        ["backfill", "--from", "2026-03-01", "--to", "2026-03-01", "--workspace", str(tmp_path)],
    )
    assert missing.exit_code == 2 and "landing area" in missing.output
