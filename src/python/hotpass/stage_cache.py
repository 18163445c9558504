"""Reuse of ingest and standardise across runs, one input file at a time (setting
``reuse_staged``, on by default).

Why this is sound: a file's raw and staged rows depend only on the file (its name, which is in
every record id, and its bytes), the source profiles, the input size limit and the code of
ingest, standardise and the contracts (which check one row at a time). Children attach to
organisations of the same file only, so no other file matters. The cache key covers all of
these. When a key matches a file of an earlier run, that run's rows for the file, as they
left the contracts, are reused and the file is not parsed again. Resolution and everything
after still run on all rows (survivorship keeps unchanged organisations:
:mod:`hotpass.golden_cache`), so the published result is the same
(``tests/python/hotpass/test_stage_cache.py`` compares the two).

Entries live in ``<workspace>/cache/inputs/<key>/``. After each run, only the entries for
that run's inputs are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyarrow import feather

from hotpass import __version__
from hotpass.ingest import RAW_SCHEMA, IngestResult, InputSummary
from hotpass.ingest.readers import file_sha256

__all__ = ["ReusedInput", "RunInputs", "StageCache", "code_fingerprint", "code_walk", "input_key"]

# The code a file's staged rows depend on (module docstring).
_CODE = ("hotpass.ingest", "hotpass.standardise", "hotpass.profiles", "hotpass.contracts")
_DONE = "input.json"  # written last: an entry without it is incomplete and ignored
# Entries are Arrow IPC files (LZ4): Parquet with zstd took 1.9 s to write the staged tables of
# a million rows and 1.4 s to read them back, IPC 0.6 s and 0.2 s (docs/adr/0021). The
# format is part of every key, so entries of another format are never read.
_FORMAT = "arrow-ipc-lz4"


def code_walk(root: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    """(name, bytes) of every source and YAML file of a package, for code fingerprints."""
    found = []
    for item in root.iterdir():
        name = f"{prefix}/{item.name}"
        if item.is_dir():
            if item.name != "__pycache__":
                found.extend(code_walk(item, name))
        elif item.name.endswith((".py", ".yaml", ".yml")):
            found.append((name, item.read_bytes()))
    return found


def code_fingerprint(profiles: Sequence[str], max_bytes: int) -> str:
    """A digest of the ingest, standardise, profile and contract code, the profiles (as JSON)
    and the size limit."""
    digest = hashlib.sha256(f"{__version__}\0{max_bytes}\0".encode())
    for package in _CODE:
        for name, data in sorted(code_walk(resources.files(package), package)):
            digest.update(name.encode() + b"\0" + data + b"\0")
    for profile in sorted(profiles):
        digest.update(profile.encode() + b"\0")
    return digest.hexdigest()


def input_key(fingerprint: str, name: str, sha256: str) -> str:
    """The key of one input file's rows: the code fingerprint, its name and its bytes."""
    digest = hashlib.sha256(f"{_FORMAT}\0{fingerprint}\0{name}\0{sha256}".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class ReusedInput:
    """An input whose raw and staged rows come from the cache."""

    summary: InputSummary
    directory: Path

    def table(self, name: str) -> pa.Table:
        return feather.read_table(self.directory / f"{name}.arrow")


class StageCache:
    """Per-file raw and staged rows under ``root``, keyed by file name, bytes and code."""

    def __init__(self, root: Path, fingerprint: str) -> None:
        self.root = root
        self.fingerprint = fingerprint
        self.used: set[str] = set()

    def _key(self, path: Path, sha256: str) -> str:
        return input_key(self.fingerprint, path.name, sha256)

    def find(self, paths: Sequence[Path]) -> dict[Path, ReusedInput]:
        """The inputs the cache holds, by path. Missing or unreadable files are left to ingest,
        which names the problem."""
        found = {}
        for path in paths:
            try:
                sha256 = file_sha256(path)
            except OSError:
                continue
            key = self._key(path, sha256)
            entry = self.root / key
            if (entry / _DONE).is_file():
                recorded = json.loads((entry / _DONE).read_text())
                summary = InputSummary(**{**recorded, "path": str(path)})
                found[path] = ReusedInput(summary, entry)
                self.used.add(key)
        return found

    def save(self, ingested: IngestResult, frames: dict[str, pa.Table]) -> None:
        """Store each freshly ingested file's raw and staged rows (``frames``: the staged
        tables after the contracts, holding at least ``ingested``'s rows; sorted by file, the
        rows are cut out without a copy)."""
        if not ingested.inputs:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        by_file = {name: _rows_by_file(table) for name, table in frames.items()}
        for summary, raw_path in ingested.spooled():
            path = Path(summary.path)
            key = self._key(path, summary.sha256)
            self.used.add(key)
            staging = Path(tempfile.mkdtemp(prefix=".new-", dir=self.root))
            tables = {"raw": pq.read_table(raw_path)}
            for name, table in frames.items():
                tables[name] = by_file[name].get(path.name, table.slice(0, 0))
            for name, table in tables.items():
                # IPC keeps the Arrow type exactly (list items keep DuckDB's name "l"), so the
                # reused tables encode to the same Parquet bytes when published.
                feather.write_feather(table, staging / f"{name}.arrow", compression="lz4")
            (staging / _DONE).write_text(json.dumps(asdict(summary)))
            shutil.rmtree(self.root / key, ignore_errors=True)  # an incomplete entry
            os.replace(staging, self.root / key)

    def keep_used(self) -> None:
        """Remove entries (and unfinished ones) that this run did not use."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True)


def _rows_by_file(table: pa.Table) -> dict[str, pa.Table]:
    """Each ``source_file``'s rows of ``table``, in table order. A table whose files are each
    in one run of rows (the sorted staged tables) is cut into slices, with no copy; another
    is first sorted by file, stably (one copy: a filter per file copied a million nested rows
    five times, 1.9 s)."""

    def runs(rows: pa.Table) -> tuple[list[str], list[int]]:
        encoded = pc.run_end_encode(rows.column("source_file").combine_chunks())
        return encoded.values.to_pylist(), encoded.run_ends.to_pylist()

    names, ends = runs(table)
    if len(set(names)) != len(names):
        table = table.take(pc.sort_indices(table.column("source_file")))
        names, ends = runs(table)
    found, start = {}, 0
    for name, end in zip(names, ends, strict=True):
        found[name] = table.slice(start, end - start)
        start = end
    return found


@dataclass
class RunInputs:
    """What a run reads, in input order: freshly ingested files and reused ones."""

    order: list[Path]
    fresh: IngestResult
    reused: dict[Path, ReusedInput] = field(default_factory=dict)

    @property
    def inputs(self) -> list[InputSummary]:
        fresh = {Path(s.path): s for s in self.fresh.inputs}
        return [self.reused[p].summary if p in self.reused else fresh[p] for p in self.order]

    @property
    def rows(self) -> int:
        return sum(s.rows_ingested for s in self.inputs)

    def raw(self, columns: list[str]) -> pa.Table:
        """Every input's raw rows, in input order (``columns`` of them)."""
        spooled = {Path(summary.path): path for summary, path in self.fresh.spooled()}
        schema = pa.schema([RAW_SCHEMA.field(name) for name in columns])
        parts = []
        for path in self.order:
            if path in self.reused:
                parts.append(self.reused[path].table("raw").select(columns).cast(schema))
            else:
                parts.append(pq.read_table(spooled[path], columns=columns))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def staged(
        self, names: Sequence[str], fresh: dict[str, pa.Table] | None
    ) -> dict[str, list[pa.Table]]:
        """The staged tables ``names`` of all inputs, in parts: ``fresh`` (standardise's output
        for the fresh files, None when there were none) and each reused file's rows, in one
        schema."""
        combined = {}
        for name in names:
            parts = [self.reused[p].table(name) for p in self.order if p in self.reused]
            if fresh is not None:
                schema = fresh[name].schema
                parts = [fresh[name], *(part.cast(schema) for part in parts)]
            combined[name] = parts
        return combined
