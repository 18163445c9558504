"""Open XLSX and CSV inputs and stream every cell as text.

XLSX is read with calamine (Rust; about ten times openpyxl's read-only speed, one sheet in
memory at a time); numeric cells holding whole numbers are rendered as integers
(``27831234567``, never ``27831234567.0``), dates as ISO dates. CSV is streamed row by row from
disk, never read whole: UTF-8 is checked in blocks, anything else is decoded with the encoding
`charset-normalizer` detects on the file's first block.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from hotpass.errors import InputError

CSV_SHEET = "csv"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted (password-protected) and legacy .xls files


def cell_text(value: Any) -> str | None:  # noqa: PLR0911 - one return per cell type
    """One cell as text; None for empty cells.

    Example:
        >>> cell_text(27831234567.0)
        '27831234567'
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Source:
    """An opened input: its sheet names and a way to stream each sheet's rows."""

    path: Path
    sha256: str
    sheet_names: list[str]
    _workbook: Any = field(default=None, repr=False)
    _csv_encoding: str | None = field(default=None, repr=False)

    def rows(self, sheet: str) -> Iterator[tuple[int, list[str | None]]]:
        """(excel_row, cells) for every physical row, 1-based as Excel shows it."""
        if self._csv_encoding is not None:
            yield from _csv_rows(self.path, self._csv_encoding)
            return
        from python_calamine import CalamineError

        try:
            worksheet = self._workbook.get_sheet_by_name(sheet)
            # calamine's rows start at row 1 (leading empty rows included), its columns at the
            # first non-empty column: pad those back to column A (test-held, python-calamine
            # 0.9).
            _, first_column = worksheet.start or (0, 0)
            padding: list[str | None] = [None] * first_column
            for number, values in enumerate(worksheet.iter_rows(), start=1):
                yield number, padding + [cell_text(v) if v != "" else None for v in values]
        except CalamineError as exc:
            raise InputError(
                f"sheet cannot be read ({type(exc).__name__})", file=self.path.name, sheet=sheet
            ) from None

    def top_rows(self, sheet: str, count: int) -> list[list[str | None]]:
        top: list[list[str | None]] = []
        for _, cells in self.rows(sheet):
            top.append(cells)
            if len(top) >= count:
                break
        return top

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()


INFLATION_LIMIT = 10  # a workbook may unzip to at most this multiple of the size limit


def open_source(path: Path, *, max_bytes: int = 512 * 2**20) -> Source:
    """Open an input file, failing with an :class:`InputError` that names it.

    Raises:
        InputError: missing file, too large (or a workbook that inflates past
            ``INFLATION_LIMIT * max_bytes``), unsupported type, corrupt or password-protected
            workbook, undecodable CSV.
    """
    name = path.name
    if not path.is_file():
        raise InputError("file does not exist", file=str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {size / 2**20:.0f} MB, above the {max_bytes / 2**20:.0f} MB limit "
            "(raise HOTPASS_MAX_INPUT_MB to read it)",
            file=name,
        )
    suffix = path.suffix.lower()
    digest = file_sha256(path)
    if suffix in {".xlsx", ".xlsm"}:
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic == _OLE_MAGIC:
            raise InputError("workbook is password-protected or not an XLSX file", file=name)
        _check_inflation(path, INFLATION_LIMIT * max_bytes)
        from python_calamine import CalamineError, CalamineWorkbook  # only refine needs it

        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except CalamineError as exc:
            raise InputError(f"corrupt workbook ({type(exc).__name__})", file=name) from None
        return Source(path, digest, list(workbook.sheet_names), _workbook=workbook)
    if suffix in {".csv", ".txt"}:
        return Source(path, digest, [CSV_SHEET], _csv_encoding=_csv_encoding(path))
    raise InputError(
        f"unsupported file type {suffix or '(none)'!r}; expected .xlsx or .csv", file=name
    )


def _check_inflation(path: Path, limit: int) -> None:
    """Refuse a workbook whose parts unzip past ``limit`` bytes (a zip bomb) before opening it."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputError("corrupt workbook (BadZipFile)", file=path.name) from None
    if inflated > limit:
        raise InputError(
            f"workbook inflates to {inflated / 2**20:.0f} MB, above the "
            f"{limit / 2**20:.0f} MB limit",
            file=path.name,
        )


# Exports here come from Excel or CRMs: UTF-8 or a Western single-byte code page. Restricting
# detection to these stops short files being taken for a CJK encoding.
_CANDIDATE_ENCODINGS = ["cp1252", "iso8859_15", "latin_1", "cp1250", "mac_roman"]


_SAMPLE_BYTES = 1 << 22  # the block charset detection and the dialect sniffer look at


def _csv_encoding(path: Path) -> str:
    """The encoding to stream ``path`` with, checked before any row is read.

    UTF-8 (with or without a BOM) is verified over the whole file in blocks; otherwise the
    first block decides among Western code pages.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        sample = handle.read(_SAMPLE_BYTES)
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None or b"\0" in sample:
        raise InputError("unreadable encoding (not UTF-8 or a Western code page)", file=path.name)
    return str(best.encoding)


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str | None]]]:
    """Stream (row, cells) from a CSV: one row in memory at a time."""
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(4096)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                sample, delimiters=",;\t|"
            )
        except csv.Error:
            dialect = csv.excel
        handle.seek(0)
        reader = csv.reader(handle, dialect)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, [cell if cell.strip() else None for cell in row]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(
                f"CSV cannot be read past this row ({type(exc).__name__})",
                file=path.name,
                row=number + 1,
            ) from None
