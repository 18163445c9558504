"""Hotpass: refine messy aviation-organisation workbooks into governed golden records."""

__version__ = "0.1.0"

__all__ = ["__version__"]
