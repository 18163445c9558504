"""Tests of hotpass.contracts."""
