"""A published workspace with enough sales history to learn from: scale-3 synthetic
workbooks (seeded), refined once per test session and copied for each test that changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotpass.pipeline import refine
from hotpass.settings import Settings, load_settings
from hotpass.synthetic import write_samples


@pytest.fixture(scope="session")
def published_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("leads")
    inputs = write_samples(root / "inputs", seed=7, scale=3)
    workspace = root / "ws"
    summary = refine(inputs, settings=load_settings(environ={}, overrides={"workspace": workspace}))
    assert summary.status == "published"
    return workspace, inputs


@pytest.fixture
def published(
    published_template: tuple[Path, list[Path]], tmp_path: Path
) -> tuple[Settings, list[Path]]:
    """Settings of a private copy of the published workspace, and its inputs."""
    template, inputs = published_template
    workspace = tmp_path / "ws"
    shutil.copytree(template, workspace, symlinks=True)
    return load_settings(environ={}, overrides={"workspace": workspace}), inputs
