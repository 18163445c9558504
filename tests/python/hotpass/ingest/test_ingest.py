import csv
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import hotpass.ingest as ingest_module
from hotpass.errors import InputError
from hotpass.ingest import ingest
from hotpass.ingest.readers import STREAM_ABOVE, SharedStringsOnDisk, cell_text, open_source
from hotpass.profiles import builtin_profiles, load_profile
from hotpass.profiles.model import Profile


def save(tmp_path: Path, name: str, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in sheets.items():
        worksheet = workbook.create_sheet(sheet)
        for row in rows:
            worksheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(paths, profile=None, stream_above=STREAM_ABOVE):
    return ingest(
        paths,
        profile=load_profile(profile) if profile else None,
        profiles=builtin_profiles(),
        stream_above=stream_above,
    )


# Both ways a workbook is read: a sheet at a time (calamine), a row at a time (openpyxl).
READERS = pytest.mark.parametrize(
    "stream_above", [STREAM_ABOVE, 0], ids=["a-sheet-at-a-time", "a-row-at-a-time"]
)


def rewrite_parts(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Rewrite a workbook's zip package in place; ``change`` edits its parts by name."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a workbook's zip package in place."""
    rewrite_parts(path, lambda parts: parts.update({member: change(parts[member])}))


def test_cell_text_keeps_whole_numbers_whole():
    assert cell_text(27831234567.0) == "27831234567"
    assert cell_text(27831234567) == "27831234567"
    assert cell_text(2.5) == "2.5"
    assert cell_text("  ") is None
    assert cell_text(None) is None


@READERS
def test_title_row_blank_first_column_and_record_ids(tmp_path, stream_above):
    path = save(
        tmp_path,
        "orgs.xlsx",
        {
            "Data": [
                ["Flight schools we know"],
                [None, "Organisation Name", "Phone", "Website"],
                [None, "Crane Air", 27831234567, "crane-air.co.za"],
                [None, None, None, None],
                [None, "Kestrel Aero", "+27 11 805 9015", None],
            ]
        },
    )
    result = run([path], stream_above=stream_above)
    assert result.inputs[0].profile == "generic"
    assert result.inputs[0].blank_skipped == 1
    rows = result.raw.to_pylist()
    assert [r["record_id"] for r in rows] == ["orgs.xlsx::Data::3", "orgs.xlsx::Data::5"]
    assert rows[0]["phone"] == "27831234567"
    assert rows[0]["file_sha256"] == result.inputs[0].sha256


def test_csv_encoding_is_detected(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Company;Province\r\nA\u00e9ro Crane;Gauteng\r\n".encode("cp1252"))
    rows = run([path]).raw.to_pylist()
    assert rows[0]["organisation_name"] == "A\u00e9ro Crane"
    assert rows[0]["record_id"] == "export.csv::csv::2"


def test_family_is_detected_and_missing_required_column_is_named(tmp_path):
    path = save(
        tmp_path,
        "sacaa-like.xlsx",
        {"Cleaned": [["Province", "Status"], ["Gauteng", "Active"]]},
    )
    with pytest.raises(InputError) as caught:
        run([path])
    message = str(caught.value)
    assert "sacaa-like.xlsx" in message
    assert "sheet 'Cleaned'" in message


def test_duplicate_mapped_header_is_an_error_naming_the_columns(tmp_path):
    path = save(
        tmp_path,
        "dupe.xlsx",
        {"Cleaned": [["Name of Organisation", "Province", "Province"], ["Crane Air", "GP", "WC"]]},
    )
    with pytest.raises(
        InputError, match=r"column 'Province', row 1: duplicate header in columns B, C"
    ):
        run([path])


def test_no_profile_fits_names_the_closest_and_what_it_lacks(tmp_path):
    path = save(tmp_path, "odd.xlsx", {"Company_Cat": [["Nothing", "Useful"], ["x", "y"]]})
    with pytest.raises(
        InputError, match=r"closest family is 'contact_database'.*'Company_Contacts'"
    ):
        run([path])


def test_forced_profile_with_missing_sheet(tmp_path):
    path = save(
        tmp_path, "r.xlsx", {"Organisation": [["Organisation Name", "ID"], ["Crane Air", 1]]}
    )
    with pytest.raises(
        InputError, match=r"r.xlsx, sheet 'Contact Info': sheet required by profile 'reachout'"
    ):
        run([path], profile="reachout")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "corrupt workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le"), "password"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "legacy .xls"),
        (b"Company,Phone\r\nKestrel Aero,021 555 0101\r\n", "a text file named .xlsx"),
    ],
)
def test_corrupt_and_encrypted_workbooks(tmp_path, content, message):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        open_source(path)


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        open_source(tmp_path / "absent.xlsx")
    other = tmp_path / "notes.docx"
    other.write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported file type"):
        open_source(other)


def test_binary_csv_is_an_unreadable_encoding(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="garbage.csv: unreadable encoding"):
        open_source(path)


def test_too_large_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"Company\n" + b"x" * 2048)
    with pytest.raises(InputError, match=r"big.csv: file is 0 MB, above the 0 MB limit"):
        open_source(path, max_bytes=1024)


def test_zip_bomb_workbook_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 2**20))
    assert path.stat().st_size < 2**20
    with pytest.raises(InputError, match="bomb.xlsx: workbook inflates to 4 MB"):
        open_source(path, max_bytes=2**18)


SAMPLES = sorted(Path("samples").glob("*.[cx]*"))


def test_the_samples_are_here():
    # The tests over SAMPLES would pass on an empty list.
    assert len(SAMPLES) >= 4


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chunk=st.integers(min_value=1, max_value=40))
def test_the_raw_table_does_not_depend_on_the_chunk_size(monkeypatch, chunk):
    """Rows are mapped a chunk at a time; continuation rows must still find the organisation
    row above them when a chunk boundary falls between the two."""
    whole = run(SAMPLES)
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", chunk)
    chunked = run(SAMPLES)
    assert chunked.raw.equals(whole.raw)
    assert [vars(s) for s in chunked.inputs] == [vars(s) for s in whole.inputs]


def test_continuation_rows_attach_across_chunks_to_the_nearest_named_row(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    register = Profile.model_validate(
        {
            "name": "register",
            "description": "a register whose satellite stations follow their organisation",
            "source_priority": 50,
            "privacy_basis": "public_register",
            "detect": {"required_sheets": ["CAA"]},
            "sheets": [
                {
                    "name": "CAA",
                    "role": "organisation",
                    "header": {"min_matches": 2},
                    "columns": {
                        "organisation_name": {"synonyms": ["NAME"], "required": True},
                        "address": {"synonyms": ["LOCATION"]},
                    },
                    "continuation": {"when_blank": "organisation_name"},
                }
            ],
        }
    )
    path = save(
        tmp_path,
        "caa.xlsx",
        {
            "CAA": [
                ["NAME", "LOCATION"],
                [None, "1 Runway Road"],
                ["Crane Air", "Hangar 4"],
                [None, "PO Box 1"],
                [None, None],
                [None, "PO Box 2"],
                ["Kestrel Aero", "Hangar 9"],
                [None, "PO Box 3"],
            ]
        },
    )
    raw = ingest([path], profile=register, profiles=[register]).raw.to_pylist()
    by_row = {r["excel_row"]: (r["role"], r["parent_record_id"]) for r in raw}
    assert by_row == {
        2: ("organisation", None),  # nothing named above it: stays an (unnamed) organisation
        3: ("organisation", None),
        4: ("address", "caa.xlsx::CAA::3"),
        6: ("address", "caa.xlsx::CAA::3"),  # the blank row 5 does not break the link
        7: ("organisation", None),
        8: ("address", "caa.xlsx::CAA::7"),
    }


@READERS
def test_leading_empty_rows_and_columns_keep_excel_numbering(tmp_path, stream_above):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet["C7"], sheet["D7"] = "Organisation Name", "Phone"
    sheet["C8"], sheet["D8"] = "Crane Air", 27831234567
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    rows = run([path], stream_above=stream_above).raw.to_pylist()
    assert [(r["record_id"], r["organisation_name"], r["phone"]) for r in rows] == [
        ("offset.xlsx::Data::8", "Crane Air", "27831234567")
    ]


def test_a_workbook_read_a_row_at_a_time_gives_the_rows_read_a_sheet_at_a_time():
    """Past ``stream_workbooks_above_mb`` openpyxl reads the workbook a row at a time: the
    raw rows and counts stay the same, formatted empty rows below a sheet's data included."""
    whole = run(SAMPLES)
    said: list[str] = []
    streamed = ingest(
        SAMPLES, profile=None, profiles=builtin_profiles(), progress=said.append, stream_above=0
    )
    assert streamed.raw.equals(whole.raw)

    def counts(result):
        return [{k: v for k, v in vars(s).items() if k != "read_by_row"} for s in result.inputs]

    assert counts(streamed) == counts(whole)
    assert sum(s.blank_skipped for s in whole.inputs) > 0
    workbooks = [p.suffix == ".xlsx" for p in SAMPLES]
    assert [s.read_by_row for s in streamed.inputs] == workbooks
    assert not any(s.read_by_row for s in whole.inputs)
    assert len([m for m in said if "a row at a time" in m]) == sum(workbooks)


NAMED: list[list[object]] = [
    ["Crane Air", "021 555 0101"],
    ["Kestrel Aero", "021 555 0102"],
    ["Hadeda", None],
]


def test_a_stale_dimension_tag_cuts_no_row_off_a_workbook_read_a_row_at_a_time(tmp_path):
    path = save(tmp_path, "orgs.xlsx", {"Data": [["Organisation Name", "Phone"], *NAMED]})
    rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B4"', b'<dimension ref="A1:B2"'),
    )
    assert b'<dimension ref="A1:B2"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    rows = run([path], stream_above=0).raw.to_pylist()
    assert [r["organisation_name"] for r in rows] == [row[0] for row in NAMED]


def test_a_damaged_sheet_read_a_row_at_a_time_names_the_file_and_sheet(tmp_path):
    path = save(tmp_path, "orgs.xlsx", {"Data": [["Organisation Name", "Phone"], *NAMED]})
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) * 2 // 3])
    with pytest.raises(InputError, match="sheet cannot be read") as caught:
        run([path], stream_above=0)
    assert (caught.value.file, caught.value.sheet) == ("orgs.xlsx", "Data")


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t>(.*?)</t></is></c>'
)
_MAIN = b"http://schemas.openxmlformats.org"


