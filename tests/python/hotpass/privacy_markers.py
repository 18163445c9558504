"""Marker personal data for the POPIA tests: unique names, emails and a phone number that can
be searched for in everything a run leaves behind, and marker lakeFS credentials.

Synthetic: ``.invalid`` domains, and a valid-looking mobile number no one is issued for tests.
"""

from __future__ import annotations

from pathlib import Path

MARKER = "qzvxmarker"  # in every name and email below, matched case-insensitively
PHONE_DIGITS = "827394817"  # 082 739 4817, a valid South African mobile number
ACCESS_KEY = "AKIAQZVXACCESSKEY"
SECRET_KEY = "qzvx-secret-access-value-41f7"
MARKER_ROWS = [
    "Organisation Name;Phone;Email;Contact Person;Province",
    f"Qzvxmarker Aviation;082 739 4817;ops@{MARKER}.invalid;"
    "Qzvxmarker Nomvula (Chief Pilot);Gauteng",
    f"Qzvxmarker Flight Training;+27 82 739 4817;Qzvxmarker.Pieter@{MARKER}.invalid;;Limpopo",
    f"Qzvxmarker Aero Club;;club@{MARKER}.invalid;;Free State",
    f"Qzvxmarker Helicopters;;heli@{MARKER}.invalid;Qzvxmarker Thabo (Owner);North West",
    "Qzvxmarker Charter;;;;Northern Cape",
    f";;lost@{MARKER}.invalid;Qzvxmarker Orphan;",  # no name: quarantined (1 row in 7)
    f"Qzvxmarker Brokers;not a phone;broken-{MARKER}@@invalid;;Mpumalanga",
]
# Columnar tables (Parquet, Arrow IPC) are the published data and caches of it.
COLUMNAR = (b"PAR1", b"ARROW1")


def write_markers(path: Path) -> Path:
    """A CSV of the marker rows, which refines (one row is quarantined)."""
    path.write_text("\r\n".join(MARKER_ROWS) + "\r\n", encoding="utf-8")
    return path


def write_broken_markers(path: Path) -> Path:
    """The marker rows followed by an unclosed quote: an input that a refine refuses, and
    whose parser error would quote the row if it were passed on."""
    path.write_text(
        "\r\n".join(MARKER_ROWS) + f'\r\n"Qzvxmarker Unclosed;{"x" * 200_000}\r\n',
        encoding="utf-8",
    )
    return path


def leaks(data: bytes) -> list[str]:
    """Which markers and secrets ``data`` holds."""
    lowered = data.lower()
    found = [m for m in (MARKER, PHONE_DIGITS) if m.encode() in lowered]
    return found + [s for s in (ACCESS_KEY, SECRET_KEY) if s.encode() in data]


def leaks_in_files(root: Path) -> dict[str, list[str]]:
    """Every non-columnar file under ``root`` with the markers it holds (possibly none), so a
    caller can also check which files were searched."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if not data.startswith(COLUMNAR):
                found[str(path)] = leaks(data)
    return found
