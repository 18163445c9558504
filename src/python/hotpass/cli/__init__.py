"""The ``hotpass`` command line: thin commands that parse, call the library and report."""

from hotpass.cli.app import app, main

__all__ = ["app", "main"]
