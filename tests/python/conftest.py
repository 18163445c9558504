"""Shared fixtures: every test starts from a clean ``HOTPASS_*`` environment."""

import pytest


@pytest.fixture(autouse=True)
def _clean_hotpass_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("HOTPASS_"):
            monkeypatch.delenv(name)
