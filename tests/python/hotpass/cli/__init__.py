"""Tests of the hotpass CLI."""
