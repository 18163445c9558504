"""Phone cells -> E.164 numbers with the `phonenumbers` library (default region ZA).

A cell may hold several numbers (``;``, ``,``, `` / `` separated), a range whose second part is
only the last digits (``+27 11 805 9015 / 9016``), a number that a spreadsheet turned into a
float (``27831234567.0``, or ``2.7831234567E+10`` when every digit survived; ``2.78312E+10``
lost digits and is rejected) or words (``Web form``). Every piece comes back with its raw text and
either an E.164 number or the reason it was rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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
_ZA_COUNTRY_CODE = 27
_PLAIN_ZA = re.compile(r"(?:\+27|0)([1-9]\d{8})")


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
    digits = "".join(_DIGITS.findall(text))
    if len(digits) < _MIN_DIGITS:
        return PhoneValue(raw=raw, e164=None, kind=None, reason="not a phone number")
    # "27831234567" (no plus, country code first) is how numeric cells store ZA numbers.
    candidate = text
    if not text.startswith(("+", "0")) and digits.startswith("27") and len(digits) == _ZA_DIGITS:
        candidate = f"+{digits}"
    plain = _PLAIN_ZA.fullmatch(candidate.replace(" ", ""))
    if plain:
        return _plain_za(plain.group(1), raw)
    return _by_parsing(candidate, raw)


def _plain_za(national: str, raw: str) -> PhoneValue:
    """A number already in the shape ``phonenumbers.parse`` would make of it (``+27`` or the
    trunk ``0`` and nine digits, spaces at most): most cells of a run. Skipping the generic
    parser (about 40% of a phone's cost) leaves the validity and type to the library's own ZA
    metadata, asked once; a Hypothesis property holds this equal to :func:`_by_parsing`."""
    number_type = phonenumbers.number_type(
        phonenumbers.PhoneNumber(country_code=_ZA_COUNTRY_CODE, national_number=int(national))
    )
    if number_type == PhoneNumberType.UNKNOWN:
        return PhoneValue(raw=raw, e164=None, kind=None, reason="invalid number")
    kind = _KINDS.get(number_type, "other")
    return PhoneValue(raw=raw, e164=f"+{_ZA_COUNTRY_CODE}{national}", kind=kind, reason=None)


def _by_parsing(candidate: str, raw: str) -> PhoneValue:
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
    return list(_phone_pieces(raw))


def first_valid_phone(cells: Iterable[str | None]) -> PhoneValue | None:
    """The first number with an E.164 value in ``cells``, in order; nothing after it is parsed
    (a contact sheet row keeps one number of its four phone columns)."""
    return next((v for cell in cells for v in _phone_pieces(cell) if v["e164"]), None)


def _phone_pieces(raw: str | None) -> Iterator[PhoneValue]:
    if raw is None:
        return
    text = raw.replace("\xa0", " ").strip()
    if not text:
        return
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
        yield value
        if value["e164"]:
            previous_digits = value["e164"].lstrip("+")


def normalise_phone(raw: str | None) -> str | None:
    """The first valid E.164 number in a cell, or None."""
    value = first_valid_phone([raw])
    return value["e164"] if value else None
