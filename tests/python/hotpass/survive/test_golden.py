"""The golden layer built from the committed samples: sites, contacts, provenance, ids."""

import shutil

import pytest

from tests.python.hotpass.golden_run import SAMPLES, refine_into


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return refine_into(tmp_path_factory.mktemp("golden") / "ws")


def _staged(run, name):
    return run.table(f"staged/{name}")


def test_every_accepted_organisation_row_is_in_exactly_one_golden_organisation(run):
    staged = {o["record_id"] for o in _staged(run, "organisations")}
    golden = run.table("organisations")
    assert sorted(run.organisation_members()) == sorted(staged)
    assert run.summary.organisations == len(golden)
    assert len(golden) < len(staged)  # duplicates were merged


def test_two_locations_make_sites_that_keep_their_addresses_and_contacts(run):
    staged = _staged(run, "organisations")
    durban = next(o["record_id"] for o in staged if o["location_qualifier"] == "Durban")
    cape = next(o["record_id"] for o in staged if o["location_qualifier"] == "Cape Town")
    golden = {o["org_id"]: o for o in run.table("organisations")}
    parent = run.org_of()[durban]
    assert run.org_of()[cape] == parent
    sites = {o["org_id"]: o for o in golden.values() if o["parent_org_id"] == parent}
    assert len(sites) == 2
    assert {tuple(s["source_records"]) for s in sites.values()} == {(durban,), (cape,)}
    assert all(s["record_kind"] == "site" for s in sites.values())
    site_of = {s["source_records"][0]: org_id for org_id, s in sites.items()}
    for address in run.table("addresses"):
        if address["org_record_id"] in site_of:
            assert address["org_id"] == site_of[address["org_record_id"]]
    site_contacts = [c for c in run.table("contacts") if set(c["source_records"]) & set(site_of)]
    assert site_contacts
    assert all(c["org_id"] in sites for c in site_contacts)


def test_a_single_location_qualifier_is_no_evidence_of_another_organisation(run):
    staged = _staged(run, "organisations")
    lanseria = next(o for o in staged if o["location_qualifier"] == "Lanseria")
    org_id = run.org_of()[lanseria["record_id"]]
    golden = {o["org_id"]: o for o in run.table("organisations")}
    assert len(golden[org_id]["source_records"]) > 1
    assert golden[org_id]["locations"] == ["Lanseria"]
    assert not [o for o in golden.values() if o["parent_org_id"] == org_id]


def test_provenance_names_record_rule_and_losers_for_every_chosen_field(run):
    golden = [o for o in run.table("organisations") if len(o["source_records"]) > 2]
    assert golden
    for org in golden:
        fields = {p["field"]: p for p in org["provenance"]}
        assert fields["display_name"]["value"] == org["display_name"]
        assert set(fields["display_name"]["record_ids"]) <= set(org["source_records"])
        for entry in org["provenance"]:
            assert entry["rule"] in {
                "only candidate",
                "validity",
                "source priority",
                "recency",
                "completeness",
                "content digest",
                "record id",
                "merged",
                "any record of the organisation says do not contact",
            }
            assert all(loser["value"] != entry["value"] for loser in entry["losers"])


def test_provenance_lists_fields_in_order_with_do_not_contact_last(run):
    organisations = run.table("organisations")
    flagged = [o for o in organisations if o["do_not_contact"]]
    assert flagged
    for org in organisations:
        fields = [p["field"] for p in org["provenance"]]
        if org["do_not_contact"]:
            assert fields[-1] == "do_not_contact"
            fields = fields[:-1]
        assert "do_not_contact" not in fields
        assert fields == sorted(fields)
        assert "match_key" in fields


def test_each_golden_contact_carries_the_provenance_of_its_own_values(run):
    contacts = run.table("contacts")
    assert contacts
    for contact in contacts:
        chosen = {p["field"]: p["value"] for p in contact["provenance"]}
        assert list(chosen) == sorted(chosen)
        for field in ("name", "role", "email", "phone", "note"):
            assert chosen.get(field) == contact[field]
        ids = {i for p in contact["provenance"] for i in p["record_ids"]}
        assert ids <= set(contact["source_contacts"])


