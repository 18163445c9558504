"""Tests of hotpass.ingest."""
