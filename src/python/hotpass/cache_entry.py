"""One cache entry in the workspace: a folder ``<root>/latest/`` replaced whole by each run.

The golden-row cache (:mod:`hotpass.golden_cache`) and the resolution cache
(:mod:`hotpass.resolve.reuse`) keep only the latest run's work. A run fills a fresh folder and
writes its marker (JSON naming the code that made it) last, then swaps the folder in: a run that
dies half way leaves either the old entry or a folder with no marker, and an entry without a
marker, or with another code's fingerprint, is never read.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["read_marker", "replace_entry"]


def read_marker(root: Path, marker: str, fingerprint: str) -> dict[str, Any] | None:
    """The latest entry's marker, or None (no entry, unfinished, or other code)."""
    try:
        recorded = json.loads((root / "latest" / marker).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("fingerprint") != fingerprint:
        return None
    return recorded


@contextmanager
def replace_entry(root: Path, marker: str, fingerprint: str, **facts: Any) -> Iterator[Path]:
    """Yield a new folder to fill; when the block ends without error, write the marker
    (``fingerprint`` and ``facts``) and swap the folder in as ``root/latest``."""
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / marker).write_text(json.dumps({"fingerprint": fingerprint, **facts}))
    latest = root / "latest"
    retired = root / f".old-{os.getpid()}"
    shutil.rmtree(retired, ignore_errors=True)
    if latest.exists():
        os.replace(latest, retired)
    os.replace(staging, latest)
    shutil.rmtree(retired, ignore_errors=True)
    for leftover in root.glob(".new-*"):  # from a run that died while saving
        shutil.rmtree(leftover, ignore_errors=True)