def with_shared_strings(path: Path) -> None:
    """Rewrite a workbook openpyxl saved (its texts inline in the cells) the way Excel saves
    one: every text in the shared-strings table, each cell pointing at it by index."""
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(3))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (
            match.group(1),
            match.group(2) or b"",
            len(strings) - 1,
        )

    def tabled(parts: dict[str, bytes]) -> None:
        for name in [n for n in parts if n.startswith("xl/worksheets/")]:
            parts[name] = _INLINE.sub(shared, parts[name])
        parts["xl/sharedStrings.xml"] = (
            b'<sst xmlns="%s/spreadsheetml/2006/main">' % _MAIN
            + b"".join(b'<si><t xml:space="preserve">%s</t></si>' % text for text in strings)
            + b"</sst>"
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Type="%s/officeDocument/2006/relationships/sharedStrings" '
            b'Target="sharedStrings.xml" Id="rIdStrings"/></Relationships>' % _MAIN,
        )

    rewrite_parts(path, tabled)


def test_shared_strings_read_from_disk_give_the_texts_calamine_gives(tmp_path):
    """Read a row at a time, a workbook's shared strings stay in a temporary file, not in
    memory: the texts must still be the ones calamine reads from the table."""
    books = [tmp_path / p.name for p in SAMPLES if p.suffix == ".xlsx"]
    for book in books:
        shutil.copy(Path("samples") / book.name, book)
        with_shared_strings(book)
    whole = run(books)
    streamed = run(books, stream_above=0)
    assert streamed.raw.equals(whole.raw)
    assert whole.raw.num_rows > 0
    source = open_source(books[0], stream_above=0)
    try:
        assert isinstance(source._strings, SharedStringsOnDisk)
        assert len(source._strings) > 100  # the texts are in the table, not inline
    finally:
        source.close()


