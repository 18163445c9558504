"""Stage ``ingest``: input files -> one raw table, every cell as text, every row traceable.

Each raw row carries ``record_id = "{file}::{sheet}::{excel_row}"`` and its file's sha256.
Blank rows (and rows holding only filler such as a pre-filled ID) are skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from hotpass.errors import InputError
from hotpass.ingest.detect import detect_profile
from hotpass.ingest.header import HeaderMatch, find_header
from hotpass.ingest.readers import CSV_SHEET, Source, open_source
from hotpass.profiles.model import CANONICAL_FIELDS, Profile, SheetSpec, header_key

__all__ = ["IngestResult", "InputSummary", "RAW_SCHEMA", "ingest"]

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


@dataclass
class IngestResult:
    raw: pa.Table
    inputs: list[InputSummary]


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


def _read_sheet(
    source: Source,
    sheet: str,
    spec: SheetSpec,
    profile: Profile,
    columns: dict[str, list[object]],
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
    content_fields = [f for f in match.columns if f not in spec.filler_columns]
    last_parent: str | None = None
    for excel_row, cells in source.rows(sheet):
        if excel_row <= match.row:
            continue
        stripped = [cell.strip() if cell else None for cell in cells]
        values = {
            f: stripped[p] or None if p < len(stripped) else None for f, p in match.columns.items()
        }
        extra = {
            label: text
            for p, label in extra_labels.items()
            if p < len(stripped) and (text := stripped[p])
        }
        if not extra and not any(values.get(f) for f in content_fields):
            summary.blank_skipped += 1
            continue
        record_id = f"{source.path.name}::{sheet}::{excel_row}"
        role = spec.role
        parent: str | None = None
        continuation_type: str | None = None
        if spec.continuation and not values.get(spec.continuation.when_blank) and last_parent:
            role, parent, continuation_type = "address", last_parent, spec.continuation.address_type
        elif role == "organisation" and values.get("organisation_name"):
            last_parent = record_id
        row = {
            "record_id": record_id,
            "source_file": source.path.name,
            "file_sha256": source.sha256,
            "sheet": sheet,
            "excel_row": excel_row,
            "profile": profile.name,
            "role": role,
            "source_priority": profile.source_priority,
            "privacy_basis": profile.privacy_basis,
            "collected_at": profile.collected_at,
            "attach_by_key": bool(spec.attach and spec.attach.by_key),
            "attach_by_name": bool(spec.attach and spec.attach.by_name),
            "parent_record_id": parent,
            "continuation_type": continuation_type,
            "date_order": spec.date_order,
            "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
        }
        for field_name in CANONICAL_FIELDS:
            row[field_name] = values.get(field_name, spec.constants.get(field_name))  # type: ignore[call-overload]
        for name, value in row.items():
            columns[name].append(value)
        summary.rows_ingested += 1


def ingest(
    paths: Sequence[Path],
    /,
    *,
    profile: Profile | None,
    profiles: Sequence[Profile],
    progress: Progress | None = None,
    max_bytes: int = 512 * 2**20,
) -> IngestResult:
    """Read every input into one raw table.

    Raises:
        InputError: naming the file (and sheet, column, row) of the first input that cannot
            be read; nothing is returned, so nothing can be half-written downstream.
    """
    columns: dict[str, list[object]] = {f.name: [] for f in RAW_SCHEMA}
    summaries: list[InputSummary] = []
    for path in paths:
        source = open_source(path, max_bytes=max_bytes)
        try:
            chosen = profile or detect_profile(source, profiles)
            summary = InputSummary(str(path), source.sha256, chosen.name)
            if progress:
                progress(f"ingest {path.name} (profile {chosen.name})")
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
                _read_sheet(source, sheet, spec, chosen, columns, summary)
                summary.sheets_read.append(sheet)
            ignored = {header_key(s.name): s.reason for s in chosen.ignored_sheets}
            for sheet in source.sheet_names:
                if sheet in summary.sheets_read:
                    continue
                if header_key(sheet) in ignored:
                    summary.sheets_ignored[sheet] = ignored[header_key(sheet)]
                else:
                    summary.sheets_unexpected.append(sheet)
            summaries.append(summary)
        finally:
            source.close()
    return IngestResult(pa.table(columns, schema=RAW_SCHEMA), summaries)
