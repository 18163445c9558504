import re
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hotpass.standardise import phones
from hotpass.standardise.phones import first_valid_phone, normalise_phone, parse_phone_cell

ZA_MOBILE_DIGITS = st.builds(
    lambda prefix, rest: f"27{prefix}{rest:07d}",
    st.sampled_from(["60", "61", "71", "72", "73", "74", "76", "79", "81", "82", "83", "84"]),
    st.integers(min_value=0, max_value=9_999_999),
)


def test_examples_from_the_sources():
    assert normalise_phone("+27831234567") == "+27831234567"
    assert normalise_phone("27831234567") == "+27831234567"
    assert normalise_phone("27831234567.0") == "+27831234567"
    assert normalise_phone("+27 81 234 5678") == "+27812345678"
    assert normalise_phone("27113121443\xa0") == "+27113121443"
    assert normalise_phone("083 123 4567") == "+27831234567"


def test_range_expands_to_two_numbers():
    values = parse_phone_cell("+27 11 805 9015 / 9016")
    assert [v["e164"] for v in values] == ["+27118059015", "+27118059016"]
    assert all(v["kind"] == "landline" for v in values)


def test_several_numbers_in_one_cell_keep_their_raw_text():
    values = parse_phone_cell("+27 81 234 5678; 0831112222")
    assert [v["raw"] for v in values] == ["+27 81 234 5678", "0831112222"]
    assert [v["kind"] for v in values] == ["mobile", "mobile"]


def test_words_and_lost_digits_are_rejected_with_a_reason():
    [web_form] = parse_phone_cell("Web form")
    assert web_form["e164"] is None
    assert web_form["reason"] == "not a phone number"
    [scientific] = parse_phone_cell("2.78e10")
    assert scientific["e164"] is None
    assert "scientific" in (scientific["reason"] or "")
    [exact] = parse_phone_cell("2.7115550101E+10")  # every digit survived the float
    assert exact["e164"] == "+27115550101"
    assert exact["raw"] == "2.7115550101E+10"
    assert parse_phone_cell(None) == []
    assert parse_phone_cell("   ") == []


@given(ZA_MOBILE_DIGITS)
def test_numeric_float_and_string_forms_agree(digits):
    as_string = normalise_phone(f"+{digits}")
    assert as_string == f"+{digits}"
    assert normalise_phone(str(int(digits))) == as_string
    assert normalise_phone(f"{float(digits):.1f}") == as_string
    assert normalise_phone(f"0{digits[2:]}") == as_string


@given(st.text(max_size=60))
def test_no_input_crashes_and_output_is_idempotent(text):
    values = parse_phone_cell(text)
    for value in values:
        assert (value["e164"] is None) != (value["reason"] is None)
        if value["e164"]:
            assert normalise_phone(value["e164"]) == value["e164"]


# The parser without its run memo, so each call parses afresh.
_unmemoised = phones._parse_text.__wrapped__  # type: ignore[attr-defined]


def _spaced(digits: str, cuts: list[int]) -> str:
    for cut in sorted(set(cuts), reverse=True):
        digits = digits[:cut] + " " + digits[cut:]
    return digits


PLAIN_ZA_SHAPES = st.builds(
    lambda prefix, national, cuts: prefix + _spaced(national, cuts),
    st.sampled_from(["+27", "0", "27", "+27 ", "0 ", "+", "00", "+270"]),
    # Nine digits as a ZA number has them (a fifth of them invalid), and anything near that.
    st.one_of(
        st.integers(10**8, 10**9 - 1).map(str), st.text("0123456789", min_size=7, max_size=11)
    ),
    st.lists(st.integers(0, 11), max_size=3),
)


@given(PLAIN_ZA_SHAPES)
# "00" is the international prefix: a valid St Helena number, which a shortcut that took
# any nine digits after "0" would call an invalid ZA one.
@example("0029051234")
def test_the_plain_za_shortcut_gives_what_phonenumbers_gives(text: str) -> None:
    # The reference is the same function with the shortcut switched off: every value through
    # phonenumbers.parse, is_valid_number and number_type.
    shortcut = _unmemoised(text, text)
    with mock.patch.object(phones, "_PLAIN_ZA", re.compile(r"(?!)")):
        assert shortcut == _unmemoised(text, text)


@pytest.mark.parametrize(
    "text", ["+27118059015", "+27 11 805 9015", "0831234567", "27831234567", "0821111111"]
)
def test_plain_za_numbers_take_the_shortcut(text: str) -> None:
    with mock.patch.object(phones, "_by_parsing", side_effect=AssertionError("parsed")):
        value = _unmemoised(text, text)
    assert value["e164"] == "+27" + re.sub(r"\D", "", text)[-9:]
    assert value["reason"] is None


def test_first_valid_phone_stops_at_the_first_number() -> None:
    cells = [None, "Web form; 0831234567", "+27 11 805 9015"]
    value = first_valid_phone(cells)
    assert value is not None
    assert (value["e164"], value["raw"]) == ("+27831234567", "0831234567")
    with mock.patch.object(phones, "_parse_one", wraps=phones._parse_one) as parsed:
        first_valid_phone(cells)
    assert [c.args[1] for c in parsed.call_args_list] == ["Web form", "0831234567"]
    assert first_valid_phone([None, "", "Web form"]) is None
