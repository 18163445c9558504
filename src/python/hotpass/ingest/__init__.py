"""Stage ``ingest``: input files -> one raw table, every cell as text, every row traceable.

Each raw row carries ``record_id = "{file}::{sheet}::{excel_row}"`` and its file's sha256.
Blank rows (and rows holding only filler such as a pre-filled ID) are skipped and counted.
"""

from __future__ import annotations

import functools
import itertools
import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hotpass.errors import InputError
from hotpass.ingest.detect import detect_profile
from hotpass.ingest.header import HeaderMatch, find_header
from hotpass.ingest.readers import CSV_SHEET, STREAM_ABOVE, ReadLimits, Source, open_source
from hotpass.profiles.model import CANONICAL_FIELDS, Profile, SheetSpec, header_key

__all__ = ["IngestResult", "InputSummary", "RAW_SCHEMA", "check_file_names", "ingest"]

_META_FIELDS: list[tuple[str, pa.DataType]] = [
    ("record_id", pa.string()),
    ("source_file", pa.string()),
    ("file_sha256", pa.string()),
    ("sheet", pa.string()),
    ("excel_row", pa.int32()),
    ("profile", pa.string()),
    ("role", pa.string()),
    ("source_priority", pa.int32()),
    ("privacy_basis", pa.string()),
    ("collected_at", pa.date32()),
    ("attach_by_key", pa.bool_()),
    ("attach_by_name", pa.bool_()),
    ("parent_record_id", pa.string()),
    ("continuation_type", pa.string()),
    ("date_order", pa.string()),
]
RAW_SCHEMA = pa.schema(
    [pa.field(n, t) for n, t in _META_FIELDS]
    + [pa.field(f, pa.string()) for f in CANONICAL_FIELDS]
    + [pa.field("extra", pa.string())]
)


@dataclass
class InputSummary:
    path: str
    sha256: str
    profile: str
    sheets_read: list[str] = field(default_factory=list)
    sheets_ignored: dict[str, str] = field(default_factory=dict)
    sheets_unexpected: list[str] = field(default_factory=list)
    rows_ingested: int = 0
    blank_skipped: int = 0
    read_by_row: bool = False  # a workbook past ``stream_above``: openpyxl, not calamine


@dataclass
class IngestResult:
    """The raw rows, spooled as they were read to ``raw_paths`` (zstd Parquet, one file per
    input, in input order), and what was read.

    ``raw`` loads the whole table; stages that can read Parquet themselves use ``raw_paths``.
    """

    raw_paths: list[Path]
    rows: int
    inputs: list[InputSummary]
    _spool: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @property
    def raw(self) -> pa.Table:
        return pq.read_table(self.raw_paths, schema=RAW_SCHEMA)

    def spooled(self) -> list[tuple[InputSummary, Path]]:
        """Each input with its own spool file, in input order."""
        return list(zip(self.inputs, self.raw_paths[: len(self.inputs)], strict=True))

    @property
    def raw_pattern(self) -> str:
        """A glob naming every spool file and nothing else, for engines that read Parquet from
        one path (Spark's reader takes no list; DuckDB's takes either)."""
        return str(self.raw_paths[0].parent / f"{_SPOOL_PREFIX}*.parquet")


# C0 and C1 control characters other than tab, newline and carriage return (RE2 syntax).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"

CHUNK_ROWS = 50_000  # rows held in Python at once; ingest memory does not grow past this
# Below this many input bytes in all, files are read one after another: starting a process
# (about a second of imports) would cost more than it saves.
PARALLEL_MIN_BYTES = 16 * 2**20
_SPOOL_PREFIX = "raw-"  # spool files: raw-00000.parquet, ... in input order


Progress = Callable[[str], None]


def _resolve_sheet(source: Source, spec: SheetSpec) -> str | None:
    if spec.name == "*":
        return source.sheet_names[0] if source.sheet_names else None
    if source.sheet_names == [CSV_SHEET]:
        return None
    wanted = header_key(spec.name)
    return next((s for s in source.sheet_names if header_key(s) == wanted), None)


