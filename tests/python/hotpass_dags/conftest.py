"""``slow`` marks end-to-end tests that start real services; they still run in CI."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: end-to-end with real services (runs in CI)")