def test_a_csv_cell_past_the_field_limit_names_the_row(tmp_path):
    path = tmp_path / "export.csv"
    long_note = "x" * (csv.field_size_limit() + 10)
    path.write_text(f"Organisation Name,Notes\nCrane Air,short\nKestrel Aero,{long_note}\n")
    with pytest.raises(InputError) as caught:
        run([path])
    assert caught.value.file == "export.csv"
    assert caught.value.row == 3
    assert long_note not in str(caught.value)


def test_a_csv_is_checked_for_utf8_beyond_the_sniffed_block(tmp_path):
    """A Windows-1252 byte far into an otherwise ASCII file decides the encoding."""
    path = tmp_path / "export.csv"
    lines = ["Organisation Name;Province"] + [f"Org {i};Gauteng" for i in range(200_000)]
    lines.append("A\u00e9ro Club;Gauteng")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    raw = run([path]).raw
    assert raw.num_rows == 200_001
    assert raw.column("organisation_name")[-1].as_py() == "A\u00e9ro Club"


def test_files_read_in_worker_processes_give_the_raw_rows_read_in_one(monkeypatch):
    one = ingest(SAMPLES, profile=None, profiles=builtin_profiles(), workers=1)
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_BYTES", 0)
    said: list[str] = []
    several = ingest(
        SAMPLES, profile=None, profiles=builtin_profiles(), workers=2, progress=said.append
    )
    assert f"ingest: {len(SAMPLES)} input(s) over 2 processes" in said
    assert len([m for m in said if " row(s) in " in m]) == len(SAMPLES)
    assert several.raw.equals(one.raw)
    assert [vars(s) for s in several.inputs] == [vars(s) for s in one.inputs]
    assert several.rows == one.rows > 0


def test_a_bad_file_read_in_a_worker_process_is_named_as_in_one(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_BYTES", 0)
    broken = save(tmp_path, "broken.xlsx", {"Data": [["Nothing"], ["that looks like a header"]]})
    with pytest.raises(InputError) as one:
        ingest([*SAMPLES, broken], profile=None, profiles=builtin_profiles(), workers=1)
    with pytest.raises(InputError) as several:
        ingest([*SAMPLES, broken], profile=None, profiles=builtin_profiles(), workers=2)
    assert str(several.value) == str(one.value)
    assert several.value.file == "broken.xlsx"
    assert several.value.sheet == one.value.sheet
