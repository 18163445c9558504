"""The quality score formula on hand-made records (docs/reference/quality.md)."""

import duckdb
import pyarrow as pa
import pytest

from hotpass.validate.quality import COMPONENTS, score_organisations


def test_the_weights_add_up_to_one():
    assert sum(weight for _, weight, _, _ in COMPONENTS) == pytest.approx(1.0)


def _org(org_id, *, website=None, emails=(), phones=(), province=None, dnc=False, records=("r",)):
    return {
        "org_id": org_id,
        "website_domain": website,
        "emails": list(emails),
        "phones": list(phones),
        "province": province,
        "do_not_contact": dnc,
        "source_records": [f"{org_id}-{r}" for r in records],
    }


def _staged(org_id, *, website_raw=None, emails=0, phones=0, province_raw=None):
    return {
        "record_id": f"{org_id}-r",
        "website_raw": website_raw,
        "email_values": [{"raw": "x"}] * emails,
        "phone_values": [{"raw": "x"}] * phones,
        "province_raw": province_raw,
    }


def _score(orgs, staged, contacts):
    contact_schema = pa.schema([("org_id", pa.string()), ("is_primary", pa.bool_())])
    staged_schema = pa.schema(
        [
            ("record_id", pa.string()),
            ("website_raw", pa.string()),
            ("email_values", pa.list_(pa.struct([("raw", pa.string())]))),
            ("phone_values", pa.list_(pa.struct([("raw", pa.string())]))),
            ("province_raw", pa.string()),
        ]
    )
    scored = score_organisations(
        duckdb.connect(),
        pa.Table.from_pylist(orgs),
        pa.Table.from_pylist(contacts, schema=contact_schema),
        pa.Table.from_pylist(staged, schema=staged_schema),
    )
    return {r["org_id"]: r for r in scored.to_pylist()}


def test_every_valid_component_scores_one():
    result = _score(
        [
            _org(
                "a",
                website="a.co.za",
                emails=["i@a.co.za"],
                phones=["+27215550100"],
                province="Gauteng",
            )
        ],
        [_staged("a", website_raw="a.co.za", emails=1, phones=1, province_raw="GP")],
        [{"org_id": "a", "is_primary": True}],
    )["a"]
    assert result["data_quality_score"] == pytest.approx(1.0)
    assert result["data_quality_flags"] == []


def test_invalid_values_count_as_nothing_and_are_told_apart_from_missing_ones():
    result = _score(
        [_org("b", emails=["i@b.co.za"]), _org("c")],
        [
            _staged("b", website_raw="facebook.com/b", emails=1, phones=2, province_raw="Unknown"),
            _staged("c"),
        ],
        [{"org_id": "b", "is_primary": False}],
    )
    assert result["b"]["data_quality_score"] == pytest.approx(0.20)
    assert result["b"]["data_quality_flags"] == [
        "website_invalid",
        "phone_invalid",
        "province_invalid",
        "primary_contact_unreachable",
    ]
    assert result["c"]["data_quality_score"] == 0
    assert result["c"]["data_quality_flags"] == [
        "website_missing",
        "email_missing",
        "phone_missing",
        "province_missing",
        "primary_contact_missing",
    ]


def test_weights_add_up_per_component_and_do_not_contact_is_flagged():
    result = _score(
        [_org("d", phones=["+27215550100"], province="Western Cape", dnc=True)],
        [_staged("d", phones=1, province_raw="W Cape")],
        [],
    )["d"]
    assert result["data_quality_score"] == pytest.approx(0.20 + 0.15)
    assert "do_not_contact" in result["data_quality_flags"]
