"""Tests of hotpass.resolve."""
