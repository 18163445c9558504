"""The refine progress bar follows the pipeline's own messages, stage by stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotpass.cli.progress import counted, reporter, stage_position
from hotpass.cli.refine import STAGES
from hotpass.pipeline import refine
from hotpass.settings import load_settings
from tests.python.hotpass.golden_run import SAMPLES


def test_stage_position_reads_the_first_word() -> None:
    assert stage_position("resolve: training and scoring (Splink)", STAGES) == 3
    assert stage_position("ingest sacaa.xlsx (profile sacaa)", STAGES) == 0
    assert stage_position("waiting: another refine or revert is running", STAGES) is None
    assert stage_position("", STAGES) is None


def test_a_refine_walks_every_stage_of_the_bar_in_order(tmp_path: Path) -> None:
    messages: list[str] = []
    settings = load_settings(environ={}, overrides={"workspace": tmp_path / "ws"})
    refine(SAMPLES, settings=settings, export_dir=tmp_path / "out", progress=messages.append)
    found = [stage_position(m, STAGES) for m in messages]
    positions = [p for p in found if p is not None]
    assert len(positions) == len(found)  # every message moves (or keeps) the bar
    assert positions == sorted(positions)  # never backwards
    assert set(positions) == set(range(len(STAGES)))  # and reaches every stage


def test_quiet_reports_nothing_and_counted_lines_number_the_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with reporter("refine", quiet=True) as report:
        report("ingest: 4 input(s)")
    with counted("backfill", 2) as step:
        step("2026-01-01")
        step("2026-01-02")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "[1/2] 2026-01-01\n[2/2] 2026-01-02\n"
