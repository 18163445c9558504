"""Province cells -> one of South Africa's nine provinces, or None.

Spelling variants map to the canonical name; ``Unknown``, ``N/A`` and the like become None and
are never kept as a province.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Province(StrEnum):
    EASTERN_CAPE = "Eastern Cape"
    FREE_STATE = "Free State"
    GAUTENG = "Gauteng"
    KWAZULU_NATAL = "KwaZulu-Natal"
    LIMPOPO = "Limpopo"
    MPUMALANGA = "Mpumalanga"
    NORTH_WEST = "North West"
    NORTHERN_CAPE = "Northern Cape"
    WESTERN_CAPE = "Western Cape"


_NON_LETTERS = re.compile(r"[^a-z]")

_ALIASES: dict[str, Province] = {
    "ec": Province.EASTERN_CAPE,
    "ecape": Province.EASTERN_CAPE,
    "fs": Province.FREE_STATE,
    "ofs": Province.FREE_STATE,
    "orangefreestate": Province.FREE_STATE,
    "gp": Province.GAUTENG,
    "gauteng": Province.GAUTENG,
    "kzn": Province.KWAZULU_NATAL,
    "natal": Province.KWAZULU_NATAL,
    "kwazulu": Province.KWAZULU_NATAL,
    "lp": Province.LIMPOPO,
    "mp": Province.MPUMALANGA,
    "nw": Province.NORTH_WEST,
    "nc": Province.NORTHERN_CAPE,
    "ncape": Province.NORTHERN_CAPE,
    "wc": Province.WESTERN_CAPE,
    "wcape": Province.WESTERN_CAPE,
}
_ALIASES.update({_NON_LETTERS.sub("", p.value.lower()): p for p in Province})


def normalise_province(raw: str | None) -> str | None:
    """Canonical province name, or None for blanks, placeholders and unknown values.

    Example:
        >>> normalise_province("Kwa-Zulu Natal")
        'KwaZulu-Natal'
    """
    if raw is None:
        return None
    key = _NON_LETTERS.sub("", raw.lower())
    province = _ALIASES.get(key)
    return province.value if province else None
