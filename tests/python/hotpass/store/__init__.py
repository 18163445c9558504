"""Tests of hotpass.store."""
