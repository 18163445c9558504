"""Open XLSX and CSV inputs and stream every cell as text.

XLSX is read with calamine (Rust; about seven times openpyxl's read-only speed), one sheet
in memory at a time. A workbook that unzips past ``stream_above`` bytes is read row by row
with openpyxl's read-only mode instead, its shared strings kept in a temporary file: slower,
but its memory does not grow with its sheets (ADR 0026). Either way the rows are the same:
numeric cells holding whole numbers are rendered as integers (``27831234567``, never
``27831234567.0``), dates as ISO dates, and blank rows below a sheet's last value are not
rows. CSV is streamed row by row from disk, never read whole: UTF-8 is checked in blocks,
anything else is decoded with the encoding `charset-normalizer` detects on the file's first
block.
"""

from __future__ import annotations

import array
import codecs
import contextlib
import csv
import hashlib
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, NamedTuple

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
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class ReadLimits(NamedTuple):
    """How big an input may be, and past what size a workbook is read row by row."""

    max_bytes: int
    stream_above: int


@dataclass
class Source:
    """An opened input: its sheet names and a way to stream each sheet's rows."""

    path: Path
    sha256: str
    sheet_names: list[str]
    _workbook: Any = field(default=None, repr=False)
    _csv_encoding: str | None = field(default=None, repr=False)
    # A workbook read a row at a time (openpyxl read-only) rather than a sheet at a time.
    read_by_row: bool = False
    _strings: SharedStringsOnDisk | None = field(default=None, repr=False)
    # The sheet last loaded: calamine parses a whole sheet to give any of its rows, and the
    # header search and the read that follows it would otherwise parse it twice (5 of the 20
    # seconds of ingest at a million rows).
    _loaded: tuple[str, Any] | None = field(default=None, repr=False)

    def _worksheet(self, sheet: str) -> Any:
        if self._loaded is None or self._loaded[0] != sheet:
            self._loaded = None  # the previous sheet's cells are freed before the next loads
            self._loaded = (sheet, self._workbook.get_sheet_by_name(sheet))
        return self._loaded[1]

    def rows(self, sheet: str) -> Iterator[tuple[int, list[str | None]]]:
        """(excel_row, cells) for every physical row, 1-based as Excel shows it."""
        if self._csv_encoding is not None:
            yield from _csv_rows(self.path, self._csv_encoding)
            return
        if self.read_by_row:
            yield from self._streamed_rows(sheet)
            return
        from python_calamine import CalamineError

        try:
            worksheet = self._worksheet(sheet)
            # calamine's rows start at row 1 (leading empty rows included), its columns at the
            # first non-empty column: pad those back to column A (test-held, python-calamine
            # 0.9).
            _, first_column = worksheet.start or (0, 0)
            if first_column + worksheet.width > MAX_COLUMNS:
                raise InputError(
                    f"sheet is {first_column + worksheet.width} columns wide, above the limit of "
                    f"{MAX_COLUMNS} (Excel's own)",
                    file=self.path.name,
                    sheet=sheet,
                )
            padding: list[str | None] = [None] * first_column
            for number, values in enumerate(worksheet.iter_rows(), start=1):
                yield number, padding + [cell_text(v) if v != "" else None for v in values]
        except CalamineError as exc:
            raise self._damaged(sheet, exc) from None

    def _streamed_rows(self, sheet: str) -> Iterator[tuple[int, list[str | None]]]:
        """The rows of ``sheet`` as :meth:`rows` gives them, parsed one at a time by openpyxl.

        openpyxl also gives the formatted but empty rows below the last value, which calamine
        does not: blank rows are held back (their first row number) until a row with a value
        follows.
        """
        worksheet = self._workbook[sheet]
        worksheet.reset_dimensions()  # a stale <dimension> tag must not cut rows off
        held_from = 0  # the first of the blank rows held back; 0 when none are
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if len(values) > MAX_COLUMNS:
                    raise InputError(
                        f"row is {len(values)} columns wide, above the limit of {MAX_COLUMNS} "
                        "(Excel's own)",
                        file=self.path.name,
                        sheet=sheet,
                        row=number,
                    )
                if all(value is None or value == "" for value in values):
                    held_from = held_from or number
                    continue
                if held_from:
                    for blank in range(held_from, number):
                        yield blank, []
                    held_from = 0
                yield number, [cell_text(v) if v != "" else None for v in values]
        except InputError:
            raise  # a ValueError too, and already names the row
        except _STREAM_ERRORS as exc:
            raise self._damaged(sheet, exc) from None

    def _damaged(self, sheet: str, exc: Exception) -> InputError:
        return InputError(
            f"sheet cannot be read ({type(exc).__name__}): the workbook is damaged; open "
            "it in Excel and save it again, or export it afresh",
            file=self.path.name,
            sheet=sheet,
        )

    def top_rows(self, sheet: str, count: int) -> list[list[str | None]]:
        top: list[list[str | None]] = []
        for _, cells in self.rows(sheet):
            top.append(cells)
            if len(top) >= count:
                break
        return top

    def close(self) -> None:
        self._loaded = None
        if self._workbook is not None:
            self._workbook.close()
        if self._strings is not None:
            self._strings.close()


