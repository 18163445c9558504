"""The normalisers' memo changes speed only: results equal the unmemoised ones, callers get
their own copies, and clearing empties it."""

from hypothesis import given
from hypothesis import strategies as st

from hotpass.standardise import emails, memo, phones

CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["+27 11 805 9015 / 9016", "27831234567.0", "info@x.co.za; bad@", "0"]),
)


@given(CELLS)
def test_memoised_results_equal_fresh_ones(cell):
    first = (phones.parse_phone_cell(cell), emails.parse_email_cell(cell))
    memo.clear()
    assert (phones.parse_phone_cell(cell), emails.parse_email_cell(cell)) == first


def test_a_caller_changing_its_result_does_not_change_the_next_one():
    value = phones.parse_phone_cell("083 123 4567")[0]
    value["e164"] = "tampered"
    address = emails.parse_email_cell("info@example.co.za")[0]
    address["email"] = "tampered"
    assert phones.parse_phone_cell("083 123 4567")[0]["e164"] == "+27831234567"
    assert emails.parse_email_cell("info@example.co.za")[0]["email"] == "info@example.co.za"


def test_clear_empties_every_memo():
    phones.parse_phone_cell("083 123 4567")
    emails.parse_email_cell("info@example.co.za")
    assert len(memo.sizes()) == 2
    assert all(size > 0 for size in memo.sizes())
    memo.clear()
    assert memo.sizes() == [0, 0]
