"""Tests of hotpass.profiles."""