def _check_header(
    source: Source, sheet: str, spec: SheetSpec, match: HeaderMatch | None
) -> HeaderMatch:
    if match is None:
        expected = (
            spec.columns["organisation_name"].synonyms
            if "organisation_name" in spec.columns
            else ()
        )
        raise InputError(
            f"no header row found in the first {spec.header.search_rows} rows "
            f"(expected columns such as {', '.join(repr(s) for s in expected[:3])})",
            file=source.path.name,
            sheet=sheet,
        )
    for field_name, column in spec.columns.items():
        if column.required and field_name not in match.columns:
            raise InputError(
                "required column missing (looked for "
                f"{', '.join(repr(s) for s in column.synonyms)})",
                file=source.path.name,
                sheet=sheet,
                column=column.synonyms[0] if column.synonyms else field_name,
            )
    for key, positions in match.duplicates.items():
        label = match.labels[positions[0]] or key
        raise InputError(
            f"duplicate header in columns {', '.join(_column_letter(p) for p in positions)}",
            file=source.path.name,
            sheet=sheet,
            column=label,
            row=match.row,
        )
    return match


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class _Sheet:
    """A sheet being read: its fixed facts, and the organisation row a continuation row on
    the next chunk would attach to."""

    source: Source
    name: str
    spec: SheetSpec
    profile: Profile
    match: HeaderMatch
    extra_labels: dict[int, str]
    last_parent: str | None = None


def _read_sheet(
    source: Source,
    sheet: str,
    spec: SheetSpec,
    profile: Profile,
    sink: pq.ParquetWriter,
    summary: InputSummary,
) -> None:
    match = _check_header(
        source, sheet, spec, find_header(source.top_rows(sheet, spec.header.search_rows), spec)
    )
    mapped = set(match.columns.values())
    ignored = {header_key(label) for label in spec.ignore_columns}
    extra_labels = {
        position: label
        for position, label in enumerate(match.labels)
        if label and position not in mapped and header_key(label) not in ignored
    }
    reading = _Sheet(source, sheet, spec, profile, match, extra_labels)
    chunk: list[tuple[int, list[str | None]]] = []
    for excel_row, cells in source.rows(sheet):
        if excel_row <= match.row:
            continue
        chunk.append((excel_row, cells))
        if len(chunk) >= CHUNK_ROWS:
            _write_chunk(chunk, reading, sink, summary)
            chunk = []
    if chunk:
        _write_chunk(chunk, reading, sink, summary)


