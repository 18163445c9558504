"""Find a sheet's header row and map its columns onto canonical fields."""

from __future__ import annotations

from dataclasses import dataclass

from hotpass.profiles.model import SheetSpec, header_key


@dataclass(frozen=True)
class HeaderMatch:
    """``row`` is the 1-based header row; ``columns`` maps canonical field -> 0-based column."""

    row: int
    labels: list[str | None]
    columns: dict[str, int]
    duplicates: dict[str, list[int]]


def _synonym_index(spec: SheetSpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for field, column in spec.columns.items():
        for synonym in column.synonyms:
            index.setdefault(header_key(synonym), field)
    return index


def find_header(rows: list[list[str | None]], spec: SheetSpec) -> HeaderMatch | None:
    """The first row among ``rows`` that names enough of the sheet's columns, or None."""
    synonyms = _synonym_index(spec)
    named_fields = {f for f, c in spec.columns.items() if c.synonyms}
    needed = min(spec.header.min_matches, len(named_fields))
    for offset, cells in enumerate(rows):
        keys = [header_key(c) if c else "" for c in cells]
        matched = {synonyms[k] for k in keys if k in synonyms}
        if (
            len(matched) < needed
            or "organisation_name" in named_fields
            and ("organisation_name" not in matched and spec.role == "organisation")
        ):
            continue
        columns: dict[str, int] = {}
        seen: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            if key in synonyms:
                seen.setdefault(key, []).append(position)
                columns.setdefault(synonyms[key], position)
        unnamed_positions = [p for p, k in enumerate(keys) if not k]
        for field, column in spec.columns.items():
            if field not in columns and column.unnamed is not None:
                # Count unnamed columns after the first named one (skips a blank column A).
                first_named = min(columns.values(), default=0)
                candidates = [p for p in unnamed_positions if p > first_named]
                if len(candidates) >= column.unnamed:
                    columns[field] = candidates[column.unnamed - 1]
                else:
                    columns[field] = len(keys) + column.unnamed - 1 - len(candidates)
        duplicates = {k: v for k, v in seen.items() if len(v) > 1}
        return HeaderMatch(offset + 1, list(cells), columns, duplicates)
    return None
