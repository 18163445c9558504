import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import hotpass.ingest as ingest_module
from hotpass.errors import InputError
from hotpass.ingest import ingest
from hotpass.ingest.readers import cell_text, open_source
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


def run(paths, profile=None):
    return ingest(
        paths, profile=load_profile(profile) if profile else None, profiles=builtin_profiles()
    )


def test_cell_text_keeps_whole_numbers_whole():
    assert cell_text(27831234567.0) == "27831234567"
    assert cell_text(27831234567) == "27831234567"
    assert cell_text(2.5) == "2.5"
    assert cell_text("  ") is None
    assert cell_text(None) is None


def test_title_row_blank_first_column_and_record_ids(tmp_path):
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
    result = run([path])
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


def test_leading_empty_rows_and_columns_keep_excel_numbering(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet["C7"], sheet["D7"] = "Organisation Name", "Phone"
    sheet["C8"], sheet["D8"] = "Crane Air", 27831234567
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    rows = run([path]).raw.to_pylist()
    assert [(r["record_id"], r["organisation_name"], r["phone"]) for r in rows] == [
        ("offset.xlsx::Data::8", "Crane Air", "27831234567")
    ]


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