def test_contacts_merge_per_person_with_one_primary_never_do_not_contact(run):
    golden = run.table("contacts")
    staged = _staged(run, "contacts")
    assert sorted(c for g in golden for c in g["source_contacts"]) == sorted(
        c["contact_id"] for c in staged
    )
    orgs = {o["org_id"] for o in run.table("organisations")}
    assert {c["org_id"] for c in golden} <= orgs
    primaries = [c for c in golden if c["is_primary"]]
    assert len({c["org_id"] for c in primaries}) == len(primaries)
    assert not [c for c in primaries if c["do_not_contact"] or c["placeholder"]]
    emails = [(c["org_id"], c["email"]) for c in golden if c["email"]]
    assert len(emails) == len(set(emails))  # one golden contact per address per organisation


def test_ids_are_stable_across_reruns_fresh_workspaces_and_unrelated_additions(run, tmp_path):
    before = run.org_of()
    again = refine_into(run.workspace)
    assert again.org_of() == before
    fresh = refine_into(tmp_path / "fresh")
    assert fresh.org_of() == before
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "Organisation Name;Website;Email;Phone;Province\r\n"
        "Quokka Unrelated Aviation;quokka-unrelated.co.za;info@quokka-unrelated.co.za;"
        "0215550100;Western Cape\r\n",
        encoding="cp1252",
    )
    inputs = [*SAMPLES, extra]
    shutil.copytree(run.workspace, tmp_path / "grown")
    grown = refine_into(tmp_path / "grown", inputs).org_of()
    assert {record: grown[record] for record in before} == before
    assert len(set(grown.values())) == len(set(before.values())) + 1


def _seniority(role):
    role = (role or "").lower()
    for rank, words in enumerate(
        (("accountable", "ceo", "owner"), ("chief pilot", "cfi"), ("operations", "manager"))
    ):
        if any(word in role for word in words):
            return rank
    return 3 if role else 4


def test_the_primary_contact_is_the_most_senior_reachable_person(run):
    by_org: dict[str, list[dict]] = {}
    for contact in run.table("contacts"):
        by_org.setdefault(contact["org_id"], []).append(contact)
    blocked = {o["org_id"] for o in run.table("organisations") if o["do_not_contact"]}
    checked = 0
    for org_id, contacts in by_org.items():
        reachable = [
            c
            for c in contacts
            if not c["do_not_contact"] and not c["placeholder"] and (c["email"] or c["phone"])
        ]
        primaries = [c for c in contacts if c["is_primary"]]
        if not reachable or org_id in blocked:  # a do-not-contact organisation has no primary
            assert not primaries
            continue
        assert len(primaries) == 1
        assert _seniority(primaries[0]["role"]) == min(_seniority(c["role"]) for c in reachable)
        checked += len(reachable) > 1
    assert checked  # some organisations had a real choice to make


def test_a_re_sorted_file_publishes_the_same_golden_values(tmp_path):
    """Two rows of one organisation that tie on every rule (one file, equally complete): the
    content digest, not the row number, picks the name, so swapping the rows changes nothing.
    (With the record id as the last tie-break, each order showed its own first row's name.)"""
    header = "Organisation Name;Phone;Email;Website;Province"
    tied = [
        "Kestrel Aero Club;011 555 0101;ops@kestrel.invalid;kestrel.invalid;Gauteng",
        "Kestrel Aero Club (Pty) Ltd;011 555 0101;ops@kestrel.invalid;kestrel.invalid;Gauteng",
    ]
    others = [
        f"Harrier Flight School {n};011 555 02{n:02d};info@harrier{n}.invalid;"
        f"harrier{n}.invalid;Limpopo"
        for n in range(6)
    ]
    shown = {}
    for name, rows in (("forward", tied), ("reversed", tied[::-1])):
        source = tmp_path / name / "orgs.csv"
        source.parent.mkdir()
        source.write_text("\r\n".join([header, *rows, *others]) + "\r\n", encoding="utf-8")
        run = refine_into(tmp_path / name / "ws", [source])
        (kestrel,) = (o for o in run.table("organisations") if "Kestrel" in o["display_name"])
        rule = {p["field"]: p["rule"] for p in kestrel["provenance"]}["display_name"]
        shown[name] = (kestrel["org_id"], kestrel["display_name"], rule)
    assert shown["forward"] == shown["reversed"]
    assert shown["forward"][2] == "content digest"
