"""hotpass resolve / review / explain from the command line."""

import random

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hotpass.cli.app import app
from tests.python.hotpass.golden_run import refine_into

runner = CliRunner()
PEOPLE_PROFILE = """
name: people
comparisons:
  - {column: full_name, kind: name}
  - {column: email, kind: email}
  - {column: phone, kind: phone}
blocking: [[full_name], [email], [phone]]
training_rules: [[email], [full_name]]
training_recall: 0.9
threshold: 0.5
review_floor: 0.05
unique_id: person_id
"""
FIRST = ["Thandi", "Pieter", "Anele", "Ruan", "Lerato", "Johan", "Naledi", "Kobus", "Zanele"]
LAST = ["Mokoena", "Botha", "Dlamini", "Smit", "Khumalo", "Pretorius", "Ndlovu", "Visser"]


def _people(path, rng):
    lines = ["person_id,full_name,email,phone"]
    truth = {}
    for person in range(300):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{person}@example{person % 40}.co.za".lower()
        phone = f"08{rng.randrange(10000000, 99999999)}"
        copies = 2 if person % 3 == 0 else 1
        for copy in range(copies):
            name = f"{first} {last}".upper() if copy else f"{first} {last}"
            shown_phone = f"+27 {phone[1:3]} {phone[3:6]} {phone[6:]}" if copy else phone
            record = f"p{person}-{copy}"
            lines.append(f"{record},{name},{email},{shown_phone}")
            truth[record] = person
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def _resolve_clusters(tmp_path, profile, tables):
    """Run ``hotpass resolve`` into tmp_path/out; return unique_id -> cluster_id."""
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "resolve",
            *map(str, tables),
            "--profile",
            str(profile),
            "--out",
            str(out),
            "--workspace",
            str(tmp_path / "ws"),
        ],
    )
    assert result.exit_code == 0, result.output
    return dict(zip(*pq.read_table(out / "clusters.parquet").to_pydict().values(), strict=True))


def test_resolve_runs_on_any_table_with_a_profile(tmp_path):
    profile = tmp_path / "people.yaml"
    profile.write_text(PEOPLE_PROFILE)
    truth = _people(tmp_path / "people.csv", random.Random(5))
    clusters = _resolve_clusters(tmp_path, profile, [tmp_path / "people.csv"])
    assert set(clusters) == set(truth)
    for record, person in truth.items():
        same = {r for r, p in truth.items() if p == person}
        assert {r for r, c in clusters.items() if c == clusters[record]} == same
    out = tmp_path / "out"
    assert (out / "links.parquet").exists() and (out / "review_queue.parquet").exists()


def test_resolve_names_the_missing_column(tmp_path):
    profile = tmp_path / "people.yaml"
    profile.write_text(PEOPLE_PROFILE)
    (tmp_path / "t.csv").write_text("person_id,full_name\n1,A\n")
    result = runner.invoke(app, ["resolve", str(tmp_path / "t.csv"), "--profile", str(profile)])
    assert result.exit_code == 2
    assert "missing column(s) email, phone" in result.output


@pytest.fixture(scope="module")
def refined(tmp_path_factory):
    return refine_into(tmp_path_factory.mktemp("cli") / "ws")


def test_explain_prints_fields_rules_and_sources(refined):
    org = max(refined.table("organisations"), key=lambda o: len(o["source_records"]))
    result = runner.invoke(
        app,
        ["explain", org["org_id"], "--workspace", str(refined.workspace)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    assert org["org_id"] in result.output
    assert "display_name" in result.output
    assert "source priority" in result.output or "only candidate" in result.output
    missing = runner.invoke(app, ["explain", "org_nope", "--workspace", str(refined.workspace)])
    assert missing.exit_code == 2


def test_review_lists_pairs_and_records_decisions(refined):
    queue = refined.table("review_queue")
    listed = runner.invoke(app, ["review", "list", "--workspace", str(refined.workspace)])
    assert listed.exit_code == 0, listed.output
    assert queue[0]["pair_id"] in listed.output
    decided = runner.invoke(
        app,
        [
            "review",
            "reject",
            queue[0]["pair_id"],
            "--note",
            "different hangar",
            "--workspace",
            str(refined.workspace),
        ],
    )
    assert decided.exit_code == 0, decided.output
    decisions = (refined.workspace / "review" / "decisions.csv").read_text()
    assert queue[0]["pair_id"] in decisions and "reject" in decisions
    unknown = runner.invoke(
        app, ["review", "accept", "nope", "--workspace", str(refined.workspace)]
    )
    assert unknown.exit_code == 2


def test_resolve_links_two_tables_without_deduplicating_either(tmp_path):
    rng = random.Random(3)
    left, right = ["person_id,full_name,email,phone"], ["person_id,full_name,email,phone"]
    for person in range(200):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{person}@ex{person % 30}.co.za".lower()
        phone = f"08{rng.randrange(10**7, 10**8)}"
        left.append(f"a{person},{first} {last},{email},{phone}")
        if person % 2 == 0:
            right.append(f"b{person},{first.upper()} {last.upper()},{email},+27{phone[1:]}")
    (tmp_path / "crm.csv").write_text("\n".join(left) + "\n")
    (tmp_path / "events.csv").write_text("\n".join(right) + "\n")
    profile = tmp_path / "link.yaml"
    profile.write_text(
        PEOPLE_PROFILE.replace("name: people", "name: people-link\nlink_type: link_only")
        + "source_column: source\n"
    )
    clusters = _resolve_clusters(tmp_path, profile, [tmp_path / "crm.csv", tmp_path / "events.csv"])
    for person in range(0, 200, 2):
        assert clusters[f"a{person}"] == clusters[f"b{person}"]
    assert len(set(clusters.values())) == 200