def _write_chunk(
    chunk: list[tuple[int, list[str | None]]],
    sheet: _Sheet,
    sink: pq.ParquetWriter,
    summary: InputSummary,
) -> None:
    """Map one chunk of physical rows column by column (Arrow), drop blank rows, attach
    continuation rows to the organisation row above them, and append the batch to ``sink``."""
    rows = [cells for _, cells in chunk]
    # Cut into columns in one C-level pass (short rows padded with None), not cell by cell.
    by_column = list(itertools.zip_longest(*rows))

    def column(position: int) -> pa.Array:
        if position >= len(by_column):
            return pa.nulls(len(rows), pa.string())
        cells = pa.array(by_column[position], pa.string())
        # NUL, escape and other control characters never reach a table (or a terminal); cells
        # are trimmed here, in one pass over the column, not cell by cell in Python.
        cleaned = pc.utf8_trim_whitespace(pc.replace_substring_regex(cells, _CONTROL, ""))
        return pc.if_else(pc.equal(cleaned, ""), pa.nulls(len(rows), pa.string()), cleaned)

    values = {f: column(p) for f, p in sheet.match.columns.items()}
    extras = {label: column(p) for p, label in sheet.extra_labels.items()}
    content = [values[f] for f in sheet.match.columns if f not in sheet.spec.filler_columns]
    present = [pc.is_valid(a) for a in [*content, *extras.values()]]
    keep = functools.reduce(pc.or_, present) if present else pa.repeat(False, len(rows))
    excel_rows = pa.array([number for number, _ in chunk], pa.int32()).filter(keep)
    values = {f: a.filter(keep) for f, a in values.items()}
    extras = {label: a.filter(keep) for label, a in extras.items()}
    count = len(excel_rows)
    summary.blank_skipped += len(rows) - count
    summary.rows_ingested += count
    if not count:
        return
    prefix = f"{sheet.source.path.name}::{sheet.name}::"
    record_ids = pc.binary_join_element_wise(prefix, pc.cast(excel_rows, pa.string()), "")
    roles, parents = _attach_continuations(record_ids, values, sheet)

    def constant(value: object, kind: pa.DataType) -> pa.Array:
        return pa.array([value] * count, kind)

    def canonical(name: str) -> pa.Array:
        if name in values:
            return values[name]
        return constant(sheet.spec.constants.get(name), pa.string())  # type: ignore[call-overload]

    batch = {
        "record_id": record_ids,
        "source_file": constant(sheet.source.path.name, pa.string()),
        "file_sha256": constant(sheet.source.sha256, pa.string()),
        "sheet": constant(sheet.name, pa.string()),
        "excel_row": excel_rows,
        "profile": constant(sheet.profile.name, pa.string()),
        "role": roles,
        "source_priority": constant(sheet.profile.source_priority, pa.int32()),
        "privacy_basis": constant(sheet.profile.privacy_basis, pa.string()),
        "collected_at": constant(sheet.profile.collected_at, pa.date32()),
        "attach_by_key": constant(bool(sheet.spec.attach and sheet.spec.attach.by_key), pa.bool_()),
        "attach_by_name": constant(
            bool(sheet.spec.attach and sheet.spec.attach.by_name), pa.bool_()
        ),
        "parent_record_id": parents,
        "continuation_type": pc.if_else(
            pc.is_valid(parents),
            constant(
                sheet.spec.continuation.address_type if sheet.spec.continuation else None,
                pa.string(),
            ),
            constant(None, pa.string()),
        ),
        "date_order": constant(sheet.spec.date_order, pa.string()),
        **{name: canonical(name) for name in CANONICAL_FIELDS},
        "extra": _extra_json(extras, count),
    }
    sink.write_table(pa.table(batch, schema=RAW_SCHEMA))


def _attach_continuations(
    record_ids: pa.Array, values: dict[str, pa.Array], sheet: _Sheet
) -> tuple[pa.Array, pa.Array]:
    """(role, parent_record_id) for a chunk's kept rows.

    A row whose ``continuation.when_blank`` column is blank continues the nearest organisation
    row above it (it becomes an address of that row); the first named organisation row of a
    sheet is a parent even when it would otherwise be a continuation (nothing is above it).
    """
    spec, count = sheet.spec, len(record_ids)
    named = (
        pc.is_valid(values["organisation_name"])
        if "organisation_name" in values and spec.role == "organisation"
        else pa.repeat(False, count)
    )
    if spec.continuation is None:
        candidate = pa.repeat(False, count)
    elif spec.continuation.when_blank in values:
        candidate = pc.is_null(values[spec.continuation.when_blank])
    else:
        candidate = pa.repeat(True, count)
    is_parent = pc.and_(named, pc.invert(candidate))
    if sheet.last_parent is None:
        first = pc.index(named, True).as_py()
        if first >= 0:  # nothing above the sheet's first named row: it is a parent
            only_first = pa.concat_arrays(
                [pa.repeat(False, first), pa.array([True]), pa.repeat(False, count - first - 1)]
            )
            is_parent = pc.or_(is_parent, only_first)
    parent_ids = pc.if_else(is_parent, record_ids, pa.nulls(count, pa.string()))
    # The parent in force before each row, and after the chunk's last one.
    carried = pc.fill_null_forward(
        pa.concat_arrays([pa.array([sheet.last_parent], pa.string()), parent_ids])
    )
    nearest, sheet.last_parent = carried[:-1], carried[-1].as_py()
    continues = pc.and_(candidate, pc.is_valid(nearest))
    roles = pc.if_else(continues, "address", spec.role)
    parents = pc.if_else(continues, nearest, pa.nulls(count, pa.string()))
    return roles, parents


