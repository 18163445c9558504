"""Tests of hotpass.validate."""
