"""Row-level diffs of golden organisations on hand-made versions."""

import pyarrow as pa

from hotpass.versions.diff import diff_organisations


def _orgs(rows):
    base: dict[str, object] = {
        "org_id": None,
        "display_name": None,
        "province": None,
        "emails": [],
        "provenance": [],
    }
    table = [dict(base, **row) for row in rows]
    schema = pa.schema(
        [
            ("org_id", pa.string()),
            ("display_name", pa.string()),
            ("province", pa.string()),
            ("emails", pa.list_(pa.string())),
            ("provenance", pa.list_(pa.string())),
        ]
    )
    return pa.Table.from_pylist(table, schema=schema)


def test_added_removed_and_changed_rows_name_the_changed_fields():
    before = _orgs(
        [
            {"org_id": "org_a", "display_name": "Alpha Aero", "province": "Gauteng"},
            {"org_id": "org_b", "display_name": "Bravo Air", "emails": ["ops@bravo.test"]},
            {"org_id": "org_c", "display_name": "Charlie Flight"},
            {"org_id": "org_d", "display_name": "Delta", "provenance": ["x"]},
        ]
    )
    after = _orgs(
        [
            {"org_id": "org_a", "display_name": "Alpha Aero", "province": "Western Cape"},
            {
                "org_id": "org_b",
                "display_name": "Bravo Air Charter",
                "emails": ["ops@bravo.test", "x@bravo.test"],
            },
            {"org_id": "org_d", "display_name": "Delta", "provenance": ["y"]},  # provenance only
            {"org_id": "org_e", "display_name": "Echo Aviation"},
        ]
    )
    diff = diff_organisations(before, after)
    assert [r.org_id for r in diff.added] == ["org_e"]
    assert [r.org_id for r in diff.removed] == ["org_c"]
    assert {r.org_id: r.fields for r in diff.changed} == {
        "org_a": ("province",),
        "org_b": ("display_name", "emails"),
    }
    assert diff.unchanged == 1
    assert diff.changed[1].display_name == "Bravo Air Charter"  # the later name


def test_null_to_value_is_a_change_and_identical_versions_have_none():
    before = _orgs([{"org_id": "org_a", "display_name": "Alpha"}])
    after = _orgs([{"org_id": "org_a", "display_name": "Alpha", "province": "Limpopo"}])
    assert [r.fields for r in diff_organisations(before, after).changed] == [("province",)]
    same = diff_organisations(after, after)
    assert (same.added, same.removed, same.changed, same.unchanged) == ([], [], [], 1)


def test_a_column_only_one_version_has_changes_every_shared_row():
    before = _orgs([{"org_id": "org_a", "display_name": "Alpha"}])
    after = before.append_column("lead_score", pa.array([0.5]))
    assert [r.fields for r in diff_organisations(before, after).changed] == [("lead_score",)]