def _extra_json(extras: dict[str, pa.Array], count: int) -> pa.Array:
    """Unmapped, non-empty cells as a sorted JSON object per row (None when there are none)."""
    if not extras:
        return pa.nulls(count, pa.string())
    columns = {label: array.to_pylist() for label, array in extras.items()}
    labels = sorted(columns)
    texts = []
    for position in range(count):
        cells = {label: columns[label][position] for label in labels if columns[label][position]}
        texts.append(json.dumps(cells, ensure_ascii=False, sort_keys=True) if cells else None)
    return pa.array(texts, pa.string())


def check_file_names(paths: Sequence[Path]) -> None:
    """Raise :class:`InputError` when two inputs share a file name.

    A record's id, its ``source_file`` and the stage cache's key all name the file without
    its folder, so two inputs called ``crm_export.csv`` would give their rows the same ids.
    The run stops before reading anything and names every path with that name.
    """
    by_name: dict[str, list[Path]] = {}
    for path in paths:
        by_name.setdefault(path.name, []).append(path)
    for name, same in by_name.items():
        if len(same) > 1:
            raise InputError(
                f"{len(same)} inputs have this file name ({', '.join(str(p) for p in same)}); "
                "record ids are made from file names, so rename all but one (or pass a file "
                "once)",
                file=name,
            )


def ingest(
    paths: Sequence[Path],
    /,
    *,
    profile: Profile | None,
    profiles: Sequence[Profile],
    progress: Progress | None = None,
    max_bytes: int = 512 * 2**20,
    spool: Path | None = None,
    workers: int = 1,
    stream_above: int = STREAM_ABOVE,
) -> IngestResult:
    """Read every input into raw rows, streamed in chunks of ``CHUNK_ROWS`` rows to one Parquet
    file per input in ``spool`` (a directory the caller owns and removes; a temporary one that
    lives as long as the result when None).

    With ``workers`` above 1 (0: one per core) and at least ``PARALLEL_MIN_BYTES`` of input,
    the files are read in that many processes at once, largest first: a file's raw rows
    depend on that file alone. Workbooks that unzip past ``stream_above`` bytes are read row
    by row (:mod:`hotpass.ingest.readers`).

    Raises:
        InputError: naming the file (and sheet, column, row) of an input that cannot be read
            (the first in input order among those read); nothing is returned, so nothing can be
            half-written downstream.
    """
    owned = None
    if spool is None:
        owned = tempfile.TemporaryDirectory(prefix="hotpass-ingest-")
        spool = Path(owned.name)
    outs = [spool / f"{_SPOOL_PREFIX}{index:05d}.parquet" for index in range(len(paths))]
    limits = ReadLimits(max_bytes, stream_above)
    processes = min(workers or os.cpu_count() or 1, len(paths))
    if (
        processes > 1
        and sum(_size(path) for path in paths) >= PARALLEL_MIN_BYTES
        and not multiprocessing.current_process().daemon  # a daemon may not start processes
    ):
        summaries = _ingest_in_processes(
            paths, outs, processes, profile, profiles, progress, limits
        )
    else:
        summaries = [
            _ingest_file(path, out, profile, profiles, progress, limits)
            for path, out in zip(paths, outs, strict=True)
        ]
    if not outs:  # no input: an empty table, so readers of the spool need no special case
        outs = [spool / f"{_SPOOL_PREFIX}empty.parquet"]
        pq.write_table(RAW_SCHEMA.empty_table(), outs[0], compression="zstd")
    rows = sum(s.rows_ingested for s in summaries)
    return IngestResult(outs, rows, summaries, _spool=owned)


