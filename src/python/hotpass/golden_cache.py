"""Reuse of an earlier run's golden rows, one organisation at a time (setting
``reuse_golden``, on by default).

Why this is sound: survivorship builds each organisation (with its sites, contacts and
addresses) from that organisation's member records alone, and a member's staged rows depend
only on its input file and the code that staged it (:mod:`hotpass.stage_cache`). So an
organisation whose ``org_id``, member record ids and members' input keys are all unchanged
since the earlier run, built by the same survivorship code, has the same golden rows; only the
other organisations are built again (:func:`hotpass.survive.survive`, argument ``earlier``).
``tests/python/hotpass/test_golden_cache.py`` holds the published result equal to a full
rerun.

One entry, ``<workspace>/cache/golden/``, replaced after every run that reaches survivorship.
Arrow IPC files (LZ4) keep the exact Arrow types, so reused and rebuilt rows concatenate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pyarrow as pa

from hotpass import __version__
from hotpass.cache_entry import read_marker, replace_entry
from hotpass.ingest import InputSummary
from hotpass.stage_cache import code_walk, input_key
from hotpass.survive import Golden

__all__ = ["GoldenCache", "content_keys", "survive_fingerprint"]

# The record -> org_id map is not stored: members holds it.
_TABLES = ("organisations", "contacts", "addresses", "members")
_DONE = "golden.json"  # written last: an entry without it is incomplete and ignored


def survive_fingerprint() -> str:
    """A digest of the survivorship code (and the release)."""
    digest = hashlib.sha256(__version__.encode() + b"\0")
    for name, data in sorted(code_walk(resources.files("hotpass.survive"), "hotpass.survive")):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def content_keys(inputs: Sequence[InputSummary], stage_fingerprint: str) -> pa.Table:
    """(source_file, content_key): what each input file's staged rows depend on."""
    names = [Path(s.path).name for s in inputs]
    keys = [input_key(stage_fingerprint, n, s.sha256) for n, s in zip(names, inputs, strict=True)]
    return pa.table({"source_file": pa.array(names, pa.string()), "content_key": keys})


class GoldenCache:
    """The latest run's golden rows under ``root``, valid for one survivorship fingerprint."""

    def __init__(self, root: Path, fingerprint: str) -> None:
        self.root = root
        self.fingerprint = fingerprint

    def load(self) -> Golden | None:
        """The earlier run's golden rows, or None (no entry, unfinished, other code)."""
        if read_marker(self.root, _DONE, self.fingerprint) is None:
            return None
        tables = {}
        for name in _TABLES:
            with pa.ipc.open_file(self.root / "latest" / f"{name}.arrow") as reader:
                tables[name] = reader.read_all()
        return Golden(**tables, record_org_ids=tables["members"].select(["record_id", "org_id"]))

    def save(self, golden: Golden) -> None:
        """Replace the entry with ``golden`` (which must carry ``members``)."""
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        with replace_entry(self.root, _DONE, self.fingerprint) as staging:
            for name in _TABLES:
                table = getattr(golden, name)
                with pa.ipc.new_file(
                    staging / f"{name}.arrow", table.schema, options=options
                ) as out:
                    out.write_table(table)
