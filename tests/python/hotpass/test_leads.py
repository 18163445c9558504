"""Lead labels and features: one function, the same answer for training and scoring."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa

from hotpass.contracts.golden import arrow_schema
from hotpass.leads import FEATURES, lead_table, with_lead_scores


def _org(org_id: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in arrow_schema("organisations").names}
    row.update(
        org_id=org_id,
        record_kind="organisation",
        display_name=org_id,
        match_key=org_id,
        emails=[],
        phones=[],
        planes=[],
        descriptions=[],
        notes=[],
        locations=[],
        do_not_contact=False,
        source_records=[f"a.xlsx::S::{len(org_id)}"],
        provenance=[],
        data_quality_score=0.5,
        data_quality_flags=[],
        in_call_list=True,
    )
    row.update(extra)
    return row


def _contact(org_id: str, role: str, primary: bool) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in arrow_schema("contacts").names}
    row.update(
        contact_id=f"{org_id}-{role}",
        org_id=org_id,
        role=role,
        email="x@example.test",
        do_not_contact=False,
        placeholder=False,
        is_primary=primary,
        source_contacts=[],
        source_records=[],
        provenance=[],
    )
    return row


def _tables() -> tuple[Any, Any]:
    organisations = pa.Table.from_pylist(
        [
            _org("org_order", last_order_date=date(2024, 5, 1), crm_status="Prospect"),
            _org("org_client", crm_status=" active "),
            _org(
                "org_lost",
                crm_status="NTC",
                do_not_contact=True,
                last_interaction_date=date(2025, 3, 1),
            ),
            _org(
                "org_new",
                planes=["3", "12", "lots"],
                last_interaction_date=date(2025, 3, 31),
                source_records=["a.xlsx::S::2", "b.xlsx::T::9", "a.xlsx::S::3"],
            ),
            _org("org_site", parent_org_id="org_new", record_kind="site"),
        ],
        schema=arrow_schema("organisations"),
    )
    contacts = pa.Table.from_pylist(
        [_contact("org_new", "Accountable Manager", True), _contact("org_new", "Admin", False)],
        schema=arrow_schema("contacts"),
    )
    return organisations, contacts


def test_outcomes_label_contacted_organisations_and_leave_the_rest_unlabelled() -> None:
    leads = lead_table(*_tables()).set_index("org_id")
    assert leads.loc["org_order", "label"] == 1  # an order beats a prospect status
    assert leads.loc["org_client", "label"] == 1
    assert leads.loc["org_lost", "label"] == 0
    assert leads["label"].isna()[["org_new", "org_site"]].all()
    assert leads.loc["org_site", "group_id"] == "org_new"  # sites fold with their parent
    assert leads.loc["org_site", "bucket"] == leads.loc["org_new", "bucket"]


def test_features_come_from_the_golden_tables_and_never_from_the_label() -> None:
    leads = lead_table(*_tables()).set_index("org_id")
    assert "crm_status" not in FEATURES and "last_order_date" not in FEATURES
    new = leads.loc["org_new"]
    assert new["planes"] == 12.0  # the largest fleet figure; text that is no number ignored
    assert new["primary_seniority"] == 1.0 and new["contacts"] == 2.0
    assert new["sources"] == 2.0  # two distinct files behind three records
    assert new["days_since_outreach"] == 0.0
    assert leads.loc["org_lost", "days_since_outreach"] == 30.0
    assert leads.loc["org_client", "primary_seniority"] == 5.0  # nobody to call
    assert list(lead_table(*_tables()).columns[-len(FEATURES) :]) == list(FEATURES)


def test_scores_join_by_id_and_do_not_contact_stays_out_of_the_call_list() -> None:
    organisations, _ = _tables()
    organisations = organisations.drop_columns(["lead_score", "lead_model_version", "in_call_list"])
    scores = pa.table({"org_id": ["org_lost", "org_new"], "lead_score": [0.9, 0.25]})
    rows = {r["org_id"]: r for r in with_lead_scores(organisations, scores, "m/3").to_pylist()}
    assert rows["org_lost"]["lead_score"] == 0.9 and not rows["org_lost"]["in_call_list"]
    assert rows["org_new"]["lead_model_version"] == "m/3" and rows["org_new"]["in_call_list"]
    assert rows["org_client"]["lead_score"] is None
    assert rows["org_client"]["lead_model_version"] is None
    unscored = with_lead_scores(organisations, None, None).to_pylist()
    assert all(r["lead_score"] is None for r in unscored)
    assert [r["in_call_list"] for r in unscored] == [not r["do_not_contact"] for r in unscored]
