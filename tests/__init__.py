"""Hotpass tests; tests/python/ mirrors src/python/."""
