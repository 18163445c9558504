"""Tests of hotpass.survive."""
