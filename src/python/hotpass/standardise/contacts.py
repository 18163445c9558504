"""Packed contact cells -> whole contact records.

Cells look like ``Name (Role)``, ``Name - Role``, ``Name — Role`` or several of those separated
by ``;`` or new lines. Placeholders (``-``, ``Office``, ``Accountable Manager (Not Publicly
Listed)``) become a role-only contact when a role is known, and are dropped with a reason
otherwise. Standardise gives them the phones and emails of their own row (the only contact
takes the first; several take them position by position when the counts agree), from the values
already parsed for the organisation, so no cell is parsed twice.
"""

from __future__ import annotations

import re
from typing import TypedDict

from hotpass.standardise.emails import parse_email_cell
from hotpass.standardise.names import display_name
from hotpass.standardise.phones import first_valid_phone

_SPLIT = re.compile(r"\s*(?:;|\n|\r)\s*")
_BRACKETED = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*$")
_DASHED = re.compile(
    r"^(?P<name>.+?)\s+[-\u2013\u2014]+\s+(?P<role>.+)$|^(?P<n2>.+?)\s*[\u2013\u2014]\s*(?P<r2>.+)$"
)
_PLACEHOLDER = re.compile(
    r"^(?:-+|\.+|n/?a|none|unknown|tbc|tba|office|reception|general|info|"
    r"not publicly listed|not listed|not available|web form|\?+)$",
    re.IGNORECASE,
)
_NOT_PUBLIC = re.compile(r"not publicly listed|not listed", re.IGNORECASE)


class ContactValue(TypedDict):
    name: str | None
    role: str | None
    email: str | None
    phone: str | None
    phone_raw: str | None
    phone_kind: str | None
    placeholder: bool
    reason: str | None


def _is_placeholder(text: str | None) -> bool:
    return text is None or bool(_PLACEHOLDER.match(text.strip()))


def _split_person(piece: str) -> tuple[str | None, str | None]:
    match = _BRACKETED.match(piece)
    if match:
        return display_name(match.group("name")), display_name(match.group("role"))
    match = _DASHED.match(piece)
    if match:
        name = match.group("name") or match.group("n2")
        role = match.group("role") or match.group("r2")
        return display_name(name), display_name(role)
    return display_name(piece), None


def person(name: str | None, role: str | None) -> ContactValue | None:
    """One contact from a name and a role; None when neither carries anything."""
    name = display_name(name)
    role = display_name(role)
    if role and _NOT_PUBLIC.search(role) and name:
        # "Accountable Manager (Not Publicly Listed)": the name slot holds the role.
        name, role = None, name
    name_is_placeholder = _is_placeholder(name)
    role = None if _is_placeholder(role) else role
    if name_is_placeholder and role is None:
        return None
    return ContactValue(
        name=None if name_is_placeholder else name,
        role=role,
        email=None,
        phone=None,
        phone_raw=None,
        phone_kind=None,
        placeholder=name_is_placeholder,
        reason="placeholder name: role-only contact" if name_is_placeholder else None,
    )


def parse_contact_cell(raw: str | None) -> list[ContactValue]:
    """Every contact packed in one cell, in order.

    Example:
        >>> [(c["name"], c["role"]) for c in parse_contact_cell("Ann Smith (CFI); Bo Ng - Owner")]
        [('Ann Smith', 'CFI'), ('Bo Ng', 'Owner')]
    """
    if raw is None:
        return []
    contacts: list[ContactValue] = []
    for piece in _SPLIT.split(raw.replace("\xa0", " ").strip()):
        if not piece.strip():
            continue
        contact = person(*_split_person(piece))
        if contact is not None:
            contacts.append(contact)
    return contacts


def contact_from_columns(
    first_name: str | None,
    surname: str | None,
    position: str | None,
    phones: list[str | None],
    email: str | None,
) -> ContactValue | None:
    """One contact from a contact sheet's columns; None when the row names nobody and holds
    no phone or email. A full name in ``first_name`` with an empty surname is kept whole."""
    parts = [
        p for p in (display_name(first_name), display_name(surname)) if p and not _is_placeholder(p)
    ]
    name = " ".join(parts) if parts else None
    contact = person(name, position)
    phone = first_valid_phone(phones)
    parsed_emails = [e for e in parse_email_cell(email) if e["email"]]
    if contact is None:
        if phone is None and not parsed_emails:
            return None
        contact = ContactValue(
            name=None,
            role=None,
            email=None,
            phone=None,
            phone_raw=None,
            phone_kind=None,
            placeholder=True,
            reason="no name or role: contact details only",
        )
    if phone is not None:
        contact["phone"] = phone["e164"]
        contact["phone_raw"] = phone["raw"]
        contact["phone_kind"] = phone["kind"]
    if parsed_emails:
        contact["email"] = parsed_emails[0]["email"]
    return contact
