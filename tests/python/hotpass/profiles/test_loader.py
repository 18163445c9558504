import pytest

from hotpass.errors import ProfileError
from hotpass.profiles import builtin_profiles, load_profile


def test_builtin_families_load_with_the_fallback_last():
    names = [p.name for p in builtin_profiles()]
    assert set(names) == {"contact_database", "generic", "reachout", "sacaa"}
    assert names[-1] == "generic"


def test_every_sheet_that_names_organisations_is_read():
    read = {p.name: {s.name for s in p.sheets} for p in builtin_profiles()}
    assert read["reachout"] == {"Organisation", "Contact Info"}
    assert read["sacaa"] == {"Cleaned"}
    assert read["contact_database"] == {
        "Company_Cat",
        "Company_Contacts",
        "Company_Addresses",
        "10-10-25 Capture",
        "Flight schools",
        "CAA",
        "Company_Notes",
    }
    ignored = {s.name: s.reason for s in load_profile("contact_database").ignored_sheets}
    assert all(reason for reason in ignored.values())
    assert "Admin" in ignored


def test_a_new_family_is_a_yaml_file(tmp_path):
    path = tmp_path / "regulator.yaml"
    path.write_text(
        "name: regulator\ndescription: a register\nsource_priority: 90\n"
        "privacy_basis: public_register\ndetect: {required_sheets: [Register]}\n"
        "sheets:\n  - name: Register\n    role: organisation\n"
        "    columns:\n      organisation_name: {synonyms: [Holder], required: true}\n"
    )
    profile = load_profile(str(path))
    assert profile.name == "regulator"
    assert profile.sheets[0].columns["organisation_name"].synonyms == ("Holder",)


def test_invalid_profile_lists_every_problem(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        "name: Broken Name\ndescription: x\nsource_priority: 500\nprivacy_basis: whatever\n"
        "detect: {}\nsheets:\n  - name: A\n    role: contact\n"
        "    columns: {organisation_name: {synonyms: [Org]}}\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    problems = "\n".join(caught.value.problems)
    assert "name" in problems
    assert "source_priority" in problems
    assert "privacy_basis" in problems
    assert "needs 'attach'" in problems
    assert len(caught.value.problems) >= 4


def test_unknown_profile_name_lists_the_builtins():
    with pytest.raises(ProfileError, match="built-in profiles: contact_database"):
        load_profile("nonexistent")
