from pathlib import Path

import pandas as pd

from hotpass.contracts import TABLE_MODELS
from hotpass.contracts.export import json_schemas, schemas_markdown
from hotpass.contracts.tables import SCHEMAS, failing_rows

REPO = Path(__file__).resolve().parents[4]


def test_committed_json_schemas_match_the_models():
    for name, text in json_schemas().items():
        committed = REPO / "schemas" / name
        assert (
            committed.read_text(encoding="utf-8") == text
        ), f"{name} drifted: run 'hotpass contracts export'"


def test_committed_reference_page_matches_the_models():
    page = REPO / "docs" / "reference" / "schemas.md"
    assert page.read_text(encoding="utf-8") == schemas_markdown()


def test_committed_expectations_page_matches_the_suites():
    from hotpass.validate.reference import expectations_markdown

    page = REPO / "docs" / "reference" / "expectations.md"
    text = expectations_markdown()
    assert page.read_text(encoding="utf-8") == text, "run 'hotpass contracts export'"
    assert "`lead_score`" in text and "| critical |" in text and "| warning |" in text


def test_pandera_schemas_have_exactly_the_model_columns():
    for name, model in TABLE_MODELS.items():
        assert list(SCHEMAS[name].columns) == list(model.model_fields)


def contact_frame(**overrides):
    row = {
        "contact_id": "f.xlsx::S::2",
        "record_id": "f.xlsx::S::2",
        "org_record_id": "f.xlsx::S::2",
        "attach_method": "same_row",
        "source_file": "f.xlsx",
        "profile": "generic",
        "name": "A",
        "role": None,
        "email": None,
        "phone": "+27831234567",
        "phone_raw": "0831234567",
        "phone_kind": "mobile",
        "placeholder": False,
        "note": None,
        "do_not_contact": False,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_a_contract_breach_is_reported_by_row_and_check():
    assert failing_rows("contacts", contact_frame()) == {}
    failures = failing_rows("contacts", contact_frame(phone="0831234567", attach_method="guess"))
    assert list(failures) == [0]
    assert failures[0].split(":")[0] in {"phone", "attach_method"}
