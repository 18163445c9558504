"""Shared fixtures: every test starts from a clean ``HOTPASS_*`` environment (and no lakeFS or
OpenLineage server or OTLP collector from the caller's environment). ``slow`` marks end-to-end
tests that start real services (Airflow, Spark); they still run in CI."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: end-to-end with real services (runs in CI)")


@pytest.fixture(autouse=True)
def _clean_hotpass_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        # LAKECTL_*, OPENLINEAGE_URL and OTEL_* would point tests at a real server
        if name.startswith(("HOTPASS_", "LAKECTL_", "OTEL_")) or name == "OPENLINEAGE_URL":
            monkeypatch.delenv(name)
