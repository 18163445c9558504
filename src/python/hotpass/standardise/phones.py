"""Phone cells -> E.164 numbers with the `phonenumbers` library (default region ZA).

A cell may hold several numbers (``;``, ``,``, `` / `` separated), a range whose second part is
only the last digits (``+27 11 805 9015 / 9016``), a number that a spreadsheet turned into a
float (``27831234567.0``, or ``2.7831234567E+10`` when every digit survived; ``2.78312E+10``
lost digits and is rejected) or words (``Web form``). Every piece comes back with its raw text and
either an E.164 number or the reason it was rejected.
"""

from __future__ import annotations

import re
from typing import TypedDict

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from hotpass.standardise.memo import memoised

DEFAULT_REGION = "ZA"
_SPLIT = re.compile(r"\s*(?:;|,|\||/|\bor\b|\n)\s*", re.IGNORECASE)
_FLOAT_FORM = re.compile(r"^\+?(\d+)\.0+$")
_SCIENTIFIC = re.compile(r"^(\d)(?:\.(\d+))?e\+?(\d+)$", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
_MAX_RANGE_SUFFIX = 4
_MIN_DIGITS = 7
_ZA_DIGITS = 11  # 27 + nine national digits


class PhoneValue(TypedDict):
    raw: str
    e164: str | None
    kind: str | None
    reason: str | None


_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
}


def _clean(piece: str) -> str:
    text = piece.replace("\xa0", " ").strip().strip(".")
    match = _FLOAT_FORM.match(text)
    if match:
        text = ("+" if text.startswith("+") else "") + match.group(1)
    scientific = _SCIENTIFIC.match(text)
    if scientific and len(scientific.group(2) or "") == int(scientific.group(3)):
        # "2.7831234567E+10" keeps every digit (a CSV of a float column): 27831234567.
        text = scientific.group(1) + scientific.group(2)
    return text


def _parse_one(text: str, raw: str) -> PhoneValue:
    """One value, parsed once per distinct text in a run (:mod:`hotpass.standardise.memo`);
    each caller gets its own copy."""
    return _parse_text(text, raw).copy()


@memoised
def _parse_text(text: str, raw: str) -> PhoneValue:
    if _SCIENTIFIC.match(text):
        return PhoneValue(raw=raw, e164=None, kind=None, reason="scientific notation: digits lost")
    if len(_DIGITS.findall(text)) < _MIN_DIGITS:
        return PhoneValue(raw=raw, e164=None, kind=None, reason="not a phone number")
    # "27831234567" (no plus, country code first) is how numeric cells store ZA numbers.
    candidate = text
    digits = "".join(_DIGITS.findall(text))
    if not text.startswith(("+", "0")) and digits.startswith("27") and len(digits) == _ZA_DIGITS:
        candidate = f"+{digits}"
    try:
        number = phonenumbers.parse(candidate, DEFAULT_REGION)
    except NumberParseException:
        return PhoneValue(raw=raw, e164=None, kind=None, reason="not a phone number")
    if not phonenumbers.is_valid_number(number):
        return PhoneValue(raw=raw, e164=None, kind=None, reason="invalid number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    kind = _KINDS.get(phonenumbers.number_type(number), "other")
    return PhoneValue(raw=raw, e164=e164, kind=kind, reason=None)


def parse_phone_cell(raw: str | None) -> list[PhoneValue]:
    """Split a phone cell into numbers; each keeps its raw text and an E.164 value or a reason.

    Example:
        >>> [p["e164"] for p in parse_phone_cell("+27 11 805 9015 / 9016")]
        ['+27118059015', '+27118059016']
    """
    if raw is None:
        return []
    text = raw.replace("\xa0", " ").strip()
    if not text:
        return []
    results: list[PhoneValue] = []
    previous_digits: str | None = None
    for piece in (p for p in _SPLIT.split(text) if p and p.strip()):
        cleaned = _clean(piece)
        piece_digits = "".join(_DIGITS.findall(cleaned))
        if (
            previous_digits
            and cleaned.isdigit()
            and len(piece_digits) <= _MAX_RANGE_SUFFIX
            and len(previous_digits) > len(piece_digits)
        ):
            # A range: "9015 / 9016" repeats only the last digits of the previous number.
            cleaned = "+" + previous_digits[: -len(piece_digits)] + piece_digits
        value = _parse_one(cleaned, piece.strip())
        results.append(value)
        if value["e164"]:
            previous_digits = value["e164"].lstrip("+")
    return results


def normalise_phone(raw: str | None) -> str | None:
    """The first valid E.164 number in a cell, or None."""
    for value in parse_phone_cell(raw):
        if value["e164"]:
            return value["e164"]
    return None
