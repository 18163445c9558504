"""Tests of hotpass.standardise."""
