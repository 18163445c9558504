"""The bad-input corpus: every way a workbook, CSV, landing area or profile can be wrong.

Each :class:`Case` builds its inputs into an empty folder and says how ``hotpass`` must answer:
a clear error with a defined exit code and nothing published, or a run that quarantines (or
accepts, repaired) what it cannot trust. ``test_corpus.py`` runs every case through the real
CLI in a subprocess and writes ``docs/reference/bad-inputs.md`` from what happened.

The data is synthetic (POPIA): made-up organisations, 555-style numbers, ``.invalid`` domains.
The disguised files are real files of their kind, written by the libraries made for them: the
password-protected workbook is encrypted by msoffcrypto-tool (ECMA-376 Agile encryption, as
Excel 2010 and later write it), the legacy workbook is BIFF8 from xlwt, and the OpenDocument
spreadsheet comes from pandas' odfpy writer. They prove what those writers produce is
recognised; a file from an older Excel (RC4 "standard" encryption, BIFF5) is not in the corpus.

Write the corpus to a folder to look at it: ``python tests/bad_inputs/corpus.py OUT_DIR``.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

ERROR, QUARANTINE, ACCEPTED = "error", "quarantine", "accepted"

HEADER = ["Organisation Name", "Phone", "Email", "Website", "Province"]
ROWS = [
    [
        "Kestrel Aero Club",
        "+27 11 555 0101",
        "ops@kestrel-aero.invalid",
        "kestrel-aero.invalid",
        "Gauteng",
    ],
    [
        "Hadeda Flight School",
        "021 555 0102",
        "info@hadeda.invalid",
        "www.hadeda.invalid",
        "Western Cape",
    ],
    [
        "Crane Air Maintenance",
        "27315550103",
        "desk@crane-air.invalid",
        "crane-air.invalid",
        "KwaZulu-Natal",
    ],
    ["Ibis Aviation Brokers", "012 555 0109", "hello@ibis-brokers.invalid", "", "Gauteng"],
    ["Fish Eagle Helicopters", "+27 41 555 0110", "", "fish-eagle.invalid", "Eastern Cape"],
    ["Loerie Charter", "27 51 555 0111", "book@loerie.invalid", "loerie.invalid", "Free State"],
]  # six rows: one quarantined row stays under the gate's 20% share


@dataclass(frozen=True)
class Invocation:
    """What to run: ``hotpass`` arguments (the runner adds ``--workspace``) and extra env."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    what: str  # one line for the docs table
    build: Callable[[Path], Invocation]
    outcome: str  # ERROR, QUARANTINE or ACCEPTED
    exit_code: int
    says: str  # a fragment the error must contain, or the quarantine rule
    # For runs that publish: what the published organisations must show, and the check.
    shows: str = ""
    holds: Callable[[list[dict[str, Any]]], bool] | None = None


def names(rows: list[dict[str, Any]]) -> set[str]:
    return {row["display_name"] for row in rows}


def _clean_text(rows: list[dict[str, Any]]) -> bool:
    text = "".join(str(row[f]) for row in rows for f in ("display_name", "province"))
    return not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text)


def _workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _good_bytes() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    sheet = book.active
    sheet.title = "Organisations"
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    book.save(buffer)
    return buffer.getvalue()


def _inputs(folder: Path) -> Path:
    inputs = folder / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    return inputs


def _refine_file(folder: Path, name: str, content: bytes | str, *extra: str) -> Invocation:
    path = _inputs(folder) / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return Invocation(["refine", str(path), *extra])


def _refine_book(
    folder: Path, name: str, sheets: Mapping[str, Sequence[Sequence[object]]]
) -> Invocation:
    return Invocation(["refine", str(_workbook(_inputs(folder) / name, sheets))])


def _csv(rows: list[list[str]], *, newline: str = "\r\n") -> str:
    return newline.join(",".join(row) for row in rows) + newline


def _encrypted(rows: list[list[str]], password: str = "kestrel-2026") -> bytes:
    """A workbook behind a password to open, encrypted as Excel does (Agile encryption)."""
    plain = io.BytesIO()
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(plain)
    plain.seek(0)
    locked = io.BytesIO()
    OOXMLFile(plain).encrypt(password, locked)
    return locked.getvalue()


