from hypothesis import given
from hypothesis import strategies as st

from hotpass.standardise.phones import normalise_phone, parse_phone_cell

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
