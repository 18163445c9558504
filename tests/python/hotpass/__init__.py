"""Tests of the hotpass package."""