# Said of a workbook read by openpyxl: the operator learns why it is slower.
_BY_ROW = ", a row at a time: it unzips past stream_workbooks_above_mb"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # open_source names the problem when the file is read


def _ingest_in_processes(
    paths: Sequence[Path],
    outs: list[Path],
    processes: int,
    profile: Profile | None,
    profiles: Sequence[Profile],
    progress: Progress | None,
    limits: ReadLimits,
) -> list[InputSummary]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if progress:
        progress(f"ingest: {len(paths)} input(s) over {processes} processes")
    context = multiprocessing.get_context("spawn")  # the parent may hold DuckDB's threads
    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    summaries: dict[int, InputSummary] = {}
    failures: dict[int, Exception] = {}
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        futures = {
            pool.submit(_timed_ingest_file, paths[i], outs[i], profile, profiles, limits): i
            for i in order
        }
        for future in as_completed(futures):
            index = futures[future]
            if future.cancelled():
                continue
            try:
                summary, seconds = future.result()
            except Exception as exc:  # raised below: the first failing file in input order
                failures[index] = exc
                for waiting in futures:
                    waiting.cancel()  # files not started yet are not read
                continue
            summaries[index] = summary
            if progress:
                progress(
                    f"ingest {paths[index].name} (profile {summary.profile})"
                    f"{_BY_ROW * summary.read_by_row}: "
                    f"{summary.rows_ingested} row(s) in {seconds:.1f} s"
                )
    if failures:
        raise failures[min(failures)]
    return [summaries[index] for index in range(len(paths))]


def _timed_ingest_file(
    path: Path,
    out: Path,
    profile: Profile | None,
    profiles: Sequence[Profile],
    limits: ReadLimits,
) -> tuple[InputSummary, float]:
    started = time.perf_counter()
    summary = _ingest_file(path, out, profile, profiles, None, limits)
    return summary, time.perf_counter() - started


def _ingest_file(
    path: Path,
    out: Path,
    profile: Profile | None,
    profiles: Sequence[Profile],
    progress: Progress | None,
    limits: ReadLimits,
) -> InputSummary:
    """One input's raw rows, spooled to ``out``."""
    source = open_source(path, max_bytes=limits.max_bytes, stream_above=limits.stream_above)
    try:
        chosen = profile or detect_profile(source, profiles)
        summary = InputSummary(
            str(path), source.sha256, chosen.name, read_by_row=source.read_by_row
        )
        if progress:
            progress(f"ingest {path.name} (profile {chosen.name}){_BY_ROW * source.read_by_row}")
        with pq.ParquetWriter(out, RAW_SCHEMA, compression="zstd") as sink:
            for spec in chosen.sheets:
                sheet = _resolve_sheet(source, spec)
                if sheet is None:
                    if spec.optional:
                        continue
                    raise InputError(
                        f"sheet required by profile {chosen.name!r} is missing",
                        file=path.name,
                        sheet=spec.name,
                    )
                _read_sheet(source, sheet, spec, chosen, sink, summary)
                summary.sheets_read.append(sheet)
        if not summary.rows_ingested:
            raise InputError(
                "no data rows below the header"
                + (
                    f" ({summary.blank_skipped} blank row(s) skipped)"
                    if summary.blank_skipped
                    else ""
                )
                + "; remove the file or add its rows",
                file=path.name,
                sheet=summary.sheets_read[0] if len(summary.sheets_read) == 1 else None,
            )
        ignored = {header_key(s.name): s.reason for s in chosen.ignored_sheets}
        for sheet in source.sheet_names:
            if sheet in summary.sheets_read:
                continue
            if header_key(sheet) in ignored:
                summary.sheets_ignored[sheet] = ignored[header_key(sheet)]
            else:
                summary.sheets_unexpected.append(sheet)
        return summary
    finally:
        source.close()
