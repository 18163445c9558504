"""``hotpass init``: a workspace a first refine runs in, with every setting listed."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotpass.cli.app import app
from hotpass.settings import Settings, describe, load_settings
from hotpass.workspace import WorkspaceExists, create_workspace, settings_text


def test_the_settings_file_lists_every_option_and_its_defaults_are_the_real_ones(
    tmp_path: Path,
) -> None:
    text = settings_text(tmp_path)
    for info in describe():
        assert info.env in text, info.key
    # Uncomment every line that carries a default: the settings must not change.
    uncommented = re.sub(r"^# (\w+ = (?!\"\.\.\.\").*)$", r"\1", text, flags=re.MULTILINE)
    parsed = tomllib.loads(uncommented)
    assert parsed["model"]["seed"] == Settings().model.seed
    config = tmp_path / "all.toml"
    config.write_text(uncommented, encoding="utf-8")
    loaded = load_settings(config_file=config, environ={})
    expected = Settings(workspace=tmp_path, landing=tmp_path / "landing")
    assert loaded == expected


def test_init_lays_out_a_workspace_a_refine_runs_in(tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "new"
    made = runner.invoke(app, ["init", str(root)])
    assert made.exit_code == 0, made.output
    day = f"dt={date.today().isoformat()}"
    assert (
        f"hotpass refine {root / 'landing' / day} --config {root / 'hotpass.toml'}" in made.output
    )
    assert sorted(p.name for p in (root / "profiles").iterdir()) == [
        "contact_database.yaml",
        "generic.yaml",
        "reachout.yaml",
        "sacaa.yaml",
    ]
    assert len(list((root / "landing" / day).iterdir())) == 4
    refined = runner.invoke(
        app, ["refine", str(root / "landing" / day), "--config", str(root / "hotpass.toml")]
    )
    assert refined.exit_code == 0, refined.output
    assert (root / "export" / "organisations.parquet").exists()  # the workspace is root


def test_init_refuses_to_overwrite_a_workspace(tmp_path: Path) -> None:
    create_workspace(tmp_path, day=date(2026, 1, 2), samples=False)
    before = (tmp_path / "hotpass.toml").read_text()
    with pytest.raises(WorkspaceExists, match="--force"):
        create_workspace(tmp_path, day=date(2026, 1, 2))
    refused = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert refused.exit_code == 2 and "nothing was changed" in refused.output
    assert (tmp_path / "hotpass.toml").read_text() == before
    assert not list((tmp_path / "landing" / "dt=2026-01-02").iterdir())  # --no-samples kept
