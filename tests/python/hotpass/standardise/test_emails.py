from hypothesis import given
from hypothesis import strategies as st

from hotpass.standardise.emails import normalise_email, parse_email_cell


def test_trailing_dot_and_domain_case_are_fixed():
    assert normalise_email("info@Example.CO.ZA.") == "info@example.co.za"


def test_several_addresses_per_cell():
    values = parse_email_cell("ops@a-air.co.za; sales@a-air.co.za, x@b-air.co.za")
    assert [v["email"] for v in values] == ["ops@a-air.co.za", "sales@a-air.co.za", "x@b-air.co.za"]


def test_a_url_is_not_an_email():
    [value] = parse_email_cell("https://facebook.com/someflyingclub")
    assert value["email"] is None
    assert value["reason"] == "a URL, not an email"


def test_generic_mail_domains_are_flagged():
    [value] = parse_email_cell("someone@gmail.com")
    assert value["generic_domain"] is True
    [own] = parse_email_cell("someone@crane-air.co.za")
    assert own["generic_domain"] is False


def test_invalid_syntax_has_a_reason():
    [value] = parse_email_cell("not-an-address@")
    assert value["email"] is None
    assert value["reason"] == "invalid email syntax"


@given(st.text(max_size=80))
def test_never_crashes_and_is_idempotent(text):
    first = normalise_email(text)
    if first is not None:
        assert normalise_email(first) == first
