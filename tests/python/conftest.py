"""Shared fixtures: every test starts from a clean ``HOTPASS_*`` environment (and no lakeFS or
OpenLineage server from the caller's environment)."""

import pytest


@pytest.fixture(autouse=True)
def _clean_hotpass_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        # LAKECTL_* and OPENLINEAGE_URL would point tests at a real server
        if name.startswith(("HOTPASS_", "LAKECTL_")) or name == "OPENLINEAGE_URL":
            monkeypatch.delenv(name)
