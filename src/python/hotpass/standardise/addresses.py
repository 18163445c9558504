"""Address cells -> one or more addresses; street and postal parts run together are split."""

from __future__ import annotations

import re
from typing import TypedDict

from hotpass.standardise.names import display_name

_POSTAL_START = re.compile(r"(?=(?:P\.?\s?O\.?\s?Box|Private Bag|Postnet Suite)\b)", re.IGNORECASE)


class AddressValue(TypedDict):
    kind: str
    text: str


def split_address_cell(raw: str | None) -> list[AddressValue]:
    """Split ``12 Hangar Rd, Pretoria 0182PO Box 80602, ...`` into street and postal parts.

    Example:
        >>> [a["kind"] for a in split_address_cell("1 Main Rd, Town 0001PO Box 5, Town")]
        ['street', 'postal']
    """
    text = display_name(raw)
    if text is None:
        return []
    parts = [p.strip(" ,;") for p in _POSTAL_START.split(text)]
    values: list[AddressValue] = []
    for part in parts:
        if not part:
            continue
        kind = "postal" if _POSTAL_START.match(part) else "street"
        values.append(AddressValue(kind=kind, text=part))
    return values
