import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotpass.standardise.names import _folded, display_name, location_qualifier, match_key


@pytest.mark.parametrize(
    "variant",
    [
        "Example Aviation",
        "Example Aviation (Pty) Ltd",
        "EXAMPLE AVIATION CC",
        "Example Aviation Pty Ltd",
        "example  aviation\n(PTY) LTD",
        "Example Aviation t/a Other Wings",
        "Example Aviation trading as Other Wings",
        "Example Aviation (Lanseria)",
    ],
)
def test_legal_forms_trading_names_and_qualifiers_do_not_change_the_key(variant):
    assert match_key(variant) == "example aviation"


def test_legal_forms_are_removed_as_whole_words_only():
    assert match_key("Pretoria Ltd Aero") == "pretoria aero"
    assert match_key("Incline Aviation") == "incline aviation"
    assert match_key("Cccp Air") == "cccp air"


def test_near_namesakes_keep_different_keys():
    assert match_key("Eagle") != match_key("Eagle 1")


def test_low_nine_quote_and_apostrophe():
    assert (
        match_key("Example\u201a Example's Helicopters (pty) Ltd") == "example examples helicopters"
    )


def test_display_name_cleans_whitespace_and_keeps_case():
    assert (
        display_name("EXAMPLE AVIATION SERVICES\nAMO (Pty) Ltd\xa0")
        == "EXAMPLE AVIATION SERVICES AMO (Pty) Ltd"
    )
    assert display_name(" \n ") is None


def test_location_qualifier_is_kept_apart():
    assert location_qualifier("Example Academy (Cape Town)") == "Cape Town"
    assert location_qualifier("Example Academy (Pty) Ltd") is None


@given(st.text(max_size=80))
def test_match_key_is_idempotent_and_holds_only_words(text):
    key = match_key(text)
    if key is not None:
        assert match_key(key) == key
        assert key == key.strip()
        assert all(ch.isalnum() or ch == " " for ch in key)
        assert not any(unicodedata.combining(ch) for ch in key)
        assert any(ch.isalpha() for ch in key)


def test_match_key_keeps_every_script_and_refuses_what_is_not_a_name():
    assert match_key("\u0646\u0627\u062f\u064a \u0627\u0644\u0637\u064a\u0631\u0627\u0646") == (
        "\u0646\u0627\u062f\u064a \u0627\u0644\u0637\u064a\u0631\u0627\u0646"
    )
    assert match_key("\u2708\ufe0f Sky Club") == "sky club"
    assert match_key("12345") is None
    assert match_key("--- / ---") is None
    assert match_key("Kestrel " + "Aero " * 60) is None  # 308 characters
    assert match_key("Kestrel " + "Aero " * 50) is not None  # 258 characters


@given(st.text(max_size=80))
def test_display_name_is_idempotent(text):
    name = display_name(text)
    assert display_name(name) == name


def test_match_key_drops_trailing_approval_designators_only() -> None:
    assert match_key("EXAMPLE AVIATION AMO") == match_key("Example Aviation (Pty) Ltd")
    assert match_key("Example Aviation ATO AMO") == "example aviation"
    assert match_key("AMO Example Aviation") == "amo example aviation"
    assert match_key("AMO") == "amo"


@given(st.text(st.characters(max_codepoint=127), max_size=80))
def test_ascii_names_fold_as_unicode_folding_does(text):
    # The ASCII shortcut in _folded against the full NFKD path it skips.
    full = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).lower())
    assert _folded(text) == "".join(ch for ch in full if not unicodedata.combining(ch))
