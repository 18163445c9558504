"""Export one published version for people: the Parquet as published, plus xlsx (one sheet per
table, frozen header, autofilter) and csv files a sales team opens in a spreadsheet.

Spreadsheet safety (formula injection): a text cell starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return would be run as a formula by a spreadsheet. In csv such a value gets a
leading ``'``; in xlsx every text is written as a text cell (never a formula) and such cells
also carry Excel's quote-prefix flag, so the value stays exactly as published. Phone numbers
are text in both (never numbers: no lost ``+`` or leading zero).

Privacy: contacts of do-not-contact organisations, and contacts marked do-not-contact
themselves, are left out of the business files, and a do-not-contact organisation's emails
and phones are blanked, unless ``include_do_not_contact`` is set. The Parquet copy is the
published data, whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotpass.publish import DATA_PATHS, read_tables
from hotpass.store import VersionedStore

DANGEROUS = re.compile(r"^[=+\-@\t\r]")
# Nested columns whose detail lives in the Parquet copy; spreadsheets get a count instead.
_NESTED = {"provenance", "source_records", "source_contacts"}
BUSINESS_TABLES = ("organisations", "contacts", "addresses", "review_queue", "quarantine")
FORMATS = ("parquet", "xlsx", "csv")


@dataclass(frozen=True)
class ExportResult:
    ref: str
    commit: str
    files: list[Path]
    rows: dict[str, int]
    withheld_contacts: int


def _flatten(table: Any) -> Any:
    """Lists joined with ``; ``, nested detail reduced to counts: one text value per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns, names = [], []
    for field in table.schema:
        column = table.column(field.name)
        if field.name in _NESTED:
            columns.append(pc.list_value_length(column).fill_null(0))
            names.append(f"{field.name}_count")
        elif pa.types.is_list(field.type):
            columns.append(pc.binary_join(column, "; "))
            names.append(field.name)
        else:
            columns.append(column)
            names.append(field.name)
    return pa.table(columns, names=names)


def _withhold_do_not_contact(tables: dict[str, Any]) -> tuple[dict[str, Any], int]:
    import pyarrow as pa
    import pyarrow.compute as pc

    organisations, contacts = tables["organisations"], tables["contacts"]
    blocked = organisations.filter(pc.field("do_not_contact")).column("org_id")
    keep = pc.and_(
        pc.invert(pc.is_in(contacts.column("org_id"), value_set=blocked)),
        pc.invert(contacts.column("do_not_contact").fill_null(False)),
    )
    kept = contacts.filter(keep)
    dnc = organisations.column("do_not_contact")
    for name in ("emails", "phones"):
        index = organisations.schema.get_field_index(name)
        empty = pa.array([[]] * organisations.num_rows, organisations.schema.field(name).type)
        organisations = organisations.set_column(
            index, name, pc.if_else(dnc, empty, organisations.column(name))
        )
    return {**tables, "organisations": organisations, "contacts": kept}, (
        contacts.num_rows - kept.num_rows
    )


def neutralise_csv(table: Any) -> Any:
    """Prefix ``'`` to every text value a spreadsheet would run as a formula."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for field in table.schema:
        column = table.column(field.name)
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            risky = pc.match_substring_regex(column, DANGEROUS.pattern).fill_null(False)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_csv(table: Any, path: Path) -> None:
    """CSV with formula-looking text neutralised (OWASP CSV injection)."""
    from pyarrow import csv

    csv.write_csv(neutralise_csv(table), path)


def _write_xlsx(tables: dict[str, Any], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for name, table in tables.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        header = []
        for column in table.column_names:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        text_columns = {
            i
            for i, field in enumerate(table.schema)
            if str(field.type) in {"string", "large_string"}
        }
        # openpyxl writes row by row; the rows come from Arrow in batches.
        for batch in table.to_batches(max_chunksize=10_000):
            for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                cells = []
                for i, value in enumerate(row):
                    cell = WriteOnlyCell(sheet, value=value)
                    if i in text_columns and value is not None:
                        cell.data_type = "s"  # text, never a formula
                        cell.number_format = "@"
                        if DANGEROUS.match(value):
                            cell.quotePrefix = True
                    cells.append(cell)
                sheet.append(cells)
        last = _column_letter(max(len(table.column_names), 1))
        sheet.auto_filter.ref = f"A1:{last}{table.num_rows + 1}"
    book.save(path)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def export_version(
    store: VersionedStore,
    ref: str,
    directory: Path,
    *,
    formats: tuple[str, ...] = FORMATS,
    include_do_not_contact: bool = False,
) -> ExportResult:
    """Write the published tables at ``ref`` into ``directory`` (see the module docstring)."""
    commit = store.resolve(ref)
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    if "parquet" in formats:
        for name, path in DATA_PATHS.items():
            target = directory / f"{name}.parquet"
            target.write_bytes(store.get(commit, path))
            files.append(target)
    tables = read_tables(store, commit)
    withheld = 0
    if not include_do_not_contact:
        tables, withheld = _withhold_do_not_contact(tables)
    business = {name: _flatten(tables[name]) for name in BUSINESS_TABLES}
    if "csv" in formats:
        for name, table in business.items():
            target = directory / f"{name}.csv"
            write_csv(table, target)
            files.append(target)
    if "xlsx" in formats:
        target = directory / "hotpass.xlsx"
        _write_xlsx(business, target)
        files.append(target)
    return ExportResult(
        ref=ref,
        commit=commit,
        files=files,
        rows={name: table.num_rows for name, table in business.items()},
        withheld_contacts=withheld,
    )