def _legacy_xls(rows: list[list[str]]) -> bytes:
    """A binary Excel 97-2003 workbook (BIFF8)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Organisations")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ods(rows: list[list[str]]) -> bytes:
    """An OpenDocument spreadsheet, as LibreOffice Calc saves one."""
    buffer = io.BytesIO()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame.to_excel(buffer, engine="odf", sheet_name="Organisations", index=False)
    return buffer.getvalue()


def _spaces(gigabytes: int, head: bytes = b"") -> tuple[bytes, int, int]:
    """A raw deflate stream of ``head`` and ``gigabytes`` GB of spaces, with its CRC and
    inflated size, built without ever holding the inflated bytes: deflate output for identical
    1 MB blocks after a full flush is identical, so one block's output is repeated."""
    block = b" " * 2**20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head + block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks = gigabytes * 1024
    data = first + repeat * (blocks - 1) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    return data, crc, len(head) + blocks * len(block)


def _zip_of(members: Sequence[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated members: (name, deflate stream, CRC, declared size)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = out.tell()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
        out.write(b"PK\x03\x04" + fields + encoded + data)
        directory.write(
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHII", 0, 0, 0, 0, offset)
            + encoded
        )
    central = directory.getvalue()
    start = out.tell()
    out.write(central)
    count = len(members)
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(central), start, 0))
    return out.getvalue()


def _bomb(member_gb: int = 2, members: int = 2) -> bytes:
    """An xlsx-named zip whose sheet parts inflate to ``members * member_gb`` GB of spaces."""
    data, crc, size = _spaces(member_gb)
    return _zip_of([(f"xl/worksheets/sheet{n + 1}.xml", data, crc, size) for n in range(members)])


def _lying_bomb() -> bytes:
    """A real workbook whose sheet part inflates to 2 GB while the zip says 200 kB: the size
    check believes the directory, so it is the reader that must stop at the declared size."""
    plain = io.BytesIO()
    book = Workbook()
    book.active.title = "Organisations"
    for row in [HEADER, *ROWS]:
        book.active.append(row)
    book.save(plain)
    members = []
    with zipfile.ZipFile(plain) as archive:
        for info in archive.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                head = b'<?xml version="1.0"?><worksheet><sheetData>'
                data, crc, _ = _spaces(2, head)
                members.append((info.filename, data, crc, 200_000))
            else:
                raw = archive.read(info.filename)
                compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
                deflated = compressor.compress(raw) + compressor.flush()
                members.append((info.filename, deflated, zlib.crc32(raw), len(raw)))
    return _zip_of(members)


def _landing_with(folder: Path, link: Callable[[Path, Path], None]) -> Invocation:
    """A landing area whose one partition is reached through ``link(landing, outside)``."""
    landing, outside = folder / "landing", folder / "outside"
    outside.mkdir(parents=True)
    (outside / "orgs.csv").write_text(_csv([HEADER, *ROWS]), encoding="utf-8")
    landing.mkdir()
    link(landing, outside)
    return Invocation(
        ["backfill", "--from", "2026-01-01", "--to", "2026-01-01", "--landing", str(landing)]
    )


def _symlinked_file(landing: Path, outside: Path) -> None:
    partition = landing / "dt=2026-01-01"
    partition.mkdir()
    (partition / "orgs.csv").symlink_to(outside / "orgs.csv")


def _dotdot_partition(landing: Path, outside: Path) -> None:
    (landing / "dt=2026-01-01").symlink_to(Path("..") / outside.name, target_is_directory=True)


def _profile(folder: Path, text: str) -> Invocation:
    data = _inputs(folder) / "orgs.csv"
    profile = folder / "profile.yaml"
    profile.write_text(text, encoding="utf-8")
    data.write_text(_csv([HEADER, *ROWS]), encoding="utf-8")
    return Invocation(["refine", str(data), "--profile", str(profile)])


_PROFILE = """\
name: crm
description: A CRM export of organisations.
detect: {fallback: true}
source_priority: 40
privacy_basis: legitimate_interest
sheets:
  - name: "*"
    role: organisation
    columns:
      organisation_name: {synonyms: [Organisation Name], required: true}
"""


def _header_on_row_40() -> list[Sequence[object]]:
    preamble: list[Sequence[object]] = [["CRM export"], ["Generated by the nightly job"]]
    preamble += [[] for _ in range(37)]
    return [*preamble, HEADER, *ROWS]