INFLATION_LIMIT = 10  # a workbook may unzip to at most this multiple of the size limit
INFLATION_FLOOR = 256 * 2**20  # below this, any compression ratio is accepted
INFLATION_RATIO = 100  # above the floor, a workbook may unzip to at most this times its size
MAX_COLUMNS = 16_384  # Excel's own limit; a wider row is a wrong delimiter or a crafted file
STREAM_ABOVE = 1024 * 2**20  # a workbook unzipping past this is read row by row (ADR 0026)
# What openpyxl raises on a damaged package or sheet (XML syntax errors are SyntaxErrors).
_STREAM_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    SyntaxError,
)
_SNIFF_BYTES = 1 << 16
_ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")  # an encrypted OOXML package's stream


def open_source(
    path: Path, *, max_bytes: int = 512 * 2**20, stream_above: int = STREAM_ABOVE
) -> Source:
    """Open an input file, failing with an :class:`InputError` that names it. A workbook that
    unzips past ``stream_above`` bytes is read row by row (module docstring).

    Raises:
        InputError: missing, empty or too large file, unsupported type, another format named
            .xlsx (a CSV, a legacy .xls, an OpenDocument file), a corrupt, password-protected
            or zip-bomb workbook (see :func:`_check_container`), undecodable CSV.
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
    if size == 0:
        raise InputError("file is empty (0 bytes); export or copy it again", file=name)
    suffix = path.suffix.lower()
    digest = file_sha256(path)
    if suffix in {".xlsx", ".xlsm"}:
        if _check_container(path, INFLATION_LIMIT * max_bytes) > stream_above:
            return _streamed_workbook(path, digest)
        from python_calamine import CalamineError, CalamineWorkbook  # only refine needs it

        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except CalamineError as exc:
            raise InputError(
                f"corrupt workbook ({type(exc).__name__}); open it in Excel and save it again",
                file=name,
            ) from None
        return Source(path, digest, list(workbook.sheet_names), _workbook=workbook)
    if suffix in {".csv", ".txt"}:
        return Source(path, digest, [CSV_SHEET], _csv_encoding=_csv_encoding(path))
    raise InputError(
        f"unsupported file type {suffix or '(none)'!r}; expected .xlsx or .csv", file=name
    )


class SharedStringsOnDisk(Sequence[str]):
    """A workbook's shared strings in a temporary file, read back one at a time.

    openpyxl keeps them as one list of Python strings. Excel saves most of a sheet's texts
    there, so that list grows with the sheet: 200 MB more at 400,000 rows of distinct names
    and emails. Here only their end offsets are in memory (8 bytes each). Each text is parsed
    as openpyxl 3.1's ``read_string_table`` parses it, and ingest's tests hold the rows equal
    to calamine's.
    """

    def __init__(self, xml_source: IO[bytes]) -> None:
        from openpyxl.cell.text import Text
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse

        tag = f"{{{SHEET_MAIN_NS}}}si"
        self._file = tempfile.TemporaryFile(prefix="hotpass-strings-")
        self._ends = array.array("q")
        written = 0
        for _, node in iterparse(xml_source):
            if node.tag == tag:
                text = Text.from_tree(node).content.replace("x005F_", "")
                node.clear()
                data = text.encode("utf-8", "surrogatepass")
                self._file.write(data)
                written += len(data)
                self._ends.append(written)
        self._file.flush()

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]  # no slices needed
        if not 0 <= index < len(self._ends):
            raise IndexError(f"shared string {index} of {len(self._ends)}")
        start = self._ends[index - 1] if index else 0
        data = os.pread(self._file.fileno(), self._ends[index] - start, start)
        return data.decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._file.close()


@contextlib.contextmanager
def _shared_strings_on_disk() -> Iterator[list[SharedStringsOnDisk]]:
    """While a workbook is opened, openpyxl reads its shared strings into a
    :class:`SharedStringsOnDisk` (given in the list yielded). The swap is of the name
    ``openpyxl.reader.excel`` reads them with (openpyxl 3.1), and only for the opening: the
    strings are read there, and handed to each sheet."""
    from openpyxl.reader import excel

    made: list[SharedStringsOnDisk] = []

    def on_disk(source: IO[bytes]) -> SharedStringsOnDisk:
        made.append(SharedStringsOnDisk(source))
        return made[-1]

    read = excel.read_string_table
    excel.read_string_table = on_disk
    try:
        yield made
    finally:
        excel.read_string_table = read


def _streamed_workbook(path: Path, digest: str) -> Source:
    import openpyxl

    try:
        with _shared_strings_on_disk() as strings:
            workbook = openpyxl.load_workbook(
                path, read_only=True, data_only=True, keep_links=False
            )
    except (*_STREAM_ERRORS, OSError) as exc:
        raise InputError(
            f"corrupt workbook ({type(exc).__name__}); open it in Excel and save it again",
            file=path.name,
        ) from None
    names = [sheet.title for sheet in workbook.worksheets]
    kept = strings[0] if strings else None
    return Source(path, digest, names, _workbook=workbook, read_by_row=True, _strings=kept)


def _check_container(path: Path, limit: int) -> int:
    """Refuse, before calamine opens it, a ``.xlsx`` that is not an Excel package: another
    format under the wrong name, a damaged zip, or a zip bomb. Returns the bytes it unzips to.

    A bomb is a package that unzips past ``limit`` bytes, or past ``INFLATION_FLOOR`` bytes
    at more than ``INFLATION_RATIO`` times its size (real workbooks compress 5-20 times). The
    sizes are the ones the zip directory declares.
    """
    name = path.name
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in head:
            raise InputError(
                "workbook is password-protected; remove the password in Excel "
                "(File > Info > Protect Workbook) and save it again",
                file=name,
            )
        raise InputError(
            "a legacy .xls (or other OLE) file named .xlsx; open it in Excel and save it as .xlsx",
            file=name,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        if not head.startswith(b"PK") and _looks_like_text(head):
            raise InputError(
                "a text file named .xlsx; if it is a CSV export, rename it .csv", file=name
            ) from None
        raise InputError(
            "corrupt workbook (the zip archive is truncated or damaged); download or export it "
            "again",
            file=name,
        ) from None
    inflated = sum(member.file_size for member in members)
    size = path.stat().st_size
    if inflated > limit or (inflated > INFLATION_FLOOR and inflated > INFLATION_RATIO * size):
        raise InputError(
            f"workbook inflates to {inflated / 2**20:.0f} MB from {size / 2**20:.1f} MB "
            f"({inflated / size:.0f}x); refused as a possible zip bomb (limits: "
            f"{limit / 2**20:.0f} MB, or {INFLATION_RATIO}x above "
            f"{INFLATION_FLOOR / 2**20:.0f} MB)",
            file=name,
        )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and "content.xml" in names:
            raise InputError("an OpenDocument spreadsheet named .xlsx; save it as .xlsx", file=name)
        if not any(n.startswith("xl/worksheets/") for n in names):
            raise InputError("not an Excel workbook (the zip holds no xl/workbook.xml)", file=name)
    return inflated


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the block
            return False
    return b"\0" not in head


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
    if _UTF8_SEQUENCE.search(sample):
        # UTF-8 lines beside lines saved in a code page (rows pasted from two exports): read
        # UTF-8, and each byte that is not UTF-8 as Windows-1252.
        return MIXED_UTF8_CP1252
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None or b"\0" in sample:
        raise InputError("unreadable encoding (not UTF-8 or a Western code page)", file=path.name)
    return str(best.encoding)


MIXED_UTF8_CP1252 = "utf-8+cp1252"
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("hotpass-cp1252", _cp1252_bytes)


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str | None]]]:
    """Stream (row, cells) from a CSV: one row in memory at a time."""
    errors = "strict"
    if encoding == MIXED_UTF8_CP1252:
        encoding, errors = "utf-8-sig", "hotpass-cp1252"
    with path.open(encoding=encoding, errors=errors, newline="") as handle:
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
                if len(row) > MAX_COLUMNS:
                    raise InputError(
                        f"row has {len(row)} columns, above the limit of {MAX_COLUMNS} (Excel's "
                        "own); check the delimiter",
                        file=path.name,
                        row=number,
                    )
                yield number, [cell if cell.strip() else None for cell in row]
        except csv.Error as exc:
            # The csv module's messages name limits and characters, never cell values.
            raise InputError(
                f"CSV cannot be read past this row ({exc}); is a quote left open?",
                file=path.name,
                row=number + 1,
            ) from None
        except UnicodeDecodeError:
            raise InputError(
                f"CSV cannot be read past this row (not {encoding})",
                file=path.name,
                row=number + 1,
            ) from None
