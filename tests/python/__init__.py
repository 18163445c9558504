"""Tests of src/python/."""