def _wide_rows(columns: int) -> list[Sequence[object]]:
    header = HEADER + [f"Field {n}" for n in range(len(HEADER), columns)]
    return [header, *[row + [None] * (columns - len(row) - 1) + ["x"] for row in ROWS]]


def _wide_csv(folder: Path) -> Invocation:
    path = _inputs(folder) / "wide.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "," + ",".join(f"f{n}" for n in range(1_000_000)) + "\r\n")
        for row in ROWS:
            handle.write(",".join(row) + "," * 1_000_000 + "\r\n")
    return Invocation(["refine", str(path)])


def _huge_file(folder: Path) -> Invocation:
    path = _inputs(folder) / "huge.csv"
    row = ",".join(ROWS[0]) + "\r\n"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "\r\n")
        handle.write(row * (3 * 2**20 // len(row)))
    return Invocation(["refine", str(path)], env={"HOTPASS_MAX_INPUT_MB": "2"})


def _formula_and_errors(folder: Path) -> Invocation:
    path = _workbook(
        _inputs(folder) / "formulas.xlsx",
        {"Organisations": [HEADER, *ROWS, ['=A2&" Branch"', "=B2", "#REF!", "#N/A", "#DIV/0!"]]},
    )
    return Invocation(["refine", str(path)])


def _same_file_name(folder: Path) -> Invocation:
    paths = []
    for part in ("east", "west"):
        path = _inputs(folder) / part / "orgs.csv"
        path.parent.mkdir()
        path.write_text(_csv([HEADER, *ROWS]), encoding="utf-8", newline="")
        paths.append(str(path))
    return Invocation(["refine", *paths])


def _lock_file_only(folder: Path) -> Invocation:
    inputs = _inputs(folder)
    (inputs / "~$orgs.xlsx").write_bytes(b"\0" * 162)
    return Invocation(["refine", str(inputs)])


def _settings_unknown_key(folder: Path) -> Invocation:
    data = _inputs(folder) / "orgs.csv"
    config = folder / "hotpass.toml"
    config.write_text("workspace_dir = 'x'\nmax_input_mb = 'lots'\n", encoding="utf-8")
    data.write_text(_csv([HEADER, *ROWS]), encoding="utf-8")
    return Invocation(["refine", str(data), "--config", str(config)])


TRUNCATED = _good_bytes()[: len(_good_bytes()) // 2]
LONG_NAME = "Kestrel " + "Aero " * 6552  # 32,768 characters: one past Excel's cell limit

CASES: list[Case] = [
    # -- files that cannot be opened ----------------------------------------------------------
    Case(
        "corrupt-zip",
        "an .xlsx that is a broken zip",
        lambda d: _refine_file(d, "broken.xlsx", b"PK\x03\x04" + os.urandom(64)),
        ERROR,
        2,
        "corrupt workbook",
    ),
    Case(
        "truncated-xlsx",
        "a workbook cut off half-way through the download",
        lambda d: _refine_file(d, "truncated.xlsx", TRUNCATED),
        ERROR,
        2,
        "corrupt workbook",
    ),
    Case(
        "password-protected",
        "a workbook with a password to open (Excel's Agile encryption)",
        lambda d: _refine_file(d, "locked.xlsx", _encrypted([HEADER, *ROWS])),
        ERROR,
        2,
        "password-protected",
    ),
    Case(
        "xls-as-xlsx",
        "a legacy .xls (BIFF8) renamed .xlsx",
        lambda d: _refine_file(d, "legacy.xlsx", _legacy_xls([HEADER, *ROWS])),
        ERROR,
        2,
        "legacy .xls",
    ),
    Case(
        "ods-as-xlsx",
        "an OpenDocument spreadsheet renamed .xlsx",
        lambda d: _refine_file(d, "calc.xlsx", _ods([HEADER, *ROWS])),
        ERROR,
        2,
        "OpenDocument",
    ),
    Case(
        "csv-as-xlsx",
        "a CSV file renamed .xlsx",
        lambda d: _refine_file(d, "export.xlsx", _csv([HEADER, *ROWS])),
        ERROR,
        2,
        "text file",
    ),
    Case(
        "empty-xlsx",
        "an .xlsx of zero bytes",
        lambda d: _refine_file(d, "empty.xlsx", b""),
        ERROR,
        2,
        "file is empty",
    ),
    Case(
        "empty-csv",
        "a .csv of zero bytes",
        lambda d: _refine_file(d, "empty.csv", b""),
        ERROR,
        2,
        "file is empty",
    ),
    Case(
        "unsupported-type",
        "a PDF among the inputs",
        lambda d: _refine_file(d, "brochure.pdf", b"%PDF-1.7\n"),
        ERROR,
        2,
        "unsupported file type",
    ),
    Case(
        "binary-csv",
        "binary bytes named .csv",
        lambda d: _refine_file(d, "garbage.csv", bytes(range(256)) * 16),
        ERROR,
        2,
        "unreadable encoding",
    ),
    Case(
        "missing-file",
        "a path that does not exist",
        lambda d: Invocation(["refine", str(d / "inputs" / "absent.xlsx")]),
        ERROR,
        2,
        "does not exist",
    ),
    Case(
        "same-file-name",
        "two inputs named orgs.csv from two folders",
        _same_file_name,
        ERROR,
        2,
        "inputs have this file name",
    ),
    Case(
        "lock-file-only",
        "a folder holding only an Office lock file (~$orgs.xlsx)",
        _lock_file_only,
        ERROR,
        2,
        "no .xlsx or .csv inputs",
    ),
    Case(
        "huge-file",
        "a 3 MB CSV with HOTPASS_MAX_INPUT_MB=2",
        _huge_file,
        ERROR,
        2,
        "above the 2 MB limit",
    ),
    Case(
        "zip-bomb",
        "an .xlsx whose parts inflate to 4 GB of spaces",
        lambda d: _refine_file(d, "bomb.xlsx", _bomb()),
        ERROR,
        2,
        "inflates to",
    ),
    Case(
        "zip-bomb-lying-sizes",
        "a workbook whose sheet inflates to 2 GB while its zip directory says 200 kB",
        lambda d: _refine_file(d, "liar.xlsx", _lying_bomb()),
        ERROR,
        2,
        "damaged",
    ),
    # -- sheets and headers -----------------------------------------------------------------
    Case(
        "empty-sheet",
        "a workbook whose only sheet is empty",
        lambda d: _refine_book(d, "blank.xlsx", {"Sheet1": []}),
        ERROR,
        2,
        "'Sheet1' is empty",
    ),
    Case(
        "header-only",
        "a header row and no data rows",
        lambda d: _refine_book(d, "header.xlsx", {"Organisations": [HEADER]}),
        ERROR,
        2,
        "no data rows",
    ),
    Case(
        "blank-rows-only",
        "a header and rows of empty strings and spaces",
        lambda d: _refine_file(d, "blank.csv", _csv([HEADER, [" "] * 5, [""] * 5])),
        ERROR,
        2,
        "no data rows",
    ),
    Case(
        "duplicate-headers",
        "two columns both headed Province",
        lambda d: _refine_book(
            d, "dupes.xlsx", {"Organisations": [[*HEADER, "Province"], *[[*r, "GP"] for r in ROWS]]}
        ),
        ERROR,
        2,
        "duplicate header in columns E, F",
    ),
    Case(
        "header-on-row-40",
        "the header on row 40 under a title and 37 empty rows",
        lambda d: _refine_book(d, "deep.xlsx", {"Organisations": _header_on_row_40()}),
        ACCEPTED,
        0,
        "",
        "all six organisations",
        lambda rows: names(rows) == {row[0] for row in ROWS},
    ),
    Case(
        "merged-header-cells",
        "a merged title over a header with a merged two-column cell",
        lambda d: _merged(d),
        ACCEPTED,
        0,
        "",
        "all six organisations with their provinces",
        lambda rows: len(rows) == 6 and all(row["province"] for row in rows),
    ),
    Case(
        "missing-required-sheet",
        "--profile reachout on a workbook without its sheets",
        lambda d: Invocation(
            [
                *_refine_book(d, "orgs.xlsx", {"Organisation": [HEADER, *ROWS]}).args,
                "--profile",
                "reachout",
            ]
        ),
        ERROR,
        2,
        "sheet required by profile 'reachout' is missing",
    ),
    Case(
        "wide-sheet-xlsx",
        "a sheet at Excel's limit of 16,384 columns",
        lambda d: _refine_book(d, "wide.xlsx", {"Organisations": _wide_rows(16_384)}),
        ACCEPTED,
        0,
        "",
        "all six organisations",
        lambda rows: names(rows) == {row[0] for row in ROWS},
    ),
    Case(
        "wide-sheet-csv",
        "a CSV 1,000,005 columns wide",
        _wide_csv,
        ERROR,
        2,
        "columns, above the limit",
    ),
    # -- cells --------------------------------------------------------------------------------
    Case(
        "formulas-and-errors",
        "a row of formulas never calculated and #REF! / #N/A / #DIV/0! error values",
        _formula_and_errors,
        ACCEPTED,
        0,
        "",
        "the six good rows; the row of errors reads as empty and is counted as blank",
        lambda rows: names(rows) == {row[0] for row in ROWS},
    ),
    Case(
        "long-cell-xlsx",
        "an organisation name of 32,768 characters",
        lambda d: _refine_book(
            d, "long.xlsx", {"Organisations": [HEADER, *ROWS, [LONG_NAME, "", "", "", ""]]}
        ),
        QUARANTINE,
        0,
        "organisation_name_too_long",
    ),
    Case(
        "long-cell-csv",
        "a CSV cell of 1 MB",
        lambda d: _refine_file(
            d, "long.csv", _csv([HEADER, *ROWS, ["x" * 2**20, "", "", "", ""]])
        ),
        ERROR,
        2,
        "field larger than field limit",
    ),
    Case(
        "nul-and-control-chars",
        "NUL, bell, escape and backspace characters inside cells",
        lambda d: _refine_file(
            d,
            "control.csv",
            _csv(
                [
                    HEADER,
                    [
                        "Kestrel\x00 Aero\x07 Club",
                        "+27 11 555\x1b[2J 0101",
                        "ops@kestrel-aero.invalid",
                        "kestrel-aero.invalid",
                        "Gau\x08teng",
                    ],
                    *ROWS[1:],
                ]
            ),
        ),
        ACCEPTED,
        0,
        "",
        "names and provinces without control characters",
        lambda rows: _clean_text(rows)
        and "Kestrel Aero Club" in names(rows)
        and "Gauteng" in {row["province"] for row in rows},
    ),
    Case(
        "mixed-encodings",
        "a CSV with UTF-8 lines and Windows-1252 lines",
        lambda d: _refine_file(
            d,
            "mixed.csv",
            _csv([HEADER, ROWS[0]]).encode("utf-8")
            + "A\u00e9ro Club Bo\u00eete,021 555 0104,,,Gauteng\r\n".encode("cp1252")
            + "Caf\u00e9 Aviation,021 555 0105,,,Gauteng\r\n".encode(),
        ),
        ACCEPTED,
        0,
        "",
        "both encodings' accents decoded",
        lambda rows: {"A\u00e9ro Club Bo\u00eete", "Caf\u00e9 Aviation"} <= names(rows),
    ),
    Case(
        "utf8-bom",
        "a UTF-8 CSV starting with a byte-order mark",
        lambda d: _refine_file(d, "bom.csv", b"\xef\xbb\xbf" + _csv([HEADER, *ROWS]).encode()),
        ACCEPTED,
        0,
        "",
        "all six organisations",
        lambda rows: names(rows) == {row[0] for row in ROWS},
    ),
    Case(
        "utf16-csv",
        "a UTF-16 CSV (Excel's 'Unicode text')",
        lambda d: _refine_file(d, "unicode.csv", _csv([HEADER, *ROWS]).encode("utf-16")),
        ACCEPTED,
        0,
        "",
        "all six organisations",
        lambda rows: names(rows) == {row[0] for row in ROWS},
    ),
    Case(
        "emoji-and-rtl",
        "emoji, Arabic and Hebrew names and a right-to-left mark",
        lambda d: _refine_book(
            d,
            "world.xlsx",
            {
                "Organisations": [
                    HEADER,
                    *ROWS,
                    ["\u2708\ufe0f Sky Club \U0001F681", "021 555 0106", "", "", "Gauteng"],
                    [
                        "\u0646\u0627\u062f\u064a \u0627\u0644\u0637\u064a\u0631\u0627\u0646",
                        "021 555 0107",
                        "",
                        "",
                        "",
                    ],
                    [
                        "\u200f\u05de\u05d5\u05e2\u05d3\u05d5\u05df \u05ea\u05e2\u05d5\u05e4\u05d4",
                        "021 555 0108",
                        "",
                        "",
                        "",
                    ],
                ]
            },
        ),
        ACCEPTED,
        0,
        "",
        "nine organisations, the Arabic and Hebrew names as written",
        lambda rows: len(rows) == 9
        and "\u0646\u0627\u062f\u064a \u0627\u0644\u0637\u064a\u0631\u0627\u0646" in names(rows),
    ),
    Case(
        "dates-as-serials",
        "reach-out dates as Excel serial numbers, text and ISO",
        lambda d: _refine_book(
            d,
            "reachout.xlsx",
            {
                "Organisation": [
                    ["ID", "Organisation Name", "Reachout Date", "Area"],
                    [1, ROWS[0][0], 45300, "Gauteng"],
                    [2, ROWS[1][0], "45301", "Gauteng"],
                    [3, ROWS[2][0], "2024-01-09", "Gauteng"],
                ],
                "Contact Info": [["ID", "Organisation Name", "Firstname", "Email"]],
            },
        ),
        ACCEPTED,
        0,
        "",
        "the dates 2024-01-09, 2024-01-10, 2024-01-09",
        lambda rows: sorted(str(row["last_interaction_date"]) for row in rows)
        == ["2024-01-09", "2024-01-09", "2024-01-10"],
    ),
    Case(
        "phone-as-float-text",
        "phones as scientific-notation text and as floats",
        lambda d: _refine_file(
            d,
            "floats.csv",
            _csv(
                [
                    HEADER,
                    [ROWS[0][0], "2.7115550101E+10", "", "", "Gauteng"],
                    [ROWS[1][0], "27215550102.0", "", "", "Gauteng"],
                    ROWS[2],
                ]
            ),
        ),
        ACCEPTED,
        0,
        "",
        "both phones as E.164 numbers",
        lambda rows: {"+27115550101", "+27215550102"} <= {p for row in rows for p in row["phones"]},
    ),
    Case(
        "wrong-types",
        "numbers and booleans where names, phones and emails belong",
        lambda d: _refine_book(
            d, "types.xlsx", {"Organisations": [HEADER, *ROWS, [12345, True, 3.5, 42, 7]]}
        ),
        QUARANTINE,
        0,
        "organisation_name_no_letters",
    ),
    # -- landing area -------------------------------------------------------------------------
    Case(
        "symlink-outside-landing",
        "a landing partition file that is a symlink to elsewhere",
        lambda d: _landing_with(d, _symlinked_file),
        ERROR,
        1,
        "outside the landing area",
    ),
    Case(
        "dotdot-partition",
        "a partition folder that is a symlink to ../outside",
        lambda d: _landing_with(d, _dotdot_partition),
        ERROR,
        1,
        "outside the landing area",
    ),
    # -- profiles and settings -----------------------------------------------------------------
    Case(
        "profile-unknown-key",
        "a profile YAML with a misspelt key (synonym: instead of synonyms:)",
        lambda d: _profile(d, _PROFILE.replace("synonyms", "synonym")),
        ERROR,
        2,
        "synonym",
    ),
    Case(
        "profile-wrong-type",
        "a profile YAML whose source_priority is a word",
        lambda d: _profile(d, _PROFILE.replace("source_priority: 40", "source_priority: high")),
        ERROR,
        2,
        "source_priority",
    ),
    Case(
        "profile-not-yaml",
        "a profile file that is not YAML at all",
        lambda d: _profile(d, "name: [crm\n  sheets: {\n"),
        ERROR,
        2,
        "profile.yaml",
    ),
    Case(
        "settings-wrong-type",
        "a settings file with an unknown key and a wrong type",
        _settings_unknown_key,
        ERROR,
        2,
        "max_input_mb",
    ),
]


def _merged(folder: Path) -> Invocation:
    book = Workbook()
    sheet = book.active
    sheet.title = "Organisations"
    sheet.append(["Flight schools and operators"])
    sheet.merge_cells("A1:F1")
    sheet.append([*HEADER, None])
    sheet.merge_cells("E2:F2")  # "Province" spans two columns; F holds the district
    for row in ROWS:
        sheet.append([*row, "District"])
    path = _inputs(folder) / "merged.xlsx"
    book.save(path)
    return Invocation(["refine", str(path)])


def write_corpus(out: Path) -> dict[str, Invocation]:
    """Build every case into ``out/<case name>/``; returns each case's invocation."""
    return {case.name: case.build(out / case.name) for case in CASES}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    for name, invocation in write_corpus(target).items():
        print(name, " ".join(invocation.args))
