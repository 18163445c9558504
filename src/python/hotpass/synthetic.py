"""Seeded generator of synthetic workbooks with every defect of the real source families.

Nothing here is real: organisation names are random word pairs, people are random first-name
and surname pairs, phone numbers and domains are random. The same seed and scale always give
the same cell contents. ``scale`` multiplies the row counts (for throughput benchmarks).

Sales outcomes follow the organisation's traits (:func:`conversion_probability`), so a lead
model has something real to learn and a model trained on shuffled labels has nothing.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hotpass.standardise.provinces import Province

_WORDS_A = [
    "Blue",
    "Crane",
    "Karoo",
    "Highveld",
    "Lowveld",
    "Falcon",
    "Kestrel",
    "Summit",
    "Coastal",
    "Savanna",
    "Baobab",
    "Protea",
    "Springbok",
    "Zenith",
    "Horizon",
    "Thermal",
    "Aurora",
    "Granite",
    "Silver",
    "Amber",
    "Vaal",
    "Table",
    "Drakens",
    "Limpopo",
    "Orange",
    "Jacaranda",
    "Marula",
    "Fynbos",
    "Agulhas",
    "Kalahari",
    "Eagle",
    "Condor",
    "Osprey",
    "Hornbill",
]
_WORDS_B = [
    "Aviation",
    "Flight Academy",
    "Aero",
    "Helicopters",
    "Air Charter",
    "Aero Maintenance",
    "Flying Club",
    "Air Services",
    "Aviation Training",
    "Airways",
    "Aero Engineering",
]
_FIRST = [
    "Thandi",
    "Pieter",
    "Lerato",
    "Johan",
    "Ayanda",
    "Megan",
    "Sipho",
    "Ruan",
    "Naledi",
    "Craig",
    "Zanele",
    "Werner",
    "Busi",
    "Liam",
    "Palesa",
    "Hennie",
    "Nomsa",
    "Dylan",
    "Karabo",
    "Anel",
]
_LAST = [
    "Mokoena",
    "van Wyk",
    "Dlamini",
    "Botha",
    "Naidoo",
    "Khumalo",
    "Smit",
    "Pillay",
    "Nkosi",
    "Venter",
    "Mahlangu",
    "Fourie",
    "Zulu",
    "du Plessis",
    "Mthembu",
    "Coetzee",
    "Sithole",
]
_ROLES = ["CFI", "Owner", "Accountable Manager", "Chief Pilot", "Operations", "Admin", "CEO"]
_PROVINCE_SPELLINGS = [
    "Gauteng",
    "gauteng",
    "GP",
    "Western Cape",
    "W Cape",
    "Kwa-Zulu Natal",
    "KZN",
    "KwaZulu-Natal",
    "Free State",
    "Eastern Cape",
    "Limpopo",
    "Mpumalanga",
    "North West",
    "Northern Cape",
]
_TOWNS = [
    "Lanseria",
    "Durban",
    "Cape Town",
    "Rand Airport",
    "Wonderboom",
    "Grand Central",
    "Stellenbosch",
    "Port Elizabeth",
    "Bloemfontein",
    "Polokwane",
    "Nelspruit",
]
_TYPES = [
    "Fixed-wing",
    "Helicopter",
    "Fixed-wing and Helicopter",
    "UAVs",
    "Gyroplane",
    "Fixed wing",
    "Microlight",
    "Fixed-Wing, Helicopter",
]
_LEGAL = ["", " (Pty) Ltd", " (pty) Ltd", " CC", " Pty Ltd", " (PTY) LTD"]
_GENERIC_MAIL = ["gmail.com", "yahoo.com", "mweb.co.za"]


@dataclass
class _Labels:
    """The true organisation behind every organisation row written (for the ER benchmark)."""

    rows: list[tuple[str, str]] = field(default_factory=list)

    def mark(self, path: Path, sheet: Any, uid: str) -> None:
        # The row the last append() wrote; max_row would rescan every cell (quadratic).
        self.rows.append((f"{path.name}::{sheet.title}::{sheet._current_row}", uid))


_CATEGORIES = ["ATO", "AMO", "Charter", "Broker"]
_DISTANCES = ["0km-100km", "100km-220km", "220km+"]
_SENIOR_ROLES = {"Owner", "Accountable Manager", "CEO"}
# Log-odds of a contacted organisation ordering: training schools near the sales base with a
# big fleet and a decision maker on the phone buy; brokers and motorsport teams rarely do.
_CATEGORY_LOG_ODDS = {"ATO": 1.5, "Charter": 0.5, "AMO": 0.0, "Broker": -1.0, "Motorsport": -2.5}
_DISTANCE_LOG_ODDS = {"0km-100km": 0.6, "100km-220km": 0.0, "220km+": -0.6}


def conversion_probability(category: str, role: str, planes: int, distance: str) -> float:
    """The chance a contacted organisation with these traits becomes a client.

    ``logit = -1.2 + category + 1.0 * senior contact + 0.2 * (planes - 5) + distance`` with the
    per-category and per-distance log-odds above; documented in docs/reference/lead-scoring.md.
    """
    logit = (
        -1.2
        + _CATEGORY_LOG_ODDS[category]
        + (1.0 if role in _SENIOR_ROLES else 0.0)
        + 0.2 * (planes - 5)
        + _DISTANCE_LOG_ODDS[distance]
    )
    return 1.0 / (1.0 + math.exp(-logit))


@dataclass(eq=False)  # identity: "org in shared" stays cheap at large scales
class _Org:
    uid: str
    base: str
    domain: str
    email_domain: str
    province: str
    phone: str
    town: str
    # Traits every sheet that shows them agrees on; they drive the sales outcome.
    category: str
    role: str
    planes: int
    distance: str


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _mobile(rng: random.Random) -> str:
    return f"+27{rng.choice(['82', '83', '72', '73', '61', '81'])}{rng.randrange(1000000, 9999999)}"


def _landline(rng: random.Random) -> str:
    return f"+27{rng.choice(['11', '12', '21', '31', '51'])}{rng.randrange(1000000, 9999999)}"


def _spaced(number: str) -> str:
    digits = number[3:]
    return f"{number[:3]} {digits[:2]} {digits[2:5]} {digits[5:]}"


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_FIRST), rng.choice(_LAST)


def _universe(rng: random.Random, count: int, ids: Iterator[int], seen: set[str]) -> list[_Org]:
    """``count`` new organisations; ``seen`` keeps names unique across calls (two companies
    with one exact name and nothing else to tell them apart are undecidable, not a test)."""
    orgs: list[_Org] = []
    while len(orgs) < count:
        base = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"
        domain_suffix, phone = ".co.za", _landline(rng)
        if orgs and len(orgs) % 20 == 11:
            # A near-namesake that is another company ("Eagle" vs "Eagle 1").
            base = f"{orgs[-1].base} {rng.randrange(1, 10)}"
        elif orgs and len(orgs) % 20 == 17:
            # A foreign parent of the local company before it: own domain and phone.
            base, domain_suffix = f"{orgs[-1].base} International", ".com"
            phone = f"+4420{rng.randrange(10000000, 99999999)}"
        if base in seen:
            base = f"{base} {len(seen)}"
        seen.add(base)
        domain = f"{_slug(base)[:18]}{rng.randrange(10, 99)}{domain_suffix}"
        if domain in seen:
            domain = f"{_slug(base)[:18]}{len(seen)}{domain_suffix}"
        seen.add(domain)
        email_domain = rng.choice(_GENERIC_MAIL) if rng.random() < 0.15 else domain
        orgs.append(
            _Org(
                f"org-{next(ids)}",
                base,
                domain,
                email_domain,
                rng.choice(_PROVINCE_SPELLINGS),
                phone,
                rng.choice(_TOWNS),
                rng.choice(_CATEGORIES),
                rng.choice(_ROLES),
                rng.randrange(1, 12),
                rng.choice(_DISTANCES),
            )
        )
    return orgs


def _style_empty_rows(sheet: Any, first_row: int, count: int, columns: int) -> None:
    """Formatted but empty rows, as spreadsheets leave behind."""
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", fgColor="FFF2CC")
    for row in range(first_row, first_row + count):
        for column in range(1, columns + 1):
            sheet.cell(row=row, column=column).fill = fill


def _new_workbook() -> Any:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "hotpass synthetic"
    workbook.properties.created = datetime(2025, 1, 1)
    workbook.properties.modified = datetime(2025, 1, 1)
    return workbook


def _sacaa(rng: random.Random, orgs: list[_Org], path: Path, labels: _Labels) -> None:
    workbook = _new_workbook()
    sheet = workbook.create_sheet("Cleaned")
    sheet.append(
        [
            "Name of Organisation",
            "Province",
            "Status",
            "Website URL",
            "Contact Person",
            "Contact Number",
            "Contact Email Address",
        ]
    )
    issues = workbook.create_sheet("Issues")
    issues.append(["Row", "Issues"])
    for index, org in enumerate(orgs):
        name = org.base + rng.choice(_LEGAL)
        if index % 17 == 3:
            name = f"{org.base} (pty) Ltd (trading As {org.base.split()[0]} Helicopters)"
        if index % 19 == 5:
            name = f"{org.base.split()[0]}\u201a {org.base}"
        province = "Unknown" if index % 9 == 0 else org.province
        first, last = _person(rng)
        contact = f"{first} {last} ({rng.choice(_ROLES)})"
        if index % 10 == 1:
            other_first, other_last = _person(rng)
            contact += f"; {other_first} {other_last} ({rng.choice(_ROLES)})"
        if index % 12 == 2:
            contact = "Accountable Manager (Not Publicly Listed)"
        phone = "" if index % 3 == 0 else (_spaced(org.phone) if index % 2 else org.phone)
        email = f"info@{org.email_domain}"
        if index % 11 == 4:
            email += f"; ops@{org.domain}"
        sheet.append(
            [
                name,
                province,
                "Invalid" if index % 4 == 0 else "Active",
                f"https://www.{org.domain}",
                contact,
                phone or None,
                email,
            ]
        )
        labels.mark(path, sheet, org.uid)
        if province == "Unknown" or not phone:
            issues.append(
                [
                    index + 2,
                    "Unknown province" if province == "Unknown" else "Invalid/missing phone",
                ]
            )
    lists = workbook.create_sheet("Lists")
    for province in Province:
        lists.append([province.value])
    lists.append(["Active"])
    lists.append(["Invalid"])
    workbook.save(path)


def _reachout(
    rng: random.Random,
    orgs: list[_Org],
    shared: list[_Org],
    path: Path,
    scale: int,
    labels: _Labels,
) -> None:
    workbook = _new_workbook()
    sheet = workbook.create_sheet("Organisation")
    sheet.append(
        [
            "Organisation Name",
            "ID",
            "Reachout Date",
            "Recent_Touch_Ind",
            "Area",
            "Distance",
            "Type",
            "Website",
            "Address",
            "Planes",
            "Description Type",
            "Notes",
            "Open Questions",
        ]
    )
    rows: list[tuple[_Org, int | None]] = []
    for index, org in enumerate(orgs):
        key: int | None = index + 1
        if index == 7:
            key = None  # one named organisation without an ID
        name = org.base.upper() if org in shared and index % 3 == 0 else org.base
        website: str | None = f"www.{org.domain}"
        if index % 13 == 6:
            website = "https://sa-airports.co.za/tenants/list"
        sheet.append(
            [
                name,
                key,
                datetime(2025, 3, 1 + index % 27),
                "Y" if index % 2 else None,
                org.province if index % 5 else "Kwa-Zulu Natal",
                org.distance,
                rng.choice(_TYPES),
                website,
                f"Hangar {index + 1}, {org.town} Airfield",
                org.planes,
                "Flight school",
                None,
                None,
            ]
        )
        labels.mark(path, sheet, org.uid)
        rows.append((org, key))
    # ~860 rows in the real book carry a pre-filled ID and nothing else.
    for extra in range(100 * scale):
        sheet.append([None, len(orgs) + extra + 1])
    contacts = workbook.create_sheet("Contact Info")
    contacts.append(
        [
            "ID",
            "Organisation Name",
            "Reachout Date",
            "Firstname",
            "Surname",
            "Position",
            "Phone",
            "WhatsApp",
            "Email",
            "Invalid",
            None,
        ]
    )
    row_number = 1
    for index, (org, key) in enumerate(rows):
        first, last = _person(rng)
        phone = _mobile(rng)
        # Some phones were stored as numbers: the float/scientific trap of type-inferring readers.
        phone_cell: object = float(phone[1:]) if index % 4 == 0 else phone
        email = f"{_slug(first)}@{org.email_domain}"
        if index % 9 == 2:
            email = f"info@{org.domain}."
        if index % 15 == 7:
            email = f"https://facebook.com/{_slug(org.base)}"
        keep_key = key if index % 3 else None  # ~1/3 of contacts have no ID
        contacts.append(
            [
                keep_key,
                org.base,
                datetime(2025, 4, 1 + index % 27),
                first,
                last,
                rng.choice(_ROLES),
                phone_cell,
                _spaced(_mobile(rng)),
                email,
                None,
                "called twice" if index % 6 == 0 else None,
            ]
        )
        row_number += 1
        if index % 5 == 0:
            contacts.append(
                [
                    keep_key,
                    org.base,
                    None,
                    "-",
                    "-",
                    "Office",
                    org.phone,
                    None,
                    f"info@{org.domain}",
                    None,
                    None,
                ]
            )
            row_number += 1
    contacts.append(
        [
            None,
            "Nonexistent Aero Club",
            None,
            "Kim",
            "Orphan",
            "CFI",
            _mobile(rng),
            None,
            None,
            None,
            None,
        ]
    )
    contacts.append(
        [
            None,
            "Ghost Wings Aviation",
            None,
            "Lee",
            "Orphan",
            "Owner",
            None,
            None,
            "lee@ghostwings.co.za",
            None,
            None,
        ]
    )
    contacts.append(
        [
            None,
            rows[0][0].base,
            datetime(2025, 5, 5),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    _style_empty_rows(contacts, contacts.max_row + 1, 200 * scale, 10)
    workbook.create_sheet("Sheet1")
    workbook.save(path)


def _contact_database(
    rng: random.Random,
    orgs: list[_Org],
    shared: list[_Org],
    path: Path,
    scale: int,
    labels: _Labels,
) -> None:
    workbook = _new_workbook()
    cat = workbook.create_sheet("Company_Cat")
    cat.append(
        [
            "C_ID",
            "Company",
            "QuickNooks_Name",
            "Last_Order_Date",
            "Category",
            "Strat",
            "Priority",
            "Status",
            "LoadDate",
            "Checked",
            "Website",
        ]
    )
    motorsport = [f"{rng.choice(_WORDS_A)} Racing {i}" for i in range(20 * scale)]
    companies: list[tuple[str, _Org | None]] = [(o.base, o) for o in orgs]
    companies += [(m, None) for m in motorsport]
    for index, (name, org) in enumerate(companies):
        c_id = index + 1 if index != 9 else 9  # one C_ID used twice
        display = name
        if org is not None and index % 8 == 2:
            parts = (name + " (Pty) Ltd").upper().split(" ", 2)
            display = " ".join(parts[:2]) + "\n" + (parts[2] if len(parts) > 2 else "")
        elif org is not None and org in shared:
            display = name + rng.choice([" (Pty) Ltd", " CC", ""])
        category = "Motorsport" if org is None else org.category if index % 4 != 3 else None
        load = datetime(2025, 7, 1 + index % 27) if index % 2 else f"{1 + index % 27:02d}/07/2025"
        status, ordered = _outcome(rng, org)
        website = f"https://{org.domain}" if org is not None else None
        if index == 4:
            website = "https://www.aviationinsure-example.co.za"  # shifted onto the wrong company
        cat.append(
            [
                c_id,
                display,
                name.split()[0],
                ordered,
                category,
                rng.choice(["A", "B", None]),
                rng.choice(["High", "Medium", "Low", None]),
                status,
                load,
                "Y" if index % 2 else None,
                website,
            ]
        )
        labels.mark(path, cat, org.uid if org is not None else f"motorsport-{name}")
    cat.append([999, None, "orphan-row", None, "ATO", None, "High", None, None, None, None])
    contacts = workbook.create_sheet("Company_Contacts")
    contacts.append(
        [
            "C_ID",
            "Company",
            "Status",
            "FirstName",
            "Surname",
            "Position",
            "Cellnumber",
            "Email",
            "Landline",
        ]
    )
    for index, org in enumerate(orgs[: 20 * scale]):
        first, last = _person(rng)
        short_id: object = 0 if index % 2 else org.base.split()[0].lower()
        first_cell, last_cell = (f"{first} {last}", None) if index % 6 == 1 else (first, last)
        position = org.town if index % 7 == 3 else org.role
        landline: object = f"{org.phone[1:]}\xa0" if index % 2 else int(org.phone[1:])
        contacts.append(
            [
                short_id,
                org.base.lower() if index % 4 == 0 else org.base,
                "Active",
                first_cell,
                last_cell,
                position,
                int(_mobile(rng)[1:]),
                f"{_slug(first)}.{_slug(last)}@{org.email_domain}",
                landline,
            ]
        )
    contacts.append(
        [0, "Unknown Motor Co", None, "Sam", "Orphan", "Owner", 27820000001, None, None]
    )
    _style_empty_rows(contacts, contacts.max_row + 1, 100 * scale, 9)
    addresses = workbook.create_sheet("Company_Addresses")
    addresses.append(["C_ID", "Company", "Type", "Airport", None])
    for index, org in enumerate(orgs[: 12 * scale]):
        kind = ["Postal", "Head", "Satelite"][index % 3]
        text = f"{index + 3} Hangar Road, {org.town} {1000 + index}"
        if index % 4 == 0:
            text += f"PO Box {80000 + index}, {org.town} {1000 + index}"
        addresses.append(
            ["capital air" if index % 2 else 0, org.base, kind, f"{org.town} Airport", text]
        )
    capture = workbook.create_sheet("10-10-25 Capture")
    capture.append(
        [
            None,
            "School",
            "Contact person (role)",
            "Phone",
            "Email",
            "Addresses",
            "Planes",
            "Website",
            "Description",
            "Type",
        ]
    )
    for index, org in enumerate(orgs[-10 * scale :]):
        first, last = _person(rng)
        other_first, other_last = _person(rng)
        if index % 3 == 0:
            person, phone = (
                f"{first} {last} \u2014 {rng.choice(_ROLES)}",
                _spaced(org.phone) + " / " + org.phone[-4:-1] + "9",
            )
        elif index % 3 == 1:
            person = (
                f"{first} {last} ({rng.choice(_ROLES)}); "
                f"{other_first} {other_last} ({rng.choice(_ROLES)})"
            )
            phone = f"{_mobile(rng)}; {_mobile(rng)}"
        else:
            person, phone = f"{first} {last} - {rng.choice(_ROLES)}", "Web form"
        capture.append(
            [
                None,
                org.base,
                person,
                phone,
                f"info@{org.domain}",
                f"{org.town} Airfield",
                org.planes,
                org.domain,
                "Flight training",
                rng.choice(_TYPES),
            ]
        )
        labels.mark(path, capture, org.uid)
    schools = workbook.create_sheet("Flight schools")
    schools.append(
        [
            "School",
            "Contact person (role)",
            "Phone",
            "Email",
            "Addresses",
            "Planes",
            "Website",
            "Description type",
        ]
        + [None] * 10
    )
    branch_org = orgs[0]
    # One school at two airports (one organisation, two sites) and a qualifier-only variant.
    branch_rows = [
        (f"{branch_org.base} (Durban)", "Durban", branch_org),
        (f"{branch_org.base} (Cape Town)", "Cape Town", branch_org),
        (f"{orgs[1].base} (Lanseria)", "Lanseria", orgs[1]),
    ]
    branch_rows.extend((org.base, org.town, org) for org in orgs[2 : 2 + 9 * scale])
    for name, town, school in branch_rows:
        first, last = _person(rng)
        school_domain = school.domain
        schools.append(
            [
                name,
                f"{first} {last} ({rng.choice(_ROLES)})",
                _landline(rng),
                f"{_slug(first)}@{school_domain}",
                f"{town} Airport",
                school.planes,
                None,
                "ATO",
            ]
            + [None] * 10
        )
        labels.mark(path, schools, school.uid)
    _style_empty_rows(schools, schools.max_row + 1, 20, 18)
    caa = workbook.create_sheet("CAA")
    caa.append(["Head Office AMOs"])
    caa.append(
        [
            "#",
            "AMO Number",
            "NAME",
            "CATEGORIES",
            "MAIN/ SATELLITE",
            "LOCATION",
            None,
            "Code",
            "Scope",
        ]
    )
    codes = [chr(c) for c in range(ord("A"), ord("X") + 1)]
    row_index = 0
    for index, org in enumerate(orgs[: 30 * scale]):
        row_index += 1
        side = (
            [codes[row_index - 1], f"Scope {codes[row_index - 1]}"]
            if row_index <= len(codes)
            else [None, None]
        )
        caa.append(
            [
                row_index,
                f"AMO{1000 + index}",
                org.base.upper() + " AMO",
                rng.choice(["A1", "B2, C3", "D1"]),
                "MAIN",
                f"{org.town} Airport",
                None,
                *side,
            ]
        )
        labels.mark(path, caa, org.uid)
        if index % 5 == 0:
            row_index += 1
            side = (
                [codes[row_index - 1], f"Scope {codes[row_index - 1]}"]
                if row_index <= len(codes)
                else [None, None]
            )
            caa.append(
                [
                    row_index,
                    None,
                    None,
                    None,
                    "SATELLITE",
                    f"{rng.choice(_TOWNS)} Airport",
                    None,
                    *side,
                ]
            )
    notes = workbook.create_sheet("Company_Notes")
    notes.append(["C_ID", "Company", "Date", "Note"])
    for index, org in enumerate(orgs[: 8 * scale]):
        notes.append([index + 1, org.base, datetime(2025, 6, 1 + index % 27), "Asked for a quote"])
        labels.mark(path, notes, org.uid)
    admin = workbook.create_sheet("Admin")
    admin.append(["Category", "Strat", "Priority", "Status"])
    admin.append(["ATO", "A", "High", "Active"])
    admin.append(["AMO", "B", "Medium", "DNC"])
    order_dates = workbook.create_sheet("Order Dates")
    order_dates.append(["2024-11", 12])
    for name in ["Sheet1", "Sheet 1", "Aviation Codes", "Sheet"]:
        workbook.create_sheet(name)
    free = workbook.create_sheet("FL extended")
    free["B3"] = "Notes from the 2024 show"
    free["D7"] = "follow up in March"
    workbook.save(path)


def _outcome(rng: random.Random, org: _Org | None) -> tuple[str | None, datetime | None]:
    """The CRM status and last order date of a company: most were contacted; whether a
    contacted one ordered follows :func:`conversion_probability`. Motorsport companies (no
    aviation traits) convert as the least likely aviation customers would."""
    if rng.random() < 0.15:
        return None, None  # not contacted yet: unlabelled
    if org is None:
        chance = conversion_probability("Motorsport", "Admin", 1, "220km+")
    else:
        chance = conversion_probability(org.category, org.role, org.planes, org.distance)
    if rng.random() < chance:
        ordered = datetime(2024, 1 + rng.randrange(12), 1 + rng.randrange(27))
        return "Active", ordered if rng.random() < 0.8 else None
    return rng.choice(["Prospect", "Prospect", "Prospect", "NTC", "DNC"]), None


def _crm_csv(rng: random.Random, orgs: list[_Org], path: Path, labels: _Labels) -> None:
    """A plain CRM export for the generic profile, in Windows-1252 like many exports."""
    lines = ["Organisation Name;Website;Email;Phone;Province"]
    for index, org in enumerate(orgs):
        name = org.base.replace("Aero", "A\u00e9ro") if index % 4 == 0 else org.base
        lines.append(f"{name};{org.domain};info@{org.domain};{org.phone[1:]}.0;{org.province}")
        labels.rows.append((f"{path.name}::csv::{index + 2}", org.uid))
    lines.append(";;;;")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def write_generic_csv(path: Path, /, *, rows: int, seed: int = 7) -> int:
    """A large CRM-style export for the generic profile (benchmarks): ``rows`` data rows, one
    in four a variant of an earlier organisation (other case, a legal suffix, a spaced or
    float-stored phone, ``mailto:`` or a sales address), in UTF-8, streamed to disk in blocks.
    Returns the number of organisations behind the rows.
    """
    rng = random.Random(seed)
    ids = itertools.count(1)
    seen: set[str] = set()
    path.parent.mkdir(parents=True, exist_ok=True)
    originals = max(1, rows - rows // 4)
    orgs = _universe(rng, originals, ids, seen)
    header = "Organisation Name,Website,Email,Phone,Province,Category,Contact Person\r\n"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        block: list[str] = []
        for index in range(rows):
            if index < originals:
                org, variant = orgs[index], 0
            else:
                org, variant = orgs[rng.randrange(originals)], 1 + rng.randrange(4)
            name, phone, email = org.base, org.phone, f"info@{org.email_domain}"
            if variant == 1:
                name = f"{name.upper()} (PTY) LTD"
            elif variant == 2:
                name, phone = f" {name.lower()} ", _spaced(phone)
            elif variant == 3:
                phone, email = f"{phone[1:]}.0", f"mailto:sales@{org.email_domain}"
            elif variant == 4:
                name = f"{name} t/a {org.town} Aviation"
            first, last = _person(rng)
            block.append(
                f'"{name}",www.{org.domain},{email},{phone},{org.province},{org.category},'
                f'"{first} {last} ({org.role})"\r\n'
            )
            if len(block) >= 10_000:
                handle.write("".join(block))
                block = []
        handle.write("".join(block))
    return originals


def write_samples(
    directory: Path, /, *, seed: int = 7, scale: int = 1, truth: Path | None = None
) -> list[Path]:
    """Write the three family workbooks and a generic CSV into ``directory``; return the paths.

    ``truth`` (outside ``directory``, so it is never refined) receives ``record_id,true_org_id``
    for every organisation row written: the labels of the entity-resolution benchmark.
    """
    rng = random.Random(seed)
    ids = itertools.count(1)
    labels = _Labels()
    seen: set[str] = set()
    directory.mkdir(parents=True, exist_ok=True)
    sacaa_orgs = _universe(rng, 50 * scale, ids, seen)
    reachout_only = _universe(rng, 15 * scale, ids, seen)
    crm_only = _universe(rng, 30 * scale, ids, seen)
    shared = sacaa_orgs[: 25 * scale]
    reachout_orgs = shared + reachout_only
    crm_orgs = sacaa_orgs[40 * scale : 50 * scale] + crm_only
    paths = [
        directory / "sacaa.xlsx",
        directory / "reachout.xlsx",
        directory / "contact_database.xlsx",
    ]
    _sacaa(rng, sacaa_orgs, paths[0], labels)
    _reachout(rng, reachout_orgs, shared, paths[1], scale, labels)
    _contact_database(rng, crm_orgs, crm_orgs[: 10 * scale], paths[2], scale, labels)
    paths.append(directory / "crm_export.csv")
    csv_orgs = _universe(rng, 12 * scale, ids, seen) + sacaa_orgs[30 * scale : 33 * scale]
    _crm_csv(rng, csv_orgs, paths[3], labels)
    if truth is not None:
        truth.parent.mkdir(parents=True, exist_ok=True)
        lines = ["record_id,true_org_id", *(f"{rid},{uid}" for rid, uid in labels.rows)]
        truth.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths
